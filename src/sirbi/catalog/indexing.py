"""From the database to the search index: one document per cluster, with the fields of its live records merged
and its holdings' countries, networks and libraries as facets; its titles proper for the title-start boost,
its work key (the most common of its members': collapsing by work) and how many libraries hold it (a gentle
tie-breaker of relevance). The database stays the truth: `reindex`
rebuilds everything, `index_stale` the clusters that changed.

The index follows the database after any crash. Every change to a cluster's records leaves a durable mark
(`mark_stale`, a StaleDocument row written in the change's own transaction: clusters.choose_representatives,
which every import batch, harvest page, deletion, split and merge goes through); `index_stale` indexes the
marked clusters (`index_clusters` those a page changed) and deletes the marks only after the index has
committed. Imports and harvests commit a batch at a time but index once, at the end (a Tantivy commit, with
its segment merges, for every batch of 1,000 records would slow them down), so a killed import leaves marks:
its re-run, the next import or harvest, and the worker while it waits finish them."""

import logging
from collections import Counter, defaultdict

from sirbi.core.bulk import json_value, select_in
from sirbi.registry.models import Library

from .models import Cluster, Holding, Record, StaleDocument
from .search import backend, derived

log = logging.getLogger(__name__)
BATCH = 2000
# Seconds to wait for the index's writer while another process commits; the marks wait for the next run then.
WRITER_WAIT = 60


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
    sort_titles, years, works = {}, {}, defaultdict(Counter)
    record, holding = Record._meta.db_table, Holding._meta.db_table
    for (cluster_id, title, authors, subjects, isbns, publisher, language, material, year, sort_title,
         work_key, notes) in select_in(
            f"SELECT cluster_id, title, authors, subjects, isbns, publisher, language, material, year, sort_title, "
            f"work_key, notes FROM {record} WHERE deleted = %s AND cluster_id IN ({{in}}) ORDER BY id", cluster_ids,
            [False]):
        subjects = json_value(subjects)
        doc = merged[cluster_id]
        doc["title"].add(title)
        doc["author"].update(json_value(authors))
        doc["subject"].update(subjects)
        doc["subject_facet"].update(subjects)
        doc["isbn"].update(json_value(isbns))
        doc["publisher"].add(publisher)
        doc["notes"].add(notes)
        doc["language"].add(language)
        doc["material"].add(material)
        if year:
            years.setdefault(cluster_id, year)
        if work_key:
            works[cluster_id][work_key] += 1
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
        work = min(works[cluster_id].items(), key=lambda pair: (-pair[1], pair[0]))[0] if works[cluster_id] else ""
        document.update(derived(cluster_id, document.get("title", []), work, len(document.get("library", []))))
        result[cluster_id] = document
    return result


def mark_stale(cluster_ids):
    """Mark these clusters' documents as behind the database; call it inside the transaction that changes them."""
    cluster_ids = sorted({cluster_id for cluster_id in cluster_ids if cluster_id})
    if cluster_ids:
        StaleDocument.objects.create(clusters=cluster_ids)


def _clear(mark_ids):
    for start in range(0, len(mark_ids), 5000):
        StaleDocument.objects.filter(pk__in=mark_ids[start:start + 5000]).delete()


def _index_marked(marks, cluster_ids, engine, wait):
    """Index `cluster_ids` and the clusters of the marks `marks()` reads (pairs of mark id and cluster ids) in
    one commit, then delete those marks; None when another process kept the index's writer for `wait` seconds
    (the marks stay for the next run)."""
    # The writer first, then the marks: a batch's marks are committed before its process asks for the writer,
    # so whoever holds the writer next reads them. The whole unit holds the backend's lock (see `writing`):
    # another thread of this process waits instead of sharing the half-done writer.
    with engine.writing(wait) as opened:
        if not opened:
            log.log(logging.WARNING if wait else logging.DEBUG, "the search index is being written by another "
                    "process; the marked clusters wait for the next import, harvest or the worker")
            return None
        marks = list(marks())
        cluster_ids = sorted(set(cluster_ids).union(*(ids for _pk, ids in marks)))
        _add(engine, cluster_ids, {})
        engine.commit()  # on an error `writing` rolls back, and the writer's lock goes with it; the marks stay
    # Only the marks read go: one written since (by a batch committed meanwhile) stays for the next run.
    _clear([pk for pk, _ids in marks])
    return len(cluster_ids)


def _add(engine, cluster_ids, libraries):
    for start in range(0, len(cluster_ids), BATCH):
        chunk = cluster_ids[start:start + BATCH]
        docs = documents(chunk, libraries)
        for cluster_id in chunk:
            engine.delete(cluster_id)
            if cluster_id in docs:
                engine.add(docs[cluster_id])


def index_as_marked(stop, commit_every, engine=None, poll=0.2):
    """Beside a large import (indexer.py), until `stop` (an Event) is set: index each batch's clusters as soon as
    its mark is committed, but commit the index only every `commit_every` marks (a Tantivy commit per batch would
    cost more in merging segments than the indexing itself), so that little is left to index when the import
    ends. At `stop`, index the marks left, commit and return. Marks go only after the commit that covers them, so
    a crash leaves them for the next run; a mark this loop did not see (committed out of order on PostgreSQL) is
    left for `index_stale`, which the importer calls at the end."""
    engine = engine or backend()
    last, stopping = 0, False
    while not stopping:
        with engine.writing(WRITER_WAIT) as opened:
            if not opened:  # a page is writing the index: try again in a moment
                stopping = stop.wait(poll)
                continue
            seen, libraries = [], {}
            while True:
                stopping = stop.wait(poll)
                marks = list(StaleDocument.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "clusters"))
                if marks:
                    last = marks[-1][0]
                    seen += [pk for pk, _ids in marks]
                    _add(engine, sorted(set().union(*(ids for _pk, ids in marks))), libraries)
                if stopping or len(seen) >= commit_every:
                    break
            if seen:
                engine.commit()
        _clear(seen)


def index_clusters(cluster_ids, engine=None, wait=5):
    """Bring these clusters' documents up to date (deleting those whose clusters are gone), for a page's request:
    their mark stays for the worker's next sweep (a second, harmless indexing), and so it does when the index
    stays busy for `wait` seconds."""
    cluster_ids = {cluster_id for cluster_id in cluster_ids if cluster_id}
    if not cluster_ids:
        return 0
    return _index_marked(lambda: (), cluster_ids, engine or backend(), wait)


def index_stale(engine=None, wait=WRITER_WAIT):
    """Index every marked cluster: what this import or harvest changed, and what an interrupted one left; or
    everything, when the index was emptied for a new schema (an upgrade)."""
    engine = engine or backend()
    if engine.rebuild_mark.exists():
        try:
            return reindex(engine=engine, wait=wait)
        except RuntimeError:  # another process writes: the mark stays for the next run
            return None
    if not StaleDocument.objects.exists():
        return 0
    return _index_marked(lambda: StaleDocument.objects.values_list("pk", "clusters"), (), engine, wait)


def reindex(progress=None, engine=None, wait=WRITER_WAIT):
    """Rebuild the whole index from the database; returns the number of clusters indexed."""
    engine = engine or backend()
    with engine.writing(wait) as opened:
        if not opened:
            raise RuntimeError("the search index is being written by another process; try again when it is done")
        marks = list(StaleDocument.objects.values_list("pk", flat=True))  # covered by the rebuild
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
        engine.rebuild_mark.unlink(missing_ok=True)
    _clear(marks)
    return len(ids)
