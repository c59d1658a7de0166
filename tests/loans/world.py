"""The interlibrary loan part of the permission matrix's world (tests/core/permission_world.py): Lima and
Santiago state their policies, Cusco is a partner on another system, and three requests wait — Lima's draft,
Lima's request asked of Santiago, and Santiago's requests (a loan, a copy) asked of Lima."""

from sirbi.loans.models import LendingPolicy, LoanRequest, OutgoingMessage, PartnerEndpoint, RotaEntry


def _loan(key, borrower, lender, state, service_type="Loan"):
    loan = LoanRequest.objects.create(borrower_id=borrower, title=f"Libro {key}", request_id=f"mx-{key}",
                                      state=state, lender_id=lender if state != "draft" else None,
                                      patron_reference=f"Lector {key}", service_type=service_type)
    RotaEntry.objects.create(request=loan, library_id=lender, position=1, reason="region",
                             outcome="waiting" if state == "draft" else "asked")
    return loan.pk


def build(lima, santiago, cusco):
    for library in (lima, santiago):
        LendingPolicy.objects.create(library_id=library, lends_to="members", deliveries=["post"])
    endpoint = PartnerEndpoint(library_id=cusco, url="https://ill.example.org/iso18626", agency_id="PE-MXCUS")
    endpoint.set_token("matrix-token")
    endpoint.save()
    to_cusco = _loan("to-partner", lima, cusco, "requested")
    failed = OutgoingMessage.objects.create(request_id=to_cusco, partner=endpoint, kind="Request", xml=b"<x/>",
                                            delivery="failed", attempts=8, next_attempt="2026-01-01T00:00:00Z")
    return {
        "loan_to_partner": to_cusco, "message_failed": failed.pk,
        "policy_lima": LendingPolicy.objects.get(library_id=lima).pk,
        "policy_santiago": LendingPolicy.objects.get(library_id=santiago).pk,
        "endpoint_cusco": endpoint.pk,
        "loan_draft": _loan("draft", lima, santiago, "draft"),
        "loan_out": _loan("out", lima, santiago, "requested"),
        "loan_in": _loan("in", santiago, lima, "requested"),
        "loan_copy_in": _loan("copy-in", santiago, lima, "requested", service_type="Copy"),
    }
