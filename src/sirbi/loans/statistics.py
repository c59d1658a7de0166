"""Interlibrary loan statistics (issue #17 §5): per library, network, country and the region, per year — requests
made and received, filled, fill rate, unfilled answers by reason, median days from request to shipment and to
receipt, loans and copies, and who lends to whom (the country-to-country flow matrix).

Every figure counts a request in the year it was **sent** (its "send" step on the timeline; drafts never sent
count nowhere). A request is **filled** when a lender shipped it: its first Loaned or CopyCompleted status; the
library that gave that status **lent** (supplied) it. A library **received** a request when the rota asked it.
The **fill rate** is filled ÷ made (requests still waiting for an answer count as not filled yet). The days run
from the send step to the shipment and to the Received action (calendar days, fractions kept, medians).

Only aggregates leave this module: counts, rates and medians, never a request, a title or a patron reference.
The database does the counting (GROUP BY over the year's requests, rota entries and shipments) in a fixed number
of queries whatever the number of requests; only the medians read one row per filled request (its dates)."""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone

from sirbi.registry.models import Library

from .choices import RotaOutcome, ServiceType
from .iso18626.codes import Status
from .iso18626.requester import State, Step
from .models import LoanRequest, RotaEntry, Transition

SHIPPED = (Status.LOANED, Status.COPY_COMPLETED)
REGION = "region"
# The negative answers of a rota, by what they say: the lender's ReasonUnfilled (or ReasonRetry), else what
# happened (no answer in time, a condition declined).
NEGATIVE = (RotaOutcome.UNFILLED, RotaOutcome.TIMED_OUT, RotaOutcome.DECLINED)


@dataclass
class Figures:
    """The ILL figures of one unit (a library, a network, a country or the region) in one year."""

    made: int = 0
    made_loans: int = 0
    made_copies: int = 0
    filled: int = 0
    unfilled: int = 0              # requests that ended unfilled (no lender of the rota could supply)
    received: int = 0              # requests asked of the unit's libraries
    lent: int = 0                  # requests the unit's libraries supplied (shipped)
    lent_loans: int = 0
    lent_copies: int = 0
    unfilled_reasons: Counter = field(default_factory=Counter)   # negative answers to the unit's requests
    to_shipment: list = field(default_factory=list)              # days, one per filled request
    to_receipt: list = field(default_factory=list)
    samples: int = 0               # requests invented for the demonstration among those counted

    @property
    def fill_rate(self):
        return self.filled / self.made if self.made else None

    @property
    def fill_rate_percent(self):
        return None if self.fill_rate is None else self.fill_rate * 100

    @property
    def median_to_shipment(self):
        return statistics.median(self.to_shipment) if self.to_shipment else None

    @property
    def median_to_receipt(self):
        return statistics.median(self.to_receipt) if self.to_receipt else None

    @property
    def is_sample(self):
        return self.samples > 0

    @property
    def is_empty(self):
        return not (self.made or self.received)


@dataclass
class Statistics:
    """A year's figures for every unit that took part, keyed "region", "PE", "network:12" or "library:345" (as
    stats' Value.unit_key), with the flow matrix {(lender country, borrower country): requests supplied}."""

    year: int
    units: dict
    flows: Counter
    flow_samples: Counter
    libraries: dict                # id -> Library (name, country) of the libraries that took part
    networks: dict                 # library id -> set of network ids
    countries: dict                # code -> Country

    def of(self, key):
        return self.units.get(key) or Figures()

    def countries_in_flows(self):
        codes = {code for pair in self.flows for code in pair}
        return sorted((self.countries[c] for c in codes if c in self.countries), key=lambda c: c.name)

    def flow_rows(self):
        """[(lender country, [(borrower country, count)], row total)] over the countries that lent or borrowed."""
        countries = self.countries_in_flows()
        return [(lender, [(borrower, self.flows.get((lender.code, borrower.code), 0)) for borrower in countries],
                 sum(n for (a, _b), n in self.flows.items() if a == lender.code)) for lender in countries]

    def flow_columns(self):
        countries = self.countries_in_flows()
        return [(c, sum(n for (_a, b), n in self.flows.items() if b == c.code)) for c in countries]


def _sent_at():
    return Subquery(Transition.objects.filter(request=OuterRef("pk"), name=Step.SEND)
                    .order_by("time", "pk").values("time")[:1])


def _shipment(column):
    return Subquery(Transition.objects.filter(request=OuterRef("pk"), side=Transition.Side.SUPPLIER,
                                              name__in=SHIPPED).order_by("time", "pk").values(column)[:1])


