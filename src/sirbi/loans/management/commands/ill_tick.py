"""`sirbi ill_tick`: run from cron (every hour is plenty): lenders that did not answer within their response time
are passed over, and loans past their due date become overdue."""

from django.core.management.base import BaseCommand

from sirbi.loans.services import tick


class Command(BaseCommand):
    help = "Move interlibrary loan requests whose lender did not answer in time, and mark overdue loans."

    def handle(self, *args, **options):
        done = tick()
        self.stdout.write(f"{done['moved']} request(s) moved to their next lender; {done['overdue']} loan(s) overdue.")
