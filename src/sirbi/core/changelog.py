"""Saving and deleting registry objects with their change log and optimistic locking.

Every write of a change-logged object goes through `save_object` / `delete_object`, whichever door it
came in by (page, API, import, admin): they check permissions before and after the change, refuse a save
based on an outdated version, and record who changed what.
"""

import datetime
import decimal
import functools
import uuid

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from . import bulk, permissions
from .models import ChangeLog
from .params import calendar_date


class ConflictError(Exception):
    """Someone else saved the object since the editor loaded it."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            _(
                "This record was changed by someone else (now at version %(version)s) after you opened it. "
                "Your changes were not saved: reload the page to see the current values and edit again."
            )
            % {"version": current.version}
        )


class ChangeLoggedModel(models.Model):
    """Abstract base: creation and update times and the version used to refuse overwrites."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    changelog_exclude = ("version", "created", "updated")

    class Meta:
        abstract = True

    def snapshot(self, m2m=None):
        """The object's state as JSON: concrete fields (foreign keys as ids) and many-to-many ids.

        `m2m` ({field name: ids}) gives the many-to-many values without a query.
        """
        model = type(self)
        values = {attname: getattr(self, attname) for _name, attname in snapshot_fields(model)}
        m2m = dict(m2m or {})
        if self.pk:
            for name in snapshot_relations(model):
                if name not in m2m:
                    m2m[name] = getattr(self, name).values_list("pk", flat=True)
        return snapshot_values(model, values, m2m)

    def changelog_country(self):
        """The ISO alpha-2 code the change log files this object under."""
        return ""


@functools.cache
def _snapshot_shape(model):
    fields = [(field.name, field.attname, field) for field in model._meta.concrete_fields
              if field.name not in model.changelog_exclude and not field.primary_key]
    return fields, [field.name for field in model._meta.many_to_many]


def snapshot_fields(model):
    """(name, attname) of the concrete fields a snapshot of `model` holds: the one definition of the snapshot's
    shape, for instances (`ChangeLoggedModel.snapshot`) and for the plain values of bulk imports alike."""
    return [(name, attname) for name, attname, _field in _snapshot_shape(model)[0]]


def snapshot_relations(model):
    """The many-to-many field names a snapshot of `model` holds (as sorted ids)."""
    return _snapshot_shape(model)[1]


def snapshot_values(model, values, m2m=None):
    """A snapshot from plain values: `values` by attname (country_id, not country), `m2m` {name: ids}; relations
    missing from `m2m` are left out (a bulk writer that does not know them)."""
    data = {}
    for name, attname, field in _snapshot_shape(model)[0]:
        value = values[attname]
        if isinstance(value, decimal.Decimal) and isinstance(field, models.DecimalField):
            # As stored: a form's Decimal("3") and the database's Decimal("3.00") are the same value.
            value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        data[name] = to_json(value)
    for name in _snapshot_shape(model)[1]:
        if m2m is not None and name in m2m:
            data[name] = sorted(m2m[name])
    return data


