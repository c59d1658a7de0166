from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sirbi.cooperation.models import Action, Line, Milestone, Objective
from sirbi.cooperation.roadmap import services as roadmap
from sirbi.core.models import ChangeLog

from .conftest import pdf_file


def test_weighted_mean_ignores_unknown_and_refuses_all_zero():
    assert roadmap.weighted([(Decimal(3), 50), (Decimal(1), 100)]) == 62.5
    assert roadmap.weighted([(Decimal(1), None), (Decimal(2), 40)]) == 40
    assert roadmap.weighted([(Decimal(0), 40)]) is None


def test_progress_rolls_up_weighted_and_skips_cancelled(line, objective, action_pe, action_ar, peru):
    action_pe.progress, action_ar.progress = 40, 100
    action_pe.save()
    action_ar.save()
    other = Line.objects.create(code="training", name="Formación", weight=1, order=2)
    sub = Objective.objects.create(line=other, code="courses", name="Cursos")
    Action.objects.create(objective=sub, code="courses-1", title="Cursos", lead_country=peru, start=date(2024, 1, 1),
                          end=date(2030, 1, 1), progress=0)
    Action.objects.create(objective=sub, code="dropped", title="Descartada", lead_country=peru,
                          start=date(2024, 1, 1), end=date(2030, 1, 1), progress=90, status="cancelled")
    root = roadmap.tree(today=date(2025, 1, 1))
    reading, training = root.objectives
    assert reading.progress == pytest.approx((3 * 40 + 1 * 100) / 4)
    assert training.progress == 0 and training.n_actions == 1
    assert root.progress == pytest.approx(((3 * 40 + 100) / 4 + 0) / 2)


def test_sub_objectives_roll_up_into_their_parent(line, objective, action_pe, peru):
    child = Objective.objects.create(line=line, parent=objective, code="child", name="Parte", weight=1)
    Action.objects.create(objective=child, code="child-a", title="a", lead_country=peru, start=date(2024, 1, 1),
                          end=date(2030, 1, 1), progress=100)
    root = roadmap.tree()
    node = root.objectives[0].objectives[0]
    assert node.objectives[0].progress == 100
    assert node.progress == pytest.approx((3 * 0 + 1 * 100) / 4)


def test_tree_costs_the_same_queries_whatever_its_size(objective, peru):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            roadmap.tree()
        return len(ctx.captured_queries)

    Action.objects.create(objective=objective, code="a0", title="a", lead_country=peru, start=date(2024, 1, 1),
                          end=date(2030, 1, 1))
    small = queries()
    for i in range(1, 30):
        action = Action.objects.create(objective=objective, code=f"a{i}", title="a", lead_country=peru,
                                       start=date(2024, 1, 1), end=date(2024, 6, 1))
        Milestone.objects.create(action=action, title="m", due=date(2024, 3, 1))
    assert queries() == small


def test_overdue_actions_and_milestones_are_flagged(objective, action_pe, peru):
    late = Action.objects.create(objective=objective, code="late", title="Tarde", lead_country=peru,
                                 start=date(2023, 1, 1), end=date(2024, 1, 1))
    Milestone.objects.create(action=action_pe, title="Borrador", due=date(2024, 6, 1))
    Milestone.objects.create(action=action_pe, title="Hecho", due=date(2024, 6, 1), done_on=date(2024, 5, 1))
    rows = {r.code: r for r in roadmap.action_rows(Action.objects.all(), today=date(2025, 1, 1))}
    assert rows["late"].overdue and not rows["pe-plan"].overdue
    assert rows["pe-plan"].overdue_milestones == 1
    actions, milestones = roadmap.overdue(today=date(2025, 1, 1))
    assert actions == [late] and [m.title for m in milestones] == ["Borrador"]
    late.status = "done"
    late.save()
    assert roadmap.overdue(today=date(2025, 1, 1))[0] == []


@pytest.mark.parametrize("field, value, message", [
    ("end", date(2023, 1, 1), "ends"),
    ("weight", Decimal(-1), "greater than or equal"),
])
def test_bad_action_values_are_refused(action_pe, field, value, message):
    setattr(action_pe, field, value)
    with pytest.raises(ValidationError, match=message):
        action_pe.full_clean()


def test_all_weights_zero_is_refused_but_one_zero_is_fine(objective, action_pe, action_ar):
    action_ar.weight = 0
    action_ar.full_clean()
    action_ar.save()
    action_pe.weight = 0
    with pytest.raises(ValidationError, match="would be zero"):
        action_pe.full_clean()


def test_a_cycle_of_objectives_is_refused(line, objective):
    child = Objective.objects.create(line=line, parent=objective, code="child", name="Hijo")
    objective.parent = child
    with pytest.raises(ValidationError, match="cycle"):
        objective.full_clean()


def test_owners_report_progress_with_evidence_and_the_action_follows(action_pe, coordinator_cl, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = roadmap.report_progress(action_pe, coordinator_cl, progress=35, text="Talleres en 3 regiones",
                                     day=date(2025, 3, 1), upload=pdf_file("informe.pdf"))
    action_pe.refresh_from_db()
    assert action_pe.progress == 35 and action_pe.status == "in_progress" and action_pe.version == 2
    assert report.evidence_type == "application/pdf" and report.evidence.read().startswith(b"%PDF")
    entry = ChangeLog.objects.filter(object_id=action_pe.pk, content_type__model="action").get()
    assert entry.before == {"progress": 0, "status": "planned"} and entry.user == coordinator_cl
    # An older report does not move the action back.
    roadmap.report_progress(action_pe, coordinator_cl, progress=10, text="antes", day=date(2025, 1, 1))
    action_pe.refresh_from_db()
    assert action_pe.progress == 35


def test_other_countries_cannot_report_and_nothing_changes(action_ar, coordinator_pe, network_manager_pe,
                                                           pe_public, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        roadmap.report_progress(action_ar, coordinator_pe, progress=50, text="x", upload=pdf_file())
    action_ar.networks.add(pe_public)
    roadmap.report_progress(action_ar, network_manager_pe, progress=50, text="red peruana")
    action_ar.refresh_from_db()
    assert action_ar.progress == 50


@pytest.mark.parametrize("progress, day, message", [
    (101, None, "less than or equal to 100"),
    (50, date(2099, 1, 1), "future"),
])
def test_bad_reports_are_refused_and_nothing_changes(action_pe, coordinator_pe, progress, day, message):
    with pytest.raises(ValidationError, match=message):
        roadmap.report_progress(action_pe, coordinator_pe, progress=progress, text="x", day=day)
    action_pe.refresh_from_db()
    assert action_pe.progress == 0 and not action_pe.reports.exists()


def test_timeline_places_bars_within_the_span(action_pe, action_ar):
    rows = roadmap.action_rows(Action.objects.all())
    first, last, marks = roadmap.timeline(rows)
    assert first == date(2024, 1, 1) and last == date(2030, 12, 31)
    assert all(0 <= r.offset <= 100 and 0 < r.width <= 100 for r in rows)
    assert marks[0] == (2024, 0.0)


def test_done_actions_count_in_full_and_take_no_more_reports(action_pe, coordinator_cl):
    action_pe.status = "done"
    action_pe.save()
    action_pe.refresh_from_db()
    assert action_pe.progress == 100
    with pytest.raises(ValidationError, match="reopens"):
        roadmap.report_progress(action_pe, coordinator_cl, progress=55, text="tarde")
    action_pe.refresh_from_db()
    assert action_pe.progress == 100 and not action_pe.reports.exists()
