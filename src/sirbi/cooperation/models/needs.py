from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.models import Role
from sirbi.core.permissions import ScopeKeys, SecretariatOwned
from sirbi.registry.models import Country

from .partners import NeedArea

plain = [validate_plain_text]


class Translated:
    """`obj.text` is `text_es`, `text_pt` or `text_en` by the active language (English when empty)."""

    def in_language(self, stem):
        return getattr(self, f"{stem}_{(get_language() or 'es')[:2]}", None) or getattr(self, f"{stem}_en")


class Questionnaire(Translated, SecretariatOwned, ChangeLoggedModel):
    """A needs assessment the secretariat sends to countries for a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not sent)")
        SENT = "sent", _("Sent")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_es = models.CharField(_("title in Spanish"), max_length=250, validators=plain)
    title_pt = models.CharField(_("title in Portuguese"), max_length=250, validators=plain)
    title_en = models.CharField(_("title in English"), max_length=250, validators=plain)
    intro_es = models.TextField(_("introduction in Spanish"), blank=True, help_text=_("Markdown."))
    intro_pt = models.TextField(_("introduction in Portuguese"), blank=True, help_text=_("Markdown."))
    intro_en = models.TextField(_("introduction in English"), blank=True, help_text=_("Markdown."))
    countries = models.ManyToManyField(Country, related_name="+", verbose_name=_("countries asked"))
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_sample = models.BooleanField(_("sample data"), default=False)

    class Meta:
        verbose_name = _("needs questionnaire")
        verbose_name_plural = _("needs questionnaires")
        ordering = ["-opens", "code"]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return self.in_language("title")

    @property
    def intro(self):
        return self.in_language("intro")

    def get_absolute_url(self):
        return reverse("cooperation:questionnaire", args=[self.code])

    @classmethod
    def public_q(cls):
        """A questionnaire not sent yet is the secretariat's draft."""
        return models.Q(status=cls.Status.SENT)

    def clean(self):
        if self.opens and self.closes and self.closes < self.opens:
            raise ValidationError({"closes": _("It closes (%(closes)s) before it opens (%(opens)s).")
                                   % {"closes": self.closes, "opens": self.opens}})


class Section(Translated, SecretariatOwned, ChangeLoggedModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections",
                                      verbose_name=_("questionnaire"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_es = models.CharField(_("title in Spanish"), max_length=250, validators=plain)
    title_pt = models.CharField(_("title in Portuguese"), max_length=250, validators=plain)
    title_en = models.CharField(_("title in English"), max_length=250, validators=plain)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return self.in_language("title")

    @classmethod
    def public_q(cls):
        return models.Q(questionnaire__status=Questionnaire.Status.SENT)


class Question(Translated, SecretariatOwned, ChangeLoggedModel):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Text")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions",
                                verbose_name=_("section"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_es = models.CharField(_("question in Spanish"), max_length=500, validators=plain)
    text_pt = models.CharField(_("question in Portuguese"), max_length=500, validators=plain)
    text_en = models.CharField(_("question in English"), max_length=500, validators=plain)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    need_area = models.ForeignKey(NeedArea, null=True, blank=True, on_delete=models.PROTECT, related_name="questions",
                                  verbose_name=_("area of need measured"),
                                  help_text=_("For a scale: the higher the answer, the greater the need in this area."))

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def text(self):
        return self.in_language("text")

    @classmethod
    def public_q(cls):
        return models.Q(section__questionnaire__status=Questionnaire.Status.SENT)

    def clean(self):
        if self.kind == self.Kind.SCALE and self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("The scale must go up: %(low)s to %(high)s does not.")
                                   % {"low": self.scale_min, "high": self.scale_max}})


class Choice(Translated, models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices",
                                 verbose_name=_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    label_es = models.CharField(_("label in Spanish"), max_length=250, validators=plain)
    label_pt = models.CharField(_("label in Portuguese"), max_length=250, validators=plain)
    label_en = models.CharField(_("label in English"), max_length=250, validators=plain)
    need_area = models.ForeignKey(NeedArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("area of need"),
                                  help_text=_("Choosing it marks a need in this area."))

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="one_code_per_choice")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.in_language("label")


class Response(ChangeLoggedModel):
    """A country's answers to a questionnaire: saved as a draft, then submitted by its coordinator."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses",
                                      verbose_name=_("questionnaire"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"))
    is_sample = models.BooleanField(_("sample data"), default=False)

    permission_roles = {"add": {Role.COORDINATOR}, "change": {Role.COORDINATOR}, "delete": set()}

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "country"], name="one_response_per_country")]

    def __str__(self):
        return f"{self.questionnaire} · {self.country}"

    def scope_keys(self):
        return ScopeKeys(countries=frozenset({self.country.code}))

    @classmethod
    def scope_q(cls, countries, networks, libraries):
        return models.Q(country__code__in=countries)

    def changelog_country(self):
        return self.country.code

    @classmethod
    def public_q(cls):
        """Answers not submitted (drafts, returned ones) are read by their country's coordinators (who write them)
        and the secretariat only."""
        return models.Q(status=cls.Status.SUBMITTED)


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers",
                                 verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers",
                                 verbose_name=_("question"))
    # A number (scale, number), a choice code (single), a list of codes (multiple) or a text.
    value = models.JSONField(_("answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self):
        return f"{self.question.code}: {self.value}"
