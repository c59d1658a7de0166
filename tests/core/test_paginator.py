"""Keys-first paging gives the same pages as Django's own paginator, with the queryset's related objects."""

from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sirbi.core.paginator import KeysFirstPaginator
from sirbi.registry.models import Library


def test_pages_are_those_of_a_plain_paginator(peru, pe_public):
    for n in range(22):
        library = Library.objects.create(name=f"Biblioteca {n % 7} {n}", country=peru, type="public",
                                         status="closed" if n % 5 == 0 else "open", locality="Lima")
        if n % 2:
            library.networks.add(pe_public)
    queryset = Library.objects.filter(status="open").order_by("-name", "id")
    plain, ours = Paginator(queryset, 5, orphans=2), KeysFirstPaginator(queryset, 5, orphans=2)
    assert ours.num_pages == plain.num_pages == 3
    for number in ours.page_range:
        assert [lib.pk for lib in ours.page(number)] == [lib.pk for lib in plain.page(number)]
    assert len(ours.page(3)) == 7  # the orphans join the last page


def test_related_objects_come_with_the_page(peru, pe_public, lima_library, cusco_library):
    queryset = Library.objects.select_related("country").prefetch_related("networks").order_by("name")
    page = KeysFirstPaginator(queryset, 10).page(1)
    with CaptureQueriesContext(connection) as queries:
        names = [(lib.name, lib.country.code, [n.code for n in lib.networks.all()]) for lib in page]
    assert len(queries) == 0
    assert names == [("Biblioteca Municipal de Lima", "PE", ["pe-public"]), ("Biblioteca de Cusco", "PE", [])]
