"""Needs assessment: coordinators answer a questionnaire for their country (drafts, then submit, within its
period); the needs matrix puts countries against areas of need, from the submitted answers and, marked as
such, from the needs the statistics detect (stats.services.needs on each area's indicators)."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sirbi.core import permissions
from sirbi.core.changelog import save_object
from sirbi.core.permissions import ScopeKeys
from sirbi.core.text import fold
from sirbi.stats.numbers import NumberError, parse_number

from .. import notify
from ..models import Answer, NeedArea, Question, Questionnaire, Response

TEXT_MAX = 5000


def can_answer(user, questionnaire, country):
    return permissions.can_keys(user, "change", Response, ScopeKeys(countries=frozenset({country.code})))


def open_questionnaires():
    return Questionnaire.objects.filter(status=Questionnaire.Status.SENT)


def questions_of(questionnaire):
    return list(Question.objects.filter(section__questionnaire=questionnaire)
                .select_related("section", "need_area").prefetch_related("choices")
                .order_by("section__order", "section__pk", "order", "pk"))


def check_period(questionnaire, today=None):
    today = today or date.today()
    if questionnaire.status != Questionnaire.Status.SENT:
        raise ValidationError(_("This questionnaire has not been sent to the countries."))
    if today < questionnaire.opens:
        raise ValidationError(_("This questionnaire opens on %(day)s.") % {"day": questionnaire.opens})
    if today > questionnaire.closes:
        raise ValidationError(_("This questionnaire closed on %(day)s: answers are no longer accepted.")
                              % {"day": questionnaire.closes})


def parse_answer(question, raw, language=None):
    """The stored value of one answer (None when empty), or ValueError with the reason."""
    language = language or get_language()
    if raw in (None, "", []):
        return None
    kind = question.kind
    if kind == Question.Kind.SCALE:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValueError(_("Choose a value from %(low)s to %(high)s.")
                             % {"low": question.scale_min, "high": question.scale_max}) from None
        if not question.scale_min <= value <= question.scale_max:
            raise ValueError(_("Choose a value from %(low)s to %(high)s.")
                             % {"low": question.scale_min, "high": question.scale_max})
        return value
    codes = {c.code for c in question.choices.all()}
    if kind == Question.Kind.SINGLE:
        if raw not in codes:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": raw})
        return raw
    if kind == Question.Kind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        unknown = [v for v in values if v not in codes]
        if unknown:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": unknown[0]})
        return sorted(set(values))
    if kind == Question.Kind.NUMBER:
        try:
            return parse_number(raw, language)
        except NumberError as exc:
            raise ValueError(str(exc)) from None
    text = str(raw).strip()
    if len(text) > TEXT_MAX:
        raise ValueError(_("At most %(n)s characters.") % {"n": TEXT_MAX})
    return text or None


def save_answers(questionnaire, country, user, raw_answers, *, submit=False, today=None):
    """Save a country's answers (all or nothing): `raw_answers` maps question codes to what was typed.
    With `submit`, every required question must be answered; a submitted response is locked."""
    permissions.require(user, "change", Response(questionnaire=questionnaire, country=country),
                        label=_("the answers of %(country)s") % {"country": country})
    if not questionnaire.countries.filter(pk=country.pk).exists():
        raise ValidationError(_("%(country)s is not asked in this questionnaire.") % {"country": country})
    check_period(questionnaire, today)
    questions = questions_of(questionnaire)
    response = Response.objects.filter(questionnaire=questionnaire, country=country).first()
    if response and response.status == Response.Status.SUBMITTED:
        raise ValidationError(_("The answers of %(country)s are submitted; ask the secretariat to return them "
                                "to change them.") % {"country": country})
    stored = {a.question_id: a.value for a in response.answers.all()} if response else {}
    values, errors = {}, {}
    for question in questions:
        if question.code in raw_answers:
            try:
                values[question.pk] = parse_answer(question, raw_answers[question.code])
            except ValueError as exc:
                errors[question.code] = str(exc)
        else:
            values[question.pk] = stored.get(question.pk)
    if submit:
        for question in questions:
            if question.required and values.get(question.pk) in (None, [], "") and question.code not in errors:
                errors[question.code] = _("This question needs an answer before you submit.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if response is None:
            response = Response(questionnaire=questionnaire, country=country)
            save_object(response, user=user, message=_("Answers started"))
        for question in questions:
            Answer.objects.update_or_create(response=response, question=question,
                                            defaults={"value": values.get(question.pk)})
        if submit:
            response.status, response.submitted, response.submitted_by = (Response.Status.SUBMITTED,
                                                                          timezone.now(), user)
            save_object(response, user=user, message=_("Submitted"))
        else:
            Response.objects.filter(pk=response.pk).update(updated=timezone.now())
    return response


def return_response(response, user, reason=""):
    """The secretariat returns submitted answers to the country for changes."""
    permissions.require_secretariat(user, _("return answers"))
    response.status, response.submitted = Response.Status.DRAFT, None
    save_object(response, user=user, message=reason or _("Returned for changes"))
    notify.send(notify.coordinators_of([response.country.code]),
                _("Your answers to %(questionnaire)s were returned") % {"questionnaire": response.questionnaire},
                reason, reverse("cooperation:answer", args=[response.questionnaire.code, response.country.code]))
    return response


def answers_of(response):
    """[(section, [(question, shown answer)])] with answers as people read them."""
    questions = questions_of(response.questionnaire)
    values = {a.question_id: a.value for a in response.answers.all()} if response.pk else {}
    sections = []
    for question in questions:
        value = values.get(question.pk)
        labels = {c.code: c.label for c in question.choices.all()}
        if value is None:
            shown = None
        elif question.kind == Question.Kind.SINGLE:
            shown = labels.get(value, value)
        elif question.kind == Question.Kind.MULTIPLE:
            shown = ", ".join(c.label for c in question.choices.all() if c.code in value)
        else:
            shown = value
        if not sections or sections[-1][0] != question.section:
            sections.append((question.section, []))
        sections[-1][1].append((question, shown, value))
    return sections


@dataclass
class Cell:
    """One country × area: the answers' score (0 no need … 1 greatest need) and the statistics' needs."""

    score: float | None = None
    answers: int = 0
    from_indicators: list = field(default_factory=list)  # stats Need objects

    @property
    def percent(self):
        return None if self.score is None else round(self.score * 100)

    @property
    def level(self):
        """0–4 for the heat map's classes; None without answers."""
        return None if self.score is None else min(int(self.score * 5), 4)


