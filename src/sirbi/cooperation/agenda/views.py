"""The regional agenda: programmes and activities of library development and reading promotion in the member
countries, as a list with filters, a map and on the shared calendar."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from sirbi.core import permissions
from sirbi.core.views import edit_page
from sirbi.registry.models import Country

from ..forms import ActivityForm
from ..models import Activity, Meeting
from . import news


def agenda_page(request):
    """Activities from ?from= (default: today) on, optionally of one ?country= and ?kind=, listed and mapped."""
    activities = Activity.objects.select_related("country", "network")
    params = {name: request.GET.get(name, "").strip() for name in ("country", "kind", "from")}
    try:
        since = date.fromisoformat(params["from"]) if params["from"] else date.today()
    except ValueError:
        since = date.today()
    activities = activities.filter(end__gte=since)
    if params["country"]:
        activities = activities.filter(country__code=params["country"].upper())
    if params["kind"]:
        activities = activities.filter(kind=params["kind"])
    rows = list(activities.order_by("start", "title")[:500])
    points = []
    for activity in rows:
        point = activity.point
        if point:
            points.append({"name": str(activity), "url": activity.get_absolute_url(), "lat": point[0],
                           "lon": point[1], "place": activity.city or activity.country.name,
                           "exact": activity.latitude is not None})
    return render(request, "cooperation/agenda.html", {
        "activities": rows, "params": params, "since": since, "kinds": Activity.Kind.choices,
        "countries": Country.objects.filter(is_member=True), "points": points,
        "can_add": permissions.can_any(request.user, "add", Activity),
        "is_sample": any(a.is_sample for a in rows)})


def activity_detail(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("country", "network"), pk=pk)
    return render(request, "cooperation/activity_detail.html", {
        "activity": activity, "can_change": permissions.can(request.user, "change", activity),
        "is_sample": activity.is_sample})


@login_required
def activity_edit(request, pk=None):
    return edit_page(request, Activity, pk, ActivityForm, "cooperation/activity_form.html")


def whats_new(request, code):
    """What changed for a country lately (news.country_changes: only what the visitor may read) and the meetings
    and agenda ahead."""
    country = get_object_or_404(Country, code=code.upper())
    rows = news.country_changes(country, request.user, days=news.NEWS_DAYS)
    today = date.today()
    return render(request, "cooperation/whats_new.html", {
        "country": country, "rows": rows, "days": news.NEWS_DAYS,
        "meetings": Meeting.objects.filter(end_date__gte=today).order_by("start_date")[:5],
        "activities": Activity.objects.filter(country=country, end__gte=today).order_by("start")[:10]})
