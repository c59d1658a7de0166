"""A reader of each language walks every public page type of the demo (es, pt, en) and meets no raw code, no
Python repr, no English on the Spanish and Portuguese pages, and no text in another language without its `lang`.

Raw codes: network codes such as `br-school`, time zone names (`America/Bogota`), Django's empty choice
(`---------`), class reprs (`<class '...'>`), ISO 639 language codes shown as words (`spa`, `por`, `eng`: the
catalog names languages). Sample data: a page showing sample libraries, figures or holdings carries the site's
marker (an element of class `sample`, "Sample data"). A phone-width pass (390×844) reads the home, a library and a
meeting without a sideways scroll. Text in another language: a fallback note ("only in Spanish")
must follow an element carrying `lang`. English on /es/ and /pt/: a short list of telltale words, looked for in
the page's own text (elements with a `lang` of their own and user content are left out)."""

import re
from pathlib import Path

import pytest

from sirbi.catalog import marc
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.cooperation.models import Action, WorkingGroup
from sirbi.registry.models import Library

from .test_page_weight import demo_site, public_pages  # noqa: F401 (demo_site is a fixture)

# A language code standing as a value (a line, a cell, "(spa)", "· por", "Idioma: eng"), not the words Spanish and
# Portuguese write with the same letters ("por ejemplo", "feito por Ana").
LANGUAGE_CODE = re.compile(r"(?:^|[(·:,]\s*)\b(spa|por|eng|fre|ger|ita|que|grn)\b(?=\s*(?:$|[)·,;]))", re.M)
RAW = [re.compile(r"\b[a-z]{2}-(public|school|popular|other)\b"), re.compile(r"\bAmerica/[A-Z]"),
       re.compile("-{9}"), re.compile(r"<class '"), LANGUAGE_CODE]
SAMPLE_MARC = Path(__file__).resolve().parents[2] / "src" / "sirbi" / "catalog" / "data" / "lc-spa-por-sample.mrc"
# Pages that show sample libraries, figures or holdings, which must say so (`.sample`).
WITH_SAMPLES = ("home", "libraries", "library", "map", "network", "country", "statistics-peru", "catalog-search",
                "cluster")
PHONE = {"width": 390, "height": 844}
ENGLISH = re.compile(r"\b(None yet|No results|Sample data|Search|Previous|Next|Download|Meetings|Roadmap|"
                     r"Working groups|Libraries|Networks|only in Spanish)\b")
# The page's own words: its text without elements that carry a language of their own (user content, names).
OWN_TEXT = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('[lang], script, style, code, pre').forEach(e => e.remove());
  return copy.innerText;
}"""
VISIBLE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('code, script, style').forEach(e => e.remove());
  return copy.innerText;
}"""
UNMARKED_FALLBACKS = """() => [...document.querySelectorAll('.lang-note')].filter(note => {
  const marked = note.tagName === 'SMALL' ? note.previousElementSibling : note.nextElementSibling;
  return !(marked && marked.hasAttribute('lang'));
}).map(note => note.parentElement.outerHTML.slice(0, 200))"""


@pytest.fixture
def walk_site(demo_site, settings, tmp_path):  # noqa: F811
    """The demo's public data and a small catalog: 80 real records held by a sample library (the demo's way)."""
    settings.CATALOG_INDEX_DIR = tmp_path / "index"
    library = Library.objects.get(pk=demo_site["library"])
    parsed = [p for p in marc.read(SAMPLE_MARC.read_bytes()) if p.record][:80]
    import_file(Source.objects.create(code="walk", name="Walk", library=library), b"".join(p.raw for p in parsed),
                "walk.mrc")
    record = Record.objects.filter(language="spa", cluster__isnull=False).order_by("pk").first()
    word = max(re.findall(r"\w{5,}", record.title), key=len)
    return {**demo_site, "cluster": record.cluster_id, "word": word}


def pages_of(site):
    pages = dict(public_pages(site))
    action = Action.objects.order_by("code").first()
    group = WorkingGroup.objects.order_by("code").first()
    pages.update({"action": f"/cooperation/actions/{action.code}/",
                  "group": f"/cooperation/groups/{group.code}/",
                  "catalog-search": f"/catalog/?q={site['word']}", "cluster": f"/catalog/clusters/{site['cluster']}/"})
    return pages


def read_problems(page, name, language):
    """What a reader of `language` should not meet on the page open in `page`."""
    problems = []
    # <code> shows an identifier on purpose (a network's code, for the API); elsewhere a code is a fault.
    text = page.evaluate(VISIBLE_TEXT)
    for pattern in RAW:
        for match in pattern.finditer(text):
            problems.append(f"{name}: raw code {match.group(0)!r}")
    for html in page.evaluate(UNMARKED_FALLBACKS):
        problems.append(f"{name}: text in another language without lang: {html}")
    if language != "en":
        for match in ENGLISH.finditer(page.evaluate(OWN_TEXT)):
            problems.append(f"{name}: English on the {language} page: {match.group(0)!r}")
    return problems


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_every_page_type_reads_in_the_readers_language(page, live_server, walk_site, language):
    problems = []
    for name, path in pages_of(walk_site).items():
        response = page.goto(f"{live_server.url}/{language}{path}")
        if response.status != 200:
            problems.append(f"{name}: HTTP {response.status}")
            continue
        problems += read_problems(page, name, language)
        found = page.locator(f"a[href$='/catalog/clusters/{walk_site['cluster']}/']")
        if name == "catalog-search" and not found.count():
            problems.append(f"{name}: the record searched for is not found")
        if name in WITH_SAMPLES and not page.locator(".sample").count():
            problems.append(f"{name}: sample data without its marker")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_a_phone_reads_the_home_a_library_and_a_meeting(page, live_server, demo_site, language):  # noqa: F811
    page.set_viewport_size(PHONE)
    problems = []
    for name in ("home", "library", "meeting"):
        page.goto(f"{live_server.url}/{language}{public_pages(demo_site)[name]}")
        problems += read_problems(page, name, language)
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            problems.append(f"{name}: {wide} px wider than a phone")
        if not page.locator("main h1").is_visible():
            problems.append(f"{name}: no visible heading")
    assert not problems, "\n".join(problems)


def test_lima_2022_reads_in_each_language(page, live_server, demo_site):  # noqa: F811
    titles = {"es": "I Encuentro Regional del SIRBI", "pt": "I Encontro Regional do SIRBI",
              "en": "1st Regional Meeting of SIRBI"}
    for language, title in titles.items():
        page.goto(f"{live_server.url}/{language}/cooperation/meetings/{demo_site['meeting']}/")
        heading = page.locator("main h1")
        assert heading.inner_text().strip() == title
        assert heading.locator("[lang]").count() == 0
        page.goto(f"{live_server.url}/{language}/cooperation/meetings/")
        assert page.get_by_text(title).count() >= 1
