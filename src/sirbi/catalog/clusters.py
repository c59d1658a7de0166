"""Deduplication: records of the same edition from different sources join one cluster, explainably.

1. Identifier keys: a shared ISBN or ISSN, or the same folded title + first author's surname + year + edition.
2. Similarity: records that share a blocking key (the title's first word and the year) are compared with
   rapidfuzz — title and author similarity, same year, compatible edition, no conflicting ISBNs — and join
   when every test passes.
3. Cataloguers' decisions (Decision: two records apart, or together) win over both and survive re-imports
   and re-harvests, because they name the records by their sources' identifiers.

Each record keeps why it joined (`match_reason`); the cluster page also shows the near candidates that
stayed apart and why. The representative is the most complete live member."""

from django.db import transaction
from django.db.models import Q
from rapidfuzz import fuzz

from .models import Cluster, Decision, MatchKey, Record
from .normalise import fold

TITLE_MIN = 92  # token-sort ratio of the folded titles
AUTHOR_MIN = 85  # of the first authors' folded names (when both have one)
STOP = {"the", "a", "an", "el", "la", "los", "las", "lo", "un", "una", "o", "os", "as", "um", "uma", "le", "les",
        "de", "del", "da", "do", "di", "der", "die", "das"}


def _title_word(title):
    words = [w for w in fold(title).split() if w not in STOP]
    return words[0] if words else ""


def keys_of(fields):
    """The record's keys: identifier keys (a match) and blocking keys ("blk:", candidates to compare)."""
    keys = [f"isbn:{number}" for number in fields.get("isbns", [])]
    keys += [f"issn:{number}" for number in fields.get("issns", [])]
    title = fold(fields.get("title", ""))[:120]
    author = fold((fields.get("authors") or [""])[0].split(",")[0])
    word = _title_word(fields.get("title", ""))
    if title and fields.get("year"):
        edition = fold(fields.get("edition", ""))
        keys.append(f"tay:{title}|{author}|{fields['year']}|{edition}"[:200])
        if word:
            keys.append(f"blk:{word}|{fields['year']}"[:200])
    if word:
        keys.append(f"blk:{word}|{author}"[:200])  # also finds the same work of another year (shown as near)
    return keys


def set_keys(record, keys):
    MatchKey.objects.filter(record=record).exclude(key__in=keys).delete()
    existing = set(MatchKey.objects.filter(record=record).values_list("key", flat=True))
    MatchKey.objects.bulk_create([MatchKey(record=record, key=key) for key in keys if key not in existing])


def _edition_number(text):
    digits = "".join(c for c in fold(text) if c.isdigit())
    return digits or fold(text)


def similarity(a, b):
    """How two records compare: {title, author, same_year, same_edition, isbn_conflict, match}."""
    title_a, title_b = fold(a.title), fold(b.title)
    shorter, longer = sorted((title_a, title_b), key=len)
    author_a = fold((a.authors or [""])[0])
    author_b = fold((b.authors or [""])[0])
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
    isbn_conflict = bool(a.isbns and b.isbns and not set(a.isbns) & set(b.isbns))
    match = (title >= TITLE_MIN and (author is None or author >= AUTHOR_MIN) and same_year and same_edition
             and not isbn_conflict)
    return {"title": round(title), "author": None if author is None else round(author), "same_year": same_year,
            "same_edition": same_edition, "isbn_conflict": isbn_conflict, "match": match}


def _decisions(record):
    """(records it must stay apart from, records it must be with), as (source id, local id) pairs."""
    apart, together = set(), set()
    query = (Q(source_a=record.source_id, local_id_a=record.local_id)
             | Q(source_b=record.source_id, local_id_b=record.local_id))
    for decision in Decision.objects.filter(query):
        if (decision.source_a_id, decision.local_id_a) == (record.source_id, record.local_id):
            other = (decision.source_b_id, decision.local_id_b)
        else:
            other = (decision.source_a_id, decision.local_id_a)
        (apart if decision.kind == Decision.Kind.APART else together).add((other, decision.pk))
    return apart, together


def _members(cluster_id):
    return set(Record.objects.filter(cluster_id=cluster_id, deleted=False).values_list("source_id", "local_id"))


