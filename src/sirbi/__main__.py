"""The `sirbi` command: Django's management commands with SIRBI's settings preset."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirbi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `sirbi import-libraries` reads better than `sirbi import_libraries`; accept both spellings.
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