def matrix(questionnaire, with_indicators=True):
    """(areas, [(country, response status, [Cell per area])]) from the submitted responses."""
    questions = questions_of(questionnaire)
    area_ids = {q.need_area_id for q in questions if q.need_area_id}
    area_ids |= {c.need_area_id for q in questions for c in q.choices.all() if c.need_area_id}
    areas = list(NeedArea.objects.filter(pk__in=area_ids).prefetch_related("indicators")) if area_ids else []
    countries = sorted(questionnaire.countries.all(), key=lambda c: fold(c.name))
    responses = {r.country_id: r for r in Response.objects.filter(questionnaire=questionnaire)}
    answers = {}
    for answer in Answer.objects.filter(response__questionnaire=questionnaire,
                                        response__status=Response.Status.SUBMITTED).select_related("response"):
        answers[(answer.response.country_id, answer.question_id)] = answer.value
    detected = {}
    if with_indicators:
        from sirbi.stats.services import needs as indicator_needs
        indicators = {i for area in areas for i in area.indicators.all()}
        if indicators:
            detected = indicator_needs(indicators=list(indicators))
    rows = []
    for country in countries:
        cells = []
        for area in areas:
            contributions = []
            for question in questions:
                value = answers.get((country.pk, question.pk))
                if value is None:
                    continue
                if question.kind == Question.Kind.SCALE and question.need_area_id == area.pk:
                    contributions.append((value - question.scale_min) / (question.scale_max - question.scale_min))
                elif question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                    chosen = set(value if isinstance(value, list) else [value])
                    for choice in question.choices.all():
                        if choice.need_area_id == area.pk:
                            contributions.append(1.0 if choice.code in chosen else 0.0)
            cell = Cell(score=sum(contributions) / len(contributions) if contributions else None,
                        answers=len(contributions))
            area_indicators = {i.pk for i in area.indicators.all()}
            cell.from_indicators = [n for n in detected.get(country.code, []) if n.indicator.pk in area_indicators]
            cells.append(cell)
        response = responses.get(country.pk)
        rows.append((country, response.status if response else None, cells))
    return areas, rows
