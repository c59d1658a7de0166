"""Deduplication on real records and variants of them as other libraries would catalogue them."""

import copy
import io

import pymarc
import pytest

from sirbi.catalog import clusters
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Decision, Record, Source

from .conftest import DATA


def original():
    return next(iter(pymarc.MARCReader((DATA / "pymarc-marc.dat").open("rb"))))  # The pragmatic programmer


def as_file(*records):
    buffer = io.BytesIO()
    for record in records:
        buffer.write(record.as_marc())
    return buffer.getvalue()


def variant(record, control, *, drop=(), title=None, year=None, isbn=None):
    new = copy.deepcopy(record)
    new.get_fields("001")[0].data = control
    for tag in drop:
        new.remove_fields(tag)
    if title is not None:
        new.get_fields("245")[0].subfields = [pymarc.Subfield("a", title)]
    if year is not None:
        fixed = new.get_fields("008")[0]
        fixed.data = fixed.data[:7] + str(year) + fixed.data[11:]
    if isbn is not None:
        new.remove_fields("020")
        new.add_field(pymarc.Field(tag="020", indicators=pymarc.Indicators(" ", " "),
                                   subfields=[pymarc.Subfield("a", isbn)]))
    return new


@pytest.fixture
def sources(lima_library, cusco_library, buenos_aires_library):
    return (Source.objects.create(code="a", name="A", library=lima_library),
            Source.objects.create(code="b", name="B", library=cusco_library),
            Source.objects.create(code="c", name="C", library=buenos_aires_library))


def test_same_edition_catalogued_differently_joins_by_similarity_and_says_why(sources):
    a, b, _c = sources
    import_file(a, as_file(original()), "a.mrc")
    # No ISBN, no subtitle, title without its article's capital: another library's record of the same book.
    import_file(b, as_file(variant(original(), "b-1", drop=["020"], title="the pragmatic programmer /")), "b.mrc")
    first, second = Record.objects.order_by("pk")
    assert first.cluster_id == second.cluster_id
    assert second.match_reason["with"] == first.pk and second.match_reason["scores"]["title"] >= 92


def test_look_alike_editions_stay_apart_and_are_shown_as_near(sources):
    a, b, c = sources
    import_file(a, as_file(original()), "a.mrc")
    import_file(b, as_file(variant(original(), "b-1", drop=["020"], year=2010)), "b.mrc")  # another year
    import_file(c, as_file(variant(original(), "c-1", isbn="9780135957059")), "c.mrc")  # another ISBN (2nd ed.)
    assert Record.objects.values("cluster").distinct().count() == 3
    cluster = Record.objects.get(source=a).cluster
    near = {record.source.code: scores for record, scores in clusters.near_candidates(cluster)}
    assert near["b"]["same_year"] is False
    assert near["c"]["isbn_conflict"] is True


def test_a_split_survives_reimports_and_a_merge_is_kept(sources, librarian_lima):
    a, b, _c = sources
    import_file(a, as_file(original()), "a.mrc")
    import_file(b, as_file(variant(original(), "b-1", drop=["020"])), "b.mrc")
    first, second = Record.objects.order_by("pk")
    assert first.cluster_id == second.cluster_id
    clusters.split(second, librarian_lima)
    second.refresh_from_db()
    assert second.cluster_id != first.cluster_id and Decision.objects.filter(kind="apart").count() == 1
    # The source sends the record again, changed: it is compared again but stays apart.
    import_file(b, as_file(variant(original(), "b-1", drop=["020"], title="The pragmatic programmer : revised")),
                "b.mrc")
    second.refresh_from_db()
    assert second.cluster_id != first.cluster_id
    clusters.merge(second, first, librarian_lima)
    import_file(b, as_file(variant(original(), "b-1", drop=["020"], title="Pragmatic")), "b.mrc")
    second.refresh_from_db()
    assert second.cluster_id == first.cluster_id and "decision" in second.match_reason


def test_cluster_page_explains_and_cataloguers_split_through_it(sources, librarian_lima, coordinator_cl, as_user):
    from django.urls import reverse
    from django.utils import translation

    a, b, _c = sources
    import_file(a, as_file(original()), "a.mrc")
    import_file(b, as_file(variant(original(), "b-1", drop=["020"], title="the pragmatic programmer")), "b.mrc")
    first, second = Record.objects.order_by("pk")
    with translation.override("en"):
        page_url = reverse("catalog:cluster", args=[first.cluster_id])
        split_url = reverse("catalog:record-split", args=[first.pk])
    body = as_user(librarian_lima).get(page_url).content.decode()
    assert "similar: title" in body and "Not the same edition: take it out" in body
    refused = as_user(coordinator_cl).post(split_url)
    assert refused.status_code == 403  # and says why: where the coordinator's role reaches, where the record is
    assert "Your role covers Chile; " in refused.content.decode() and " is in Peru." in refused.content.decode()
    as_user(librarian_lima).post(split_url)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cluster_id != second.cluster_id
    with translation.override("en"):
        after = as_user(None).get(reverse("catalog:cluster", args=[second.cluster_id])).content.decode()
    assert "Similar records kept apart" in after


def test_cluster_page_queries_do_not_grow_with_its_records(sources, lima_library, librarian_lima, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    a, _b, _c = sources

    def queries(n):
        for i in range(n):
            extra = Source.objects.create(code=f"x{n}-{i}", name="x", library=lima_library)
            import_file(extra, as_file(variant(original(), f"x-{n}-{i}", drop=["020"])), "x.mrc")
        record = Record.objects.filter(source=a).first()
        with CaptureQueriesContext(connection) as ctx:
            as_user(librarian_lima).get(reverse("catalog:cluster", args=[record.cluster_id]))
        return len(ctx.captured_queries)

    import_file(a, as_file(original()), "a.mrc")
    assert queries(1) == queries(4)
