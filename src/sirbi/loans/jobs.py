"""The background worker's part in interlibrary loan: at each sweep it sends the ISO 18626 messages that are due
(outbox.send_due: retries wait out their back-off)."""

from sirbi.core.jobs import when_idle

from . import outbox


@when_idle
def send_outbox():
    outbox.send_due()
