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
import json
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from sirbi.catalog.models import Holding, MatchKey
from sirbi.core.text import fold
from sirbi.registry.choices import LibraryStatus
from sirbi.registry.models import CERLALC_MEMBERS, Library, Network

from .choices import LendsTo, RotaOutcome, RotaReason, ServiceType
from .models import LoanRequest, RotaEntry, paused_on

POLICY_FIELDS = ("lends_returnables", "supplies_copies", "lends_to", "paused_from", "paused_until")
TIERS = [RotaReason.NETWORK, RotaReason.COUNTRY, RotaReason.AGREEMENT, RotaReason.REGION]
# Words of a holding's free-text status (folded) that say the copy cannot be lent now or at all.
ON_LOAN = ("on loan", "prestado", "emprestado", "checked out", "en prestamo")
GONE = ("lost", "perdido", "extraviado", "missing", "withdrawn", "baja", "descartado")


@dataclass
class Holder:
    """A library holding the edition, as the rota reads it: plain values (no model instance), its lending policy
    as a `Policy` (None without one) and the folded statuses of its copies."""
    pk: int
    name: str
    isil: str
    status: str
    country_id: int
    policy: "Policy | None"
    statuses: list = field(default_factory=list)

    def __str__(self):
        return self.name


Policy = namedtuple("Policy", POLICY_FIELDS)


@dataclass
class Candidate:
    library: Holder
    reason: str
    load: float
    detail: dict = field(default_factory=dict)
    last: bool = False                       # paused or on loan: asked after all others


@dataclass
class Rota:
    lenders: list
    excluded: list                           # (holder, why) of the holders left out


def holders(*, cluster=None, record=None, isbn=""):
    """{library id: Holder} of the libraries holding the edition (a cluster's records, a record's cluster, or the
    clusters of an ISBN), with their policies: one read of plain rows (model instances cost more than the rest of
    the rota together: benchmarks/ill_rota.py)."""
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
    found = {}
    for library_id, status, name, isil, library_status, country_id, policy_id, *policy in holdings.filter(
            library__isnull=False).values_list(
            "library_id", "status", "library__name", "library__isil", "library__status", "library__country_id",
            "library__lending_policy__id", *(f"library__lending_policy__{name}" for name in POLICY_FIELDS)):
        holder = found.get(library_id)
        if holder is None:
            holder = found[library_id] = Holder(library_id, name, isil, library_status, country_id,
                                                Policy(*policy) if policy_id is not None else None)
        holder.statuses.append(fold(status or ""))
    return found


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(values):
    return ", ".join(["%s"] * len(values))


def networks_of(library_ids):
    """{library id: {network ids}} in one plain statement."""
    ids = [int(pk) for pk in library_ids]
    networks = {}
    if ids:
        for library_id, network_id in _rows(
                f"SELECT library_id, network_id FROM {Library.networks.through._meta.db_table} "
                f"WHERE library_id IN ({_marks(ids)})", ids):
            networks.setdefault(library_id, set()).add(network_id)
    return networks


def loads(library_ids, now=None):
    """{library id: (lent + 1) / (borrowed + 1)} over the last twelve months.

    One plain statement (both counts, UNION ALL) instead of two ORM queries: on the rota's hot path, composing the
    ORM's queries cost more than running them (benchmarks/ill_rota.py)."""
    since = connection.ops.adapt_datetimefield_value((now or timezone.now()) - datetime.timedelta(days=365))
    ids = [int(pk) for pk in library_ids]
    counts = {pk: [0, 0] for pk in ids}
    if ids:
        marks = _marks(ids)
        rota, requests = RotaEntry._meta.db_table, LoanRequest._meta.db_table
        for library_id, side, n in _rows(
                f"SELECT library_id, 0, COUNT(*) FROM {rota} WHERE library_id IN ({marks}) AND outcome = %s "
                f"AND asked_at >= %s GROUP BY library_id UNION ALL "
                f"SELECT borrower_id, 1, COUNT(*) FROM {requests} WHERE borrower_id IN ({marks}) AND created >= %s "
                f"AND state <> %s GROUP BY borrower_id",
                [*ids, RotaOutcome.SUPPLYING, since, *ids, since, "draft"]):
            counts[library_id][side] = n
    return {pk: (lent + 1) / (borrowed + 1) for pk, (lent, borrowed) in counts.items()}


