"""Deduplication: records of the same edition from different sources join one cluster, explainably.

1. Identifier keys: a shared ISBN or ISSN, or the same folded title + first author's surname + year + edition.
2. Similarity: records that share a blocking key (the title's first word and the year) are compared with
   rapidfuzz — title and author similarity, same year, compatible edition, no conflicting ISBNs — and join
   when every test passes.
3. Cataloguers' decisions (Decision: two records apart, or together) win over both and survive re-imports
   and re-harvests, because they name the records by their sources' identifiers.

Each record keeps why it joined (`match_reason`); the cluster page also shows the near candidates that
stayed apart and why. The representative is the most complete live member."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from rapidfuzz import fuzz

from sirbi.core.bulk import insert_rows, json_value, reserve_ids, select_in, update_rows
from sirbi.core.text import fold_words

from .indexing import mark_stale
from .models import Cluster, Decision, MatchKey, Record
from .normalise import STOP
from .oai.datestamps import clusters_changed

TITLE_MIN = 92  # token-sort ratio of the folded titles
AUTHOR_MIN = 85  # of the first authors' folded names (when both have one)
def _edition_number(text):
    digits = "".join(c for c in fold_words(text) if c.isdigit())
    return digits or fold_words(text)


def isbns_conflict(ours, theirs):
    """Two sets of ISBNs that both say something and share none: other editions, whatever else agrees."""
    return bool(ours and theirs and set(ours).isdisjoint(theirs))


def similarity(a, b):
    """How two records compare: {title, author, same_year, same_edition, isbn_conflict, match}."""
    title_a, title_b = fold_words(a.title), fold_words(b.title)
    shorter, longer = sorted((title_a, title_b), key=len)
    author_a = fold_words((a.authors or [""])[0])
    author_b = fold_words((b.authors or [""])[0])
    author = fuzz.token_sort_ratio(author_a, author_b) if author_a and author_b else None
    # A title with or without its subtitle is the same title. A short title counts as the start of a longer one
    # only when both records name the same author.
    if len([w for w in shorter.split() if w not in STOP]) >= 2:
        title = fuzz.token_set_ratio(title_a, title_b)
    elif shorter and longer.startswith(shorter + " ") and author is not None and author >= AUTHOR_MIN:
        title = 100
    else:
        title = fuzz.token_sort_ratio(title_a, title_b)
    same_year = a.year == b.year  # also when neither says
    same_edition = _edition_number(a.edition) == _edition_number(b.edition)
    isbn_conflict = isbns_conflict(a.isbns, b.isbns)
    match = (title >= TITLE_MIN and (author is None or author >= AUTHOR_MIN) and same_year and same_edition
             and not isbn_conflict)
    return {"title": round(title), "author": None if author is None else round(author), "same_year": same_year,
            "same_edition": same_edition, "isbn_conflict": isbn_conflict, "match": match}


@dataclass(slots=True)
class Candidate:
    """What placing a record needs to know of it (new records, and placed records read from the database)."""

    pk: int
    source_id: int
    local_id: str
    cluster_id: int | None
    title: str
    authors: list
    year: int | None
    edition: str
    isbns: list
    match_reason: dict = field(default_factory=dict)


class _Batch:
    """What deciding the clusters of a batch of records needs, read in a few queries and kept up to date in
    memory as the batch's records are placed (so that a record can join one placed just before it)."""

    def __init__(self, records, keys=None):
        ids = {r.pk for r in records}
        self.keys = defaultdict(list)  # record id → its keys
        if keys is not None:
            self.keys.update(keys)
        else:
            for record_id, key in MatchKey.objects.filter(record_id__in=ids).values_list("record_id", "key"):
                self.keys[record_id].append(key)
        wanted = {k for keys in self.keys.values() for k in keys}
        self.by_key = defaultdict(list)  # key → [record id] of placed, live records
        record, matchkey = Record._meta.db_table, MatchKey._meta.db_table
        candidate_ids = set()
        for key, record_id in select_in(
                f"SELECT k.key, k.record_id FROM {matchkey} k JOIN {record} r ON r.id = k.record_id "
                f"WHERE r.deleted = %s AND r.cluster_id IS NOT NULL AND k.key IN ({{in}})", wanted, [False]):
            if record_id not in ids:
                self.by_key[key].append(record_id)
                candidate_ids.add(record_id)
        self.records = {}  # record id → Candidate, of the candidates and of the batch's records placed so far
        self.authors = {}  # record id → a candidate's authors as the database gives them, until compared
        for row in select_in(f"SELECT id, source_id, local_id, cluster_id, title, authors, year, edition, isbns "
                             f"FROM {record} WHERE id IN ({{in}})", candidate_ids):
            self.records[row[0]] = Candidate(*row[:5], None, row[6], row[7], json_value(row[8]))
            self.authors[row[0]] = row[5]
        clusters = {r.cluster_id for r in self.records.values()} | {r.cluster_id for r in records if r.cluster_id}
        self.members = defaultdict(set)  # cluster id → {(source id, local id)}
        self.isbns = defaultdict(set)  # cluster id → ISBNs of its members
        for cluster_id, source_id, local_id, isbns, record_id in select_in(
                f"SELECT cluster_id, source_id, local_id, isbns, id FROM {record} "
                f"WHERE deleted = %s AND cluster_id IN ({{in}})", clusters, [False]):
            if record_id in ids:
                continue  # the batch's records are placed again below
            self.members[cluster_id].add((source_id, local_id))
            self.isbns[cluster_id].update(json_value(isbns))
        self.placed = {}  # (source id, local id) → cluster, of the batch's records placed so far
        self.apart, self.together = defaultdict(set), defaultdict(set)
        pairs = {(r.source_id, r.local_id) for r in records}
        locals_ = {local for _s, local in pairs}
        decision = Decision._meta.db_table
        seen = set()
        for side in ("a", "b"):
            for pk, kind, source_a, local_a, source_b, local_b in select_in(
                    f"SELECT id, kind, source_a_id, local_id_a, source_b_id, local_id_b FROM {decision} "
                    f"WHERE local_id_{side} IN ({{in}})", locals_):
                if pk in seen:
                    continue
                seen.add(pk)
                a, b = (source_a, local_a), (source_b, local_b)
                target = self.apart if kind == Decision.Kind.APART else self.together
                if a in pairs:
                    target[a].add((b, pk))
                if b in pairs:
                    target[b].add((a, pk))
        self.together_records = {}
        wanted_partners = {pair for partners in self.together.values() for pair, _d in partners}
        if wanted_partners:
            query = Q(pk__in=[])
            for source_id, local_id in wanted_partners:
                query |= Q(source_id=source_id, local_id=local_id)
            for record in Record.objects.filter(query, deleted=False, cluster__isnull=False):
                self.together_records[(record.source_id, record.local_id)] = record

    def allowed(self, cluster_id, record, check_isbns=True):
        if self.members[cluster_id] & {pair for pair, _d in self.apart[(record.source_id, record.local_id)]}:
            return False
        theirs = self.isbns[cluster_id]
        return not (check_isbns and isbns_conflict(record.isbns, theirs))

    def place(self, record, cluster_id):
        pair = (record.source_id, record.local_id)
        if pair in self.placed:  # placed before in this batch (the batch's records are in no cluster at first)
            self.members[self.placed[pair]].discard(pair)
        self.placed[pair] = cluster_id
        self.members[cluster_id].add(pair)
        self.isbns[cluster_id].update(record.isbns)
        self.records[record.pk] = record
        for key in self.keys[record.pk]:
            self.by_key[key].append(record.pk)

    def find(self, record):
        """(cluster id, reason), or (None, {})."""
        pair = (record.source_id, record.local_id)
        for partner_pair, decision in sorted(self.together[pair]):
            partner = self.together_records.get(partner_pair)
            if partner is not None:
                return partner.cluster_id, {"with": partner.pk, "decision": decision}
        keys = self.keys[record.pk]
        exact = [k for k in keys if not k.startswith("blk:")]
        candidates = sorted({(self.records[i].cluster_id, i) for k in exact for i in self.by_key[k] if i != record.pk})
        for cluster_id, other_id in candidates:
            other = self.records[other_id]
            shared = [k for k in exact if other_id in self.by_key[k]]
            by_identifier = any(not k.startswith("tay:") for k in shared)
            if not by_identifier and isbns_conflict(record.isbns, other.isbns):
                continue  # the same title, author, year and edition with other ISBNs: look-alike editions
            if self.allowed(cluster_id, record, check_isbns=not by_identifier):
                return cluster_id, {"with": other_id, "key": shared[0] if shared else ""}
        # Records sharing a blocking key, of the same year and without other ISBNs: the others could not match
        # whatever their titles say (see similarity), so they are not compared.
        near = set()
        for key in keys:
            if key.startswith("blk:"):
                for other_id in self.by_key[key]:
                    other = self.records[other_id]
                    if other_id != record.pk and other.year == record.year and not isbns_conflict(record.isbns,
                                                                                                   other.isbns):
                        near.add((other.cluster_id, other_id))
        for cluster_id, other_id in sorted(near):
            other = self.records[other_id]
            if other.authors is None:  # read from the database, decoded only now that it is compared
                other.authors = json_value(self.authors.pop(other_id))
            scores = similarity(record, other)
            if scores["match"] and self.allowed(cluster_id, record):
                return cluster_id, {"with": other_id, "scores": scores}
        return None, {}


