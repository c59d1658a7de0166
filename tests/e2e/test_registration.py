"""A guest registers for a meeting: no role is chosen for her in advance (a guest is not a delegate), the form
asks for one, and the registration's confirmation reaches her mailbox (the demo's console mail prints it)."""

import datetime

import pytest
from django.core import mail

from sirbi.cooperation.models import Meeting

from .conftest import sign_in
from .test_cooperation_journey import message, submit


@pytest.fixture
def meeting(registry):
    start = datetime.date.today() + datetime.timedelta(days=30)
    return Meeting.objects.create(title="III Encuentro del SIRBI", kind="regional", start_date=start,
                                  end_date=start + datetime.timedelta(days=2), city="Bogotá",
                                  timezone="America/Bogota", registration_open=True, capacity=40)


def test_a_guest_chooses_her_role_and_gets_the_confirmation(page, live_server, meeting, reader):
    base = live_server.url
    url = f"{base}/en/cooperation/meetings/{meeting.pk}/"
    page.goto(url)
    page.get_by_role("link", name="Log in to register.").click()
    sign_in(page, base, reader)
    # Nothing chosen for her: the list starts on "Choose your role", the delegation on "Guest".
    assert page.locator("#id_role").input_value() == ""
    assert page.locator("#id_country").input_value() == ""
    # The role is required: the browser holds the form until she chooses (the server refuses it too:
    # tests/cooperation/test_pages.py).
    assert page.locator("#id_role").evaluate("select => select.validity.valueMissing")
    page.select_option("#id_role", "guest")
    page.fill("#id_email", "lucia@example.org")
    submit(page, page.get_by_role("button", name="Register"))
    assert "secretariat will confirm" in message(page)
    participant = meeting.participants.get()
    assert participant.role == "guest" and participant.country is None
    # The confirmation, to the address she gave (her account has another).
    sent = [m for m in mail.outbox if "lucia@example.org" in m.to]
    assert len(sent) == 1 and "Registration received: III Encuentro del SIRBI" in sent[0].subject
    assert f"/cooperation/meetings/{meeting.pk}/" in sent[0].body
