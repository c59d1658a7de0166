"""A meeting with two places and a small roadmap: one line, one objective, actions led by Peru and Chile."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from sirbi.cooperation.models import Action, Line, Meeting, Objective


@pytest.fixture
def meeting(peru):
    return Meeting.objects.create(title="Encuentro regional", kind="regional", start_date=date(2030, 5, 6),
                                  end_date=date(2030, 5, 8), timezone="America/Lima", city="Lima", country=peru,
                                  capacity=2, registration_open=True)


@pytest.fixture
def line(db):
    return Line.objects.create(code="reading", name="Promoción de la lectura", order=1)


@pytest.fixture
def objective(line):
    return Objective.objects.create(line=line, code="reading-plans", name="Planes nacionales de lectura")


@pytest.fixture
def action_pe(objective, peru, chile):
    action = Action.objects.create(objective=objective, code="pe-plan", title="Plan de lectura del Perú",
                                   lead_country=peru, start=date(2024, 1, 1), end=date(2030, 12, 31), weight=3)
    action.countries.add(chile)
    return action


@pytest.fixture
def action_ar(objective, argentina):
    return Action.objects.create(objective=objective, code="ar-plan", title="Plan de lectura de Argentina",
                                 lead_country=argentina, start=date(2024, 1, 1), end=date(2030, 12, 31), weight=1)


def pdf_file(name="acta.pdf", size=None):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body += b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the pages' tests choose their language by URL."""
    with translation.override("en"):
        yield
