"""The demo data: real members and networks, plainly marked sample libraries at real places."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from sirbi.core.models import RoleAssignment, User
from sirbi.registry.models import CERLALC_MEMBERS, Country, Library, Network, ServicePoint
from sirbi.stats.reconciliation import reconcile


@pytest.fixture(autouse=True)
def development_copy(settings):
    """The demo loads only where DEBUG is on (the test runner turns it off)."""
    settings.DEBUG = True


def test_the_demo_refuses_a_production_database(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("load_demo", stdout=open("/dev/null", "w"))
    assert not User.objects.filter(username="secretaria").exists()


def test_the_demo_loads_once_and_again_without_duplicates():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    libraries = Library.objects.count()
    assert libraries >= 2000
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Library.objects.count() == libraries
    assert Network.objects.count() == 27
    assert User.objects.filter(username__in=["secretaria", "coord-pe", "coord-cl", "red-pe", "biblio-pe",
                                             "lector"]).count() == 6
    assert RoleAssignment.objects.filter(user__username="coord-pe", role="coordinator", country="PE").exists()


def test_every_member_has_sample_libraries_with_their_prefix():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert set(Country.objects.filter(is_member=True).values_list("code", flat=True)) == set(CERLALC_MEMBERS)
    for code in CERLALC_MEMBERS:
        libraries = Library.objects.filter(country__code=code)
        assert libraries.exists(), code
        assert not libraries.filter(is_sample=False).exists()
        with_isil = libraries.exclude(isil=None)
        assert with_isil.count() > libraries.count() / 2
        assert all(isil.startswith(f"{code}-") for isil in with_isil.values_list("isil", flat=True))
    assert not Library.objects.filter(latitude=None).exists()


def test_network_provenance_is_kept():
    mexico = Network.objects.get(code="mx-public")
    assert mexico.libraries_declared == 7474
    assert mexico.source_url.startswith("http") and mexico.confidence == "read_on_page"
    chile = Network.objects.get(code="cl-public")
    assert chile.libraries_declared == 450 and chile.libraries_declared_is_minimum


def test_peru_reconciliation_in_the_demo_explains_its_numbers():
    """Sample public libraries have sample service points, so Peru's reconciliation shows units and points apart,
    beside the LMW's real count, and says that the registry's libraries are invented."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    points = ServicePoint.objects.filter(library__country__code="PE")
    assert points.exists() and not points.filter(is_sample=False).exists()
    public = next(line for line in reconcile([Country.objects.get(code="PE")])["PE"] if line.lmw_type == "public")
    assert public.points > public.units > 0 and public.lmw == 882
    with translation.override("en"):
        reasons = " ".join(public.reasons())
    assert "service points" in reasons and "sample data" in reasons and "469" in reasons
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert ServicePoint.objects.filter(library__country__code="PE").count() == points.count()