def place(records, keys=None):
    """Decide the cluster of each record (Candidates with their ids, saved or about to be saved with the
    cluster_id and match_reason this sets on them; `keys` {record id: keys} when the caller has them), a batch
    at a time in a few queries. Records that start a cluster get a new cluster id, reserved here and not yet
    written. Returns (ids of the clusters touched, ids of the new ones): the caller writes the records in the
    same transaction, then calls `settle`, so that each record is written once, already in its cluster."""
    if not connection.in_atomic_block:
        raise RuntimeError("records are placed in clusters inside the transaction that writes them")
    records = [r for r in records if r.pk]
    if not records:
        return set(), set()
    touched = set()
    batch = _Batch(records, keys)
    fresh = 0  # new clusters get ids -1, -2… until their ids are reserved, all at once, below
    for record in records:
        previous = record.cluster_id
        match, reason = batch.find(record)
        if match is None:
            if previous and batch.members[previous] - {(record.source_id, record.local_id)}:
                match = None  # it no longer matches its old companions: a cluster of its own
            else:
                match = previous
            if match is None:
                fresh += 1
                match = -fresh
        record.cluster_id, record.match_reason = match, reason
        batch.place(record, match)
        if previous and previous != match:
            touched.add(previous)
        touched.add(match)
    real = {-(n + 1): pk for n, pk in enumerate(reserve_ids(Cluster, fresh))}
    for record in records:
        record.cluster_id = real.get(record.cluster_id, record.cluster_id)
    return {real.get(c, c) for c in touched}, set(real.values())