def sent_in(year):
    """The requests sent in `year`, with their send and shipment times and the library that shipped."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    return (LoanRequest.objects.annotate(sent_at=_sent_at())
            .filter(sent_at__gte=start, sent_at__lt=end)
            .annotate(shipped_at=_shipment("time"),
                      shipped_by=Subquery(Transition.objects.filter(
                          request=OuterRef("pk"), side=Transition.Side.SUPPLIER, name__in=SHIPPED)
                          .order_by("time", "pk").values("library_id")[:1], output_field=IntegerField())))


def years():
    """The years in which requests were sent, latest first."""
    return sorted({moment.year for moment in Transition.objects.filter(name=Step.SEND).dates("time", "year")},
                  reverse=True)


def compute(year):
    """The Statistics of `year` (eight queries, whatever the number of requests)."""
    requests = sent_in(year)
    # 1. Requests made, by borrowing library, kind and state.
    made = list(requests.values("borrower_id", "service_type", "state").annotate(
        n=Count("pk"), filled=Count("pk", filter=Q(shipped_at__isnull=False)),
        samples=Count("pk", filter=Q(is_sample=True))).order_by())
    # 2. Shipments, by lender and borrower (the flows) and kind.
    shipped = list(requests.filter(shipped_at__isnull=False).values("shipped_by", "borrower_id", "service_type")
                   .annotate(n=Count("pk"), samples=Count("pk", filter=Q(is_sample=True))).order_by())
    # 3. The rota's asks and negative answers, by lender, borrower, outcome and reason.
    asked = list(RotaEntry.objects.filter(request__in=requests.values("pk")).exclude(outcome=RotaOutcome.WAITING)
                 .values("library_id", "request__borrower_id", "outcome", "reason_unfilled")
                 .annotate(n=Count("pk"),
                           samples=Count("pk", filter=Q(request__is_sample=True))).order_by())
    # 4. The dates of the filled requests, for the medians.
    times = list(requests.filter(shipped_at__isnull=False).values_list(
        "borrower_id", "shipped_by", "sent_at", "shipped_at", "received_at"))
    ids = ({row["borrower_id"] for row in made} | {row["shipped_by"] for row in shipped}
           | {row["library_id"] for row in asked})
    ids.discard(None)
    # 5–7. The libraries, their networks and countries.
    libraries = {library.pk: library for library in Library.objects.filter(pk__in=ids).select_related("country")
                 .only("name", "type", "country__code", "country__name_es", "country__name_pt", "country__name_en")}
    networks = defaultdict(set)
    for library_id, network_id in Library.networks.through.objects.filter(library_id__in=ids).values_list(
            "library_id", "network_id"):
        networks[library_id].add(network_id)
    countries = {library.country.code: library.country for library in libraries.values()}

    def keys(library_id):
        library = libraries.get(library_id)
        if library is None:
            return [REGION]
        return [REGION, library.country.code, *(f"network:{n}" for n in sorted(networks[library_id])),
                f"library:{library_id}"]

    units = defaultdict(Figures)
    for row in made:
        for key in keys(row["borrower_id"]):
            unit = units[key]
            _count(unit, "made", row["n"], row["service_type"])
            unit.filled += row["filled"]
            unit.unfilled += row["n"] if row["state"] == State.UNFILLED else 0
            unit.samples += row["samples"]
    flows, flow_samples = Counter(), Counter()
    for row in shipped:
        for key in keys(row["shipped_by"]):
            _count(units[key], "lent", row["n"], row["service_type"])
        lender, borrower = libraries.get(row["shipped_by"]), libraries.get(row["borrower_id"])
        if lender is not None and borrower is not None:
            pair = (lender.country.code, borrower.country.code)
            flows[pair] += row["n"]
            flow_samples[pair] += row["samples"]
    for row in asked:
        for key in keys(row["library_id"]):
            units[key].received += row["n"]
            units[key].samples += row["samples"] if key != REGION else 0
        if row["outcome"] in NEGATIVE:
            for key in keys(row["request__borrower_id"]):
                units[key].unfilled_reasons[row["reason_unfilled"] or row["outcome"]] += row["n"]
    for borrower_id, _lender_id, sent_at, shipped_at, received_at in times:
        for key in keys(borrower_id):
            units[key].to_shipment.append(_days(sent_at, shipped_at))
            if received_at is not None:
                units[key].to_receipt.append(_days(sent_at, received_at))
    return Statistics(year=year, units=dict(units), flows=flows, flow_samples=flow_samples, libraries=libraries,
                      networks=dict(networks), countries=countries)


def _count(unit, name, n, service_type):
    """Add `n` requests of a kind to a unit's figure `name` and to its loans or copies."""
    kind = {ServiceType.LOAN: "loans", ServiceType.COPY: "copies"}.get(service_type)
    setattr(unit, name, getattr(unit, name) + n)
    if kind:
        setattr(unit, f"{name}_{kind}", getattr(unit, f"{name}_{kind}") + n)


