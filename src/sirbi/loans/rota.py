"""The rota of a request: which libraries to ask, in which order, and why (issue #17 §2).

A lender is a library that holds a copy of the edition (a record of the cluster), has stated a lending policy,
and whose policy serves the requester for this kind of request (loan or copy; network, country, agreement or
the region). The tiers, in order: the same network, the same country, a partnership agreement for loans, then
the rest of the region. Within a tier, the lightest load first — what the library lent over what it borrowed in
the last twelve months, each plus one — so that the same libraries are not always asked first; then by name.
Paused libraries and those whose copies are all on loan go last, each with its reason; closed libraries and
those whose copies are all lost or withdrawn are left out, with theirs.

Everything is read in a fixed number of queries whatever the number of holdings (benchmarked for 50).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from sirbi.catalog.models import Holding, MatchKey
from sirbi.core.text import fold
from sirbi.registry.choices import LibraryStatus
from sirbi.registry.models import CERLALC_MEMBERS, Library

from .choices import LendsTo, RotaOutcome, RotaReason, ServiceType
from .models import LoanRequest, RotaEntry

POLICY_FIELDS = ("library_id", "lends_returnables", "supplies_copies", "lends_to", "paused_from", "paused_until")
TIERS = [RotaReason.NETWORK, RotaReason.COUNTRY, RotaReason.AGREEMENT, RotaReason.REGION]
# Words of a holding's free-text status (folded) that say the copy cannot be lent now or at all.
ON_LOAN = ("on loan", "prestado", "emprestado", "checked out", "en prestamo")
GONE = ("lost", "perdido", "extraviado", "missing", "withdrawn", "baja", "descartado")


@dataclass
class Candidate:
    library: Library
    reason: str
    load: float
    detail: dict = field(default_factory=dict)
    last: bool = False                       # paused or on loan: asked after all others


@dataclass
class Rota:
    lenders: list
    excluded: list                           # (library, why) of the holders left out


def holder_ids(*, cluster=None, record=None, isbn=""):
    """Library ids holding the edition: the cluster's records (a record's cluster, or the clusters of an ISBN)."""
    if cluster is None and record is not None:
        cluster = record.cluster
    if cluster is not None:
        holdings = Holding.objects.filter(record__cluster=cluster)
    elif record is not None:
        holdings = Holding.objects.filter(record=record)
    elif isbn:
        holdings = Holding.objects.filter(record__in=MatchKey.objects.filter(key=f"isbn:{isbn}").values("record"))
    else:
        return {}
    statuses = {}
    for library_id, status in holdings.filter(library__isnull=False).values_list("library_id", "status"):
        statuses.setdefault(library_id, []).append(fold(status or ""))
    return statuses


def loads(library_ids, now=None):
    """{library id: (lent + 1) / (borrowed + 1)} over the last twelve months.

    One plain statement (both counts, UNION ALL) instead of two ORM queries: on the rota's hot path, composing the
    ORM's queries cost more than running them (benchmarks/ill_rota.py)."""
    since = connection.ops.adapt_datetimefield_value((now or timezone.now()) - datetime.timedelta(days=365))
    ids = [int(pk) for pk in library_ids]
    counts = {pk: [0, 0] for pk in ids}
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        rota, requests = RotaEntry._meta.db_table, LoanRequest._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT library_id, 0, COUNT(*) FROM {rota} WHERE library_id IN ({marks}) AND outcome = %s "
                f"AND asked_at >= %s GROUP BY library_id UNION ALL "
                f"SELECT borrower_id, 1, COUNT(*) FROM {requests} WHERE borrower_id IN ({marks}) AND created >= %s "
                f"AND state <> %s GROUP BY borrower_id",
                [*ids, RotaOutcome.SUPPLYING, since, *ids, since, "draft"])
            for library_id, side, n in cursor.fetchall():
                counts[library_id][side] = n
    return {pk: (lent + 1) / (borrowed + 1) for pk, (lent, borrowed) in counts.items()}


