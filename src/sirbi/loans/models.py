"""Interlibrary loan: who lends what (lending policies, partners' ISO 18626 endpoints), and the requests that move
between libraries after ISO 18626, each with its rota of lenders and its timeline of transitions."""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys
from sirbi.registry.models import Library

from .choices import Cost, Delivery, LendsTo, RequestState, RotaOutcome, RotaReason, ServiceType, SupplierStatus

PLAIN = [validate_plain_text]
# The roles that keep a library's lending policy and endpoint: its staff, its networks' managers, its country's
# coordinators (and the secretariat everywhere).
LIBRARY_KEEPERS = {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF}


def validate_deliveries(value):
    allowed = set(Delivery.values)
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise ValidationError(_("Choose among: %(methods)s.") % {"methods": ", ".join(sorted(allowed))})


def library_q(prefix, countries, networks, libraries):
    """The Q of objects whose library (at `prefix`) lies in a scope (by country, network or library)."""
    return (Q(**{f"{prefix}__country__code__in": countries})
            | Q(**{f"{prefix}__in": Library.networks.through.objects.filter(network_id__in=networks)
                   .values("library_id")})
            | Q(**{f"{prefix}__in": libraries}))


class OfLibrary:
    """Scope of an object that belongs to one library (its `library`)."""

    def scope_keys(self):
        return self.library.scope_keys()

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return library_q("library", countries, networks, libraries)

    def changelog_country(self):
        return self.library.country.code


class LendingPolicy(OfLibrary, ChangeLoggedModel):
    """What a library lends, to whom, for how long, how it ships, what it costs, and when it pauses."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="lending_policy",
                                   verbose_name=_("library"))
    lends_returnables = models.BooleanField(_("lends returnable items"), default=True)
    supplies_copies = models.BooleanField(_("supplies copies"), default=True)
    lends_to = models.CharField(_("lends to"), max_length=20, choices=LendsTo.choices, default=LendsTo.COUNTRY)
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=21,
                                                 validators=[MinValueValidator(1), MaxValueValidator(365)])
    renewals = models.PositiveSmallIntegerField(_("renewals allowed"), default=1, validators=[MaxValueValidator(12)])
    response_days = models.PositiveSmallIntegerField(
        _("response time (working days)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Without an answer in this time, a request moves on to the next lender."))
    deliveries = models.JSONField(_("delivery methods"), default=list, blank=True, validators=[validate_deliveries])
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    cost_amount = models.DecimalField(_("amount per request"), max_digits=9, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(_("currency"), max_length=3, blank=True,
                                     validators=[RegexValidator(r"^[A-Z]{3}$", _("An ISO 4217 code, e.g. PEN."))])
    cost_note = models.CharField(_("about the cost"), max_length=300, blank=True, validators=PLAIN)
    paused_from = models.DateField(_("paused from"), null=True, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    pause_reason = models.CharField(_("reason for the pause"), max_length=200, blank=True, validators=PLAIN,
                                    help_text=_("Holidays, inventory..."))
    shipping_address = models.TextField(_("address to ship to"), blank=True, validators=PLAIN)
    note = models.TextField(_("other conditions"), blank=True, validators=PLAIN)
    is_sample = models.BooleanField(_("sample data"), default=False, help_text=_("Invented for the demonstration."))

    permission_roles = {"add": LIBRARY_KEEPERS, "change": LIBRARY_KEEPERS, "delete": LIBRARY_KEEPERS}

    class Meta:
        verbose_name = _("lending policy")
        verbose_name_plural = _("lending policies")

    def __str__(self):
        return _("Lending policy of %(library)s") % {"library": self.library}

    def get_absolute_url(self):
        return reverse("loans:policy", args=[self.library_id])

    def clean(self):
        if self.paused_from and self.paused_until and self.paused_until < self.paused_from:
            raise ValidationError({"paused_until": _("The pause ends before it starts.")})
        if self.cost == Cost.CHARGED and (self.cost_amount is None or not self.cost_currency):
            raise ValidationError({"cost_amount": _("Give the amount and its currency, or choose free.")})

    def deliveries_display(self):
        labels = dict(Delivery.choices)
        return [str(labels.get(method, method)) for method in self.deliveries]

    def paused_on(self, day):
        return paused_on(self.paused_from, self.paused_until, day)


def paused_on(paused_from, paused_until, day):
    """Is a policy paused from `paused_from` until `paused_until` (open-ended when empty) paused on `day`? (The rota
    reads policies as plain rows and asks this too.)"""
    started = paused_from is not None and paused_from <= day
    return started and (paused_until is None or day <= paused_until)


def hash_token(token):
    """Partners' tokens are random (secrets.token_urlsafe(32)): a plain SHA-256 is enough to keep them unreadable."""
    return hashlib.sha256(token.encode()).hexdigest()