def _allowed(cluster_id, apart, record=None):
    """May the record join this cluster? Not when a cataloguer kept it apart from a member, nor when it has
    ISBNs and the cluster has others but none of its own (another edition, even if a member without ISBN
    looks like both)."""
    if _members(cluster_id) & {pair for pair, _d in apart}:
        return False
    if record is not None and record.isbns:
        theirs = {n for isbns in Record.objects.filter(cluster_id=cluster_id, deleted=False)
                  .values_list("isbns", flat=True) for n in isbns}
        if theirs and not theirs & set(record.isbns):
            return False
    return True


def find_cluster(record):
    """(cluster id, reason) the record belongs to, or (None, {}) when it stands alone."""
    apart, together = _decisions(record)
    for (source_id, local_id), decision in sorted(together):
        partner = Record.objects.filter(source_id=source_id, local_id=local_id, deleted=False,
                                        cluster__isnull=False).first()
        if partner is not None:
            return partner.cluster_id, {"with": partner.pk, "decision": decision}
    keys = list(MatchKey.objects.filter(record=record).values_list("key", flat=True))
    exact = [k for k in keys if not k.startswith("blk:")]
    for other in (Record.objects.filter(keys__key__in=exact, deleted=False, cluster__isnull=False)
                  .exclude(pk=record.pk).order_by("cluster_id", "pk").distinct()):
        shared = sorted(set(exact) & set(other.keys.values_list("key", flat=True)))
        by_identifier = any(not k.startswith("tay:") for k in shared)
        # The same title, author, year and edition with different ISBNs: look-alike editions, not one.
        if not by_identifier and record.isbns and other.isbns and not set(record.isbns) & set(other.isbns):
            continue
        if _allowed(other.cluster_id, apart, None if by_identifier else record):
            return other.cluster_id, {"with": other.pk, "key": shared[0] if shared else ""}
    blocks = [k for k in keys if k.startswith("blk:")]
    for other in (Record.objects.filter(keys__key__in=blocks, deleted=False, cluster__isnull=False)
                  .exclude(pk=record.pk).order_by("cluster_id", "pk").distinct()):
        scores = similarity(record, other)
        if scores["match"] and _allowed(other.cluster_id, apart, record):
            return other.cluster_id, {"with": other.pk, "scores": scores}
    return None, {}


def assign(records):
    """Put each record (saved, with its keys) in its cluster; then choose the representatives of the clusters
    touched. Returns the ids of the clusters touched."""
    touched = set()
    with transaction.atomic():
        for record in records:
            previous = record.cluster_id
            match, reason = find_cluster(record)
            if match is None:
                companions = Record.objects.filter(cluster_id=previous, deleted=False).exclude(pk=record.pk)
                if previous and companions.exists():
                    match = Cluster.objects.create().pk  # it no longer matches its old companions
                else:
                    match = previous or Cluster.objects.create().pk
            record.cluster_id, record.match_reason = match, reason
            Record.objects.filter(pk=record.pk).update(cluster_id=match, match_reason=reason)
            if previous and previous != match:
                touched.add(previous)
            touched.add(match)
        choose_representatives(touched)
    return touched


def choose_representatives(cluster_ids):
    for cluster in Cluster.objects.filter(pk__in=cluster_ids):
        members = list(Record.objects.filter(cluster=cluster, deleted=False))
        if not members:
            cluster.delete()
            continue
        best = max(members, key=lambda r: (r.completeness, -r.pk))
        if cluster.representative_id != best.pk:
            Cluster.objects.filter(pk=cluster.pk).update(representative=best)


def leave(record):
    """A record deleted at its source leaves its cluster (which keeps its other members, or goes)."""
    previous = record.cluster_id
    Record.objects.filter(pk=record.pk).update(cluster=None, match_reason={})
    MatchKey.objects.filter(record=record).delete()
    choose_representatives({previous})


def near_candidates(cluster, limit=5):
    """Records of other clusters that share a blocking key with a member, with the scores that kept them out."""
    members = list(cluster.records.filter(deleted=False))
    blocks = set(MatchKey.objects.filter(record__in=members, key__startswith="blk:").values_list("key", flat=True))
    found = []
    for other in (Record.objects.filter(keys__key__in=blocks, deleted=False).exclude(cluster=cluster)
                  .select_related("source").distinct()[:50]):
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
