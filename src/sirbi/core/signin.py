"""How django-axes forgets failed sign-ins (settings.AXES_HANDLER).

Apart from core.throttle because REST framework imports that while it loads, before axes' models can be.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler, but a successful sign-in forgets only the failures of that account from
    that address. (Axes' own reset forgets every failure of the account and every failure from the address:
    someone could then clear their guesses at another person's password by signing in to their own account.)"""

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        deleted, _by_model = AccessAttempt.objects.filter(username=username,
                                                          ip_address=request.axes_ip_address).delete()
        return deleted
