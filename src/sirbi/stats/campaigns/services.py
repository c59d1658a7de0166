"""Reporting campaigns: who reports what, saving drafts, submitting, and the secretariat's review.

Every write goes through core.changelog.save_object, so it is permission-checked (a coordinator of Peru
cannot report for Chile), versioned and recorded in the change log, from the web form, a spreadsheet or
the API alike.
"""

from dataclasses import dataclass, field
from operator import itemgetter

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sirbi.core import batches, bulk, permissions
from sirbi.core.changelog import BatchLog, ConflictError, save_object
from sirbi.core.notifications import notify
from sirbi.registry.models import Country, Library, Network

from .. import checks
from ..choices import Method, Source, Typology, ValueStatus
from ..models import Campaign, Value, unit_key
from . import rules

# The registry's library types and the statistics typology they report under.
LIBRARY_TYPOLOGY = {"public": Typology.PUBLIC, "school": Typology.SCHOOL, "popular": Typology.POPULAR,
                    "national": Typology.NATIONAL, "university": Typology.ACADEMIC, "special": Typology.OTHER,
                    "mobile": Typology.PUBLIC}
EDITABLE = {ValueStatus.DRAFT, ValueStatus.RETURNED}


class CampaignError(Exception):
    """A refusal to show the user as it is (already translated)."""


