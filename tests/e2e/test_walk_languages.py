"""A reader of each language walks every public page type of the demo (es, pt, en) and meets no raw code, no
Python repr, no English on the Spanish and Portuguese pages, and no text in another language without its `lang`.

Raw codes: network codes such as `br-school`, time zone names (`America/Bogota`), Django's empty choice
(`---------`), class reprs (`<class '...'>`). Text in another language: a fallback note ("only in Spanish")
must follow an element carrying `lang`. English on /es/ and /pt/: a short list of telltale words, looked for in
the page's own text (elements with a `lang` of their own and user content are left out)."""

import re

import pytest

from sirbi.cooperation.models import Action, WorkingGroup

from .test_page_weight import demo_site, public_pages  # noqa: F401 (demo_site is a fixture)

RAW = [re.compile(r"\b[a-z]{2}-(public|school|popular|other)\b"), re.compile(r"\bAmerica/[A-Z]"),
       re.compile("-{9}"), re.compile(r"<class '")]
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


def pages_of(site):
    pages = dict(public_pages(site))
    action = Action.objects.order_by("code").first()
    group = WorkingGroup.objects.order_by("code").first()
    pages.update({"action": f"/cooperation/actions/{action.code}/",
                  "group": f"/cooperation/groups/{group.code}/"})
    return pages


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_every_page_type_reads_in_the_readers_language(page, live_server, demo_site, language):  # noqa: F811
    problems = []
    for name, path in pages_of(demo_site).items():
        response = page.goto(f"{live_server.url}/{language}{path}")
        if response.status != 200:
            problems.append(f"{name}: HTTP {response.status}")
            continue
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
    assert not problems, "\n".join(sorted(set(problems)))


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
