from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.languages import text, translated
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys, SecretariatOwned
from sirbi.registry.models import Country, Network
from sirbi.stats.choices import Typology
from sirbi.stats.models import Indicator

from ..choices import ActionStatus
from .partners import NeedArea, Partner

plain = [validate_plain_text]
weight_field = dict(max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)])


def _check_weights(obj, siblings, label):
    """Refuse a zero weight when every sibling's weight is zero too: the roll-up would divide by zero."""
    if obj.weight is None or obj.weight != 0:
        return
    if obj.pk:
        siblings = siblings.exclude(pk=obj.pk)
    if not siblings.filter(weight__gt=0).exists():
        raise ValidationError({"weight": _("All the weights of %(parent)s would be zero, so its progress could not be "
                                           "computed: give this one a weight above zero.") % {"parent": label}})


@translated("name", "description")
class Line(SecretariatOwned, ChangeLoggedModel):
    """A line of work of the roadmap (reading promotion, training of librarians, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=plain)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(_("weight"), **weight_field)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("line of work")
        verbose_name_plural = _("lines of work")
        ordering = ["order", "code"]

    def __str__(self):
        return text(self, "name").text

    def clean(self):
        _check_weights(self, Line.objects.all(), _("the roadmap"))


@translated("name", "description")
class Objective(SecretariatOwned, ChangeLoggedModel):
    """An objective of a line; objectives may hold sub-objectives."""

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("line of work"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("part of objective"))
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250, validators=plain)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(_("weight"), **weight_field)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["line", "order", "code"]

    def __str__(self):
        return text(self, "name").text

    def clean(self):
        if self.parent_id:
            if self.parent.line_id != self.line_id:
                raise ValidationError({"parent": _("The objective it belongs to is in another line of work.")})
            seen, node = set(), self.parent
            while node is not None:
                if node.pk == self.pk or node.pk in seen:
                    raise ValidationError({"parent": _("%(objective)s cannot be part of %(parent)s: that would make "
                                                       "a cycle.") % {"objective": self, "parent": self.parent}})
                seen.add(node.pk)
                node = node.parent
            siblings = Objective.objects.filter(parent=self.parent_id)
        else:
            siblings = Objective.objects.filter(line=self.line_id, parent=None)
        if self.line_id:
            _check_weights(self, siblings, self.parent or self.line)


@translated("title", "description")
class Action(ChangeLoggedModel):
    """What someone committed to do: led by a country, with partners, dates, weight and progress."""

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="actions",
                                  verbose_name=_("objective"))
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=250, validators=plain)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    lead_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="led_actions",
                                     verbose_name=_("lead country"))
    countries = models.ManyToManyField(Country, blank=True, related_name="actions",
                                       verbose_name=_("participating countries"))
    networks = models.ManyToManyField(Network, blank=True, related_name="actions",
                                      verbose_name=_("participating networks"))
    partners = models.ManyToManyField(Partner, blank=True, related_name="actions", verbose_name=_("partners"))
    working_group = models.ForeignKey("cooperation.WorkingGroup", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="actions", verbose_name=_("working group"))
    need_areas = models.ManyToManyField(NeedArea, blank=True, related_name="actions",
                                        verbose_name=_("needs it answers"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    weight = models.DecimalField(_("weight"), **weight_field)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)],
        help_text=_("Set by the latest progress report."))
    is_sample = models.BooleanField(_("sample data"), default=False)

    # The lead country's coordinator edits the action; participants report progress (ProgressReport).
    permission_roles = {"add": {Role.COORDINATOR}, "change": {Role.COORDINATOR}, "delete": set()}

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["objective", "start", "code"]
        indexes = [models.Index(fields=["lead_country", "status"]), models.Index(fields=["end", "status"])]

    def __str__(self):
        return text(self, "title").text

    def get_absolute_url(self):
        return reverse("cooperation:action", args=[self.code])

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.lead_country.code}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return Q(lead_country__code__in=countries)

    def changelog_country(self):
        return self.lead_country.code

    def owner_keys(self):
        """Who answers for the action: the lead and participating countries and the participating networks."""
        countries = {self.lead_country.code} | {c.code for c in self.countries.all()}
        return ScopeKeys(countries=frozenset(countries), networks=frozenset(n.pk for n in self.networks.all()))

    def save(self, *args, **kwargs):
        if self.status == ActionStatus.DONE:
            self.progress = 100  # a done action counts in full, whatever its last report said
        super().save(*args, **kwargs)

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The action ends (%(end)s) before it starts (%(start)s).")
                                   % {"end": self.end, "start": self.start}})
        if self.objective_id:
            _check_weights(self, Action.objects.filter(objective=self.objective_id).exclude(
                status=ActionStatus.CANCELLED), self.objective)


@translated("title")
class Milestone(models.Model):
    """A dated step of an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("action"))
    title = models.CharField(_("title"), max_length=250, validators=plain)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self):
        return text(self, "title").text


def evidence_path(report, filename):
    return f"cooperation/evidence/{report.action_id}/{report.token}.{report.evidence_extension}"


class ProgressReport(models.Model):
    """An owner's report on an action: how far it has come (0–100) and the evidence."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports", verbose_name=_("action"))
    date = models.DateField(_("date"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    text = models.TextField(_("what was done"), max_length=5000, help_text=_("Markdown."))
    link = models.URLField(_("link to evidence"), max_length=500, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField(_("file name"), max_length=250, blank=True)
    evidence_type = models.CharField(_("type"), max_length=120, blank=True)
    evidence_extension = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=32, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("reported by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    permission_roles = {"add": {Role.COORDINATOR, Role.NETWORK_MANAGER}}

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["action", "date"])]

    def __str__(self):
        return f"{self.action} · {self.date} · {self.progress} %"


class ActionIndicator(models.Model):
    """An indicator an action should move in a country: baseline, target and the latest published value."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    typology = models.CharField(_("library type"), max_length=20, choices=Typology.choices, default=Typology.PUBLIC)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country"), help_text=_("Empty: the lead country."))
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator to move")
        verbose_name_plural = _("indicators to move")

    def __str__(self):
        return f"{self.action} · {self.indicator}"