class FigureErrors(CampaignError):
    """Figures that break the rules (rules.figure_problems): [(Entry, field, message)], every one of them. The
    spreadsheets name each by its row and column (Entry.row); the form and the API by the indicator."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(" ".join(
            _("%(indicator)s (%(typology)s): %(message)s")
            % {"indicator": entry.indicator.name, "typology": entry.typology, "message": message}
            for entry, _field, message in problems))


@dataclass(frozen=True)
class Unit:
    """What reports: a country, one of its networks or one of its libraries."""

    country: Country
    network: Network | None = None
    library: Library | None = None
    key: str = field(init=False, compare=False)

    def __post_init__(self):
        # The key is read for every figure of a large file: computed once.
        key = unit_key(self.country.code, self.network and self.network.pk, self.library and self.library.pk)
        object.__setattr__(self, "key", key)

    @property
    def level(self):
        return "library" if self.library else "network" if self.network else "country"

    def __str__(self):
        return str(self.library or self.network or self.country.name)

    @classmethod
    def from_key(cls, key):
        """The unit of a key ("PE", "network:12", "library:345"); LookupError when there is none."""
        kind, _sep, ident = key.partition(":")
        try:
            if kind == "library":
                library = Library.objects.select_related("country").get(pk=int(ident))
                return cls(library.country, library=library)
            if kind == "network":
                network = Network.objects.select_related("country").get(pk=int(ident))
                return cls(network.country, network=network)
            return cls(Country.objects.get(code=key.upper(), is_member=True))
        except (ValueError, Country.DoesNotExist, Network.DoesNotExist, Library.DoesNotExist) as exc:
            raise LookupError(key) from exc

    def typologies(self, campaign):
        if self.library:
            return [LIBRARY_TYPOLOGY.get(self.library.type, Typology.OTHER)]
        return list(campaign.typologies) or [Typology.ALL]

    def value(self, **fields):
        """A new Value of this unit (not saved)."""
        return Value(country=self.country, network=self.network, library=self.library, **fields)


def reports_at(campaign, unit):
    return {"country": campaign.level_country, "network": campaign.level_network,
            "library": campaign.level_library}[unit.level]


def may_report(user, unit):
    return permissions.can(user, "add", unit.value())


def _scope(user, campaign):
    """The querysets of what `user` reports for in `campaign`: (countries, networks, libraries), each None
    when the campaign does not ask that level."""
    reach = permissions.scope(user, "add", Value)
    countries = reach.narrow(Country.objects.filter(is_member=True)).order_by("code")
    networks = reach.narrow(Network.objects.select_related("country").order_by("country__code", "name"))
    libraries = reach.narrow(Library.objects.select_related("country").order_by("country__code", "name"))
    return (countries if campaign.level_country else None, networks if campaign.level_network else None,
            libraries if campaign.level_library else None)


def units_for(user, campaign, limit=200):
    """The units `user` may report for in `campaign` (countries, then networks, then libraries)."""
    countries, networks, libraries = _scope(user, campaign)
    units = [Unit(c) for c in countries] if countries is not None else []
    if networks is not None:
        units += [Unit(n.country, network=n) for n in networks]
    if libraries is not None:
        units += [Unit(lib.country, library=lib) for lib in libraries[:limit]]
    return units


def unit_keys_for(user, campaign):
    """The keys of units_for(user, campaign), without building the units (a scope may hold thousands)."""
    countries, networks, libraries = _scope(user, campaign)
    keys = set(countries.values_list("code", flat=True)) if countries is not None else set()
    if networks is not None:
        keys |= {unit_key(None, network_id=pk) for pk in networks.values_list("pk", flat=True)}
    if libraries is not None:
        keys |= {unit_key(None, library_id=pk) for pk in libraries.values_list("pk", flat=True)}
    return keys


def campaign_values(campaign, unit):
    """{(indicator code, typology): Value} of this unit in this campaign."""
    rows = Value.objects.filter(campaign=campaign, unit_key=unit.key).select_related("indicator")
    return {(v.indicator.code, v.typology): v for v in rows}


def _check_open(campaign):
    if campaign.status != Campaign.Status.OPEN:
        raise CampaignError(_("The campaign “%(title)s” is not open for reporting.") % {"title": campaign.title})
    if timezone.localdate() > campaign.deadline:
        raise CampaignError(_("The deadline of “%(title)s” was %(date)s; figures can no longer be sent. Ask the "
                              "regional secretariat to extend it.")
                            % {"title": campaign.title, "date": campaign.deadline.isoformat()})


@dataclass
class Entry:
    """One figure as a reporter gives it."""

    indicator: object
    typology: str
    value: float | None
    source: str = ""
    method: str = Method.COUNT
    note: str = ""
    justification: str = ""
    row: int | None = None  # its row in an uploaded spreadsheet
    version: int | None = None  # the version of the stored figure the reporter read (the API sends it)


def save_figures(user, campaign, unit, entries, *, submit=False, source="web", upload=None):
    """Save (and with `submit`, send for review) the unit's figures. All or nothing.

    A value left empty removes an earlier draft of it. Figures already submitted, accepted or published
    cannot change. Checks give flags; a flagged figure can be saved, but is submitted only with a
    justification. Returns the unit's values in the campaign.

    `upload` = (file name, bytes) when the figures come from a spreadsheet: the save is then one import batch
    (the file kept, compact entries with each figure's row), like a whole scope's upload through `save_many`.
    """
    _check_open(campaign)
    if not reports_at(campaign, unit):
        raise CampaignError(_("This campaign does not ask %(unit)s for figures.") % {"unit": unit})
    permissions.require(user, "add", unit.value(), label=unit)
    _check_entries(campaign, [(unit, entry) for entry in entries])
    with transaction.atomic():
        batch = None
        if upload is not None:
            batch = batches.open_batch(user=user, kind="figures", filename=upload[0], data=upload[1], source=source,
                                       message=_("Figures for the campaign “%(title)s”") % {"title": campaign.title},
                                       country=unit.country.code)
        counts = {"create": 0, "update": 0, "unchanged": 0, "delete": 0}
        deletions = BatchLog(batch, Value) if batch is not None else None
        existing = campaign_values(campaign, unit)
        by_key, pending = {}, []
        for entry in entries:
            by_key[(unit.key, entry.indicator.code, entry.typology)] = (unit, entry)
        for (_key, code, typology), (_unit, entry) in by_key.items():
            current = existing.get((code, typology))
            if entry.version is not None and current is not None and current.version != entry.version:
                raise ConflictError(current)
            if not _editable(entry, current):
                continue
            if entry.value is None:
                if current is not None:  # an emptied draft: nothing was ever sent or published
                    if deletions is not None:  # an import's deletion is logged, so that its undo brings it back
                        deletions.deleted(current.pk, str(current), unit.country.code, entry.row, current.snapshot())
                        counts["delete"] += 1
                    current.delete()
                continue
            pending.append(_Pending(unit, entry, _fields(unit, entry, current), current))
        _bulk_flags(campaign.year, pending, by_key)
        for p in pending:
            value = p.current or unit.value(indicator=p.entry.indicator, typology=p.entry.typology,
                                            year=campaign.year, campaign=campaign, status=ValueStatus.DRAFT)
            for name, new in p.fields.items():
                setattr(value, name, new)
            value.entered_by, value.flags = user, p.flags
            version = value.version if value.pk else None
            save_object(value, user=user, source=source, batch=batch, row=p.entry.row)
            counts["create" if version is None else "update" if value.version != version else "unchanged"] += 1
        if batch is not None:
            deletions.write()
            batches.close_batch(batch, **counts)
        if submit:
            _submit(user, campaign, unit, source)
    return campaign_values(campaign, unit)


class CheckedPairs(list):
    """[(Unit, Entry)] a reader already checked with figure_problems for the campaign `campaign_id` (the scope
    spreadsheet names every problem by row and column), so that save_many does not run the rules a second time.
    Only a reader that ran them builds one; its entries are not to be changed afterwards."""

    def __init__(self, pairs, campaign_id):
        super().__init__(pairs)
        self.campaign_id = campaign_id


def _check_entries(campaign, pairs):
    """Raise FigureErrors listing every figure of [(Unit, Entry)] that breaks the rules."""
    problems = figure_problems(campaign, pairs)
    if problems:
        raise FigureErrors(problems)


def figure_problems(campaign, pairs):
    """[(Entry, field, message)] of the figures of [(Unit, Entry)] that break the rules (rules.py), with the lookups
    the rules need read once: the campaign's indicators, and each unit's library types (no query)."""
    asked = {i.pk for i in campaign.indicators.all()}
    typologies, problems = {}, []
    for unit, entry in pairs:
        types = typologies.get(unit.key)
        if types is None:
            types = typologies[unit.key] = unit.typologies(campaign)
        found = rules.figure_problems(entry.indicator, entry.typology, entry.value, entry.source, entry.method,
                                      entry.note, entry.justification, asked=asked, typologies=types)
        problems.extend((entry, name, message) for name, message in found)
    return problems

def _editable(entry, current):
    """Whether the figure may be written; refuses a change to a figure already sent. A sent figure is not
    in the form any more, so an empty or equal value for it is no change."""
    if current is None or current.status in EDITABLE:
        return True
    if entry.value is not None and entry.value != current.value:
        raise CampaignError(_("%(indicator)s was already sent (%(status)s) and cannot change.")
                            % {"indicator": entry.indicator.name, "status": current.get_status_display()})
    return False


def _fields(unit, entry, current):
    """The stored fields an entry sets (the source defaults to the unit's usual one)."""
    return {"value": float(entry.value),
            "source": entry.source or (current.source if current else "")
            or (Source.SURVEY if unit.library else Source.NETWORK),
            "method": entry.method or Method.COUNT, "note": entry.note, "justification": entry.justification}


def _submit(user, campaign, unit, source="web"):
    values = [v for v in campaign_values(campaign, unit).values() if v.status in EDITABLE]
    if not values:
        raise CampaignError(_("There is nothing to submit: enter at least one figure."))
    unjustified = [v.indicator.name for v in values if v.flags and not v.justification.strip()]
    if unjustified:
        raise CampaignError(_("Explain the flagged figures before submitting: %(names)s.")
                            % {"names": ", ".join(unjustified)})
    now = timezone.now()
    for value in values:
        value.status = ValueStatus.SUBMITTED
        value.submitted_at = now
        save_object(value, user=user, message=_("submitted"), source=source)


REVIEW = gettext_lazy("review the figures")


def review(user, value, action, comment=""):
    """The secretariat returns (with a comment), accepts or publishes one submitted value."""
    permissions.require_secretariat(user, REVIEW)
    moves = {"return": ({ValueStatus.SUBMITTED, ValueStatus.ACCEPTED}, ValueStatus.RETURNED),
             "accept": ({ValueStatus.SUBMITTED}, ValueStatus.ACCEPTED),
             "publish": ({ValueStatus.ACCEPTED}, ValueStatus.PUBLISHED)}
    allowed_from, to = moves[action]
    if value.status not in allowed_from:
        raise CampaignError(_("%(indicator)s is %(status)s: it cannot be %(action)s.")
                            % {"indicator": value.indicator.name, "status": value.get_status_display(),
                               "action": {"return": _("returned"), "accept": _("accepted"),
                                          "publish": _("published")}[action]})
    if action == "return" and not comment.strip():
        raise CampaignError(_("Say why the figure is returned."))
    value.status = to
    if action == "return":
        value.review_comment = comment.strip()
    saved = save_object(value, user=user, message=comment.strip() or to)
    if action == "return" and value.entered_by_id:
        notify([value.entered_by], _("A figure was returned to you: %(indicator)s") % {
            "indicator": value.indicator.name}, comment.strip(),
            reverse("stats-campaigns:report", args=[value.campaign_id, value.unit_key]) if value.campaign_id else "")
    return saved


def publish_accepted(user, campaign):
    """Publish every accepted value of the campaign; returns how many."""
    values = list(Value.objects.filter(campaign=campaign, status=ValueStatus.ACCEPTED).select_related("indicator"))
    with transaction.atomic():
        for value in values:
            review(user, value, "publish")
    return len(values)


def progress(campaign):
    """{status: count} of the campaign's values and how many units have sent something."""
    counts = {status: 0 for status in ValueStatus.values}
    units = set()
    for status, key in Value.objects.filter(campaign=campaign).values_list("status", "unit_key"):
        counts[status] += 1
        if status != ValueStatus.DRAFT:
            units.add(key)
    return counts, len(units)


@dataclass(slots=True)
class _Pending:
    """A figure about to be written by save_many."""

    unit: Unit
    entry: Entry
    fields: dict
    current: Value | None = None
    flags: list = None
    key: tuple = field(init=False)  # (unit key, indicator code, typology), read many times by the checks

    def __post_init__(self):
        self.key = (self.unit.key, self.entry.indicator.code, self.entry.typology)


def save_many(user, campaign, pairs, *, filename="", data=None, source="import"):
    """Save the figures of many units at once (a scope's spreadsheet): [(Unit, Entry), ...].

    The rules of save_figures — the campaign open and before its deadline, every unit in the user's scope and
    asked by the campaign, the figure rules (rules.py), sent figures unchanged, checks giving flags — applied to
    the whole file first; then one bulk write, as one import batch (core.batches: the file `data` kept, one
    compact change-log entry per figure with its row). All or nothing. Returns {"created": n, "updated": n,
    "deleted": n, "unchanged": n, "flagged": n, "batch": the batch's id}.
    """
    with bulk.collection_paused():
        return _save_many(user, campaign, pairs, filename, data, source)


def _save_many(user, campaign, pairs, filename, data, source):
    _check_open(campaign)
    allowed_units = unit_keys_for(user, campaign)
    for unit in {unit.key: unit for unit, _entry in pairs}.values():
        if unit.key not in allowed_units:
            if not reports_at(campaign, unit):
                raise CampaignError(_("This campaign does not ask %(unit)s for figures.") % {"unit": unit})
            permissions.require(user, "add", unit.value(), label=unit)
    if not (isinstance(pairs, CheckedPairs) and pairs.campaign_id == campaign.pk):
        _check_entries(campaign, pairs)
    by_key = {(unit.key, entry.indicator.code, entry.typology): (unit, entry) for unit, entry in pairs}
    unit_keys = {key[0] for key in by_key}
    existing = {(v.unit_key, v.indicator.code, v.typology): v
                for v in Value.objects.filter(campaign=campaign).select_related("indicator", "country")
                if v.unit_key in unit_keys}
    creates, updates, deletes, unchanged = [], [], [], 0
    for key, (unit, entry) in by_key.items():
        current = existing.get(key)
        if not _editable(entry, current):
            unchanged += 1
            continue
        if entry.value is None:
            if current is not None:
                deletes.append((current, entry))
            continue
        fields = _fields(unit, entry, current)
        if current is None:
            creates.append(_Pending(unit, entry, fields))
        elif any(getattr(current, name) != new for name, new in fields.items()):
            updates.append(_Pending(unit, entry, fields, current))
        else:
            unchanged += 1
    _bulk_flags(campaign.year, creates + updates, by_key)
    countries = {unit.country.code for unit, _entry in by_key.values()}
    with transaction.atomic():
        batch = batches.open_batch(user=user, kind="figures", filename=filename, data=data, source=source,
                                   message=_("Figures for the campaign “%(title)s”") % {"title": campaign.title},
                                   country=countries.pop() if len(countries) == 1 else "")
        _bulk_write(user, campaign, creates, updates, deletes, BatchLog(batch, Value))
        batches.close_batch(batch, create=len(creates), update=len(updates), delete=len(deletes),
                            unchanged=unchanged)
    return {"created": len(creates), "updated": len(updates), "deleted": len(deletes), "unchanged": unchanged,
            "flagged": sum(1 for p in creates + updates if p.flags), "batch": batch.pk}


def _bulk_flags(year, pending, by_key):
    """The checks' flags (checks.py) of figures about to be written, with a fixed number of queries: last
    year's figures, stored totals, and the peers' median and spread computed once per group."""
    if not pending:
        return
    codes = {p.entry.indicator.code for p in pending}
    total_codes = {checks.PARTS[code] for code in codes if code in checks.PARTS}
    previous = {(key, code, typology): figure for key, code, typology, figure in
                Value.objects.filter(year=year - 1, indicator__code__in=codes).exclude(status=ValueStatus.DRAFT)
                .values_list("unit_key", "indicator__code", "typology", "value")}
    mine = {p.key for p in pending}
    # Totals the file does not give are read from what is stored for the same unit and year.
    units = {p.unit.key for p in pending}
    stored_totals = {(key, code, typology): figure for key, code, typology, figure in
                     Value.objects.filter(year=year, indicator__code__in=total_codes)
                     .values_list("unit_key", "indicator__code", "typology", "value")
                     if key in units} if total_codes else {}
    peers = {}
    stored = (Value.objects.filter(year=year, indicator__code__in=codes,
                                   status__in=[ValueStatus.SUBMITTED, ValueStatus.ACCEPTED, ValueStatus.PUBLISHED])
              .values_list("unit_key", "indicator__code", "typology", "country_id", "value"))
    for key, code, typology, country_id, figure in stored:
        if (key, code, typology) not in mine:
            peers.setdefault(_peer_group(key, code, typology, country_id), []).append(figure)
    groups = [_peer_group(*p.key, p.unit.country.id) for p in pending]
    for p, group in zip(pending, groups, strict=True):
        peers.setdefault(group, []).append(p.fields["value"])
    labels = {"library": _("peer libraries"), "network": _("peer networks"), "country": _("peer countries")}
    spreads, names = {}, {}
    for p, group in zip(pending, groups, strict=True):
        figure, flags = p.fields["value"], []
        found = checks.check_change(figure, previous.get(p.key)) if previous else None
        if found:
            flags.append(found)
        total_code = checks.PARTS.get(p.key[1])
        if total_code:
            given = by_key.get((p.key[0], total_code, p.key[2]))
            total = given[1].value if given else stored_totals.get((p.key[0], total_code, p.key[2]))
            name = names.get(p.key[1])
            if name is None:
                name = names[p.key[1]] = p.entry.indicator.name  # translated: read once per indicator
            found = checks.check_part(figure, total, name, total_code)
            if found:
                flags.append(found)
        if group not in spreads:
            # The group's median and spread, once (the figure itself among its peers barely moves them).
            members = peers[group]
            spreads[group] = checks.spread(members) if len(members) > checks.MIN_PEERS else None
        if spreads[group]:
            found = checks.outlier_flag(figure, *spreads[group], labels[group[0]])
            if found:
                flags.append(found)
        p.flags = flags


def _peer_group(key, code, typology, country_id):
    level = key.partition(":")[0] if ":" in key else "country"
    # Libraries are compared within their country; networks and countries across the region.
    return (level, code, typology, country_id if level == "library" else None)


# The columns save_many writes, and those an update changes.
_INSERTED = [f.attname for f in Value._meta.concrete_fields if not f.primary_key]
# A created figure's own values, in the order _bulk_write gives them.
_OWN = ["indicator_id", "typology", "country_id", "network_id", "library_id", "unit_key", "value", "source", "method",
        "note", "justification", "flags"]
_UPDATED = ["value", "source", "method", "note", "justification", "flags", "entered_by_id", "version", "updated"]


def _bulk_write(user, campaign, creates, updates, deletes, log):
    """INSERT, UPDATE and DELETE the figures in a few statements, each with its entry in the batch's `log`."""
    from django.db import connection

    ops = connection.ops
    now = timezone.now()
    stamp = ops.adapt_datetimefield_value(now)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    fixed = {"version": 1, "created": stamp, "updated": stamp, "year": campaign.year, "source_name": "",
             "source_url": "", "status": ValueStatus.DRAFT, "entered_by_id": user_id, "is_sample": False,
             "campaign_id": campaign.pk, "review_comment": "", "submitted_at": None}
    no_flags = ops.adapt_json_value([], None)  # most figures: adapted once
    # A row is the fixed values followed by a figure's own, put in _INSERTED's order by one itemgetter call (no
    # dict per row: 100,000 rows).
    fixed_values = tuple(fixed.get(name) for name in _INSERTED)
    own = len(fixed_values)
    positions = dict.fromkeys(_INSERTED)
    for offset, name in enumerate(_OWN):
        positions[name] = own + offset
    inserted = itemgetter(*(k if positions[name] is None else positions[name] for k, name in enumerate(_INSERTED)))
    rows = []
    for p in creates:
        unit, entry, fields = p.unit, p.entry, p.fields
        rows.append(inserted(fixed_values + (
            entry.indicator.id, entry.typology, unit.country.id, unit.network.id if unit.network else None,
            unit.library.id if unit.library else None, unit.key, fields["value"], fields["source"], fields["method"],
            fields["note"], fields["justification"], ops.adapt_json_value(p.flags, None) if p.flags else no_flags)))
    for pk, p in zip(bulk.insert_rows(Value, _INSERTED, rows), creates, strict=True):
        log.created(pk, Value.describe(p.entry.indicator.code, p.unit.key, p.entry.typology, campaign.year,
                                       p.fields["value"]), p.unit.country.code, p.entry.row)
    update_rows = []
    for p in updates:
        value = p.current
        before = value.snapshot()
        for name, new in p.fields.items():
            setattr(value, name, new)
        value.flags, value.entered_by_id, value.version, value.updated = p.flags, user_id, value.version + 1, now
        update_rows.append((*[stamp if name == "updated" else
                              ops.adapt_json_value(value.flags, None) if name == "flags" else getattr(value, name)
                              for name in _UPDATED], value.pk))
        log.updated(value.pk, str(value), p.unit.country.code, p.entry.row, before, value.snapshot())
    bulk.update_rows(Value, _UPDATED, update_rows)
    for value, entry in deletes:
        log.deleted(value.pk, str(value), value.country.code, entry.row, value.snapshot())
    Value.objects.filter(pk__in=[value.pk for value, _entry in deletes]).delete()
    log.write()
