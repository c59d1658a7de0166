"""Who the cooperation workspace tells about what; the telling itself (stored notices, e-mail at once or in a
weekly digest, as each person chose) is core.notifications."""

from django.db.models import Q

from sirbi.core.models import Role, User
from sirbi.core.notifications import notify


def coordinators_of(country_codes):
    """Active users who coordinate one of these countries."""
    return User.objects.filter(is_active=True, role_assignments__role=Role.COORDINATOR,
                               role_assignments__country__in=country_codes).distinct()


def secretariat():
    return User.objects.filter(Q(is_superuser=True) | Q(role_assignments__role=Role.SECRETARIAT),
                               is_active=True).distinct()


def send(recipients, subject, body="", url=""):
    """Notify users, or meeting participants (their account, or their address when they have none)."""
    people = []
    for recipient in recipients:
        user = recipient if isinstance(recipient, User) else getattr(recipient, "user", None)
        people.append(user if user is not None else getattr(recipient, "email", ""))
    return notify(people, subject, body, url)
