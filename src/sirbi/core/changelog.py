"""Saving and deleting registry objects with their change log and optimistic locking.

Every write of a change-logged object goes through `save_object` / `delete_object`, whichever door it
came in by (page, API, import, admin): they check permissions before and after the change, refuse a save
based on an outdated version, and record who changed what.
"""

import datetime
import decimal
import uuid

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from . import permissions
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

        `m2m` ({field name: ids}) gives the many-to-many values without a query (bulk imports).
        """
        data = {}
        for field in self._meta.concrete_fields:
            if field.name in self.changelog_exclude or field.primary_key:
                continue
            value = getattr(self, field.attname)
            if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal):
                # As stored: a form's Decimal("3") and the database's Decimal("3.00") are the same value.
                value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
            data[field.name] = to_json(value)
        for field in self._meta.many_to_many:
            if m2m is not None and field.name in m2m:
                data[field.name] = sorted(m2m[field.name])
            elif self.pk:
                data[field.name] = sorted(getattr(self, field.name).values_list("pk", flat=True))
        return data

    def changelog_country(self):
        """The ISO alpha-2 code the change log files this object under."""
        return ""


def to_json(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _log(obj, action, user, before, after, message, source):
    return ChangeLog.objects.create(**log_fields(obj, action, user, before, after, message, source))


def log_fields(obj, action, user, before, after, message, source, content_type=None):
    """The fields of a change-log entry; bulk writers build ChangeLog(**log_fields(...)) themselves."""
    return dict(
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
    )


def save_object(obj, *, user, m2m=None, expected_version=None, message="", source="web"):
    """Create or update `obj` (and its many-to-many `m2m` values) as `user`, with a change-log entry.

    Raises PermissionDenied when the user may not make this change (checked on the stored state and
    on the new state, so nobody can move an object out of their scope) and ConflictError when the
    object changed since `expected_version`. Nothing is written in either case.
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
        _log(obj, action, user, before, after, message, source)
    return obj


def delete_object(obj, *, user, message="", source="web"):
    with transaction.atomic():
        permissions.require(user, "delete", obj)
        before = obj.snapshot()
        _log(obj, ChangeLog.Action.DELETE, user, before, None, message, source)
        obj.delete()


def history(obj):
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("user", "content_type")


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


def visible_changes(changes, user):
    """Entries with `visible_fields` and `show_editor` set: a model's `private_fields` (contacts) and who made
    the change only for members (the public pages' histories never name editors)."""
    member = permissions.is_member(user)
    entries = list(changes)
    for change in entries:
        private = set() if member else set(getattr(change.content_type.model_class(), "private_fields", ()))
        change.visible_fields = [row for row in change.changed_fields() if row["name"] not in private]
        change.show_editor = member
    return entries


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
