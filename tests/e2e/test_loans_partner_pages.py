"""The interlibrary loan parts made for partner systems and copies, as staff see them: the lender's form to deliver a
copy, the table of messages to a partner system with their delivery, and the endpoint page; axe-core finds no
serious or critical violation on them."""

import pytest

from sirbi.core.models import Role
from sirbi.loans import services
from sirbi.loans.iso18626.requester import Step
from sirbi.loans.models import LendingPolicy, LoanRequest, OutgoingMessage, PartnerEndpoint, RotaEntry
from sirbi.registry.models import Country, Library
from tests.conftest import make_user

from .conftest import axe_violations, describe, sign_in


def _library(code, name, isil):
    return Library.objects.create(name=name, isil=isil, country=Country.objects.get(code=code), type="public",
                                  locality=name.rsplit(" ", 1)[-1])


@pytest.mark.e2e
def test_the_copy_form_the_outbox_and_the_endpoint_page_pass_axe(open_page, live_server, registry, settings,
                                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lima = _library("PE", "Biblioteca Municipal de Lima", "PE-LIM01")
    santiago = _library("CL", "Biblioteca de Santiago", "CL-STG01")
    montevideo = _library("UY", "Biblioteca de Montevideo", "UY-MVD01")
    LendingPolicy.objects.create(library=santiago, lends_to="members", deliveries=["post", "electronic"])
    endpoint = PartnerEndpoint(library=montevideo, url="https://ill.example.org/iso18626", agency_id="UY-MVD01")
    endpoint.set_token("t")
    endpoint.save()
    staff_lima = make_user("staff_lima", Role.LIBRARY_STAFF, library_id=lima.pk)
    staff_santiago = make_user("staff_santiago", Role.LIBRARY_STAFF, library_id=santiago.pk)
    copy = LoanRequest.objects.create(borrower=lima, lender=santiago, title="Revista de Historia, 12",
                                      request_id="e2e-copy", state="requested", service_type="Copy", pages="pp. 1-9")
    RotaEntry.objects.create(request=copy, library=santiago, position=1, reason="region", outcome="asked")
    to_partner = LoanRequest.objects.create(borrower=lima, title="Cien años de soledad", request_id="e2e-partner")
    RotaEntry.objects.create(request=to_partner, library=montevideo, position=1, reason="region")
    services.act(to_partner, Step.SEND, user=staff_lima)
    OutgoingMessage.objects.filter(request=to_partner).update(delivery="failed", attempts=8,
                                                              last_error="HTTP 503")
    base = live_server.url

    lender = open_page()
    sign_in(lender, base, staff_santiago)
    lender.goto(f"{base}/es/loans/requests/{copy.pk}/")
    assert lender.locator("#copy-file").count() == 1
    assert not (violations := axe_violations(lender)), describe(violations)

    borrower = open_page()
    sign_in(borrower, base, staff_lima)
    borrower.goto(f"{base}/es/loans/requests/{to_partner.pk}/")
    assert "HTTP 503" in borrower.locator("tr.delivery-failed").inner_text()
    assert not (violations := axe_violations(borrower)), describe(violations)
    borrower.goto(f"{base}/es/loans/libraries/{lima.pk}/endpoint/")
    assert borrower.locator("#id_url").count() == 1
    assert not (violations := axe_violations(borrower)), describe(violations)
