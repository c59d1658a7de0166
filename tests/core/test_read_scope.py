"""Unpublished data stays with its authors (issue #12, item 3).

The story: Peru's coordinator keeps a draft figure and a draft of Peru's needs answers, Chile's coordinator a
draft figure of Chile, a librarian in Lima shares a practice that waits for moderation, and a published
practice and a library edit are public. Each actor reads "what's new", the change log (page, CSV, JSON, API),
the admin and the answers page, and sees the unpublished things of their own scope only.
"""

import json
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.models import GoodPractice, Question, Questionnaire, Response, Section
from sirbi.cooperation.needs import services as needs
from sirbi.core.changelog import save_object
from sirbi.core.models import ChangeLog
from sirbi.stats.models import Indicator, Value

DRAFT_PE = "visits PE all 2031: 4242"
DRAFT_CL = "visits CL all 2031: 5353"
UNMODERATED = "Lectura en el mercado de Surquillo"
PUBLISHED = "Bibliotecas en los parques de Lima"
ANSWERS = "Necesidades 2031 · "


@pytest.fixture
def story(coordinator_pe, coordinator_cl, librarian_lima, secretary, peru, chile, lima_library):
    visits = Indicator.objects.get(code="visits")
    value_pe = save_object(Value(indicator=visits, country=peru, year=2031, value=4242, source="network"),
                           user=coordinator_pe)
    value_cl = save_object(Value(indicator=visits, country=chile, year=2031, value=5353, source="network"),
                           user=coordinator_cl)
    waiting = alliances.share(GoodPractice(title=UNMODERATED, summary="Préstamo en mercados", country=peru,
                                           library=lima_library), librarian_lima, themes=[])
    public = alliances.share(GoodPractice(title=PUBLISHED, summary="Préstamo en parques", country=peru,
                                          library=lima_library), librarian_lima, themes=[])
    alliances.moderate(public, secretary, publish=True)
    questionnaire = Questionnaire.objects.create(
        code="needs-2031", title_es="Necesidades 2031", title_pt="Necesidades 2031", title_en="Necesidades 2031",
        opens=date.today() - timedelta(days=1), closes=date.today() + timedelta(days=30), status="sent")
    questionnaire.countries.add(peru, chile)
    section = Section.objects.create(questionnaire=questionnaire, title_es="S", title_pt="S", title_en="S")
    Question.objects.create(section=section, code="plans", kind="text", text_es="¿Planes?", text_pt="Planos?",
                            text_en="Plans?", required=False)
    response = needs.save_answers(questionnaire, peru, coordinator_pe, {"plans": "Plan secreto de lectura"})
    lima_library.phone = "01 555 0101"
    save_object(lima_library, user=coordinator_pe)
    return {"value_pe": value_pe, "value_cl": value_cl, "waiting": waiting, "public": public,
            "response": response, "questionnaire": questionnaire}


def staff(user):
    user.is_staff = True
    user.save()
    return user


def test_whats_new_shows_visitors_only_what_is_published(story, client, as_user, reader, coordinator_pe,
                                                         coordinator_cl, secretary):
    url = "/en/cooperation/countries/PE/new/"
    for visitor in (client, as_user(reader), as_user(coordinator_cl)):
        page = visitor.get(url).content.decode()
        assert PUBLISHED in page and "Biblioteca Municipal de Lima" in page
        assert DRAFT_PE not in page and UNMODERATED not in page and ANSWERS not in page
        assert "coord_pe" not in page and "librarian_lima" not in page
    for author in (coordinator_pe, secretary):
        page = as_user(author).get(url).content.decode()
        assert DRAFT_PE in page
        assert UNMODERATED in page and ANSWERS in page


def shown(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", ["/en/platform/changes/", "/en/platform/changes/?export=csv",
                                 "/en/platform/changes/?export=json", "/api/v1/changes/?page_size=500"])
