"""Pages of the needs assessment: questionnaires, a country's answers (form while open), the needs matrix
as a heat map with its CSV/XLSX export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.downloads import export as download

from ..models import Questionnaire, Response
from . import services as needs

# The heat map's classes: Cell.level (0–4) and what each covers.
HEAT_CLASSES = [(0, "0–19 %"), (1, "20–39 %"), (2, "40–59 %"), (3, "60–79 %"), (4, "80–100 %")]


def _readable(request):
    """The questionnaires `request.user` may read: those sent, and the drafts for the secretariat (public_q)."""
    return permissions.restrict(Questionnaire.objects.all(), request.user, "view")


def _questionnaire(request, code):
    return get_object_or_404(_readable(request), code=code)


def questionnaire_list(request):
    rows = _readable(request)
    return render(request, "cooperation/questionnaire_list.html", {"questionnaires": rows,
                                                                    "is_sample": any(q.is_sample for q in rows)})


def questionnaire_detail(request, code):
    questionnaire = _questionnaire(request, code)
    responses = {r.country_id: r for r in questionnaire.responses.all()}
    countries = list(questionnaire.countries.all())
    rows = [(country, responses.get(country.pk), needs.can_answer(request.user, questionnaire, country))
            for country in sorted(countries, key=lambda c: c.name)]
    return render(request, "cooperation/questionnaire_detail.html", {
        "questionnaire": questionnaire, "rows": rows, "is_member": permissions.is_member(request.user),
        "submitted": sum(1 for r in responses.values() if r.status == Response.Status.SUBMITTED),
        "is_sample": questionnaire.is_sample})


@login_required
def answer(request, code, country):
    """A country's answers: the form while the questionnaire is open and the answers are not submitted;
    read-only otherwise. Members of the network read every country's submitted answers; answers not submitted
    yet (drafts, returned ones) only the country's coordinators and the secretariat (Response.public_q)."""
    questionnaire = _questionnaire(request, code)
    country = get_object_or_404(questionnaire.countries, code=country.upper())
    permissions.require_member(request.user, _("the answers"))
    response = Response.objects.filter(questionnaire=questionnaire, country=country).first()
    may_answer = needs.can_answer(request.user, questionnaire, country)
    errors, typed = {}, {}
    if request.method == "POST":
        # Who may answer is save_answers' check (one check, one reason on the 403 page).
        typed = {q.code: (request.POST.getlist(f"q-{q.code}") if q.kind == "multiple"
                          else request.POST.get(f"q-{q.code}", ""))
                 for q in needs.questions_of(questionnaire)}
        submit = "submit" in request.POST
        try:
            needs.save_answers(questionnaire, country, request.user, typed, submit=submit)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
                messages.error(request, _("Nothing was saved: %(n)s answers need attention (marked below).")
                               % {"n": len(errors)})
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Submitted: thank you.") if submit else _("Saved as a draft."))
            return redirect("cooperation:answer", code=code, country=country.code)
    editable = may_answer and not (response and response.status == Response.Status.SUBMITTED)
    period_error = None
    if editable:
        try:
            needs.check_period(questionnaire)
        except ValidationError as exc:
            period_error, editable = " ".join(exc.messages), False
    hidden = response is not None and not permissions.can(request.user, "view", response)
    sections = needs.answers_of(response) if response and not hidden else needs.answers_of(
        Response(questionnaire=questionnaire, country=country))
    return render(request, "cooperation/answer.html", {
        "questionnaire": questionnaire, "country": country, "response": response, "sections": sections,
        "editable": editable, "period_error": period_error, "errors": errors, "typed": typed, "hidden": hidden,
        "is_secretariat": permissions.is_secretariat(request.user), "is_sample": questionnaire.is_sample})


@login_required
@require_POST
def return_answers(request, code, country):
    questionnaire = get_object_or_404(Questionnaire, code=code)
    response = get_object_or_404(Response, questionnaire=questionnaire, country__code=country.upper())
    needs.return_response(response, request.user, request.POST.get("reason", "")[:500])
    messages.success(request, _("The answers are returned to %(country)s.") % {"country": response.country})
    return redirect("cooperation:answer", code=code, country=response.country.code)


def matrix_page(request, code):
    questionnaire = _questionnaire(request, code)
    areas, rows = needs.matrix(questionnaire)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(questionnaire, areas, rows, fmt)
    return render(request, "cooperation/matrix.html", {
        "questionnaire": questionnaire, "areas": areas, "rows": rows, "levels": HEAT_CLASSES,
        "is_sample": questionnaire.is_sample})


def _export(questionnaire, areas, rows, fmt):
    """The matrix as the registry's exports write tables: a column per area and one for its indicators' needs."""
    columns = [_("country"), _("ISO code"), _("answers")]
    for area in areas:
        columns += [area.name, f"{area.name} · {_('from indicators')}"]
    labels = dict(Response.Status.choices)

    def lines():
        for country, status, cells in rows:
            values = [country.name, country.code, str(labels.get(status, _("not started")))]
            for cell in cells:
                values.append(None if cell.score is None else round(cell.score, 3))
                values.append("; ".join(need.indicator.code for need in cell.from_indicators))
            yield dict(zip(columns, values, strict=True))

    return download(lines(), columns, fmt, f"sirbi-needs-{questionnaire.code}")
