"""Import batches: every bulk write (a file of libraries, figures, roadmap actions, catalog records) is one batch,
with the file kept, the counts, and a compact change-log entry per object pointing at the batch and the row.

A batch can be undone while nothing has changed its objects since: what it created is deleted, what it changed
gets its old values back, what it deleted comes back. The undo is a batch too, so the objects' histories say
what happened, and it is all or nothing.
"""

from concurrent.futures import ThreadPoolExecutor

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from . import permissions
from .changelog import BatchLog, ChangeLoggedModel, entry, snapshot_relations
from .models import ChangeLog, ImportBatch, KeptFile


class UndoRefused(Exception):
    """The batch cannot be undone; the message says why."""


def pack_in_background(data):
    """Hash and compress an import's file in a thread while the importer reads and checks it; pass the result
    to `open_batch(data=...)` in place of the bytes."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(KeptFile.pack, data)
    pool.shutdown(wait=False)  # the thread ends with its one task; the future keeps the result
    return future


def open_batch(*, user, kind, filename="", data=None, message="", source="import", country=""):
    """Start a batch (inside the caller's transaction, so a failed import leaves neither batch nor file). `data` is
    the file's bytes, or `pack_in_background(bytes)`."""
    return ImportBatch.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=getattr(user, "username", "") or "",
        kind=kind,
        filename=(filename or "")[:255],
        file=KeptFile.keep(data) if data is not None else None,
        message=(message or "")[:500],
        source=source,
        country=country or "",
    )


def close_batch(batch, **counts):
    """Record what the batch did: counts by name (create, update, delete, unchanged, skipped...)."""
    batch.counts = {name: count for name, count in counts.items() if count}
    batch.save(update_fields=["counts"])
    return batch


def visible_batches(user):
    """The imports `user` may open (list, page, undo): the secretariat all; other members their own and those of
    the countries their roles cover. Its file (which may hold contact details) is for fewer: `may_read_file`."""
    imports = ImportBatch.objects.all()
    if not permissions.is_member(user):
        return imports.none()
    reach = permissions.scope(user, "view", ImportBatch)
    if reach.everywhere:  # (Q() would vanish from an OR)
        return imports
    return imports.filter(Q(user=user) | reach.q(ImportBatch))


def may_read_file(user, batch):
    """The kept file, and the undo, are for the secretariat and the person who imported."""
    return permissions.is_secretariat(user) or (user.is_authenticated and batch.user_id == user.pk)


def undone_by(batch):
    """The batch that undid `batch`, or None."""
    return getattr(batch, "undone_by", None)  # (the reverse one-to-one's "does not exist" is an AttributeError)


# An import page checks everything an undo would before it offers the button, up to this many entries; beyond, only
# what is quick (who, already undone), and the rest is checked and said when the button is pressed (the full check
# reads every entry and each object's later history: about a second for 100,000 rows).
PAGE_CHECK_ENTRIES = 10_000


def undo_refusal(user, batch, *, quick=False):
    """Why `user` may not undo `batch` now, or None. `quick`: only the checks that do not read every entry."""
    if not may_read_file(user, batch):
        return _("Only the regional secretariat or the person who imported it (%(name)s) may undo an import.") % {
            "name": batch.user_name or _("system")}
    if batch.undoes_id is not None:
        return _("This is the undoing of import #%(id)s; it cannot itself be undone.") % {"id": batch.undoes_id}
    undone = undone_by(batch)
    if undone is not None:
        return _("This import was already undone (import #%(id)s).") % {"id": undone.pk}
    if not batch.changes.exists():
        return _("This import changed nothing, so there is nothing to undo.")
    if quick:
        return None
    later = (batch.changes.filter(Exists(ChangeLog.objects.filter(
        content_type=OuterRef("content_type"), object_id=OuterRef("object_id"), id__gt=OuterRef("id"))))
        .order_by("id").first())
    if later is not None:
        change = (ChangeLog.objects.filter(content_type=later.content_type_id, object_id=later.object_id,
                                           id__gt=later.id).order_by("id").first())
        return _("“%(object)s” was changed after this import (%(when)s, %(who)s): undo that change first, or "
                 "edit by hand.") % {"object": later.object_repr, "when": change.time.date().isoformat(),
                                     "who": change.user_name or _("system")}
    if not permissions.is_secretariat(user):
        for model, action, objects, count in _objects_by_action(batch):
            if action == ChangeLog.Action.DELETE:
                continue  # deleted objects come back; adding them is checked as they return
            # Taking back one's own creation, unchanged since, needs the right that made it, not the right to
            # delete (which some models keep for the secretariat).
            wanted = "add" if action == ChangeLog.Action.CREATE else "change"
            if permissions.restrict(objects, user, wanted).count() < count:
                return _("Your role no longer covers every %(model)s this import changed.") % {
                    "model": model._meta.verbose_name}
    return None


