from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.models import GoodPractice, NeedArea, PartnershipAgreement
from sirbi.registry.models import Network

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def url(name, *args):
    with translation.override("en"):
        return reverse(f"cooperation:{name}", args=args)


@pytest.fixture
def cl_public(db):
    return Network.objects.get(code="cl-public")


def make_agreement(user, networks, **fields):
    agreement = PartnershipAgreement(title=fields.pop("title", "Convenio"), signed=date(2024, 1, 1),
                                     starts=date(2024, 1, 1), scopes=["loans"], **fields)
    agreement.full_clean()
    return alliances.save_partnership(agreement, user, networks=networks, partners=[])


def test_signatories_keep_their_agreements_others_are_refused(coordinator_pe, coordinator_cl, pe_public, cl_public,
                                                              argentina):
    agreement = make_agreement(coordinator_pe, [pe_public, cl_public])
    assert agreement.networks.count() == 2
    agreement.title = "Convenio renovado"
    alliances.save_partnership(agreement, coordinator_cl, networks=[pe_public, cl_public], partners=[])
    ar = Network.objects.get(code="ar-public")
    with pytest.raises(PermissionDenied):
        make_agreement(coordinator_pe, [ar], title="Ajeno")
    assert not PartnershipAgreement.objects.filter(title="Ajeno").exists()


def test_validity_and_bad_dates(coordinator_pe, pe_public):
    today = date(2026, 6, 1)
    agreement = PartnershipAgreement(title="x", signed=today, starts=today, ends=today + timedelta(days=30),
                                     scopes=["data"])
    assert agreement.validity(today) == "expiring"
    assert agreement.validity(today + timedelta(days=31)) == "expired"
    assert agreement.validity(today - timedelta(days=1)) == "upcoming"
    agreement.ends = None
    assert agreement.validity(today) == "active"
    agreement.ends, agreement.scopes = today - timedelta(days=1), ["nope"]
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert set(error.value.message_dict) == {"ends", "scopes"}