def settle(touched, new, records, completeness_of):
    """After `place` and the records' writing: create the new clusters with their representatives (the most
    complete of their members: `completeness_of(record)` gives a Candidate's `completeness`, from the record as
    the caller has it; asked only where a new cluster has several members), and choose the others' anew from the
    database."""
    members = defaultdict(list)
    for record in records:
        if record.cluster_id in new:
            members[record.cluster_id].append(record)
    chosen = {cluster_id: (group[0] if len(group) == 1 else
                           max(group, key=lambda record: (completeness_of(record), -record.pk))).pk
              for cluster_id, group in members.items()}
    now = Cluster._meta.get_field("created").get_db_prep_save(timezone.now(), connection)
    insert_rows(Cluster, ["id", "created", "updated", "representative_id"],
                [(cluster_id, now, now, record_id) for cluster_id, record_id in chosen.items()])
    choose_representatives(touched, created=set(chosen))


# What makes a record complete: the more of these it has (then the longer it is), the better representative.
COMPLETE = ("title", "authors", "isbns", "year", "language", "edition", "publisher", "place", "series", "subjects")


def _filled(value):
    return value not in (None, "", "[]", [])  # JSON lists come as text from SQLite, as lists from PostgreSQL


def completeness(values, raw_length):
    """How complete a record is (`values` {name: value} of COMPLETE): the fields filled, then its length."""
    return sum(_filled(values[name]) for name in COMPLETE) + (raw_length or 0) / 1e6


def choose_representatives(cluster_ids, created=()):
    """The most complete live member of each cluster (ties: the oldest); clusters left empty go. `created`:
    clusters just written with their representatives (by `settle`), which only need the marks below."""
    best = {}  # cluster id → (completeness, -record id)
    record, cluster = Record._meta.db_table, Cluster._meta.db_table
    for row in select_in(f"SELECT cluster_id, id, length(raw), {', '.join(COMPLETE)} FROM {record} "
                         f"WHERE deleted = %s AND cluster_id IN ({{in}})", set(cluster_ids) - set(created), [False]):
        score = (completeness(dict(zip(COMPLETE, row[3:], strict=True)), row[2]), -row[1])
        if row[0] not in best or score > best[row[0]]:
            best[row[0]] = score
    gone = {cluster_id for cluster_id in cluster_ids if cluster_id and cluster_id not in best
            and cluster_id not in created}
    Cluster.objects.filter(pk__in=gone).delete()
    # Every change to clusters passes here, in its transaction: the index's "to do" mark commits with it, and so
    # do the OAI-PMH datestamps and tombstones.
    mark_stale(cluster_ids)
    # The clusters just created carry this moment as their datestamp already, and their ids (reserved above every
    # id given before) were never a tombstone's.
    clusters_changed(live=set(best), gone=gone)
    current = dict(select_in(f"SELECT id, representative_id FROM {cluster} WHERE id IN ({{in}})", best))
    update_rows(Cluster, ["representative_id"], [(-score[1], cluster_id) for cluster_id, score in best.items()
                                                 if current.get(cluster_id) != -score[1]])


