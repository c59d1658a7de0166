from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sirbi.cooperation.models import Activity


def url(name, *args):
    with translation.override("en"):
        return reverse(f"cooperation:{name}", args=args)


SOON = date.today() + timedelta(days=10)


def form(**fields):
    return {"title": "Feria del libro", "kind": "book_fair", "country": "PE", "city": "Lima", "latitude": "-12.05",
            "longitude": "-77.04", "start": SOON.isoformat(), "end": (SOON + timedelta(days=3)).isoformat(),
            **fields}


def test_coordinator_adds_an_activity_of_their_country_only(coordinator_pe, as_user):
    response = as_user(coordinator_pe).post(url("activity-new"), form())
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.country.code == "PE" and activity.version == 1
    refused = as_user(coordinator_pe).post(url("activity-new"), form(title="Ajena", country="CL"))
    assert refused.status_code == 200 and "Ajena" not in [a.title for a in Activity.objects.all()]
    edit = as_user(coordinator_pe).post(url("activity-edit", activity.pk), form(title="Feria renombrada",
                                                                                base_version=1))
    assert edit.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Feria renombrada" and activity.version == 2


def test_others_cannot_add_or_edit(coordinator_cl, reader, as_user, peru):
    activity = Activity.objects.create(title="x", kind="other", country=peru, start=SOON, end=SOON)
    assert as_user(reader).get(url("activity-new")).status_code == 403
    assert as_user(coordinator_cl).post(url("activity-edit", activity.pk), form()).status_code == 403
    activity.refresh_from_db()
    assert activity.title == "x"


@pytest.mark.parametrize("fields, field", [
    ({"end": (SOON - timedelta(days=1)).isoformat()}, "end"),
    ({"longitude": ""}, "longitude"),
    ({"network": "cl-public"}, "network"),
])
def test_bad_activities_are_refused(peru, fields, field):
    data = form(**fields)
    activity = Activity(title=data["title"], kind="book_fair", country=peru, start=SOON,
                        end=date.fromisoformat(data["end"]), latitude=float(data["latitude"]),
                        longitude=float(data["longitude"]) if data["longitude"] else None)
    if "network" in fields:
        from sirbi.registry.models import Network
        activity.network = Network.objects.get(code=fields["network"])
    with pytest.raises(ValidationError) as error:
        activity.full_clean()
    assert field in error.value.message_dict


def test_agenda_page_map_and_calendar(peru, chile, as_user):
    Activity.objects.create(title="Feria de Lima", kind="book_fair", country=peru, city="Lima", latitude=-12.05,
                            longitude=-77.04, start=SOON, end=SOON + timedelta(days=2))
    Activity.objects.create(title="Curso en Chile", kind="training", country=chile, start=SOON, end=SOON)
    Activity.objects.create(title="Pasada", kind="other", country=chile, start=date(2020, 1, 1),
                            end=date(2020, 1, 2))
    body = as_user(None).get(url("agenda")).content.decode()
    assert "Feria de Lima" in body and "Curso en Chile" in body and "Pasada" not in body
    assert '"lat": -12.05' in body
    only_pe = as_user(None).get(url("agenda") + "?country=pe&kind=book_fair").content.decode()
    assert "Feria de Lima" in only_pe and "Curso en Chile" not in only_pe
    month = as_user(None).get(url("calendar") + f"?month={SOON:%Y-%m}").content.decode()
    # Written in Spanish only: the English page gives it with its language and says so.
    assert '<span lang="es">Feria de Lima</span> <small class="lang-note">(only in Spanish)</small> (PE)' in month
