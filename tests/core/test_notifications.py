from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from sirbi.core.models import Notification, NotificationSetting
from sirbi.core.notifications import notify


def test_immediate_weekly_and_off(coordinator_pe, coordinator_cl, reader):
    NotificationSetting.objects.create(user=coordinator_cl, frequency="weekly")
    NotificationSetting.objects.create(user=reader, frequency="off")
    sent = notify([coordinator_pe, coordinator_cl, reader, "guest@example.org"], "Plazo", "Texto", "/es/x/")
    assert sent == 2 and sorted(m.to[0] for m in mail.outbox) == ["coord_pe@example.org", "guest@example.org"]
    assert "http://" in mail.outbox[0].body and "/es/x/" in mail.outbox[0].body
    assert Notification.objects.count() == 3
    assert Notification.objects.get(user=coordinator_cl).emailed is None
    notify([coordinator_cl], "Segundo")
    mail.outbox.clear()
    call_command("send_digest", verbosity=0)
    assert [m.to[0] for m in mail.outbox] == ["coord_cl@example.org"]
    assert "Plazo" in mail.outbox[0].body and "Segundo" in mail.outbox[0].body
    mail.outbox.clear()
    call_command("send_digest", verbosity=0)
    assert not mail.outbox


def test_notifications_page_lists_and_sets_the_choice(coordinator_pe, as_user):
    notify([coordinator_pe], "Acción asignada", url="/es/cooperation/actions/x/")
    with translation.override("en"):
        page_url = reverse("core:notifications")
    client = as_user(coordinator_pe)
    assert "Acción asignada" in client.get(page_url).content.decode()
    client.post(page_url, {"frequency": "weekly"})
    assert NotificationSetting.objects.get(user=coordinator_pe).frequency == "weekly"
    client.post(page_url, {"frequency": "nonsense"})
    assert NotificationSetting.objects.get(user=coordinator_pe).frequency == "weekly"
    assert as_user(None).get(page_url).status_code == 302
