"""The rota: who is asked, in which order, and why — the policy serves the requester; same network, same country,
an agreement, then the region; the lightest load first; paused libraries last; closed ones out."""

import datetime

from sirbi.cooperation.models.alliances import PartnershipAgreement
from sirbi.loans import rota
from sirbi.loans.choices import RotaReason
from sirbi.registry.models import Network

from .conftest import hold


def names(built):
    return [c.library.name for c in built.lenders]


def test_same_country_first_then_the_region(lima_library, novel):
    built = rota.build(lima_library, cluster=novel)
    assert names(built) == ["Biblioteca de Cusco", "Biblioteca de Montevideo", "Biblioteca de Santiago"]
    assert [c.reason for c in built.lenders] == [RotaReason.COUNTRY, RotaReason.REGION, RotaReason.REGION]
    assert lima_library.pk not in [c.library.pk for c in built.lenders]  # never asks itself


def test_a_policy_that_does_not_serve_the_requester_leaves_the_library_out(lima_library, novel, policies):
    policies["CL-STG01"].lends_to = "country"
    policies["CL-STG01"].save()
    policies["UY-MVD01"].lends_returnables = False
    policies["UY-MVD01"].save()
    built = rota.build(lima_library, cluster=novel)
    assert names(built) == ["Biblioteca de Cusco"]
    assert {library.name: why for library, why in built.excluded} == {
        "Biblioteca de Santiago": "lends_to_country", "Biblioteca de Montevideo": "no_loans"}
    # A copy is another matter for Montevideo.
    assert "Biblioteca de Montevideo" in names(rota.build(lima_library, cluster=novel, service_type="Copy"))


def test_an_agreement_for_loans_comes_before_the_region(lima_library, novel, pe_public, santiago_library, chile):
    cl_public = Network.objects.filter(country=chile).first()
    santiago_library.networks.add(cl_public)
    agreement = PartnershipAgreement.objects.create(title="Convenio Perú–Chile", signed=datetime.date(2025, 1, 1),
                                                    starts=datetime.date(2025, 1, 1), scopes=["loans"])
    agreement.networks.set([pe_public, cl_public])
    built = rota.build(lima_library, cluster=novel)
    assert names(built) == ["Biblioteca de Cusco", "Biblioteca de Santiago", "Biblioteca de Montevideo"]
    assert built.lenders[1].reason == RotaReason.AGREEMENT
    assert built.lenders[1].detail["agreement"] == "Convenio Perú–Chile"


def test_an_agreement_that_ended_or_is_not_for_loans_does_not_count(lima_library, novel, pe_public,
                                                                     santiago_library, chile):
    cl_public = Network.objects.filter(country=chile).first()
    santiago_library.networks.add(cl_public)
    ended = PartnershipAgreement.objects.create(title="Convenio vencido", signed=datetime.date(2020, 1, 1),
                                                starts=datetime.date(2020, 1, 1), ends=datetime.date(2024, 12, 31),
                                                scopes=["loans"])
    other = PartnershipAgreement.objects.create(title="Convenio de formación", signed=datetime.date(2025, 1, 1),
                                                starts=datetime.date(2025, 1, 1), scopes=["training"])
    for agreement in (ended, other):
        agreement.networks.set([pe_public, cl_public])
    built = rota.build(lima_library, cluster=novel, today=datetime.date(2026, 12, 6))
    assert [c.reason for c in built.lenders if c.library.pk == santiago_library.pk] == [RotaReason.REGION]
    # Signed anew for loans, the same networks rise to the agreement's tier (read afresh, nothing kept).
    other.scopes = ["training", "loans"]
    other.save()
    built = rota.build(lima_library, cluster=novel, today=datetime.date(2026, 12, 6))
    assert [c.detail.get("agreement") for c in built.lenders if c.library.pk == santiago_library.pk] == [
        "Convenio de formación"]


def test_the_same_network_comes_first(lima_library, novel, pe_public, cusco_library, peru, policies):
    from sirbi.loans.models import LendingPolicy
    from sirbi.registry.models import Library

    arequipa = Library.objects.create(name="Biblioteca de Arequipa", country=peru, type="public")
    arequipa.networks.add(pe_public)
    LendingPolicy.objects.create(library=arequipa, lends_to="network")
    hold(novel, arequipa)
    built = rota.build(lima_library, cluster=novel)
    assert names(built)[:2] == ["Biblioteca de Arequipa", "Biblioteca de Cusco"]
    assert built.lenders[0].reason == RotaReason.NETWORK


def test_a_paused_library_goes_last_with_its_reason(lima_library, novel, policies):
    cusco = policies["PE-CUS01"]
    cusco.paused_from, cusco.paused_until = datetime.date(2026, 12, 1), datetime.date(2027, 1, 15)
    cusco.save()
    built = rota.build(lima_library, cluster=novel, today=datetime.date(2026, 12, 6))
    assert names(built)[-1] == "Biblioteca de Cusco"
    assert built.lenders[-1].detail["paused_until"] == "2027-01-15"


def test_within_a_tier_the_lightest_load_goes_first(lima_library, novel, santiago_library, montevideo_library):
    from sirbi.loans.models import LoanRequest, RotaEntry

    # Montevideo lent twice this year and borrowed nothing: Santiago goes first among the region's.
    for n in range(2):
        loan = LoanRequest.objects.create(borrower=santiago_library, title="x", request_id=f"old-{n}",
                                          state="completed")
        RotaEntry.objects.create(request=loan, library=montevideo_library, position=1, reason="region",
                                 outcome="supplying", asked_at=loan.created)
    built = rota.build(lima_library, cluster=novel)
    assert names(built)[1:] == ["Biblioteca de Santiago", "Biblioteca de Montevideo"]
    assert built.lenders[2].load == 3.0


def test_closed_libraries_and_lost_copies_are_out(lima_library, novel, santiago_library, montevideo_library):
    santiago_library.status = "closed"
    santiago_library.save()
    novel.records.first().holdings.filter(library=montevideo_library).update(status="Perdido")
    built = rota.build(lima_library, cluster=novel)
    assert names(built) == ["Biblioteca de Cusco"]
    assert dict((lib.isil, why) for lib, why in built.excluded) == {"CL-STG01": "closed", "UY-MVD01": "not_available"}
