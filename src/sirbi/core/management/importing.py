"""What the import commands share: who they act as (whose permissions apply and whose name the change log
keeps), the file they read, and their progress bar."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm


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


def input_file(name):
    """The file named on the command line, or a CommandError naming it."""
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    return path


def progress_bar(command, verbosity, unit="row"):
    """A progress bar on the command's error stream, and the `progress(done, total, stage)` callback the
    importers report to (total and stage may be left out)."""
    bar = tqdm(total=0, unit=unit, disable=verbosity == 0, file=command.stderr._out)

    def progress(done, total=None, stage=None):
        if total is not None and bar.total != total:
            bar.reset(total=total)
        if stage:
            bar.set_description(str(stage))
        bar.n = done
        bar.refresh()

    return bar, progress
