"""Demo interlibrary loan: lending policies for the sample libraries that hold catalog copies (a mix, marked as
sample), staff accounts at lending libraries in Chile and Uruguay, and a year of sample requests between them
(marked as sample), moved through the same services as the pages. Safe to run again: what exists is kept."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sirbi.catalog.models import Cluster, Holding
from sirbi.core.changelog import record_created
from sirbi.core.models import Role, RoleAssignment
from sirbi.registry.demo import DEMO_PASSWORD
from sirbi.registry.models import Library

from . import services, statistics
from .choices import LendsTo, ServiceType
from .iso18626.codes import Action, Status
from .iso18626.requester import Step
from .models import LendingPolicy, LoanRequest

STAFF = [("biblio-cl", "Bibliotecaria en Chile (demo)", "CL"), ("biblio-uy", "Bibliotecario en Uruguay (demo)", "UY")]
MIX = [LendsTo.MEMBERS, LendsTo.MEMBERS, LendsTo.AGREEMENTS, LendsTo.COUNTRY, LendsTo.NETWORK]


def _lender_of(country):
    """The country's sample public library that holds catalog copies (or its first sample public library)."""
    holding = (Library.objects.filter(country__code=country, is_sample=True, holdings__isnull=False)
               .order_by("pk").first())
    return holding or Library.objects.filter(country__code=country, type="public", is_sample=True).order_by(
        "pk").first()


def load_policies(rng):
    holders = set(Holding.objects.filter(library__is_sample=True).values_list("library_id", flat=True))
    staff = {a.library_id for a in RoleAssignment.objects.filter(role=Role.LIBRARY_STAFF, library_id__isnull=False)}
    extra = {library.pk for library in (_lender_of("CL"), _lender_of("UY")) if library}
    wanted = (holders | staff | extra) - set(LendingPolicy.objects.values_list("library_id", flat=True))
    policies = []
    for index, pk in enumerate(sorted(wanted)):
        policies.append(LendingPolicy(
            library_id=pk, lends_to=MIX[index % len(MIX)] if pk not in extra and pk not in staff else LendsTo.MEMBERS,
            supplies_copies=index % 4 != 3, loan_days=rng.choice([14, 21, 30]), renewals=rng.choice([0, 1, 2]),
            deliveries=["post", "electronic"] if index % 3 else ["courier", "pickup"],
            paused_from=timezone.localdate() if index % 7 == 6 else None,
            paused_until=timezone.localdate() + datetime.timedelta(days=20) if index % 7 == 6 else None,
            pause_reason="Inventario anual" if index % 7 == 6 else "", is_sample=True))
    created = LendingPolicy.objects.bulk_create(policies)
    record_created(LendingPolicy.objects.filter(pk__in=[p.pk for p in created]).select_related("library__country"),
                   message="demo", source="demo")
    return len(created)


def load_staff():
    User = get_user_model()
    accounts = []
    for username, full_name, country in STAFF:
        library = _lender_of(country)
        if library is None:
            continue
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name,
                                                                                "email": f"{username}@example.org"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.LIBRARY_STAFF, library_id=library.pk)
        accounts.append((username, str(Role.LIBRARY_STAFF.label), f"{library.name} (#{library.pk})"))
    return accounts


