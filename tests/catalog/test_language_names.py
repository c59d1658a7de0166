"""A record's language reads as a name in the reader's language ('Español', 'Portuguese'), never as its ISO 639
code ('spa'): on the cluster page, in the facets and in a chosen filter."""

import re

from django.utils import translation

from sirbi.catalog.models import Record
from sirbi.core.languages import language_name


def test_codes_are_named_in_the_readers_language():
    for language, names in (("es", ["Español", "Portugués", "Inglés", "Francés"]),
                            ("pt", ["Espanhol", "Português", "Inglês", "Francês"]),
                            ("en", ["Spanish", "Portuguese", "English", "French"])):
        with translation.override(language):
            assert [language_name(code) for code in ("spa", "por", "eng", "fre")] == names
    assert language_name("en", "es") == "Inglés" and language_name("", "es") == ""
    assert language_name("xx1", "es") == "xx1"  # unknown: as it came
    assert language_name("que", "pt") == "Quíchua"  # capitalised as a label, like the others


def test_the_cluster_page_and_the_facets_name_the_language(catalog, client):
    record = Record.objects.filter(title__startswith="The pragmatic programmer").first()
    for language, name in (("es", "Inglés"), ("pt", "Inglês"), ("en", "English")):
        body = client.get(f"/{language}/catalog/clusters/{record.cluster_id}/").content.decode()
        assert f"<dd>{name}</dd>" in body and not re.search(r"\beng\b", body.split("<main")[1].split("<script")[0])
        search = client.get(f"/{language}/catalog/", {"q": "pragmatic", "language": "eng"}).content.decode()
        facets = search.split('class="facets"')[1].split("</aside>")[0]
        assert f"{name} <a href" in facets and not re.search(r">[^<]*\beng\b", facets)
