"""Texts of the cooperation workspace in es, pt and en: forms take the other languages as optional fields, pages
read the reader's language (or say which one they fall back to), the API gives every language and the
reader's, the change log keeps them, the search finds any of them."""

from datetime import date

from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.models import Activity, GoodPractice, PartnershipAgreement
from sirbi.core.models import ChangeLog

SOON = date.today().replace(day=1)


def url(name, *args, language="en"):
    with translation.override(language):
        return reverse(f"cooperation:{name}", args=args)


def agreement_form(**fields):
    return {"title": "Convenio andino", "networks": ["pe-public"], "signed": "2024-01-01", "starts": "2024-01-01",
            "scopes": ["loans"], **fields}


def test_the_form_shows_the_other_languages_as_optional_groups(coordinator_pe, pe_public, as_user):
    page = as_user(coordinator_pe).get(url("partnership-new", language="es")).content.decode()
    assert "<legend>En portugués (opcional)</legend>" in page and "<legend>En inglés (opcional)</legend>" in page
    assert 'name="title_pt"' in page and 'name="description_en"' in page
    assert page.index('name="url"') < page.index('name="title_pt"') < page.index('name="title_en"') \
        < page.index('name="message"')


def test_an_author_adds_a_language_later_and_the_change_log_keeps_it(coordinator_pe, pe_public, as_user):
    client = as_user(coordinator_pe)
    assert client.post(url("partnership-new"), agreement_form()).status_code == 302
    agreement = PartnershipAgreement.objects.get()
    assert (agreement.title, agreement.title_pt, agreement.title_en) == ("Convenio andino", "", "")
    edit = agreement_form(title_pt="Convênio andino", title_en="Andean agreement", base_version=agreement.version)
    assert client.post(url("partnership-edit", agreement.pk), edit).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title_pt, agreement.title_en) == ("Convênio andino", "Andean agreement")
    change = ChangeLog.objects.filter(object_id=agreement.pk).order_by("-pk").first()
    assert change.after["title_pt"] == "Convênio andino" and change.before["title_pt"] == ""


def test_pages_read_the_readers_language_or_say_which_they_show(coordinator_pe, peru, as_user):
    activity = Activity.objects.create(title="Feria del libro de Lima", title_pt="Feira do livro de Lima",
                                       kind="book_fair", country=peru, start=SOON, end=SOON)
    on = {language: as_user(None).get(url("activity", activity.pk, language=language)).content.decode()
          for language in ("es", "pt", "en")}
    assert "<h1>Feria del libro de Lima" in on["es"] and "Feira do livro" not in on["es"]
    assert "<h1>Feira do livro de Lima" in on["pt"] and 'lang="es"' not in on["pt"].split("<h1>")[1][:80]
    assert '<span lang="es">Feria del libro de Lima</span> <small class="lang-note">(only in Spanish)</small>' \
        in on["en"]


def test_the_api_gives_every_language_and_the_readers(coordinator_pe, pe_public):
    agreement = PartnershipAgreement(title="Convenio andino", title_en="Andean agreement", signed=date(2024, 1, 1),
                                     starts=date(2024, 1, 1), scopes=["loans"])
    alliances.save_partnership(agreement, coordinator_pe, networks=[pe_public], partners=[])
    client = APIClient()
    row = client.get("/api/v1/agreements/", HTTP_ACCEPT_LANGUAGE="pt").json()["results"][0]
    assert (row["title"], row["title_pt"], row["title_en"]) == ("Convenio andino", "", "Andean agreement")
    assert row["localized"]["title"] == {"text": "Convenio andino", "lang": "es"}
    row = client.get("/api/v1/agreements/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert row["localized"]["title"] == {"text": "Andean agreement", "lang": "en"}
    client.force_authenticate(coordinator_pe)
    created = client.post("/api/v1/agreements/", {**agreement_form(title="Por API"), "title_pt": "Pela API"},
                          format="json")
    assert created.status_code == 201, created.content
    assert PartnershipAgreement.objects.get(title="Por API").title_pt == "Pela API"


def test_the_search_finds_a_practice_by_its_portuguese_title(librarian_lima, lima_library, peru):
    practice = GoodPractice(title="Lectura en voz alta", title_pt="Leitura em voz alta para crianças",
                            summary="Sesiones semanales.", country=peru, library=lima_library)
    practice.save()
    assert list(alliances.search(GoodPractice.objects.all(), q="criancas")) == [practice]
    assert list(alliances.search(GoodPractice.objects.all(), q="lectura")) == [practice]
