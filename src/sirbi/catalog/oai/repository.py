"""The union catalog as an OAI-PMH repository: one record per cluster (catalog/records.py: the representative's
description and every holding in 852), datestamped by `Cluster.updated`, tombstones for clusters that are gone,
and sets by the holding libraries' country, networks and ISIL.

A tombstone knows no sets (its holdings left before it went), so set-selective lists carry every tombstone of
their time range: a harvester deletes what it holds of them and ignores the rest, rather than keep a record that
is gone. The oldest datestamp and every range are answered from the (datestamp, id) indexes of both tables."""

from collections import defaultdict
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Q

from sirbi.registry.models import Country, Library, Network

from .. import records
from ..models import Cluster, ClusterTombstone, Holding
from .sets import SetSpec
from .verbs import Header

SET_NAMES = {"country": "Countries", "network": "Networks", "library": "Libraries"}


def _holding_filter(spec):
    """The Holding lookups of a set."""
    if spec.kind == "country":
        return {"library__country__code": spec.value} if spec.value else {"library__isnull": False}
    if spec.kind == "network":
        return {"library__networks__code": spec.value} if spec.value else {"library__networks__isnull": False}
    return {"library__isil": spec.value} if spec.value else {"library__isil__isnull": False}


class CatalogRepository:
    def __init__(self, name, host, admin_emails):
        self.name, self.host, self.admin_emails = name, host, admin_emails

    def earliest(self):
        stamps = [Cluster.objects.order_by("updated").values_list("updated", flat=True).first(),
                  ClusterTombstone.objects.order_by("deleted").values_list("deleted", flat=True).first()]
        return min([s for s in stamps if s], default=datetime.now(UTC))

    def header(self, cluster_id):
        updated = Cluster.objects.filter(pk=cluster_id).values_list("updated", flat=True).first()
        if updated is not None:
            return Header(cluster_id, updated, False, self.cluster_sets([cluster_id]).get(cluster_id, []))
        deleted = ClusterTombstone.objects.filter(pk=cluster_id).values_list("deleted", flat=True).first()
        return Header(cluster_id, deleted, True) if deleted is not None else None

    def _querysets(self, selection, after=None):
        live, gone = Cluster.objects.all(), ClusterTombstone.objects.all()
        if selection.since:
            live, gone = live.filter(updated__gte=selection.since), gone.filter(deleted__gte=selection.since)
        if selection.before:
            live, gone = live.filter(updated__lt=selection.before), gone.filter(deleted__lt=selection.before)
        if selection.set:
            live = live.filter(Exists(Holding.objects.filter(record__cluster_id=OuterRef("pk"), record__deleted=False,
                                                             **_holding_filter(selection.set))))
        if after:
            stamp, pk = after
            # The >= keeps the scan on the (datestamp, id) index; the OR starts exactly after the last record sent.
            live = live.filter(Q(updated__gt=stamp) | Q(updated=stamp, pk__gt=pk), updated__gte=stamp)
            gone = gone.filter(Q(deleted__gt=stamp) | Q(deleted=stamp, pk__gt=pk), deleted__gte=stamp)
        return live, gone

    def count(self, selection):
        live, gone = self._querysets(selection)
        return live.count() + gone.count()

    def headers(self, selection, after, limit):
        live, gone = self._querysets(selection, after)
        rows = [(updated, pk, False) for pk, updated in
                live.order_by("updated", "pk").values_list("pk", "updated")[:limit]]
        rows += [(deleted, pk, True) for pk, deleted in
                 gone.order_by("deleted", "pk").values_list("pk", "deleted")[:limit]]
        rows = sorted(rows)[:limit]
        specs = self.cluster_sets([pk for _d, pk, deleted in rows if not deleted])
        return [Header(pk, stamp, deleted, specs.get(pk, [])) for stamp, pk, deleted in rows]

    def cluster_sets(self, cluster_ids):
        """{cluster id: [set specs]}: the country, networks and ISIL of each library holding a copy."""
        held = set(Holding.objects.filter(record__cluster_id__in=cluster_ids, record__deleted=False,
                                          library__isnull=False)
                   .values_list("record__cluster_id", "library_id", "library__isil", "library__country__code"))
        networks = defaultdict(list)
        for library_id, code in Library.networks.through.objects.filter(
                library_id__in={row[1] for row in held}).values_list("library_id", "network__code"):
            networks[library_id].append(code)
        specs = defaultdict(set)
        for cluster_id, library_id, isil, country in held:
            specs[cluster_id].add(str(SetSpec("country", country)))
            if isil:
                specs[cluster_id].add(str(SetSpec("library", isil)))
            specs[cluster_id].update(str(SetSpec("network", code)) for code in networks[library_id])
        return {cluster_id: sorted(values) for cluster_id, values in specs.items()}

    def metadata(self, cluster_ids, prefix):
        items = records.load(cluster_ids)
        if prefix == "oai_dc":
            return {pk: records.dublin_core(item).decode() for pk, item in items.items()}
        return {pk: records.marcxml(records.cluster_marc(item)).decode() for pk, item in items.items()}

    def sets(self):
        holding = Library.objects.filter(Exists(Holding.objects.filter(library=OuterRef("pk"))))
        found = [(kind, name) for kind, name in SET_NAMES.items()]
        countries = set()
        for isil, name, country in holding.values_list("isil", "name", "country__code"):
            countries.add(country)
            if isil:
                found.append((str(SetSpec("library", isil)), name))
        found += [(str(SetSpec("country", code)), name) for code, name in
                  Country.objects.filter(code__in=countries).values_list("code", "name_en")]
        found += [(str(SetSpec("network", code)), name) for code, name in
                  Network.objects.filter(libraries__in=holding).distinct().values_list("code", "name")]
        return sorted(found)