def agreement_links(borrower_networks, borrower_country, today):
    """Network ids bound to the borrower by an agreement for loans in force: {network id: agreement title}. An
    agreement binds the networks it names to the borrower when it also names one of the borrower's networks or a
    network of the borrower's country."""
    signatures = defaultdict(list)
    for agreement_id, title, network_id, country_id in signatures_for_loans(today):
        signatures[agreement_id].append((title, network_id, country_id))
    links = {}
    for signed in signatures.values():
        if any(n in borrower_networks or c == borrower_country for _t, n, c in signed):
            for title, network_id, _c in signed:
                links.setdefault(network_id, title)
    return links


def signatures_for_loans(today):
    """(agreement id, title, network id, the network's country id) of every signature of the agreements for loans
    in force on `today`, the latest signed first: one plain statement (no model instances)."""
    from sirbi.cooperation.models.alliances import AgreementScope, PartnershipAgreement

    day = connection.ops.adapt_datefield_value(today)
    agreements, through = PartnershipAgreement._meta.db_table, PartnershipAgreement.networks.through._meta.db_table
    rows = _rows(
        f"SELECT a.id, a.title, a.scopes, s.network_id, n.country_id FROM {agreements} a "
        f"JOIN {through} s ON s.partnershipagreement_id = a.id JOIN {Network._meta.db_table} n ON n.id = s.network_id "
        f"WHERE a.starts <= %s AND (a.ends IS NULL OR a.ends >= %s) ORDER BY a.signed DESC, a.title, s.network_id",
        [day, day])
    return [(agreement_id, title, network_id, country_id) for agreement_id, title, scopes, network_id, country_id
            in rows if AgreementScope.LOANS in _json_list(scopes)]


def _json_list(value):
    """A JSON column's list as the driver gives it (text on SQLite, already decoded by psycopg)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return value or []


def build(borrower, *, service_type=ServiceType.LOAN, cluster=None, record=None, isbn="", today=None, now=None):
    """The rota for `borrower` asking for an edition: its lenders in order, and the holders left out with why."""
    today = today or timezone.localdate()
    found = holders(cluster=cluster, record=record, isbn=isbn)
    found.pop(borrower.pk, None)
    if not found:
        return Rota([], [])
    networks = networks_of([*found, borrower.pk])
    mine = networks.get(borrower.pk, set())
    linked = agreement_links(mine, borrower.country_id, today)
    weights = loads(list(found), now)
    member = borrower.country.code in CERLALC_MEMBERS
    lenders, excluded = [], []
    for holder in found.values():
        why, candidate = _place(holder, borrower, member, service_type, networks.get(holder.pk, set()), mine, linked,
                                weights[holder.pk], today)
        if candidate is None:
            excluded.append((holder, why))
        else:
            lenders.append(candidate)
    lenders.sort(key=lambda c: (c.last, TIERS.index(c.reason), c.load, c.library.name, c.library.pk))
    return Rota(lenders, sorted(excluded, key=lambda pair: pair[0].name))


def _place(library, borrower, member, service_type, networks, mine, linked, load, today):
    """(why it is out, None) or (None, its Candidate)."""
    policy, holding_statuses = library.policy, library.statuses
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
        LendsTo.MEMBERS: reason != RotaReason.REGION or member,
    }[policy.lends_to]
    if not served:
        return f"lends_to_{policy.lends_to}", None
    detail = {"lends_to": policy.lends_to, "load": round(load, 3)}
    if agreement and reason == RotaReason.AGREEMENT:
        detail["agreement"] = agreement
    last = False
    if paused_on(policy.paused_from, policy.paused_until, today):
        detail["paused_until"] = policy.paused_until.isoformat() if policy.paused_until else ""
        last = True
    if all(any(word in status for word in ON_LOAN + GONE) for status in holding_statuses):
        detail["on_loan"] = True
        last = True
    return None, Candidate(library=library, reason=reason, load=load, detail=detail, last=last)

