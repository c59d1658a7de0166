from datetime import date

from django.core import mail
from django.core.management import call_command

from sirbi.cooperation.models import Action, Milestone


def test_reminders_go_to_the_lead_countrys_coordinators_once_per_person(objective, peru, coordinator_pe,
                                                                         coordinator_cl, capsys):
    late = Action.objects.create(objective=objective, code="late", title="Acción atrasada", lead_country=peru,
                                 start=date(2020, 1, 1), end=date(2021, 1, 1))
    Milestone.objects.create(action=late, title="Borrador", due=date(2020, 6, 1))
    Action.objects.create(objective=objective, code="done", title="Terminada", lead_country=peru,
                          start=date(2020, 1, 1), end=date(2021, 1, 1), status="done")
    call_command("send_reminders")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coord_pe@example.org"]
    assert "Acción atrasada" in message.body and "Borrador" in message.body and "Terminada" not in message.body
    assert "/cooperation/actions/late/" in message.body
    assert "1 overdue actions, 1 overdue milestones" in capsys.readouterr().out


def test_dry_run_sends_nothing(objective, peru, coordinator_pe, capsys):
    Action.objects.create(objective=objective, code="late", title="Atrasada", lead_country=peru,
                          start=date(2020, 1, 1), end=date(2021, 1, 1))
    call_command("send_reminders", "--dry-run")
    assert not mail.outbox and "coord_pe@example.org" in capsys.readouterr().out
