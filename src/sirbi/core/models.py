"""The shared kernel's data: accounts, role assignments, the change log, background jobs and API tokens."""

import hashlib
import secrets
import zlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Regional secretariat")
    COORDINATOR = "coordinator", _("National coordinator")
    NETWORK_MANAGER = "network_manager", _("Network manager")
    LIBRARY_STAFF = "library_staff", _("Library staff")


class RoleAssignment(models.Model):
    """One role of one user over one scope: the whole region, a country, a network or a library.

    Scopes are stored as the country's ISO alpha-2 code and the network's or library's id, so the kernel
    needs no import of the registry; the registry checks that the referenced objects exist.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code"))
    network_id = models.BigIntegerField(_("network"), null=True, blank=True)
    library_id = models.BigIntegerField(_("library"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    models.Q(role="secretariat", country="", network_id=None, library_id=None)
                    | (models.Q(role="coordinator", network_id=None, library_id=None) & ~models.Q(country=""))
                    | models.Q(role="network_manager", country="", network_id__isnull=False, library_id=None)
                    | models.Q(role="library_staff", country="", network_id=None, library_id__isnull=False)
                ),
            )
        ]

    def __str__(self):
        scope = self.country or self.network_id or self.library_id or _("region")
        return f"{self.user} · {self.get_role_display()} · {scope}"


class ChangeLog(models.Model):
    """Who changed which object, when, from what to what, and why. Never edited, never deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("user")
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Indexed by the (content_type, object_id, time) index below; a second index would only slow imports.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"),
                                     db_index=False)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=300)
    country = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True, help_text=_("web, api, import, admin"))
    # An import's entry: its batch and the row of the kept file it came from. Such an entry keeps no full
    # snapshot (a creation's values are the row's; an update keeps only the fields it changed).
    batch = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="changes",
                              verbose_name=_("import"))
    row = models.PositiveIntegerField(_("row"), null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    SOURCES = {"web": _("web page"), "api": _("API"), "import": _("import"), "admin": _("administration"),
               "demo": _("demo data"), "undo": _("undo of an import")}

    def source_label(self):
        """The door the change came by, in the reader's language (unknown doors by their code)."""
        return self.SOURCES.get(self.source, self.source)

    def changed_fields(self):
        """{name, label, before, after} for every field whose value differs, labelled in the active language.

        Related objects are shown by name, not id; a creation lists only the fields it filled.
        """
        before = self.before or {}
        after = self.after or {}
        model = self.content_type.model_class()
        rows = []
        for key in list(after) + [key for key in before if key not in after]:
            old, new = before.get(key), after.get(key)
            if old == new or (self.before is None and new in (None, "", False, [])):
                continue
            label, field = key, None
            if model is not None:
                try:
                    field = model._meta.get_field(key)
                    label = field.verbose_name
                except Exception:  # a field removed since the entry was written keeps its raw name
                    field = None
            rows.append({"name": key, "label": label, "before": _display(field, old), "after": _display(field, new)})
        return rows


class KeptFile(models.Model):
    """A file that came in through an import, kept once whatever the number of imports that sent it (the key is
    its SHA-256), compressed, so that what came in can always be read again."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size"))
    compressed = models.BinaryField(_("compressed content"))
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("kept file")
        verbose_name_plural = _("kept files")

    def __str__(self):
        return f"{self.sha256[:12]} ({self.size} B)"

    @staticmethod
    def pack(data):
        """(SHA-256, size, compressed bytes) of `data`. Level 1: imports are read far less often than written;
        the text of a CSV still shrinks 4-6 times. (hashlib and zlib release the GIL on large buffers, so an
        importer may run this in a thread while it reads the file: core.batches.pack_in_background.)"""
        return hashlib.sha256(data).hexdigest(), len(data), zlib.compress(data, 1)

    @classmethod
    def keep(cls, data):
        """The kept copy of `data` (bytes, or a future of `pack(data)`): the existing one when the same content
        came in before."""
        digest, size, compressed = data.result() if hasattr(data, "result") else cls.pack(data)
        kept = cls.objects.filter(sha256=digest).first()
        if kept is None:
            try:
                with transaction.atomic():  # a savepoint: the same file sent twice at once is kept once
                    kept = cls.objects.create(sha256=digest, size=size, compressed=compressed)
            except IntegrityError:
                kept = cls.objects.get(sha256=digest)
        return kept

    def read(self):
        return zlib.decompress(self.compressed)


class ImportBatch(models.Model):
    """One import (a file of libraries, figures, roadmap actions, catalog records...): who ran it, when, with
    which file and message, and how many objects it created, changed and deleted. Each object's own change-log
    entry points here with its row. An undo is a batch too, pointing at the batch it undid."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name=_("user"))
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    class Kind(models.TextChoices):
        LIBRARIES = "libraries", _("Libraries")
        FIGURES = "figures", _("Statistical figures")
        ROADMAP_ACTIONS = "roadmap-actions", _("Roadmap actions")
        CATALOG_RECORDS = "catalog-records", _("Catalog records")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices,
                            help_text=_("what the file held: libraries, figures..."))
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    file = models.ForeignKey(KeptFile, null=True, blank=True, on_delete=models.PROTECT, related_name="batches",
                             verbose_name=_("file"))
    message = models.CharField(_("message"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True, help_text=_("web, api, import, admin"))
    country = models.CharField(_("country"), max_length=2, blank=True,
                               help_text=_("the country whose data it changed, when it is one"))
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    undoes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by",
                                  verbose_name=_("undoes"))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-time", "-id"]

    # The list of imports shows a country's coordinators that country's imports (and everyone their own);
    # undoing one is decided by core.batches.undo_refusal.
    permission_roles = {"view": {Role.COORDINATOR}}

    def __str__(self):
        return f"#{self.pk} {self.filename or self.kind}"

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return models.Q(country__in=countries)


