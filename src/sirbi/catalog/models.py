"""The union catalog's data: sources (a library's or network's files or OAI-PMH endpoint), records (the
original bytes beside their normalised fields), holdings, clusters of records of the same edition, and the
records a source sent that could not be read (quarantine)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core import outbound
from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys
from sirbi.registry.models import Library, Network

from .normalise import status_code


class Source(ChangeLoggedModel):
    """Where records come from: uploaded files or an OAI-PMH endpoint of a library or a network."""

    class Kind(models.TextChoices):
        FILES = "files", _("Uploaded files")
        OAI = "oai", _("OAI-PMH endpoint")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FILES)
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.PROTECT, related_name="sources",
                                verbose_name=_("library"))
    network = models.ForeignKey(Network, null=True, blank=True, on_delete=models.PROTECT, related_name="sources",
                                verbose_name=_("network"))
    base_url = models.URLField(_("OAI-PMH base URL"), max_length=500, blank=True)
    metadata_prefix = models.CharField(_("metadata prefix"), max_length=40, blank=True, default="marc21")
    set_spec = models.CharField(_("set"), max_length=200, blank=True, validators=[validate_plain_text])
    holdings_tag = models.CharField(
        _("holdings field"), max_length=3, blank=True,
        help_text=_("852, or a local field such as 949 or 952 (Koha). Empty: every record is one holding of the "
                    "source's library."))
    holdings_library = models.CharField(_("subfield with the library's ISIL or code"), max_length=1, blank=True)
    holdings_call_number = models.CharField(_("subfield with the call number"), max_length=1, blank=True)
    holdings_barcode = models.CharField(_("subfield with the barcode"), max_length=1, blank=True)
    holdings_status = models.CharField(_("subfield with the status"), max_length=1, blank=True)
    holdings_codes = models.TextField(
        _("library codes"), blank=True, validators=[validate_plain_text],
        help_text=_("The codes the holdings use for libraries without their ISIL, one per line: CODE = ISIL "
                    "(for example Koha's branch codes: CEN = PE-B000001)."))
    schedule = models.CharField(
        _("harvest schedule"), max_length=10, blank=True, choices=[("daily", _("every day")),
                                                                   ("weekly", _("every week")),
                                                                   ("monthly", _("every month"))],
        help_text=_("How often the platform harvests it on its own (each night it harvests the sources that are "
                    "due); empty: only when someone asks for it."))
    last_harvest = models.DateTimeField(_("last harvest completed"), null=True, blank=True)
    # Harvest state: where the next incremental harvest starts, and the token of a list cut short.
    harvested_until = models.DateTimeField(_("harvested up to"), null=True, blank=True)
    resumption_token = models.CharField(_("resumption token"), max_length=500, blank=True)

    METADATA_PREFIXES = ("marc21", "marcxml", "oai_dc")

    permission_roles = {"add": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
                        "change": {Role.COORDINATOR, Role.NETWORK_MANAGER, Role.LIBRARY_STAFF},
                        "delete": {Role.COORDINATOR}}

    class Meta:
        verbose_name = _("catalog source")
        verbose_name_plural = _("catalog sources")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:source", args=[self.code])

    def clean(self):
        errors = {}
        if not self.library_id and not self.network_id:
            errors["__all__"] = [_("A source belongs to a library or to a network.")]
        elif self.library_id and self.network_id and not self.network.libraries.filter(pk=self.library_id).exists():
            # Otherwise a source could be put in the scope of a network (and its staff) it has nothing to do with.
            errors["network"] = [_("The library is not a member of this network.")]
        if self.kind == self.Kind.OAI and not self.base_url:
            errors["base_url"] = [_("An OAI-PMH source needs its base URL.")]
        elif self.base_url and (problem := outbound.url_problem(self.base_url)):
            errors["base_url"] = [problem]  # no requests to the server's own network (checked again at harvest)
        if self.kind == self.Kind.OAI and self.metadata_prefix not in self.METADATA_PREFIXES:
            errors["metadata_prefix"] = [_("The catalog reads the metadata formats %(formats)s.")
                                         % {"formats": ", ".join(self.METADATA_PREFIXES)}]
        codes = self._code_errors()
        if codes:
            errors["holdings_codes"] = codes
        if errors:
            raise ValidationError(errors)

    def _code_errors(self):
        """What is wrong with `holdings_codes`, line by line."""
        errors, isils = [], {}
        for number, line in enumerate(self.holdings_codes.splitlines(), 1):
            if not line.strip():
                continue
            code, sep, isil = line.partition("=")
            if not sep or not code.strip() or not isil.strip():
                errors.append(_("line %(line)d: write CODE = ISIL") % {"line": number})
            else:
                isils[isil.strip().upper()] = number
        found = set(Library.objects.annotate(upper_isil=Upper("isil")).filter(upper_isil__in=list(isils))
                    .values_list("upper_isil", flat=True))
        allowed = set(self.holding_libraries().annotate(upper_isil=Upper("isil"))
                      .filter(upper_isil__in=list(isils)).values_list("upper_isil", flat=True))
        for isil, number in isils.items():
            if isil not in found:
                errors.append(_("line %(line)d: no library has the ISIL %(isil)s") % {"line": number, "isil": isil})
            elif isil not in allowed:
                errors.append(_("line %(line)d: %(isil)s is neither the source's library nor a library of its "
                                "network") % {"line": number, "isil": isil})
        return errors

    def holding_libraries(self):
        """The libraries whose copies this source may list: its library, and the members of its network (or,
        for a library's source, of the networks of its country the library belongs to)."""
        if self.network_id:
            networks = Q(networks=self.network_id)
        elif self.library_id:
            networks = Q(networks__in=Network.objects.filter(libraries=self.library_id,
                                                             country_id=self.library.country_id))
        else:
            return Library.objects.none()
        return Library.objects.filter(Q(pk=self.library_id) | networks).distinct()

    SCHEDULE_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}

    def harvest_due(self, now):
        """Whether the schedule asks for a harvest at `now` (a few hours' slack, so a nightly run that started
        a little earlier than the night before still harvests a daily source)."""
        days = self.SCHEDULE_DAYS.get(self.schedule)
        if self.kind != self.Kind.OAI or not days:
            return False
        return self.last_harvest is None or now - self.last_harvest >= timedelta(days=days, hours=-6)

    def library_codes(self):
        """{CODE in capitals: ISIL} from `holdings_codes`."""
        pairs = (line.partition("=") for line in self.holdings_codes.splitlines())
        return {code.strip().upper(): isil.strip() for code, sep, isil in pairs if sep and code.strip()}

    def scope_keys(self):
        countries, networks, libraries = set(), set(), set()
        if self.library_id:
            countries.add(self.library.country.code)
            libraries.add(self.library_id)
            networks |= {n.pk for n in self.library.networks.all()}  # prefetched by the pages
        if self.network_id:
            countries.add(self.network.country.code)
            networks.add(self.network_id)
        return ScopeKeys(countries=frozenset(countries), networks=frozenset(networks), libraries=frozenset(libraries))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return (Q(library__country__code__in=countries) | Q(network__country__code__in=countries)
                | Q(library__in=libraries) | Q(network__in=networks) | Q(library__networks__in=networks))

    def changelog_country(self):
        if self.library_id:
            return self.library.country.code
        return self.network.country.code if self.network_id else ""


