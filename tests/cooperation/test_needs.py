from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from sirbi.cooperation.models import Answer, Choice, NeedArea, Question, Questionnaire, Response, Section
from sirbi.cooperation.needs import services as needs
from sirbi.registry.models import Country
from sirbi.stats.models import Indicator

TODAY = date.today()


@pytest.fixture
def areas(db):
    reading = NeedArea.objects.create(code="reading", name_es="Lectura", name_pt="Leitura", name_en="Reading")
    digital = NeedArea.objects.create(code="digital", name_es="Digital", name_pt="Digital", name_en="Digital",
                                      order=1)
    return reading, digital


@pytest.fixture
def questionnaire(areas, peru, chile, argentina):
    reading, digital = areas
    q = Questionnaire.objects.create(code="diag", title_es="Diagnóstico", title_pt="Diagnóstico",
                                     title_en="Assessment", opens=TODAY - timedelta(days=1),
                                     closes=TODAY + timedelta(days=10), status="sent")
    q.countries.set([peru, chile, argentina])
    section = Section.objects.create(questionnaire=q, title_es="S", title_pt="S", title_en="S")
    Question.objects.create(section=section, order=1, code="reading", kind="scale", need_area=reading,
                            text_es="¿Lectura?", text_pt="Leitura?", text_en="Reading?")
    support = Question.objects.create(section=section, order=2, code="support", kind="multiple", required=False,
                                      text_es="¿Apoyo?", text_pt="Apoio?", text_en="Support?")
    Choice.objects.create(question=support, code="reading", label_es="Lectura", label_pt="Leitura",
                          label_en="Reading", need_area=reading)
    Choice.objects.create(question=support, code="digital", label_es="Digital", label_pt="Digital",
                          label_en="Digital", need_area=digital, order=1)
    Question.objects.create(section=section, order=3, code="offline", kind="number", required=False,
                            text_es="¿Cuántas?", text_pt="Quantas?", text_en="How many?")
    return q


def test_coordinator_saves_a_draft_then_submits(questionnaire, coordinator_pe, peru):
    needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "4"})
    response = Response.objects.get(country=peru)
    assert response.status == "draft" and Answer.objects.get(question__code="reading").value == 4
    with pytest.raises(ValidationError) as error:
        needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": ""}, submit=True)
    assert "reading" in error.value.message_dict
    with translation.override("es"):
        needs.save_answers(questionnaire, peru, coordinator_pe, {"support": ["digital"], "offline": "1.234"},
                           submit=True)
    response.refresh_from_db()
    assert response.status == "submitted" and Answer.objects.get(question__code="offline").value == 1234
    with pytest.raises(ValidationError, match="submitted"):
        needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "1"})


def test_bad_answers_are_named_and_nothing_is_saved(questionnaire, coordinator_pe, peru):
    needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "2"})
    with pytest.raises(ValidationError) as error:
        needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "9", "support": ["nope"],
                                                                 "offline": "muchas"})
    assert set(error.value.message_dict) == {"reading", "support", "offline"}
    assert Answer.objects.get(question__code="reading").value == 2


def test_other_countries_and_closed_questionnaires_are_refused(questionnaire, coordinator_pe, chile, peru,
                                                                 secretary):
    with pytest.raises(PermissionDenied):
        needs.save_answers(questionnaire, chile, coordinator_pe, {"reading": "3"})
    with pytest.raises(ValidationError, match="closed"):
        needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "3"},
                           today=TODAY + timedelta(days=11))
    brazil = Country.objects.get(code="BR")
    with pytest.raises(ValidationError, match="not asked"):
        needs.save_answers(questionnaire, brazil, secretary, {"reading": "3"})
    assert not Response.objects.exists()


def test_secretariat_returns_submitted_answers(questionnaire, coordinator_pe, secretary, peru):
    needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "3"}, submit=True)
    response = Response.objects.get()
    with pytest.raises(PermissionDenied):
        needs.return_response(response, coordinator_pe)
    needs.return_response(response, secretary, "Falta el número")
    needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "5"})
    assert Answer.objects.get(question__code="reading").value == 5


def test_matrix_scores_submitted_answers_and_marks_indicator_needs(questionnaire, areas, coordinator_pe,
                                                                   coordinator_cl, peru, chile):
    reading, digital = areas
    reading.indicators.set([Indicator.objects.get(code="libraries_per_100k")])
    needs.save_answers(questionnaire, peru, coordinator_pe, {"reading": "5", "support": ["reading"]}, submit=True)
    needs.save_answers(questionnaire, chile, coordinator_cl, {"reading": "1"})  # a draft does not count
    found, rows = needs.matrix(questionnaire)
    assert found == [reading, digital]
    by_country = {country.code: (status, cells) for country, status, cells in rows}
    status, (reading_cell, digital_cell) = by_country["PE"]
    assert status == "submitted" and reading_cell.score == 1.0 and digital_cell.score == 0.0
    assert by_country["CL"][1][0].score is None and by_country["AR"][0] is None
    # The statistics' needs (real LMW figures) are listed in the cells of the area, whoever answered.
    detected = {code for code, (_s, cells) in by_country.items() if cells[0].from_indicators}
    assert detected and all(n.indicator.code == "libraries_per_100k"
                            for _s, cells in by_country.values() for n in cells[0].from_indicators)


def test_pages_form_matrix_and_export(questionnaire, coordinator_pe, coordinator_cl, peru, as_user):
    with translation.override("en"):
        answer_url = reverse("cooperation:answer", args=["diag", "PE"])
        matrix_url = reverse("cooperation:matrix", args=["diag"])
    page = as_user(coordinator_pe).get(answer_url).content.decode()
    assert 'name="q-reading"' in page and "Save as draft" in page
    refused = as_user(coordinator_pe).post(answer_url, {"q-reading": "7", "save": "1"}, follow=True)
    assert "Nothing was saved" in refused.content.decode() and "Choose a value from 1 to 5" in refused.content.decode()
    assert not Response.objects.exists()
    as_user(coordinator_pe).post(answer_url, {"q-reading": "4", "q-support": ["reading", "digital"],
                                              "submit": "1"})
    assert Response.objects.get().status == "submitted"
    assert as_user(coordinator_cl).post(answer_url, {"q-reading": "1", "save": "1"}).status_code == 403
    read = as_user(coordinator_cl).get(answer_url).content.decode()
    assert "Reading, Digital" in read and 'name="q-reading"' not in read
    body = as_user(None).get(matrix_url).content.decode()
    assert "heat-4" in body  # reading: mean of 4 on 1–5 (0.75) and chosen for support (1) → 0.875
    csv = b"".join(as_user(None).get(matrix_url + "?format=csv").streaming_content).decode()
    assert csv.lstrip("\ufeff").splitlines()[0].startswith("country,ISO code,answers,Reading")
    assert "Peru,PE,Submitted,0.875,,1.0," in csv
    xlsx = as_user(None).get(matrix_url + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert as_user(None).get(answer_url).status_code == 302  # answers are for members


def test_draft_questionnaires_are_hidden_from_countries(questionnaire, coordinator_pe, as_user):
    questionnaire.status = "draft"
    questionnaire.save()
    with translation.override("en"):
        assert as_user(coordinator_pe).get(reverse("cooperation:questionnaire", args=["diag"])).status_code == 404