def test_expiring_agreements_are_reminded_to_the_signatory_countries(coordinator_pe, coordinator_cl, pe_public,
                                                                     cl_public):
    make_agreement(coordinator_pe, [pe_public, cl_public], ends=date.today() + timedelta(days=20))
    call_command("send_reminders", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["coord_cl@example.org", "coord_pe@example.org"]
    assert "Convenio" in mail.outbox[0].body


def test_practice_shared_moderated_and_searched(librarian_lima, lima_library, peru, secretary):
    area = NeedArea.objects.create(code="reading", name_es="Lectura", name_pt="Leitura", name_en="Reading")
    practice = GoodPractice(title="Lectura en el mercado", summary="Préstamo de libros en **mercados**",
                            country=peru, library=lima_library, sdgs=[4, 11])
    alliances.share(practice, librarian_lima, themes=[area], image=SimpleUploadedFile("foto.png", PNG))
    assert practice.status == "submitted" and practice.image_type == "image/png"
    assert mail.outbox and "moderation" in mail.outbox[-1].subject
    public = alliances.visible_practices(None)
    assert not public.exists()
    assert list(alliances.visible_practices(librarian_lima)) == [practice]
    with pytest.raises(ValidationError):
        alliances.moderate(practice, secretary, publish=False)
    alliances.moderate(practice, secretary, publish=True)
    found = alliances.search(alliances.visible_practices(None), q="LECTURA mercado", sdg="11", theme="reading",
                             country="pe")
    assert list(found) == [practice]
    assert not alliances.search(alliances.visible_practices(None), sdg="1").exists()


def test_practice_out_of_scope_or_with_a_bad_image_is_refused(librarian_lima, peru, chile, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other = GoodPractice(title="Ajena", summary="x", country=chile)
    with pytest.raises(PermissionDenied):
        alliances.share(other, librarian_lima, themes=[])
    bad = GoodPractice(title="Con imagen falsa", summary="x", country=peru)
    with pytest.raises(ValidationError, match="not an accepted type"):
        alliances.share(bad, librarian_lima, themes=[], image=SimpleUploadedFile("x.png", b"%PDF-1.4\n%%EOF"))
    assert not GoodPractice.objects.exists()


def test_practice_pages(librarian_lima, lima_library, secretary, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = as_user(librarian_lima).post(url("practice-new"), {
        "title": "Cuentos en quechua", "summary": "Lecturas <script>x()</script> bilingües", "country": "PE",
        "library": lima_library.pk, "sdgs": ["4"], "image": SimpleUploadedFile("foto.png", PNG)}, follow=True)
    assert "the secretariat will read" in response.content.decode()
    practice = GoodPractice.objects.get()
    assert as_user(None).get(url("practice", practice.pk)).status_code == 404
    as_user(secretary).post(url("practice-moderate", practice.pk), {"decision": "publish"})
    body = as_user(None).get(url("practice", practice.pk)).content.decode()
    assert "Cuentos en quechua" in body and "<script>x()" not in body and "4 Quality education" in body
    assert as_user(None).get(url("practice-image", practice.pk))["Content-Type"] == "image/png"
    listing = as_user(None).get(url("practices") + "?q=quechua&sdg=4").content.decode()
    assert "Cuentos en quechua" in listing
    assert as_user(librarian_lima).post(url("practice-moderate", practice.pk),
                                        {"decision": "reject", "note": "no"}).status_code == 403


def test_alliance_pages_and_api(coordinator_pe, pe_public, cl_public, as_user):
    agreement = make_agreement(coordinator_pe, [pe_public], title="Convenio andino")
    assert "Convenio andino" in as_user(None).get(url("alliances")).content.decode()
    assert "Convenio andino" in as_user(None).get(url("partnership", agreement.pk)).content.decode()
    response = as_user(coordinator_pe).post(url("partnership-new"), {
        "title": "Nuevo convenio", "networks": ["pe-public", "cl-public"], "signed": "2025-01-01",
        "starts": "2025-01-01", "scopes": ["training"]})
    assert response.status_code == 302 and PartnershipAgreement.objects.filter(title="Nuevo convenio").exists()
    client = APIClient()
    rows = client.get("/api/v1/agreements/").json()["results"]
    assert {r["title"] for r in rows} == {"Convenio andino", "Nuevo convenio"}
    client.force_authenticate(coordinator_pe)
    created = client.post("/api/v1/agreements/", {"title": "Por API", "networks": ["pe-public"],
                                                  "signed": "2025-02-01", "starts": "2025-02-01",
                                                  "scopes": ["data"]}, format="json")
    assert created.status_code == 201, created.content
    refused = client.post("/api/v1/agreements/", {"title": "Ajeno", "networks": ["ar-public"],
                                                  "signed": "2025-02-01", "starts": "2025-02-01",
                                                  "scopes": ["data"]}, format="json")
    assert refused.status_code == 403
    assert client.get("/api/v1/working-groups/").status_code == 200
    assert client.get("/api/v1/good-practices/").json()["count"] == 0


def test_partnership_edits_keep_versions_and_need_a_network(coordinator_pe, pe_public, as_user):
    agreement = make_agreement(coordinator_pe, [pe_public], title="Convenio andino")
    edit = url("partnership-edit", agreement.pk)
    form = {"title": "Renovado", "networks": ["pe-public"], "signed": "2024-01-01", "starts": "2024-01-01",
            "scopes": ["loans"], "base_version": agreement.version}
    assert as_user(coordinator_pe).post(edit, form).status_code == 302
    stale = as_user(coordinator_pe).post(edit, {**form, "title": "Otra vez"}, follow=True).content.decode()
    assert "changed by someone else" in stale
    agreement.refresh_from_db()
    assert agreement.title == "Renovado"
    no_network = as_user(coordinator_pe).post(url("partnership-new"), {**form, "networks": [], "base_version": ""})
    assert "Name at least one signatory network" in no_network.content.decode()
    assert PartnershipAgreement.objects.count() == 1