class PartnerEndpoint(OfLibrary, ChangeLoggedModel):
    """A library on another system that speaks ISO 18626: where its messages go (URL) and how it names itself
    (agency id); the token it presents to our endpoint is kept only as a hash."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="iso18626_endpoint",
                                   verbose_name=_("library"))
    url = models.URLField(_("ISO 18626 address"), max_length=500)
    agency_id_type = models.CharField(_("agency id type"), max_length=20, default="ISIL", validators=PLAIN)
    agency_id = models.CharField(_("agency id"), max_length=60, unique=True, validators=PLAIN)
    token_hash = models.CharField(max_length=64, editable=False)
    # What we present to the partner's endpoint (Bearer), as the partner gave it: sent, so kept readable; never in
    # the change log, never shown back.
    outgoing_token = models.CharField(_("token for their endpoint"), max_length=200, blank=True,
                                      help_text=_("The credential the partner gave us, sent with our messages."))
    active = models.BooleanField(_("active"), default=True)

    permission_roles = {"add": LIBRARY_KEEPERS, "change": LIBRARY_KEEPERS, "delete": LIBRARY_KEEPERS}
    changelog_exclude = ChangeLoggedModel.changelog_exclude + ("token_hash", "outgoing_token")

    class Meta:
        verbose_name = _("ISO 18626 partner endpoint")
        verbose_name_plural = _("ISO 18626 partner endpoints")

    def __str__(self):
        return f"{self.library} ({self.agency_id})"

    def get_absolute_url(self):
        return reverse("loans:policy", args=[self.library_id])

    def set_token(self, token):
        self.token_hash = hash_token(token)

    def token_matches(self, token):
        return bool(self.token_hash) and hmac.compare_digest(self.token_hash, hash_token(token))


class LoanRequestQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("borrower__country", "lender__country", "cluster__representative", "record")


class LoanRequest(ChangeLoggedModel):
    """A library's request for an item (a loan) or part of it (a copy), moved by named actions only (services):
    `state` is the requester's reading after ISO 18626, `supplier_status` the current lender's status."""

    borrower = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loans_borrowed",
                                 verbose_name=_("borrowing library"))
    cluster = models.ForeignKey("catalog.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="loan_requests", verbose_name=_("catalog entry"))
    record = models.ForeignKey("catalog.Record", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="loan_requests", verbose_name=_("record"))
    title = models.CharField(_("title"), max_length=500, validators=PLAIN)
    author = models.CharField(_("author"), max_length=300, blank=True, validators=PLAIN)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True, validators=PLAIN)
    service_type = models.CharField(_("loan or copy"), max_length=10, choices=ServiceType.choices,
                                    default=ServiceType.LOAN)
    pages = models.CharField(_("pages or article"), max_length=300, blank=True, validators=PLAIN,
                             help_text=_("For a copy: which pages, or the article's title."))
    needed_before = models.DateField(_("not needed after"), null=True, blank=True)
    # Seen only by the requesting library: no patron names travel (never sent, never in the change log).
    patron_reference = models.CharField(_("patron reference"), max_length=100, blank=True, validators=PLAIN,
                                        help_text=_("Free text, seen only by your library."))
    note = models.CharField(_("note to the lender"), max_length=500, blank=True, validators=PLAIN)
    request_id = models.CharField(_("request identifier"), max_length=80, unique=True,
                                  help_text=_("The requestingAgencyRequestId of ISO 18626."))
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices, default=RequestState.DRAFT,
                             db_index=True, editable=False)
    lender = models.ForeignKey(Library, null=True, blank=True, on_delete=models.PROTECT, related_name="loans_lent",
                               verbose_name=_("current lender"), editable=False)
    supplier_status = models.CharField(_("lender's status"), max_length=30, choices=SupplierStatus.choices,
                                       blank=True, editable=False)
    loan_condition = models.CharField(_("loan condition"), max_length=60, blank=True, editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True, editable=False)
    answer_due = models.DateTimeField(_("answer expected by"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), null=True, blank=True, editable=False)
    renewals_used = models.PositiveSmallIntegerField(_("renewals used"), default=0, editable=False)
    # The requester is on another system (its request came through POST /iso18626).
    external = models.BooleanField(_("from a partner system"), default=False, editable=False)
    is_sample = models.BooleanField(_("sample data"), default=False, editable=False)

    objects = LoanRequestQuerySet.as_manager()

    # Requests are opened and moved by the staff of the libraries involved (services check which side acts);
    # network managers and coordinators read their scope; nothing is public.
    permission_roles = {"add": {Role.LIBRARY_STAFF}, "change": {Role.LIBRARY_STAFF},
                        "view": {Role.LIBRARY_STAFF, Role.NETWORK_MANAGER, Role.COORDINATOR}}
    changelog_exclude = ChangeLoggedModel.changelog_exclude + ("patron_reference",)

    class Meta:
        verbose_name = _("interlibrary loan request")
        verbose_name_plural = _("interlibrary loan requests")
        ordering = ["-created"]
        indexes = [models.Index(fields=["borrower", "state"]), models.Index(fields=["lender", "state"]),
                   models.Index(fields=["state", "answer_due"])]

    def __str__(self):
        return f"{self.request_id}: {self.title[:80]}"

    def get_absolute_url(self):
        return reverse("loans:request", args=[self.pk])

    @staticmethod
    def public_q():
        return Q(pk__in=[])

    def scope_keys(self):
        """The borrower's keys, and the keys of every lender asked so far."""
        keys = [self.borrower.scope_keys()]
        if self.pk:
            keys += [entry.library.scope_keys() for entry in
                     self.rota.exclude(outcome=RotaOutcome.WAITING).select_related("library__country")]
        return ScopeKeys(countries=frozenset().union(*(k.countries for k in keys)),
                         networks=frozenset().union(*(k.networks for k in keys)),
                         libraries=frozenset().union(*(k.libraries for k in keys)))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        asked = RotaEntry.objects.exclude(outcome=RotaOutcome.WAITING).filter(
            library_q("library", countries, networks, libraries)).values("request_id")
        return library_q("borrower", countries, networks, libraries) | Q(pk__in=asked)

    def changelog_country(self):
        return self.borrower.country.code

    @property
    def is_copy(self):
        return self.service_type == ServiceType.COPY


