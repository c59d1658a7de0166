from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.cooperation.models import Action, Agreement, Meeting
from sirbi.cooperation.roadmap import services as roadmap


def test_demo_loads_the_known_meetings_marks_samples_and_is_safe_to_rerun(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = load_cooperation_demo()
    second = load_cooperation_demo()
    assert first["meetings"] == 3 and second["meetings"] == 0 and second["actions"] == 0
    lima = Meeting.objects.get(city="Lima")
    assert (lima.start_date.isoformat(), lima.end_date.isoformat()) == ("2022-11-09", "2022-11-11")
    assert lima.is_sample and "ifla.org" in lima.source_url
    # The real meetings' titles in the three languages (Lima read in Spanish on /es/, Portuguese on /pt/).
    assert (lima.title, lima.title_pt, lima.title_en) == (
        "I Encuentro Regional del SIRBI", "I Encontro Regional do SIRBI", "1st Regional Meeting of SIRBI")
    assert all(m.title and m.title_pt and m.title_en and m.description_pt for m in Meeting.objects.filter(
        source_url__startswith="https://"))
    panel = lima.sessions.get(kind="panel")
    assert "Alianzas" in panel.title and not panel.is_sample and panel.date.day == 9
    opening = Meeting.objects.get(kind="network")
    assert opening.countries.count() == 15
    assert Agreement.objects.filter(meeting=lima).count() == 4
    assert all(a.is_sample for a in Agreement.objects.all())
    assert all(a.is_sample for a in Action.objects.all())
    root = roadmap.tree()
    assert 0 < root.progress < 100 and root.n_actions == Action.objects.exclude(status="cancelled").count()
    assert lima.documents.get().versions.get().file.read().startswith(b"%PDF")