def _display(field, value):
    """A stored snapshot value as a person reads it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    related = getattr(field, "related_model", None) if field is not None else None
    if related is not None:
        ids = value if isinstance(value, list) else [value]
        names = {obj.pk: str(obj) for obj in related.objects.filter(pk__in=ids)}
        return ", ".join(names.get(pk, f"#{pk}") for pk in ids)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    return value


class Job(models.Model):
    """Long work run by `sirbi worker`, with progress readable by the web and the command line."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict, blank=True)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "created"])]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self):
        """The kind as people read it ("Catalog import"); its code when no label was registered."""
        from .jobs import LABELS  # (core.jobs imports this module)

        return LABELS.get(self.kind, self.kind)

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)


class NotificationSetting(models.Model):
    """How a person wants to hear about what concerns them: each notice by e-mail, a weekly digest, or only on
    their notifications page."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("One e-mail per notice")
        WEEKLY = "weekly", _("A weekly digest")
        OFF = "off", _("No e-mail (only on this page)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_setting",
                                verbose_name=_("user"))
    frequency = models.CharField(_("e-mail"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return f"{self.user} · {self.get_frequency_display()}"


class Notification(models.Model):
    """A notice for one person: an assignment, a deadline, a returned report, an approval."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("user"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    emailed = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "emailed"])]

    def __str__(self):
        return self.subject


class ApiToken(models.Model):
    """A person's key for writing through the API (`Authorization: Token KEY`).

    Only the key's SHA-256 is stored: the key itself is shown once, when it is made, so a copy of the
    database (a backup, a leak) opens nothing. A key has 160 random bits, so an unsalted fast hash is enough.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token",
                                verbose_name=_("user"))
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    prefix = models.CharField(_("start of the key"), max_length=8, help_text=_("to tell keys apart"))
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.prefix}…"

    @staticmethod
    def digest_of(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user):
        """A new key for `user`, replacing the old one (which stops working); returns the key itself."""
        key = secrets.token_hex(20)  # 40 characters, like the keys REST framework made before
        cls.objects.update_or_create(user=user, defaults={"digest": cls.digest_of(key), "prefix": key[:8],
                                                         "created": timezone.now()})
        return key