def _objects_by_action(batch):
    """[(model, action, the objects of its entries, how many entries)] of the batch. The objects are selected by a
    subquery on the batch's entries, never by a list of ids: an import of 100,000 rows would pass SQLite's limit of
    bound parameters (32,766 in a stock build) and PostgreSQL's (65,535)."""
    groups = (batch.changes.order_by().values_list("content_type", "action").annotate(count=Count("object_id",
                                                                                                   distinct=True)))
    result = []
    for content_type_id, action, count in groups:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        ids = batch.changes.filter(content_type_id=content_type_id, action=action).values("object_id")
        result.append((model, action, model._default_manager.filter(pk__in=ids), count))
    return result


@transaction.atomic
def undo_batch(batch, *, user, message=""):
    """Undo `batch` as `user`; returns the undo's own batch. Raises UndoRefused (nothing written) with the reason."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    # Lock the objects first, so that no save slips in between the check that nothing changed since and the undo
    # (PostgreSQL; SQLite's write transaction already excludes other writers).
    for _model, action, objects, _count in _objects_by_action(batch):
        if action != ChangeLog.Action.DELETE:
            list(objects.select_for_update().values_list("pk", flat=True))
    refusal = undo_refusal(user, batch)
    if refusal:
        raise UndoRefused(refusal)
    undo = open_batch(user=user, kind=batch.kind, filename=batch.filename, message=message or _(
        "Undo of import #%(id)s") % {"id": batch.pk}, source="undo", country=batch.country)
    undo.undoes = batch
    undo.file_id = batch.file_id
    undo.save(update_fields=["undoes", "file"])
    counts = {"create": 0, "update": 0, "delete": 0}
    changes = list(batch.changes.order_by("-id"))
    entries = []
    for content_type_id in {change.content_type_id for change in changes}:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        mine = [change for change in changes if change.content_type_id == content_type_id]
        created = [change for change in mine if change.action == ChangeLog.Action.CREATE]
        if created:
            _delete_created(model, created, undo)
            counts["delete"] += len(created)
        for change in mine:
            if change.action == ChangeLog.Action.UPDATE:
                _restore_fields(model, change, undo, user, entries)
                counts["update"] += 1
            elif change.action == ChangeLog.Action.DELETE:
                _recreate(model, change, undo, user, entries)
                counts["create"] += 1
    ChangeLog.objects.bulk_create(entries, batch_size=2000)
    return close_batch(undo, **counts)


def _delete_created(model, created, undo):
    """Delete what the batch created (a large import's 100,000 libraries too: the entries are written in bulk, and
    only the dependants that would refuse the undo are read)."""
    entries = undo.undoes.changes.filter(content_type_id=created[0].content_type_id,
                                         action=ChangeLog.Action.CREATE).values("object_id")
    objects = model._default_manager.filter(pk__in=entries)  # a subquery: no list of ids (see _objects_by_action)
    collector = Collector(using=objects.db)
    try:
        collector.collect(objects)
    except (ProtectedError, RestrictedError) as error:
        blocker = next(iter(error.protected_objects if isinstance(error, ProtectedError)
                            else error.restricted_objects))
        raise UndoRefused(_("“%(object)s” (%(model)s) now depends on what this import created: it cannot be "
                            "deleted.") % {"object": blocker, "model": blocker._meta.verbose_name}) from error
    # Cascades Django deletes with one query (fast deletes) are querysets; the others, collected objects.
    # Only change-logged dependants refuse the undo: the others (memberships...) go with what they depend on.
    dependants = [(other, list(instances)) for other, instances in collector.data.items()
                  if other is not model and issubclass(other, ChangeLoggedModel)]
    # (A model without dependants is itself deleted "fast": its own queryset is among them, and is no dependant.)
    dependants += [(qs.model, list(qs[:1]) and list(qs)) for qs in collector.fast_deletes
                   if hasattr(qs, "model") and qs.model is not model and issubclass(qs.model, ChangeLoggedModel)]
    # Links others hold to what would be deleted (SET_NULL, SET_DEFAULT) would change those objects silently.
    for (field, _value), targets in collector.field_updates.items():
        for target in targets:
            sample = next(iter(target), None) if not hasattr(target, "model") else target.first()
            if sample is not None:
                raise UndoRefused(_("“%(object)s” (%(model)s) now refers to what this import created: undoing would "
                                    "change it too.") % {"object": sample, "model": field.model._meta.verbose_name})
    for other, instances in dependants:
        if instances:
            sample = instances[0]
            raise UndoRefused(_("Undoing would also delete what was added since and depends on it: %(model)s "
                                "“%(object)s” (%(n)s in all).")
                              % {"n": len(instances), "model": other._meta.verbose_name, "object": sample})
    # Every link was found empty above: nothing to set to NULL. (Django would still send those updates, as one
    # statement OR-ing every batch of ids, past the database's limit of parameters for a large import.)
    collector.field_updates.clear()
    log = BatchLog(undo, model)
    for change in created:
        log.deleted(change.object_id, change.object_repr, change.country, change.row, None)
    log.write()
    collector.delete()


def _restore_fields(model, change, undo, user, entries):
    obj = model._default_manager.select_for_update().filter(pk=change.object_id).first()
    if obj is None:
        raise UndoRefused(_("“%(object)s” no longer exists: this import cannot be undone.")
                          % {"object": change.object_repr})
    m2m = _apply_snapshot(model, obj, change.before)
    refused = permissions.refusal(user, "change", obj)  # the old values must be in the user's scope too
    if refused:
        raise UndoRefused(refused)
    obj.version = getattr(obj, "version", 0) + 1
    obj.save()
    for name, ids in m2m.items():
        getattr(obj, name).set(ids)
    entries.append(_undo_entry(obj, ChangeLog.Action.UPDATE, undo, change, before=change.after, after=change.before))


def _recreate(model, change, undo, user, entries):
    obj = model(pk=change.object_id)
    m2m = _apply_snapshot(model, obj, change.before)
    obj.save(force_insert=True)
    for name, ids in m2m.items():
        getattr(obj, name).set(ids)
    refused = permissions.refusal(user, "add", obj)
    if refused:
        raise UndoRefused(refused)
    entries.append(_undo_entry(obj, ChangeLog.Action.CREATE, undo, change, after=obj.snapshot()))


def _undo_entry(obj, action, undo, change, *, before=None, after=None):
    """The entry of an undo's change to `obj`, at the undo's time and the undone entry's row."""
    undone = entry(obj, action, user=undo.user, before=before, after=after, message=undo.message, source="undo",
                   batch=undo, row=change.row)
    undone.time = undo.time
    return undone


def _apply_snapshot(model, obj, snapshot):
    """Set `obj`'s fields from (part of) a snapshot; returns the many-to-many values, set after saving."""
    relations = set(snapshot_relations(model))
    m2m = {}
    for name, value in (snapshot or {}).items():
        if name in relations:
            m2m[name] = value
            continue
        field = model._meta.get_field(name)
        setattr(obj, field.attname, None if value is None else field.to_python(value))
    return m2m


def batch_changes(batch):
    """The batch's entries, in row order."""
    return batch.changes.select_related("content_type").order_by("row", "id")

