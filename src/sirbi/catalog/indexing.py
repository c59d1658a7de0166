"""From the database to the search index: one document per cluster, with the fields of its live records merged
and its holdings' countries, networks and libraries as facets. The database stays the truth: `reindex`
rebuilds everything, `index_clusters` the clusters an import touched."""

from collections import defaultdict

from django.db.models import Prefetch

from .models import Cluster, Holding, Record
from .search import backend

BATCH = 2000


def documents(cluster_ids):
    """{cluster id: document} for these clusters (those without live records are absent)."""
    records = (Record.objects.filter(cluster_id__in=cluster_ids, deleted=False)
               .prefetch_related(Prefetch("holdings", Holding.objects.select_related("library__country")
                                          .prefetch_related("library__networks"))))
    merged = defaultdict(lambda: defaultdict(set))
    sort_titles, years = {}, {}
    for record in records:
        doc = merged[record.cluster_id]
        doc["title"].add(record.title)
        doc["author"].update(record.authors)
        doc["subject"].update(record.subjects)
        doc["subject_facet"].update(record.subjects)
        doc["isbn"].update(record.isbns)
        doc["publisher"].add(record.publisher)
        doc["language"].add(record.language)
        doc["material"].add(record.material)
        if record.year:
            years.setdefault(record.cluster_id, record.year)
        sort_titles.setdefault(record.cluster_id, record.sort_title)
        for holding in record.holdings.all():
            library = holding.library
            if library is None:
                continue
            doc["library"].add(str(library.pk))
            doc["country"].add(library.country.code)
            doc["network"].update(n.code for n in library.networks.all())
    result = {}
    for cluster_id, fields in merged.items():
        document = {name: sorted(v for v in values if v) for name, values in fields.items()}
        document["key"] = str(cluster_id)
        document["year"] = years.get(cluster_id)
        document["sort_title"] = (sort_titles.get(cluster_id) or "")[:100]
        result[cluster_id] = document
    return result


def index_clusters(cluster_ids, engine=None):
    """Bring these clusters' documents up to date (deleting those whose clusters are gone) in one commit."""
    engine = engine or backend()
    cluster_ids = list(cluster_ids)
    for start in range(0, len(cluster_ids), BATCH):
        chunk = cluster_ids[start:start + BATCH]
        docs = documents(chunk)
        for cluster_id in chunk:
            engine.delete(cluster_id)
            if cluster_id in docs:
                engine.add(docs[cluster_id])
    engine.commit()


def reindex(progress=None, engine=None):
    """Rebuild the whole index from the database; returns the number of clusters indexed."""
    engine = engine or backend()
    engine.writer().delete_all_documents()
    ids = list(Cluster.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for document in documents(chunk).values():
            engine.add(document)
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    engine.commit()
    return len(ids)
