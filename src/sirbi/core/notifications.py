"""Notices to people: stored for their notifications page and e-mailed as they chose (each one at once, a
weekly digest, or not at all). Parts of the platform call `notify`; `send_digests` runs weekly."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification, NotificationSetting, User


def _absolute(url):
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def notify(recipients, subject, body="", url=""):
    """Notify users (stored, and e-mailed per their choice) and plain addresses (e-mailed). Returns the number of
    e-mails sent now."""
    users, addresses = {}, set()
    for recipient in recipients:
        if isinstance(recipient, User):
            users[recipient.pk] = recipient
        elif recipient:
            addresses.add(str(recipient))
    sent = 0
    now = timezone.now()
    text = "\n\n".join(part for part in (body, _absolute(url)) if part)
    chosen = dict(NotificationSetting.objects.filter(user__in=users).values_list("user_id", "frequency"))
    for user in users.values():
        frequency = chosen.get(user.pk, NotificationSetting.Frequency.IMMEDIATE)
        immediate = frequency == NotificationSetting.Frequency.IMMEDIATE and user.email
        Notification.objects.create(user=user, subject=str(subject)[:300], body=body, url=url,
                                    emailed=now if immediate or frequency == NotificationSetting.Frequency.OFF
                                    else None)
        if immediate:
            send_mail(str(subject), text, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        addresses.discard(user.email)
    for address in sorted(addresses):
        send_mail(str(subject), text, settings.DEFAULT_FROM_EMAIL, [address])
        sent += 1
    return sent


def send_digests():
    """One e-mail per person who chose the weekly digest, with everything not yet e-mailed; returns how many."""
    pending = defaultdict(list)
    weekly = NotificationSetting.objects.filter(frequency=NotificationSetting.Frequency.WEEKLY).values("user")
    for notice in (Notification.objects.filter(emailed=None, user__in=weekly).select_related("user")
                   .order_by("created")):
        pending[notice.user].append(notice)
    sent = 0
    for user, notices in pending.items():
        if not user.email:
            continue
        lines = [f"- {n.subject}" + (f"\n  {_absolute(n.url)}" if n.url else "") for n in notices]
        body = _("What concerned you on SIRBI this week:") + "\n\n" + "\n".join(lines)
        with transaction.atomic():
            send_mail(_("SIRBI: your weekly digest (%(n)s notices)") % {"n": len(notices)}, body,
                      settings.DEFAULT_FROM_EMAIL, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in notices]).update(emailed=timezone.now())
        sent += 1
    return sent