def difference(before, after):
    """The fields whose values differ: (their values before, their values after)."""
    keys = [key for key in after if before.get(key) != after[key]] + [key for key in before if key not in after]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def to_json(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def entry(obj, action, *, user, before=None, after=None, message="", source="web", batch=None, row=None,
          content_type=None):
    """An unsaved change-log entry for `obj`: the one place that fills a ChangeLog's columns."""
    return ChangeLog(
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=getattr(user, "username", "") or "",
        action=action,
        content_type=content_type or ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        country=obj.changelog_country(),
        before=before,
        after=after,
        message=message[:500],
        source=source,
        batch=batch,
        row=row,
    )


def record(obj, action, *, user, before, after, message="", source="web"):
    """Write one entry for a change a service made itself (after checking its permission), e.g. the progress a
    report sets on a roadmap action."""
    return entry(obj, action, user=user, before=before, after=after, message=message, source=source).save()


def write(entries):
    """Write unsaved entries built by `entry` in bulk (a service's many changes in one go)."""
    ChangeLog.objects.bulk_create(entries, batch_size=2000)


def record_created(objects, *, user=None, message="", source="web", m2m=None):
    """Entries with full snapshots for objects created in bulk outside an import (the demo loader).
    `m2m` is {object id: {field name: ids}} when the many-to-many values are known (no query per object);
    `message` a text or a function of the object (each in its own language)."""
    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    write([entry(obj, ChangeLog.Action.CREATE, user=user, after=obj.snapshot(m2m=(m2m or {}).get(obj.pk)),
                 message=message(obj) if callable(message) else message, source=source, content_type=content_type)
           for obj in objects])


class BatchLog:
    """The change-log entries of one import batch (`core.batches.open_batch`), collected row by row and written in
    bulk in their compact form: each points at the batch and the row it came from; a creation keeps no values
    (they are the kept file's row), an update only the fields it changed, a deletion the whole state it removed.
    Full snapshots in, compact entries out: callers build snapshots with `snapshot_values`."""

    def __init__(self, batch, model, action_source=None):
        self.batch = batch
        self.model = model
        self.entries = []
        connection_ops = connection.ops
        self._json = connection_ops.adapt_json_value
        self._fixed = (connection_ops.adapt_datetimefield_value(batch.time), batch.user_id, batch.user_name,
                       ContentType.objects.get_for_model(model).pk, batch.message[:500],
                       action_source or batch.source or "import", batch.pk)

    def created(self, pk, name, country, row):
        self.entries.append((ChangeLog.Action.CREATE.value, pk, name, country, None, None, row))

    def updated(self, pk, name, country, row, before, after):
        old, new = difference(before, after)
        self.entries.append((ChangeLog.Action.UPDATE.value, pk, name, country, self._json(old, None),
                             self._json(new, None), row))

    def deleted(self, pk, name, country, row, before):
        """`before` None: the deletion of what a batch created, whose values are the row's (an undo)."""
        self.entries.append((ChangeLog.Action.DELETE.value, pk, name, country,
                             None if before is None else self._json(before, None), None, row))

    def write(self):
        """INSERT the collected entries (in the caller's transaction) and forget them."""
        time, user_id, user_name, content_type, message, source, batch_id = self._fixed
        bulk.insert_log_rows(
            [(time, user_id, user_name, action, content_type, pk, str(name)[:300], country or "", before, after,
              message, source, batch_id, row) for action, pk, name, country, before, after, row in self.entries]
        )
        self.entries = []


def save_object(obj, *, user, m2m=None, expected_version=None, message="", source="web", batch=None, row=None):
    """Create or update `obj` (and its many-to-many `m2m` values) as `user`, with a change-log entry.

    Raises PermissionDenied when the user may not make this change (checked on the stored state and
    on the new state, so nobody can move an object out of their scope) and ConflictError when the
    object changed since `expected_version`. Nothing is written in either case.

    Within an import (`batch`, from core.batches.open_batch, and the file's `row`) the entry is compact, as
    BatchLog writes it: a creation keeps no values, an update only the fields it changed.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk:
            current = model.objects.select_for_update().get(pk=obj.pk)
            permissions.require(user, "change", current)
            if expected_version is not None and current.version != int(expected_version):
                raise ConflictError(current)
            before = current.snapshot()
            obj.version = current.version + 1
            action = ChangeLog.Action.UPDATE
        else:
            before = None
            action = ChangeLog.Action.CREATE
        obj.save()
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        permissions.require(user, "add" if before is None else "change", obj)
        after = obj.snapshot()
        if before is not None and before == after:
            # Nothing changed: keep the version, write no entry.
            transaction.set_rollback(True)
            obj.version -= 1
            return obj
        if batch is not None:
            before, after = difference(before, after) if before is not None else (None, None)
            message, source = message or batch.message, batch.source or source
        entry(obj, action, user=user, before=before, after=after, message=message, source=source, batch=batch,
              row=row).save()
    return obj


def delete_object(obj, *, user, message="", source="web"):
    with transaction.atomic():
        permissions.require(user, "delete", obj)
        before = obj.snapshot()
        entry(obj, ChangeLog.Action.DELETE, user=user, before=before, message=message, source=source).save()
        obj.delete()


def history(obj):
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("user", "content_type", "batch")


def readable_changes(queryset, user):
    """Narrow change-log entries to those `user` may read: an entry is read by whoever may read its object in
    its current state (`permissions.restrict(..., "view")`: drafts by their author's scope and the secretariat).

    One subquery per model with a non-public state, inside the same statement, whatever the number of entries.
    Entries of a deleted object of such a model have no current state to judge by: the secretariat's only.
    """
    if permissions.is_secretariat(user):
        return queryset
    condition = Q()
    for model in apps.get_models():
        if not issubclass(model, ChangeLoggedModel) or getattr(model, "public_q", None) is None:
            continue
        readable = permissions.restrict(model._default_manager.all(), user, "view").values("pk")
        condition &= ~Q(content_type=ContentType.objects.get_for_model(model)) | Q(object_id__in=readable)
    return queryset.filter(condition)


def visible_changes(changes, user, links=False):
    """Entries with `visible_fields` and `show_editor` set: a model's `private_fields` (contacts) and who made
    the change only for members (the public pages' histories never name editors). With `links`, each entry also
    gets `object_url`: its object's page while the object exists and has one (lists of many objects' entries)."""
    member = permissions.is_member(user)
    entries = list(changes)
    for change in entries:
        private = set() if member else set(getattr(change.content_type.model_class(), "private_fields", ()))
        change.visible_fields = [row for row in change.changed_fields() if row["name"] not in private]
        change.show_editor = member
        change.object_url = ""
    if links:
        _link_objects(entries)
    return entries


def _link_objects(entries):
    """Sets `object_url` on entries whose object still exists: one query per model among the entries."""
    wanted = {}
    for change in entries:
        model = change.content_type.model_class()
        if model is not None and hasattr(model, "get_absolute_url"):
            wanted.setdefault(model, set()).add(change.object_id)
    urls = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            try:
                urls[model, obj.pk] = obj.get_absolute_url()
            except NoReverseMatch:  # a page that needs what the object lacks (an empty code): no link
                continue
    for change in entries:
        change.object_url = urls.get((change.content_type.model_class(), change.object_id), "")


def filter_changes(queryset, params):
    """The change log's filters, shared by the page, its export and the API."""
    if params.get("model"):
        app_label, _dot, model = params["model"].partition(".")
        queryset = queryset.filter(content_type__app_label=app_label, content_type__model=model)
    if params.get("object_id", "").isdigit():
        queryset = queryset.filter(object_id=int(params["object_id"]))
    if params.get("action"):
        queryset = queryset.filter(action=params["action"])
    if params.get("country"):
        queryset = queryset.filter(country=params["country"].upper())
    if params.get("user"):
        queryset = queryset.filter(user_name=params["user"])
    if params.get("source"):
        queryset = queryset.filter(source=params["source"])
    since = calendar_date(params.get("since"))
    if since:
        queryset = queryset.filter(time__date__gte=since)
    until = calendar_date(params.get("until"))
    if until:
        queryset = queryset.filter(time__date__lte=until)
    return queryset