def agreement_links(borrower_networks, borrower_country, today):
    """Network ids bound to the borrower by an agreement for loans in force: {network id: agreement title}. An
    agreement binds the networks it names to the borrower when it also names one of the borrower's networks or a
    network of the borrower's country."""
    from sirbi.cooperation.models.alliances import AgreementScope, PartnershipAgreement

    # One plain read of the signatures of the agreements in force (no model instances: the rota is on a hot path).
    signatures = defaultdict(list)
    for agreement_id, title, scopes, network_id, country_id in (
            PartnershipAgreement.networks.through.objects
            .filter(partnershipagreement__starts__lte=today)
            .filter(Q(partnershipagreement__ends__isnull=True) | Q(partnershipagreement__ends__gte=today))
            .order_by("-partnershipagreement__signed", "partnershipagreement__title", "network_id")
            .values_list("partnershipagreement_id", "partnershipagreement__title", "partnershipagreement__scopes",
                         "network_id", "network__country_id")):
        if AgreementScope.LOANS in (scopes or []):
            signatures[agreement_id].append((title, network_id, country_id))
    links = {}
    for signed in signatures.values():
        if any(n in borrower_networks or c == borrower_country for _t, n, c in signed):
            for title, network_id, _c in signed:
                links.setdefault(network_id, title)
    return links


def build(borrower, *, service_type=ServiceType.LOAN, cluster=None, record=None, isbn="", today=None, now=None):
    """The rota for `borrower` asking for an edition: its lenders in order, and the holders left out with why."""
    today = today or timezone.localdate()
    statuses = holder_ids(cluster=cluster, record=record, isbn=isbn)
    statuses.pop(borrower.pk, None)
    if not statuses:
        return Rota([], [])
    # Only what the rota reads: a library or a policy built whole costs more than the rest of the rota together.
    libraries = Library.objects.filter(pk__in=statuses).select_related("lending_policy").only(
        "name", "status", "country_id", *(f"lending_policy__{name}" for name in POLICY_FIELDS))
    networks = {}
    for library_id, network_id in Library.networks.through.objects.filter(
            library_id__in=[*statuses, borrower.pk]).values_list("library_id", "network_id"):
        networks.setdefault(library_id, set()).add(network_id)
    mine = networks.get(borrower.pk, set())
    linked = agreement_links(mine, borrower.country_id, today)
    weights = loads(list(statuses), now)
    lenders, excluded = [], []
    for library in libraries:
        why, candidate = _place(library, borrower, service_type, networks.get(library.pk, set()), mine, linked,
                                statuses[library.pk], weights[library.pk], today)
        if candidate is None:
            excluded.append((library, why))
        else:
            lenders.append(candidate)
    lenders.sort(key=lambda c: (c.last, TIERS.index(c.reason), c.load, c.library.name, c.library.pk))
    return Rota(lenders, sorted(excluded, key=lambda pair: pair[0].name))


def _place(library, borrower, service_type, networks, mine, linked, holding_statuses, load, today):
    """(why it is out, None) or (None, its Candidate)."""
    policy = getattr(library, "lending_policy", None)
    if library.status == LibraryStatus.CLOSED:
        return "closed", None
    if policy is None:
        return "no_policy", None
    if service_type == ServiceType.COPY and not policy.supplies_copies:
        return "no_copies", None
    if service_type == ServiceType.LOAN and not policy.lends_returnables:
        return "no_loans", None
    if all(any(word in status for word in GONE) for status in holding_statuses):
        return "not_available", None
    shared = networks & mine
    same_country = library.country_id == borrower.country_id
    agreement = next((linked[n] for n in networks if n in linked), None)
    if shared:
        reason = RotaReason.NETWORK
    elif same_country:
        reason = RotaReason.COUNTRY
    elif agreement:
        reason = RotaReason.AGREEMENT
    else:
        reason = RotaReason.REGION
    served = {
        LendsTo.NETWORK: reason == RotaReason.NETWORK,
        LendsTo.COUNTRY: reason in (RotaReason.NETWORK, RotaReason.COUNTRY),
        LendsTo.AGREEMENTS: reason != RotaReason.REGION,
        LendsTo.MEMBERS: reason != RotaReason.REGION or borrower.country.code in CERLALC_MEMBERS,
    }[policy.lends_to]
    if not served:
        return f"lends_to_{policy.lends_to}", None
    detail = {"lends_to": policy.lends_to, "load": round(load, 3)}
    if agreement and reason == RotaReason.AGREEMENT:
        detail["agreement"] = agreement
    last = False
    if policy.paused_on(today):
        detail["paused_until"] = policy.paused_until.isoformat() if policy.paused_until else ""
        last = True
    if all(any(word in status for word in ON_LOAN + GONE) for status in holding_statuses):
        detail["on_loan"] = True
        last = True
    return None, Candidate(library=library, reason=reason, load=load, detail=detail, last=last)