# The stories the sample traffic tells, each a list of (side, step, extra).
STORIES = [
    [("b", Step.SEND), ("l", Status.WILL_SUPPLY), ("l", Status.LOANED), ("b", Action.RECEIVED),
     ("b", Action.SHIPPED_RETURN), ("l", Status.LOAN_COMPLETED)],
    [("b", Step.SEND), ("l", Status.UNFILLED, {"reason_unfilled": "NotOnShelf"})],
    [("b", Step.SEND), ("l", Status.WILL_SUPPLY, {"loan_condition": "LibraryUseOnly"}), ("b", Step.ACCEPT),
     ("l", Status.LOANED), ("b", Action.RECEIVED)],
    [("b", Step.SEND), ("l", Status.EXPECT_TO_SUPPLY)],
    [("b", Step.SEND), ("l", Status.WILL_SUPPLY), ("l", Status.LOANED)],
    [("b", Step.SEND), ("l", Status.WILL_SUPPLY), ("l", Status.LOANED), ("b", Action.RECEIVED),
     ("b", Action.SHIPPED_RETURN), ("l", Status.LOAN_COMPLETED)],
    [("b", Step.SEND), ("l", Status.UNFILLED, {"reason_unfilled": "NonCirculating"})],
]
# Every fourth sample request asks for a copy (pages of the book), supplied or not.
COPY_STORIES = [
    [("b", Step.SEND), ("l", Status.WILL_SUPPLY), ("l", Status.COPY_COMPLETED)],
    [("b", Step.SEND), ("l", Status.UNFILLED, {"reason_unfilled": "PoorCondition"})],
]
# A year of sample traffic: this many requests, spread over the last 360 days.
SAMPLE_REQUESTS = 96


def load_traffic(rng):
    if LoanRequest.objects.filter(is_sample=True).exists():
        return 0
    secretary = get_user_model().objects.filter(username="secretaria").first()
    borrower_ids = list(LendingPolicy.objects.filter(is_sample=True,
                                                     library_id__in=Holding.objects.values("library_id"))
                        .order_by("library_id").values_list("library_id", flat=True))
    if secretary is None or not borrower_ids:
        return 0
    made = []
    start = timezone.now() - datetime.timedelta(days=360)
    # The clusters lenders hold, read once (a join of clusters, records, holdings and policies with an exclusion per
    # borrower took PostgreSQL an hour on the demo catalog before its statistics were gathered).
    lent = sorted(set(Holding.objects.filter(library__lending_policy__isnull=False)
                      .values_list("record__cluster_id", flat=True)))
    for index in range(SAMPLE_REQUESTS):
        borrower = Library.objects.get(pk=borrower_ids[index % len(borrower_ids)])
        own = set(Holding.objects.filter(library=borrower).values_list("record__cluster_id", flat=True))
        candidates = [pk for pk in lent if pk not in own][:50]
        if not candidates:
            continue
        cluster = Cluster.objects.select_related("representative").get(pk=candidates[index % len(candidates)])
        moment = start + datetime.timedelta(days=index * 340 // SAMPLE_REQUESTS, hours=rng.randint(8, 17))
        title = cluster.representative.title if cluster.representative else str(cluster)
        copy = index % 4 == 3
        loan = services.open_request(secretary, borrower, cluster=cluster, title=title[:500], now=moment,
                                     source="demo", service_type=ServiceType.COPY if copy else ServiceType.LOAN,
                                     pages="pp. 1-20" if copy else "")
        if not loan.rota.exists():
            continue
        LoanRequest.objects.filter(pk=loan.pk).update(created=moment)
        for step in COPY_STORIES[index // 4 % 2] if copy else STORIES[index % len(STORIES)]:
            side, name, extra = (*step, {}) if len(step) == 2 else step
            moment += datetime.timedelta(days=rng.randint(1, 6))
            try:
                if side == "b":
                    loan = services.act(loan, name, user=secretary, now=moment, via="system")
                else:
                    loan = services.respond(loan, name, user=secretary, now=moment, via="system", **extra)
            except services.LoanError:
                break
        made.append(loan.pk)
    LoanRequest.objects.filter(pk__in=made).update(is_sample=True)
    # The year's figures as statistics values (source "ILL transactions", sample), as `sirbi ill_statistics` does.
    for year in statistics.years():
        statistics.record_values(year)
    return len(made)


@transaction.atomic
def load_loans_demo():
    rng = random.Random(17)
    policies = load_policies(rng)
    accounts = load_staff()
    return {"policies": policies, "requests": load_traffic(rng), "accounts": accounts}
