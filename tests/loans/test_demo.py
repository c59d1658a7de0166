"""The demo: sample policies for the libraries that hold copies, staff in Chile and Uruguay, a year of sample
requests moved by the services — all marked as sample, and nothing doubled when it runs again."""

from sirbi.core.models import Role
from sirbi.loans import statistics
from sirbi.loans.demo import load_loans_demo
from sirbi.loans.models import LendingPolicy, LoanRequest
from sirbi.registry.models import Library
from sirbi.stats.models import Value
from tests.conftest import make_user

from .conftest import hold


def test_the_demo_fills_the_directory_and_some_traffic(peru, chile, uruguay, db):
    from sirbi.catalog.models import Cluster

    libraries = {code: Library.objects.create(name=f"Biblioteca demo {code}", country=country, type="public",
                                              is_sample=True)
                 for code, country in (("PE", peru), ("CL", chile), ("UY", uruguay))}
    for _n in range(3):
        cluster = Cluster.objects.create()
        cluster.representative = hold(cluster, libraries["CL"], libraries["UY"])
        cluster.save()
    cluster = Cluster.objects.create()
    hold(cluster, libraries["PE"])
    make_user("secretaria", Role.SECRETARIAT)

    first = load_loans_demo()
    assert first["policies"] == 3
    assert LendingPolicy.objects.filter(is_sample=True).count() == 3
    assert {username for username, _role, _scope in first["accounts"]} == {"biblio-cl", "biblio-uy"}
    assert first["requests"] > 0
    loans = LoanRequest.objects.all()
    assert all(loan.is_sample for loan in loans)
    assert len({loan.state for loan in loans}) > 2  # a mix: completed, unfilled, on loan...
    assert all(loan.transitions.exists() for loan in loans)
    # The statistics pages have a year of sample traffic to show, and the statistics its values, marked sample.
    year = statistics.years()[0]
    assert statistics.compute(year).of(statistics.REGION).made > 0
    assert sum(sum(statistics.compute(y).flows.values()) for y in statistics.years()) > 0
    ill_values = Value.objects.filter(source="ill")
    assert ill_values.exists() and all(value.is_sample for value in ill_values)

    again = load_loans_demo()
    assert (again["policies"], again["requests"]) == (0, 0)
    assert LoanRequest.objects.count() == len(loans)
