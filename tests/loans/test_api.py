"""The ILL API: the lending directory (public reads, writes through the policy form with versions), requests in the
reader's scope, opened and moved by their actions; the wrong library refused."""

import pytest
from rest_framework.test import APIClient

from sirbi.loans import services
from sirbi.loans.iso18626.requester import State
from sirbi.loans.models import LendingPolicy, LoanRequest


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_directory_is_public_and_kept_by_the_librarys_people(lima_library, librarian_lima, librarian_santiago,
                                                                 network_manager_pe):
    body = {"library": lima_library.pk, "lends_to": "country", "loan_days": 21, "renewals": 1,
            "response_days": 3, "deliveries": ["post"], "cost": "free", "lends_returnables": True,
            "supplies_copies": False}
    assert api(librarian_santiago).post("/api/v1/loans/policies/", body, format="json").status_code == 403
    assert api().post("/api/v1/loans/policies/", body, format="json").status_code in (401, 403)
    created = api(librarian_lima).post("/api/v1/loans/policies/", body, format="json")
    assert created.status_code == 201, created.content
    policy = LendingPolicy.objects.get()
    assert policy.supplies_copies is False
    assert api().get(f"/api/v1/loans/policies/{policy.pk}/").json()["lends_to"] == "country"
    # A change names the version it read.
    url = f"/api/v1/loans/policies/{policy.pk}/"
    assert api(network_manager_pe).patch(url, {"loan_days": 14}, format="json").status_code == 428
    assert api(network_manager_pe).patch(url, {"loan_days": 14, "version": 1}, format="json").status_code == 200
    assert api(librarian_santiago).patch(url, {"loan_days": 7, "version": 2}, format="json").status_code == 403
    policy.refresh_from_db()
    assert policy.loan_days == 14


@pytest.fixture
def loan(librarian_lima, lima_library, novel, policies, santiago_library, montevideo_library):
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad",
                                 patron_reference="Lectora del martes")
    services.set_rota(librarian_lima, loan, [santiago_library.pk, montevideo_library.pk])
    return loan


def test_requests_are_opened_and_moved_by_their_actions(librarian_lima, lima_library, librarian_santiago, novel,
                                                        policies):
    opened = api(librarian_lima).post("/api/v1/loans/requests/", {
        "borrower": lima_library.pk, "cluster": novel.pk, "title": "Cien años de soledad"}, format="json")
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    assert len(opened.json()["rota"]) == 3
    assert api(librarian_santiago).post(f"/api/v1/loans/requests/{pk}/act/", {"action": "send"},
                                        format="json").status_code == 404  # not asked: not even seen
    sent = api(librarian_lima).post(f"/api/v1/loans/requests/{pk}/act/", {"action": "send"}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == State.REQUESTED
    lender = LoanRequest.objects.get(pk=pk).lender
    assert lender.isil == "PE-CUS01"
    out_of_turn = api(librarian_lima).post(f"/api/v1/loans/requests/{pk}/act/", {"action": "Received"},
                                           format="json")
    assert out_of_turn.status_code == 409


def test_the_lender_answers_and_never_reads_the_patron(loan, librarian_lima, librarian_santiago, librarian_montevideo,
                                                       coordinator_cl, reader):
    services.act(loan, "send", user=librarian_lima)
    url = f"/api/v1/loans/requests/{loan.pk}/"
    assert "patron_reference" not in api(librarian_santiago).get(url).json()
    assert api(librarian_lima).get(url).json()["patron_reference"] == "Lectora del martes"
    assert api(coordinator_cl).get(url).status_code == 200
    assert api(reader).get(url).status_code == 403
    assert api(librarian_montevideo).get(url).status_code == 404
    refused = api(librarian_lima).post(url + "answer/", {"status": "WillSupply"}, format="json")
    assert refused.status_code == 403
    assert api(coordinator_cl).post(url + "answer/", {"status": "WillSupply"}, format="json").status_code == 403
    answered = api(librarian_santiago).post(url + "answer/", {"status": "Unfilled", "reason_unfilled": "NotHeld"},
                                            format="json")
    assert answered.status_code == 200
    loan.refresh_from_db()
    assert loan.lender.isil == "UY-MVD01"
