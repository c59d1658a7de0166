"""E-mail to the people a change concerns (console back-end in the demo), in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q

from sirbi.core.models import Role, User


def coordinators_of(country_codes):
    """Active users who coordinate one of these countries."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.COORDINATOR,
                               role_assignments__country__in=country_codes).exclude(email="").distinct()


def secretariat():
    return User.objects.filter(Q(is_superuser=True) | Q(role_assignments__role=Role.SECRETARIAT),
                               is_active=True).exclude(email="").distinct()


def send(recipients, subject, body):
    """One message per address (recipients never see each other); returns how many were sent."""
    addresses = sorted({getattr(r, "email", r) for r in recipients if getattr(r, "email", r)})
    for address in addresses:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return len(addresses)
