"""The roadmap as people read it: progress rolled up, weighted, from actions to objectives, lines and the
whole roadmap (computed, never typed); overdue actions and milestones; progress reports by the owners.

Reading a tree costs a fixed number of queries whatever its size: lines, objectives, actions and overdue
milestones are read once each and joined in Python.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from sirbi.core import permissions
from sirbi.core.changelog import record
from sirbi.core.filetypes import detect
from sirbi.core.models import ChangeLog

from ..choices import CLOSED_STATUSES, ActionStatus
from ..models import Action, Line, Milestone, Objective, ProgressReport


@dataclass
class Node:
    """A line, an objective or the whole roadmap, with what is computed from what it holds."""

    obj: object
    weight: Decimal = Decimal(1)
    objectives: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    progress: float | None = None
    n_actions: int = 0
    n_overdue: int = 0


@dataclass
class ActionRow:
    """What a tree or a country page shows of an action, without loading the action object."""

    pk: int
    code: str
    title: str
    objective_id: int
    lead: str
    status: str
    status_label: str
    weight: Decimal
    progress: int
    start: date
    end: date
    is_sample: bool
    overdue: bool = False
    overdue_milestones: int = 0
    title_pt: str = ""
    title_en: str = ""

    @property
    def counts(self):
        return self.status != ActionStatus.CANCELLED


def weighted(items):
    """Weighted mean of (weight, progress) pairs whose progress is known; None when no weight is above zero."""
    known = [(w, p) for w, p in items if p is not None]
    total = sum(w for w, _p in known)
    if not total:
        return None
    return float(sum(Decimal(w) * Decimal(str(p)) for w, p in known) / total)


def action_rows(actions, today=None):
    """ActionRows for a queryset of actions, with their overdue milestones: two queries."""
    today = today or date.today()
    labels = dict(ActionStatus.choices)
    rows = [ActionRow(pk=a["pk"], code=a["code"], title=a["title"], objective_id=a["objective_id"],
                      lead=a["lead_country__code"], status=a["status"], status_label=labels[a["status"]],
                      weight=a["weight"], progress=a["progress"], start=a["start"], end=a["end"],
                      is_sample=a["is_sample"], title_pt=a["title_pt"], title_en=a["title_en"])
            for a in actions.values("pk", "code", "title", "title_pt", "title_en", "objective_id", "lead_country__code",
                                    "status", "weight", "progress", "start", "end", "is_sample")]
    late = dict(Milestone.objects.filter(action__in=actions, due__lt=today, done_on=None)
                .values_list("action").annotate(n=Count("pk")).order_by())
    for row in rows:
        row.overdue = row.end < today and row.status not in CLOSED_STATUSES
        row.overdue_milestones = late.get(row.pk, 0) if row.status not in CLOSED_STATUSES else 0
    return rows


def tree(today=None, actions=None):
    """The roadmap: a root Node holding line Nodes, each holding objective Nodes (nested) and ActionRows."""
    actions = actions if actions is not None else Action.objects.all()
    rows = action_rows(actions.order_by("start", "code"), today)
    by_objective = defaultdict(list)
    for row in rows:
        by_objective[row.objective_id].append(row)
    objective_nodes = {o.pk: Node(o, o.weight) for o in Objective.objects.all()}
    line_nodes = {line.pk: Node(line, line.weight) for line in Line.objects.all()}
    for node in objective_nodes.values():
        node.actions = by_objective.get(node.obj.pk, [])
        parent = objective_nodes.get(node.obj.parent_id)
        (parent.objectives if parent else line_nodes[node.obj.line_id].objectives).append(node)
    root = Node(None, objectives=list(line_nodes.values()))
    _roll_up(root)
    return root


def _roll_up(node):
    items = []
    for child in node.objectives:
        _roll_up(child)
        node.n_actions += child.n_actions
        node.n_overdue += child.n_overdue
        items.append((child.weight, child.progress))
    for row in node.actions:
        if row.counts:
            items.append((row.weight, row.progress))
            node.n_actions += 1
        node.n_overdue += bool(row.overdue or row.overdue_milestones)
    node.progress = weighted(items)


def country_actions(country, today=None):
    """The actions a country leads or takes part in, by line and objective: (lead rows, participant rows)."""
    actions = Action.objects.filter(Q(lead_country=country) | Q(countries=country)).distinct()
    rows = action_rows(actions.order_by("end", "code"), today)
    objectives = {o.pk: o for o in Objective.objects.select_related("line")}
    for row in rows:
        row.objective = objectives[row.objective_id]
    return rows


def timeline(rows):
    """Where each row's bar starts and how wide it is, as percentages of the span of all rows."""
    if not rows:
        return None, None, []
    first = min(r.start for r in rows)
    last = max(r.end for r in rows)
    span = max((last - first).days, 1)
    for row in rows:
        row.offset = round((row.start - first).days / span * 100, 2)
        row.width = max(round(((row.end - row.start).days or 1) / span * 100, 2), 0.5)
    years = list(range(first.year, last.year + 1))
    marks = [(y, round((date(y, 1, 1) - first).days / span * 100, 2)) for y in years if date(y, 1, 1) >= first]
    return first, last, marks


# Writing ---------------------------------------------------------------------------------------------------

def can_report(user, action):
    return permissions.can_keys(user, "add", ProgressReport, action.owner_keys())


def report_progress(action, user, *, progress, text, day=None, link="", upload=None):
    """An owner reports how far the action has come; the action's progress follows its latest report."""
    if not can_report(user, action):
        raise PermissionDenied(_("Only the countries and networks that answer for %(action)s report its progress.")
                               % {"action": action})
    if action.status in CLOSED_STATUSES:
        raise ValidationError(_("%(action)s is %(status)s: its lead country reopens it before more progress is "
                                "reported.") % {"action": action, "status": action.get_status_display().lower()})
    report = ProgressReport(action=action, progress=progress, text=text, link=link, author=user,
                            date=day or date.today())
    if report.date > date.today():
        raise ValidationError({"date": _("A report cannot be dated in the future.")})
    report.full_clean(exclude=["action", "author", "evidence"])
    if upload is not None:
        detected = detect(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
        report.evidence_name, report.evidence_type = upload.name[:250], detected.media_type
        report.evidence_extension, report.token = detected.extension, uuid.uuid4().hex
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if upload is not None:
            report.evidence.save(upload.name, upload, save=False)
        report.save()
        latest = current.reports.order_by("-date", "-pk").first()
        before = {"progress": current.progress, "status": current.status}
        current.progress = latest.progress
        if current.status == ActionStatus.PLANNED and current.progress > 0:
            current.status = ActionStatus.IN_PROGRESS
        after = {"progress": current.progress, "status": current.status}
        if after != before:
            current.version += 1
            current.save(update_fields=["progress", "status", "version", "updated"])
            record(current, ChangeLog.Action.UPDATE, user=user, before=before, after=after,
                   message=_("Progress report of %(date)s") % {"date": report.date})
    action.progress, action.status = current.progress, current.status
    return report


def overdue(today=None):
    """Open actions past their end and open milestones past their due date, for the reminders."""
    today = today or date.today()
    actions = (Action.objects.filter(end__lt=today).exclude(status__in=CLOSED_STATUSES)
               .select_related("lead_country"))
    milestones = (Milestone.objects.filter(due__lt=today, done_on=None)
                  .exclude(action__status__in=CLOSED_STATUSES).select_related("action__lead_country"))
    return list(actions), list(milestones)