def test_the_change_log_shows_drafts_to_their_scope_only(story, as_user, coordinator_pe, coordinator_cl, secretary,
                                                         network_manager_pe, url):
    everything = shown(as_user(secretary), url)
    for text in (DRAFT_PE, DRAFT_CL, UNMODERATED, PUBLISHED, ANSWERS):
        assert text in everything
    peru = shown(as_user(coordinator_pe), url)
    assert DRAFT_PE in peru and UNMODERATED in peru and ANSWERS in peru and PUBLISHED in peru
    assert DRAFT_CL not in peru
    chile = shown(as_user(coordinator_cl), url)
    assert DRAFT_CL in chile and PUBLISHED in chile
    assert DRAFT_PE not in chile and UNMODERATED not in chile and ANSWERS not in chile
    # The manager of Peru's public network keeps the network's figures and practices, not the country's own
    # figure, its answers or a practice shared for one library.
    manager = shown(as_user(network_manager_pe), url)
    assert PUBLISHED in manager
    assert DRAFT_PE not in manager and UNMODERATED not in manager and ANSWERS not in manager


def test_the_change_log_api_filters_by_object_without_leaking(story, as_user, coordinator_cl):
    value = story["value_pe"]
    body = as_user(coordinator_cl).get(f"/api/v1/changes/?model=stats.value&object_id={value.pk}").json()
    assert body["count"] == 0
    change = ChangeLog.objects.filter(object_id=value.pk,
                                      content_type=ContentType.objects.get_for_model(Value)).get()
    assert as_user(coordinator_cl).get(f"/api/v1/changes/{change.pk}/").status_code == 404


def test_an_entry_follows_its_objects_current_state(story, as_user, coordinator_cl, secretary):
    """Published now: its whole history is readable by every member, the drafts before it included."""
    alliances.moderate(story["waiting"], secretary, publish=True)
    body = json.loads(shown(as_user(coordinator_cl), "/en/platform/changes/?export=json"))
    assert sum(1 for row in body if row["object_repr"] == UNMODERATED) == 2


def test_reading_the_change_log_takes_a_fixed_number_of_queries(story, coordinator_cl, coordinator_pe):
    from sirbi.core.changelog import readable_changes

    def count():
        with CaptureQueriesContext(connection) as queries:
            list(readable_changes(ChangeLog.objects.all(), coordinator_cl))
        return len(queries)

    few = count()
    visits = Indicator.objects.get(code="visits")
    for year in range(2032, 2042):
        save_object(Value(indicator=visits, country=story["value_pe"].country, year=year, value=1, source="network"),
                    user=coordinator_pe)
    assert count() == few == 1


def test_public_histories_never_name_editors(story, client, as_user, reader, coordinator_cl, lima_library):
    for visitor in (client, as_user(reader)):
        page = shown(visitor, lima_library.get_absolute_url())
        assert "01 555 0101" in page and "coord_pe" not in page
    assert "coord_pe" in shown(as_user(coordinator_cl), lima_library.get_absolute_url())


def test_draft_answers_are_read_by_their_country_and_the_secretariat(story, as_user, coordinator_pe,
                                                                     coordinator_cl, secretary, network_manager_pe):
    url = "/en/cooperation/needs/needs-2031/countries/PE/"
    for author in (coordinator_pe, secretary):
        assert "Plan secreto de lectura" in shown(as_user(author), url)
    for other in (coordinator_cl, network_manager_pe):
        page = shown(as_user(other), url)
        assert "Plan secreto de lectura" not in page
        assert "read by its coordinators and the secretariat until they are submitted" in page
    needs.save_answers(story["questionnaire"], story["response"].country, coordinator_pe, {}, submit=True)
    assert "Plan secreto de lectura" in shown(as_user(coordinator_cl), url)


ADMIN_LISTS = ["/en/admin/core/changelog/", "/en/admin/stats/value/", "/en/admin/cooperation/goodpractice/",
               "/en/admin/cooperation/response/"]


