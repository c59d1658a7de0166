"""`sirbi send_digest`: the weekly e-mail of those who chose a digest (run it once a week from cron)."""

from django.core.management.base import BaseCommand

from sirbi.core.notifications import send_digests


class Command(BaseCommand):
    help = "E-mail the weekly digest of notifications to those who chose it."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_digests()} digests sent.")
