"""Who a command acts as: the person whose permissions apply and whose name the change log keeps."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def add_user_argument(parser, required=False):
    parser.add_argument("--user", required=required,
                        help="whose permissions apply and who appears in the change log"
                             + ("" if required else " (default: the first active superuser)"))


def acting_user(username):
    """The user named `username`, or (no name given) the first active superuser; CommandError otherwise."""
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not user.is_active:
            raise CommandError(f"the user {username!r} is not active")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("no superuser: give --user NAME")
    return user