def test_the_admin_lists_drafts_of_the_users_scope_only(story, as_user, coordinator_pe, coordinator_cl, secretary):
    def lists(user):
        client = as_user(staff(user))
        return "".join(shown(client, url) for url in ADMIN_LISTS)

    everything = lists(secretary)
    for text in (UNMODERATED, PUBLISHED, "4242", "5353", "Necesidades 2031"):
        assert text in everything
    chile = lists(coordinator_cl)
    assert PUBLISHED in chile and "5353" in chile
    assert UNMODERATED not in chile and "4242" not in chile and "Necesidades 2031" not in chile
    peru = lists(coordinator_pe)
    assert UNMODERATED in peru and "4242" in peru and "Necesidades 2031" in peru and "5353" not in peru


def test_the_admin_change_pages_of_others_drafts_are_closed(story, as_user, coordinator_cl, coordinator_pe):
    pages = [f"/en/admin/stats/value/{story['value_pe'].pk}/change/",
             f"/en/admin/cooperation/goodpractice/{story['waiting'].pk}/change/",
             f"/en/admin/cooperation/response/{story['response'].pk}/change/"]
    entry = ChangeLog.objects.filter(object_repr=UNMODERATED).first()
    pages.append(f"/en/admin/core/changelog/{entry.pk}/change/")
    chile = as_user(staff(coordinator_cl))
    for url in pages:
        response = chile.get(url, follow=True)
        page = response.content.decode()
        assert UNMODERATED not in page and "4242" not in page and "Necesidades 2031 ·" not in page, url
    peru = as_user(staff(coordinator_pe))
    assert UNMODERATED in shown(peru, pages[1])
    assert "4242" in shown(peru, pages[0])


def test_questionnaires_not_sent_are_the_secretariats_in_the_admin(story, as_user, coordinator_pe, secretary):
    Questionnaire.objects.filter(pk=story["questionnaire"].pk).update(status="draft")
    client = as_user(staff(coordinator_pe))
    assert "needs-2031" not in shown(client, "/en/admin/cooperation/questionnaire/")
    assert "Plans?" not in shown(client, "/en/admin/cooperation/question/")
    assert "needs-2031" in shown(as_user(staff(secretary)), "/en/admin/cooperation/questionnaire/")


def test_the_read_question_is_asked_of_core(story, coordinator_cl, coordinator_pe, reader):
    from sirbi.core import permissions

    assert not permissions.can(coordinator_cl, "view", story["value_pe"])
    assert permissions.can(coordinator_pe, "view", story["value_pe"])
    assert permissions.can(reader, "view", story["public"])
    assert not permissions.can(reader, "view", story["waiting"])
    assert set(permissions.restrict(Response.objects.all(), coordinator_cl, "view")) == set()
    assert set(permissions.restrict(Value.objects.filter(year=2031), coordinator_cl, "view")) == {story["value_cl"]}


def test_public_action_pages_never_name_who_reported(client, as_user, reader, coordinator_pe, coordinator_cl, peru):
    from sirbi.cooperation.models import Action, Line, Objective
    from sirbi.cooperation.roadmap import services as roadmap

    goal = Objective.objects.create(line=Line.objects.create(code="r", name="Lectura", order=1), code="o",
                                    name="Planes")
    action = Action.objects.create(objective=goal, code="pe-plan", title="Plan", start=date(2024, 1, 1),
                                   end=date(2030, 12, 31), lead_country=peru)
    roadmap.report_progress(action, coordinator_pe, progress=20, text="Talleres", day=date(2025, 3, 1))
    for visitor in (client, as_user(reader)):
        page = shown(visitor, action.get_absolute_url())
        assert "Talleres" in page and "coord_pe" not in page
    assert "coord_pe" in shown(as_user(coordinator_cl), action.get_absolute_url())