class RotaEntry(models.Model):
    """One lender of a request's rota, in its place, with the reason for that place."""

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="rota",
                                verbose_name=_("request"))
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+", verbose_name=_("library"))
    position = models.PositiveSmallIntegerField(_("place"))
    reason = models.CharField(_("reason"), max_length=20, choices=RotaReason.choices)
    # The load that ordered it within its tier (lent / borrowed over 12 months), and what else explains the place.
    load = models.FloatField(_("load"), default=0)
    detail = models.JSONField(_("explanation"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RotaOutcome.choices, default=RotaOutcome.WAITING)
    supplier_status = models.CharField(_("lender's status"), max_length=30, choices=SupplierStatus.choices,
                                       blank=True)
    reason_unfilled = models.CharField(_("reason unfilled"), max_length=60, blank=True)
    asked_at = models.DateTimeField(_("asked"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("lender in the rota")
        verbose_name_plural = _("rota")
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "library"], name="one_rota_place_per_library")]
        indexes = [models.Index(fields=["library", "outcome"])]

    def __str__(self):
        return f"{self.position}. {self.library}"


class Transition(models.Model):
    """One step of a request's timeline: an action of the requester, a status of the lender, or a step of the
    platform (the rota moving on), with who, when, and the note; the XML message's key when one brought it."""

    class Side(models.TextChoices):
        REQUESTER = "requester", _("Requesting library")
        SUPPLIER = "supplier", _("Lending library")
        PLATFORM = "platform", _("Platform")

    class Via(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        ISO18626 = "iso18626", _("ISO 18626 message")
        SYSTEM = "system", _("Automatic")

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="transitions",
                                verbose_name=_("request"))
    rota_entry = models.ForeignKey(RotaEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("action or status"), max_length=40)
    state_before = models.CharField(_("state before"), max_length=20, blank=True)
    state_after = models.CharField(_("state after"), max_length=20, blank=True)
    supplier_status = models.CharField(_("lender's status"), max_length=30, blank=True)
    reason = models.CharField(_("reason code"), max_length=60, blank=True)
    loan_condition = models.CharField(_("loan condition"), max_length=60, blank=True)
    answer = models.CharField(_("answer"), max_length=1, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("acting library"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("by"))
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.WEB)
    time = models.DateTimeField(_("time"), db_index=True)
    # An ISO 18626 message that brought this step (a second delivery of it finds the key and changes nothing).
    message_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["request", "time", "pk"]

    def __str__(self):
        return f"{self.request_id} {self.name}"


