"""From the database to the search index: one document per cluster, with the fields of its live records merged
and its holdings' countries, networks and libraries as facets. The database stays the truth: `reindex`
rebuilds everything, `index_clusters` the clusters an import touched."""

from collections import defaultdict

from sirbi.core.bulk import json_value, select_in
from sirbi.registry.models import Library

from .models import Cluster, Holding, Record
from .search import backend

BATCH = 2000


def _libraries(ids, known):
    """{library id: (country code, [network codes])}, adding to `known` the ids it does not hold yet."""
    missing = [i for i in ids if i not in known]
    if missing:
        networks = defaultdict(list)
        for library_id, code in Library.networks.through.objects.filter(library_id__in=missing).values_list(
                "library_id", "network__code"):
            networks[library_id].append(code)
        for library_id, country in Library.objects.filter(pk__in=missing).values_list("pk", "country__code"):
            known[library_id] = (country, networks[library_id])
    return known


def documents(cluster_ids, libraries=None):
    """{cluster id: document} for these clusters (those without live records are absent). `libraries`, a dict
    kept between calls, saves reading the same libraries' countries and networks again."""
    libraries = {} if libraries is None else libraries
    merged = defaultdict(lambda: defaultdict(set))
    sort_titles, years = {}, {}
    record, holding = Record._meta.db_table, Holding._meta.db_table
    for (cluster_id, title, authors, subjects, isbns, publisher, language, material, year, sort_title) in select_in(
            f"SELECT cluster_id, title, authors, subjects, isbns, publisher, language, material, year, sort_title "
            f"FROM {record} WHERE deleted = %s AND cluster_id IN ({{in}}) ORDER BY id", cluster_ids, [False]):
        subjects = json_value(subjects)
        doc = merged[cluster_id]
        doc["title"].add(title)
        doc["author"].update(json_value(authors))
        doc["subject"].update(subjects)
        doc["subject_facet"].update(subjects)
        doc["isbn"].update(json_value(isbns))
        doc["publisher"].add(publisher)
        doc["language"].add(language)
        doc["material"].add(material)
        if year:
            years.setdefault(cluster_id, year)
        sort_titles.setdefault(cluster_id, sort_title)
    held = select_in(f"SELECT r.cluster_id, h.library_id FROM {holding} h JOIN {record} r ON r.id = h.record_id "
                     f"WHERE r.deleted = %s AND h.library_id IS NOT NULL AND r.cluster_id IN ({{in}})",
                     cluster_ids, [False])
    _libraries({library_id for _c, library_id in held}, libraries)
    for cluster_id, library_id in held:
        country, networks = libraries[library_id]
        doc = merged[cluster_id]
        doc["library"].add(str(library_id))
        doc["country"].add(country)
        doc["network"].update(networks)
    result = {}
    for cluster_id, fields in merged.items():
        document = {name: [v for v in values if v] for name, values in fields.items()}
        document["key"] = str(cluster_id)
        document["year"] = years.get(cluster_id)
        document["sort_title"] = (sort_titles.get(cluster_id) or "")[:100]
        result[cluster_id] = document
    return result


def index_clusters(cluster_ids, engine=None):
    """Bring these clusters' documents up to date (deleting those whose clusters are gone) in one commit."""
    engine = engine or backend()
    cluster_ids = list(cluster_ids)
    libraries = {}
    for start in range(0, len(cluster_ids), BATCH):
        chunk = cluster_ids[start:start + BATCH]
        docs = documents(chunk, libraries)
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
    done, libraries = 0, {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        for document in documents(chunk, libraries).values():
            engine.add(document)
        done += len(chunk)
        if progress:
            progress(done, len(ids))
    engine.commit()
    return len(ids)