def _days(start, end):
    return round((end - start).total_seconds() / 86400, 2)



# The year's figures as statistics values ---------------------------------------------------------------------

# The ISO 2789 indicators the loans count (stats/indicators.py), and the figure of each.
INDICATORS = {"ill_requests_made": "made", "ill_borrowing": "filled", "ill_requests_received": "received",
              "ill_lending": "lent"}
# A library's type, as the statistics' library types name it.
TYPOLOGY_OF = {"public": "public", "mobile": "public", "school": "school", "popular": "popular",
               "national": "national", "university": "academic", "special": "other"}
NOTE = "Counted from the interlibrary loan requests sent in the year (SIRBI)."


def record_values(year, stats=None):
    """Write the year's ILL figures as published statistics values with source "ill": each library's (under its
    library type), each network's and each country's (all libraries, and per library type). Idempotent: a value
    that did not change is not written, values no longer counted are removed, and every write has its change-log
    entry (source "ill"). Returns {"created": n, "updated": n, "deleted": n}."""
    from django.db import transaction

    from sirbi.core.changelog import entry, write
    from sirbi.core.models import ChangeLog
    from sirbi.registry.models import Network
    from sirbi.stats.choices import Method, Source, Typology, ValueStatus
    from sirbi.stats.indicators import seed_indicators
    from sirbi.stats.models import Indicator, Value

    stats = stats or compute(year)
    seed_indicators()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=INDICATORS)}
    network_countries = dict(Network.objects.filter(
        pk__in={n for ids in stats.networks.values() for n in ids}).values_list("pk", "country_id"))
    wanted = {}   # (indicator code, typology, unit key) -> (value, sample, country id, network id, library id)
    by_type = defaultdict(Figures)
    for key, figures in stats.units.items():
        if key == REGION:
            continue
        if key.startswith("library:"):
            library = stats.libraries[int(key.split(":")[1])]
            typology = TYPOLOGY_OF.get(library.type, Typology.OTHER)
            where = (library.country_id, None, library.pk)
            summed = by_type[(library.country.code, typology)]
            for name in INDICATORS.values():
                setattr(summed, name, getattr(summed, name) + getattr(figures, name))
            summed.samples += figures.samples
            summed.country_id = library.country_id
        elif key.startswith("network:"):
            network_id = int(key.split(":")[1])
            typology, where = Typology.ALL, (network_countries[network_id], network_id, None)
        else:
            typology, where = Typology.ALL, (stats.countries[key].pk, None, None)
        for code, name in INDICATORS.items():
            wanted[(code, typology, key)] = (getattr(figures, name), figures.is_sample, *where)
    for (code, typology), figures in by_type.items():
        for indicator_code, name in INDICATORS.items():
            wanted[(indicator_code, typology, code)] = (getattr(figures, name), figures.is_sample,
                                                        figures.country_id, None, None)
    done = {"created": 0, "updated": 0, "deleted": 0}
    with transaction.atomic():
        stored = {(v.indicator.code, v.typology, v.unit_key): v for v in Value.objects.filter(
            source=Source.ILL, year=year).select_related("indicator", "country")}
        log, new = [], []
        for key, (number, sample, country_id, network_id, library_id) in wanted.items():
            value = stored.pop(key, None)
            if value is None:
                new.append(Value(indicator=indicators[key[0]], typology=key[1], country_id=country_id,
                                 network_id=network_id, library_id=library_id, unit_key=key[2], year=year,
                                 value=number, source=Source.ILL, method=Method.COUNT, status=ValueStatus.PUBLISHED,
                                 is_sample=sample, note=NOTE))
            elif value.value != number or value.is_sample != sample:
                before = value.snapshot()
                value.value, value.is_sample, value.version = number, sample, value.version + 1
                value.save(update_fields=["value", "is_sample", "version", "updated"])
                log.append(entry(value, ChangeLog.Action.UPDATE, user=None, before=before, after=value.snapshot(),
                                 message="ill_statistics", source="ill"))
                done["updated"] += 1
        for value in stored.values():
            log.append(entry(value, ChangeLog.Action.DELETE, user=None, before=value.snapshot(),
                             message="ill_statistics", source="ill"))
        Value.objects.filter(pk__in=[v.pk for v in stored.values()]).delete()
        done["deleted"] = len(stored)
        created = Value.objects.bulk_create(new, batch_size=1000)
        for value in Value.objects.filter(pk__in=[v.pk for v in created]).select_related("country"):
            log.append(entry(value, ChangeLog.Action.CREATE, user=None, after=value.snapshot(),
                             message="ill_statistics", source="ill"))
        done["created"] = len(created)
        write(log)
    return done
