"""The ILL pages as people use them: the desk (what needs attention first, filters, CSV), the request page with its
steps for each side, the public lending policy and its form; the wrong library refused on each write."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from sirbi.loans import services
from sirbi.loans.iso18626.requester import State, Step
from sirbi.loans.models import LendingPolicy, LoanRequest


@pytest.fixture(autouse=True)
def in_english():
    """The pages in English (/en/...), so that the stories read their words."""
    with translation.override("en"):
        yield


@pytest.fixture
def loan(librarian_lima, lima_library, novel, policies, santiago_library, montevideo_library):
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad",
                                 patron_reference="Lectora del martes")
    services.set_rota(librarian_lima, loan, [santiago_library.pk, montevideo_library.pk])
    return loan


def test_lima_requests_from_the_cluster_page_link(as_user, librarian_lima, lima_library, novel, policies):
    client = as_user(librarian_lima)
    page = client.get(reverse("loans:request-new") + f"?cluster={novel.pk}")
    assert page.status_code == 200 and "Cien años de soledad" in page.content.decode()
    response = client.post(reverse("loans:request-new") + f"?cluster={novel.pk}", {
        "borrower": lima_library.pk, "title": "Cien años de soledad", "service_type": "Loan",
        "patron_reference": "Club de lectura"})
    loan = LoanRequest.objects.get()
    assert response.status_code == 302 and response.url == loan.get_absolute_url()
    assert (loan.borrower, loan.cluster, loan.state) == (lima_library, novel, State.DRAFT)
    assert loan.rota.count() == 3


def test_a_copy_needs_its_pages(as_user, librarian_lima, lima_library):
    response = as_user(librarian_lima).post(reverse("loans:request-new"), {
        "borrower": lima_library.pk, "title": "Revista", "service_type": "Copy"})
    assert response.status_code == 400 and not LoanRequest.objects.exists()


def test_staff_of_another_library_cannot_request_for_lima(as_user, librarian_santiago, lima_library):
    response = as_user(librarian_santiago).post(reverse("loans:request-new"), {
        "borrower": lima_library.pk, "title": "Cien años", "service_type": "Loan"})
    assert response.status_code == 400 and not LoanRequest.objects.exists()


def test_the_two_sides_step_by_step_on_the_request_page(as_user, loan, librarian_lima, librarian_santiago):
    lima, santiago = as_user(librarian_lima), as_user(librarian_santiago)
    page = lima.get(loan.get_absolute_url()).content.decode()
    assert "Lectora del martes" in page and "Biblioteca de Santiago" in page
    lima.post(reverse("loans:request-act", args=[loan.pk]), {"action": "send"})
    page = santiago.get(loan.get_absolute_url()).content.decode()
    assert "Lectora del martes" not in page  # the patron reference stays with Lima
    assert 'name="status"' in page
    santiago.post(reverse("loans:request-answer", args=[loan.pk]), {"status": "WillSupply",
                                                                    "loan_condition": "LibraryUseOnly"})
    loan.refresh_from_db()
    assert loan.state == State.CONDITIONAL
    lima.post(reverse("loans:request-act", args=[loan.pk]), {"action": "accept"})
    loan.refresh_from_db()
    assert loan.state == State.WILL_SUPPLY


def test_the_wrong_library_cannot_step_or_answer(as_user, loan, librarian_lima, librarian_santiago,
                                                 librarian_montevideo, coordinator_pe, reader):
    for user in (librarian_santiago, coordinator_pe, reader):
        assert as_user(user).post(reverse("loans:request-act", args=[loan.pk]), {"action": "send"}).status_code == 403
    assert as_user(None).post(reverse("loans:request-act", args=[loan.pk]), {"action": "send"}).status_code == 302
    services.act(loan, Step.SEND, user=librarian_lima)
    for user in (librarian_montevideo, librarian_lima):
        response = as_user(user).post(reverse("loans:request-answer", args=[loan.pk]), {"status": "WillSupply"})
        assert response.status_code == 403
    for user in (librarian_santiago, librarian_montevideo):
        response = as_user(user).post(reverse("loans:request-rota", args=[loan.pk]),
                                      {"order": str(loan.rota.last().library_id)})
        assert response.status_code == 403
    loan.refresh_from_db()
    assert (loan.state, loan.supplier_status, loan.rota.count()) == (State.REQUESTED, "", 2)


def test_the_timeline_and_the_facts_say_each_step_in_words_with_the_standards_code(
        as_user, loan, librarian_lima, librarian_santiago, librarian_montevideo):
    """The timeline read 'opened', 'send', 'asked', 'accept' (our internal names) and bare codes (NotOnShelf,
    LibraryUseOnly): each step now reads in the page's language, the standard's code beside it."""
    services.act(loan, Step.SEND, user=librarian_lima)
    services.respond(loan, "Unfilled", user=librarian_santiago, reason_unfilled="NotOnShelf")
    loan.refresh_from_db()
    services.respond(loan, "WillSupply", user=librarian_montevideo, loan_condition="LibraryUseOnly")
    page = as_user(librarian_lima).get(loan.get_absolute_url()).content.decode()
    for words in ("Request prepared", "Sent to the first lender", "Lender asked", "Not on shelf",
                  "condition: Use in the library only"):
        assert words in page, words
    assert ">Unfilled</span>" in page and 'data-step="send"' in page
    assert "<strong>send</strong>" not in page and '<strong class="code">' not in page
    # The catalog entry is named by its title (it read "#12", the cluster's number).
    assert f'href="{loan.cluster.get_absolute_url()}">Cien años de soledad</a>' in page


def test_the_change_log_of_a_request_says_its_steps_in_words_and_its_dates_in_the_pages_language(
        as_user, loan, librarian_lima, librarian_santiago):
    """Its entries read "asked", "accept"... (the step's code) and ISO timestamps ("2026-12-09T12:00:00+00:00")."""
    services.act(loan, Step.SEND, user=librarian_lima, now=datetime.datetime(2026, 12, 4, 15, 30, tzinfo=datetime.UTC))
    loan.refresh_from_db()
    services.respond(loan, "Loaned", user=librarian_santiago, due_date=datetime.date(2027, 1, 15))
    history = as_user(librarian_lima).get(loan.get_absolute_url()).content.decode().split('class="history"')[1]
    assert '<p class="note">Lender asked</p>' in history
    assert '<p class="note">Loaned (Loaned)</p>' in history
    assert "Jan. 15, 2027" in history and "2027-01-15" not in history
    assert "Dec. 9, 2026" in history and "2026-12-09T" not in history  # answer expected by: 3 working days on
    with translation.override("es"):
        history = as_user(librarian_lima).get(loan.get_absolute_url()).content.decode().split('class="history"')[1]
    assert "15 de enero de 2027" in history and "Prestado (Loaned)" in history


def test_a_step_out_of_turn_says_why_and_changes_nothing(as_user, loan, librarian_lima):
    response = as_user(librarian_lima).post(reverse("loans:request-act", args=[loan.pk]), {"action": "Received"},
                                            follow=True)
    assert "not possible now" in response.content.decode()
    loan.refresh_from_db()
    assert loan.state == State.DRAFT


def test_the_requester_reorders_and_removes_lenders(as_user, loan, librarian_lima, montevideo_library):
    as_user(librarian_lima).post(reverse("loans:request-rota", args=[loan.pk]), {"order": f"{montevideo_library.pk}"})
    assert [e.library for e in loan.rota.all()] == [montevideo_library]


def test_the_desk_puts_what_waits_first_and_exports_csv(as_user, loan, librarian_lima, librarian_santiago,
                                                        lima_library, santiago_library):
    other = services.open_request(librarian_lima, lima_library, title="Otro libro", isbn="9780000000002")
    services.act(loan, Step.SEND, user=librarian_lima)
    LoanRequest.objects.filter(pk=other.pk).update(state=State.UNFILLED)
    page = as_user(librarian_santiago).get(reverse("loans:desk", args=[santiago_library.pk])).content.decode()
    assert "Cien años de soledad" in page and "Otro libro" not in page and "needs attention" in page
    page = as_user(librarian_lima).get(reverse("loans:desk", args=[lima_library.pk]) + "?direction=out")
    rows = page.context["loans"]
    assert [r.title for r in rows][-1] == "Otro libro"  # unfilled, nothing to do: last
    csv = b"".join(as_user(librarian_lima).get(reverse("loans:desk", args=[lima_library.pk]) + "?export=csv")
                   .streaming_content).decode()
    assert "Lectora del martes" in csv
    csv = b"".join(as_user(librarian_santiago).get(reverse("loans:desk", args=[santiago_library.pk]) + "?export=csv")
                   .streaming_content).decode()
    assert loan.request_id in csv and "Lectora del martes" not in csv


def test_a_desk_is_read_only_by_its_scope(as_user, lima_library, librarian_santiago, coordinator_pe,
                                          network_manager_pe, coordinator_cl, reader):
    url = reverse("loans:desk", args=[lima_library.pk])
    for user in (coordinator_pe, network_manager_pe):
        assert as_user(user).get(url).status_code == 200
    for user in (librarian_santiago, coordinator_cl, reader):
        assert as_user(user).get(url).status_code == 403
    assert as_user(None).get(url).status_code == 302


def test_the_policy_page_is_public_and_its_keepers_edit_it(as_user, lima_library, librarian_lima, network_manager_pe,
                                                           coordinator_cl):
    url = reverse("loans:policy", args=[lima_library.pk])
    assert "not stated a lending policy" in as_user(None).get(url).content.decode()
    edit = reverse("loans:policy-edit", args=[lima_library.pk])
    data = {"lends_returnables": "on", "supplies_copies": "on", "lends_to": "agreements", "loan_days": 30,
            "renewals": 2, "response_days": 3, "deliveries": ["post", "courier"], "cost": "free"}
    assert as_user(coordinator_cl).post(edit, data).status_code == 403
    response = as_user(librarian_lima).post(edit, {**data, "library": 999999})
    assert response.status_code == 302
    policy = LendingPolicy.objects.get()
    assert (policy.library, policy.loan_days, policy.deliveries) == (lima_library, 30, ["post", "courier"])
    page = as_user(None).get(url).content.decode()
    assert "Courier" in page
    response = as_user(network_manager_pe).post(edit, {**data, "loan_days": 14, "base_version": policy.version})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.loan_days == 14 and policy.version == 2


def test_a_charged_policy_needs_its_amount(as_user, lima_library, librarian_lima):
    response = as_user(librarian_lima).post(reverse("loans:policy-edit", args=[lima_library.pk]), {
        "lends_to": "country", "loan_days": 21, "renewals": 1, "response_days": 3, "cost": "charged"})
    assert response.status_code == 400 and not LendingPolicy.objects.exists()


def test_the_cluster_page_offers_the_request_to_library_staff_only(as_user, novel, librarian_lima, coordinator_pe):
    url = novel.get_absolute_url()
    link = reverse("loans:request-new") + f"?cluster={novel.pk}"
    assert link in as_user(librarian_lima).get(url).content.decode()
    for user in (coordinator_pe, None):
        assert link not in as_user(user).get(url).content.decode()