class OutgoingMessage(models.Model):
    """An ISO 18626 message of ours to a partner system (the outbox): built when the step is taken, in the same
    transaction, and sent by the background worker (`outbox.send_due`) with retries and back-off; the partner's
    confirmation (messageStatus, errorType, errorValue) is kept with it."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent and confirmed")
        FAILED = "failed", _("Failed")

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="outgoing",
                                verbose_name=_("request"))
    partner = models.ForeignKey(PartnerEndpoint, on_delete=models.CASCADE, related_name="outgoing",
                                verbose_name=_("partner"))
    transition = models.ForeignKey(Transition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("message"), max_length=40)
    summary = models.CharField(_("content"), max_length=100, blank=True)
    xml = models.BinaryField(_("message XML"))
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING,
                                db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    confirmation_status = models.CharField(_("partner's confirmation"), max_length=10, blank=True)
    confirmation_error = models.CharField(_("partner's error type"), max_length=40, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing ISO 18626 message")
        verbose_name_plural = _("outgoing ISO 18626 messages")
        ordering = ["request", "pk"]
        indexes = [models.Index(fields=["delivery", "next_attempt"])]

    def __str__(self):
        return f"{self.request_id} {self.kind} {self.summary}"


def copy_path(copy, filename):
    return f"loans/copies/{copy.request_id}/{uuid.uuid4().hex}.{copy.extension}"


class DeliveredCopy(models.Model):
    """A copy delivered for a request (CopyCompleted): a file, checked by its content and size-limited, kept for
    ILL_COPY_KEEP_DAYS and then deleted by `ill_tick`; or a link. Readable only by the requesting library's staff
    and the staff of the library that delivered it."""

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="copies",
                                verbose_name=_("request"))
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("delivering library"))
    file = models.FileField(_("file"), upload_to=copy_path, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=250, blank=True)
    media_type = models.CharField(_("type"), max_length=100, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    link = models.URLField(_("link"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("by"))
    created = models.DateTimeField(_("delivered"), auto_now_add=True)
    keep_until = models.DateTimeField(_("kept until"), db_index=True)
    removed = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivered copy")
        verbose_name_plural = _("delivered copies")
        ordering = ["request", "pk"]

    def __str__(self):
        return self.original_name or self.link