def leave(records):
    """Records deleted at their source leave their clusters (which keep their other members, or go)."""
    ids = [r.pk for r in records]
    previous = {r.cluster_id for r in records if r.cluster_id}
    Record.objects.filter(pk__in=ids).update(cluster=None, match_reason={})
    MatchKey.objects.filter(record_id__in=ids).delete()
    choose_representatives(previous)


def near_candidates(cluster, limit=5):
    """Records of other clusters that share a blocking key with a member, with the scores that kept them out."""
    members = list(cluster.records.filter(deleted=False))
    blocks = set(MatchKey.objects.filter(record__in=members, key__startswith="blk:").values_list("key", flat=True))
    found = []
    for other in (Record.objects.filter(keys__key__in=blocks, deleted=False).exclude(cluster=cluster)
                  .select_related("source__library__country", "source__network__country")
                  .prefetch_related("source__library__networks").distinct()[:50]):
        scores = max((similarity(member, other) for member in members), key=lambda s: s["title"])
        found.append((other, scores))
    found.sort(key=lambda pair: -pair[1]["title"])
    return found[:limit]


def split(record, user):
    """A cataloguer takes a record out of its cluster: it is kept apart from every other member from now on."""
    with transaction.atomic():
        others = list(Record.objects.filter(cluster_id=record.cluster_id, deleted=False).exclude(pk=record.pk))
        Decision.objects.bulk_create([Decision(kind=Decision.Kind.APART, source_a_id=record.source_id,
                                               local_id_a=record.local_id, source_b_id=o.source_id,
                                               local_id_b=o.local_id, user=user) for o in others])
        previous = record.cluster_id
        cluster = Cluster.objects.create()
        Record.objects.filter(pk=record.pk).update(cluster=cluster, match_reason={"split": True})
        choose_representatives({previous, cluster.pk})
    return {previous, cluster.pk}


def merge(record, target, user):
    """A cataloguer puts a record in another record's cluster: they are kept together from now on."""
    with transaction.atomic():
        decision = Decision.objects.create(kind=Decision.Kind.TOGETHER, source_a_id=record.source_id,
                                           local_id_a=record.local_id, source_b_id=target.source_id,
                                           local_id_b=target.local_id, user=user)
        Decision.objects.filter(kind=Decision.Kind.APART).filter(
            Q(source_a=record.source_id, local_id_a=record.local_id, source_b=target.source_id,
              local_id_b=target.local_id)
            | Q(source_b=record.source_id, local_id_b=record.local_id, source_a=target.source_id,
                local_id_a=target.local_id)).delete()
        previous = record.cluster_id
        Record.objects.filter(pk=record.pk).update(cluster=target.cluster_id,
                                                   match_reason={"with": target.pk, "decision": decision.pk})
        choose_representatives({previous, target.cluster_id})
    return {previous, target.cluster_id}


def other_editions(cluster, members, limit=50):
    """The representatives of the other clusters of the same work (Record.work_key: the uniform title or the
    original title a translation names, else the title proper and main author), oldest first: the other
    editions and translations of the work this cluster is an edition of."""
    keys = {member.work_key for member in members if member.work_key}
    if not keys:
        return []
    others = (Record.objects.filter(work_key__in=keys, deleted=False, cluster__isnull=False)
              .exclude(cluster=cluster).values_list("cluster_id", flat=True).distinct()[:limit])
    return list(Record.objects.filter(pk__in=Cluster.objects.filter(pk__in=list(others))
                                      .values_list("representative_id", flat=True))
                .order_by("year", "language", "pk"))


def editions_count(work_keys):
    """{work key: how many clusters hold records of it} for these keys."""
    rows = (Record.objects.filter(work_key__in=set(work_keys) - {""}, deleted=False, cluster__isnull=False)
            .values("work_key").annotate(n=Count("cluster", distinct=True)).values_list("work_key", "n"))
    return dict(rows)