class Cluster(models.Model):
    """The records of one edition from different sources; shown as one search result."""

    representative = models.ForeignKey("Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("representative record"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # Moves on every change to the cluster's records or holdings (oai.datestamps.clusters_changed): its OAI-PMH
    # datestamp, which harvesters ask for by range, hence the index.
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes = [models.Index(fields=["updated", "id"], name="cluster_datestamp")]

    def __str__(self):
        return f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("catalog:cluster", args=[self.pk])


class ClusterTombstone(models.Model):
    """A cluster that is gone (its records joined another cluster or left the catalog), kept for good so that
    OAI-PMH harvesters learn of it (deletedRecord "persistent"). Its id is the cluster's."""

    id = models.PositiveBigIntegerField(_("cluster"), primary_key=True)
    deleted = models.DateTimeField(_("gone since"))

    class Meta:
        verbose_name = _("cluster gone")
        verbose_name_plural = _("clusters gone")
        indexes = [models.Index(fields=["deleted", "id"], name="tombstone_datestamp")]

    def __str__(self):
        return f"#{self.pk}"


class Record(models.Model):
    """One bibliographic record as its source sent it (byte-exact) and its normalised fields."""

    class Format(models.TextChoices):
        ISO2709 = "iso2709", "MARC 21 (ISO 2709)"
        MARCXML = "marcxml", "MARCXML"
        DC = "dc", "Dublin Core XML"
        CSV = "csv", "CSV"

    # No index of its own: the unique (source, local id) constraint's index starts with it.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records", verbose_name=_("source"),
                               db_index=False)
    local_id = models.CharField(_("identifier at the source"), max_length=200)
    raw = models.BinaryField(_("original record"))
    raw_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    digest = models.CharField(_("SHA-256 of the original"), max_length=64)
    deleted = models.BooleanField(_("deleted at the source"), default=False)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="records",
                                verbose_name=_("cluster"))
    title = models.CharField(_("title"), max_length=1000)
    # Not indexed in the database: sorting by title is the search index's (its sort_title fast field).
    sort_title = models.CharField(_("sort title"), max_length=300)
    authors = models.JSONField(_("authors"), default=list)
    isbns = models.JSONField(_("ISBN"), default=list)
    issns = models.JSONField(_("ISSN"), default=list)
    other_ids = models.JSONField(_("other identifiers"), default=list)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    material = models.CharField(_("material type"), max_length=20, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    series = models.CharField(_("series"), max_length=300, blank=True)
    subjects = models.JSONField(_("subjects"), default=list)
    notes = models.TextField(_("notes"), blank=True)  # general, contents and summary notes (500, 505, 520)
    # What links the editions and translations of one work (normalise.work_key): folded uniform or original
    # title, else title proper, with the main author's surname.
    work_key = models.CharField(_("work"), max_length=300, blank=True, db_index=True)
    # Why it is in its cluster: {"with": record id, "key": "isbn:…"} or {"with": id, "scores": {...}}, or
    # {"decision": id} when a cataloguer put it there.
    match_reason = models.JSONField(_("why it is in its cluster"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [models.UniqueConstraint(fields=["source", "local_id"], name="one_record_per_source_id")]

    def __str__(self):
        return self.title


class MatchKey(models.Model):
    """One deduplication key of a record (indexed, so records sharing a key are found without a scan). A record's
    keys come without repeats from normalise.keys_of; no unique constraint checks it again, as its index would
    hold every key a third time and cost an import a third insert per key."""

    key = models.CharField(max_length=200, db_index=True)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="keys")

    def __str__(self):
        return self.key


class Decision(models.Model):
    """A cataloguer's word on two records, by their sources' identifiers so that it survives re-imports and
    re-harvests: keep them apart, or keep them together."""

    class Kind(models.TextChoices):
        APART = "apart", _("Not the same edition")
        TOGETHER = "together", _("The same edition")

    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    source_a = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    local_id_a = models.CharField(max_length=200)
    source_b = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    local_id_b = models.CharField(max_length=200)
    user = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("decided by"))
    created = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("cataloguer's decision")
        verbose_name_plural = _("cataloguers' decisions")
        indexes = [models.Index(fields=["source_a", "local_id_a"]), models.Index(fields=["source_b", "local_id_b"])]

    def __str__(self):
        return f"{self.local_id_a} / {self.local_id_b}: {self.get_kind_display()}"


class Holding(models.Model):
    """A copy a library holds of a record."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="holdings", verbose_name=_("record"))
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="holdings",
                                verbose_name=_("library"))
    library_code = models.CharField(_("library code in the record"), max_length=60, blank=True)
    call_number = models.CharField(_("call number"), max_length=200, blank=True)
    barcode = models.CharField(_("barcode"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")

    def __str__(self):
        return f"{self.record} @ {self.library or self.library_code}"

    @property
    def status_code(self):
        """The status in the catalog's vocabulary (available, on_loan, reference, missing; '' if unknown)."""
        return status_code(self.status)


class Rejected(models.Model):
    """A record of a source's file that could not be read, kept raw with the reason (quarantine)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="rejected", verbose_name=_("source"))
    filename = models.CharField(_("file"), max_length=250)
    position = models.PositiveIntegerField(_("position in the file"))
    raw = models.BinaryField(_("original bytes"))
    reason = models.CharField(_("reason"), max_length=500)
    created = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("rejected record")
        verbose_name_plural = _("rejected records")
        ordering = ["-created", "position"]
        constraints = [models.UniqueConstraint(fields=["source", "filename", "position"],
                                               name="one_rejection_per_file_position")]

    def __str__(self):
        return f"{self.filename} #{self.position}: {self.reason}"


class StaleDocument(models.Model):
    """Clusters whose search documents are behind the database: one row per change (an import batch, a harvest
    page, a split), written in the change's own transaction and deleted once the index has committed those
    clusters, so after a crash the rows left are exactly what the index misses (see `indexing.index_stale`)."""

    # Ids, not foreign keys: a cluster that is gone keeps its mark, and its document must go from the index too.
    # One row per batch rather than per cluster: marking costs an import one INSERT per thousand records.
    clusters = models.JSONField(_("clusters"))

    class Meta:
        verbose_name = _("search document to update")
        verbose_name_plural = _("search documents to update")

    def __str__(self):
        return ", ".join(f"#{pk}" for pk in self.clusters[:10])
