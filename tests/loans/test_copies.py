"""Copies: the lender delivers the file (checked by its content, size-limited) or a link with CopyCompleted; the
file is read by the requesting library's staff and the delivering library's only, and deleted by `ill_tick` after
its keeping time."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sirbi.core.models import Role
from sirbi.loans import services
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.models import DeliveredCopy
from tests.conftest import make_user
from tests.core.permission_world import PDF


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def copy_asked(librarian_lima, lima_library, novel, santiago_library):
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad",
                                 service_type="Copy", pages="pp. 11-19")
    services.set_rota(librarian_lima, loan, [santiago_library.pk])
    return services.act(loan, Step.SEND, user=librarian_lima)


def client_of(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def deliver(user, loan, **data):
    return client_of(user).post(reverse("loans:request-copy", args=[loan.pk]), data)


def test_the_lender_delivers_a_pdf_that_only_the_two_libraries_read(copy_asked, librarian_lima, librarian_santiago,
                                                                   librarian_montevideo, secretary):
    page = client_of(librarian_santiago).get(copy_asked.get_absolute_url()).content.decode()
    assert reverse("loans:request-copy", args=[copy_asked.pk]) in page
    response = deliver(librarian_santiago, copy_asked, file=SimpleUploadedFile("capitulo.pdf", PDF), note="Cap. 1")
    assert response.status_code == 302
    copy_asked.refresh_from_db()
    assert (copy_asked.state, copy_asked.supplier_status) == (State.COMPLETED, "CopyCompleted")
    copy = DeliveredCopy.objects.get(request=copy_asked)
    assert (copy.media_type, copy.size, copy.library_id) == ("application/pdf", len(PDF), copy_asked.lender_id)
    url = reverse("loans:copy", args=[copy.pk])
    assert url in client_of(librarian_lima).get(copy_asked.get_absolute_url()).content.decode()
    for reader in (librarian_lima, librarian_santiago):
        response = client_of(reader).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "sandbox" in response["Content-Security-Policy"]
    for outsider in (librarian_montevideo, secretary):
        assert client_of(outsider).get(url).status_code == 403
    assert client_of(None).get(url).status_code == 302  # to the login page


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_changes(copy_asked, librarian_santiago):
    response = deliver(librarian_santiago, copy_asked, file=SimpleUploadedFile("capitulo.pdf", b"<script>x</script>"))
    assert response.status_code == 302
    copy_asked.refresh_from_db()
    assert copy_asked.state == State.REQUESTED and not DeliveredCopy.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("capitulo.pdf" in m for m in messages)


def test_a_file_over_the_limit_is_refused_before_it_is_read(copy_asked, librarian_santiago, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    big = PDF + b"0" * (200 * 1024)
    assert deliver(librarian_santiago, copy_asked, file=SimpleUploadedFile("c.pdf", big)).status_code == 413
    assert not DeliveredCopy.objects.exists()


def test_the_wrong_library_cannot_deliver(copy_asked, librarian_lima, librarian_montevideo):
    for user in (librarian_lima, librarian_montevideo):
        assert deliver(user, copy_asked, link="https://example.org/copia.pdf").status_code == 403
    copy_asked.refresh_from_db()
    assert copy_asked.state == State.REQUESTED and not DeliveredCopy.objects.exists()


def test_a_link_instead_of_a_file(copy_asked, librarian_santiago, librarian_lima):
    deliver(librarian_santiago, copy_asked, link="https://repositorio.example.cl/copia/42")
    copy = DeliveredCopy.objects.get(request=copy_asked)
    assert copy.link == "https://repositorio.example.cl/copia/42" and not copy.file
    assert copy.link in client_of(librarian_lima).get(copy_asked.get_absolute_url()).content.decode()


def test_ill_tick_deletes_copies_after_their_keeping_time(copy_asked, librarian_santiago, librarian_lima, tmp_path):
    deliver(librarian_santiago, copy_asked, file=SimpleUploadedFile("capitulo.pdf", PDF))
    copy = DeliveredCopy.objects.get(request=copy_asked)
    stored = tmp_path / copy.file.name
    assert stored.exists()
    call_command("ill_tick", stdout=open("/dev/null", "w"))
    assert stored.exists()  # still within its time
    DeliveredCopy.objects.filter(pk=copy.pk).update(keep_until=copy.keep_until - datetime.timedelta(days=365))
    call_command("ill_tick", stdout=open("/dev/null", "w"))
    copy.refresh_from_db()
    assert not stored.exists() and copy.removed is not None and not copy.file
    assert client_of(librarian_lima).get(reverse("loans:copy", args=[copy.pk])).status_code == 404


def test_a_loan_is_not_answered_with_a_copy(librarian_lima, lima_library, novel, santiago_library,
                                            librarian_santiago):
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad")
    services.set_rota(librarian_lima, loan, [santiago_library.pk])
    services.act(loan, Step.SEND, user=librarian_lima)
    deliver(librarian_santiago, loan, link="https://example.org/x")
    loan.refresh_from_db()
    assert loan.state == State.REQUESTED and not DeliveredCopy.objects.exists()


@pytest.fixture
def secretary(db):
    return make_user("secretary_copies", Role.SECRETARIAT)
