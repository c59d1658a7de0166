"""`sirbi ill_tick`: run from cron (every hour is plenty): lenders that did not answer within their response time
are passed over, loans past their due date become overdue, borrowers are reminded of due dates near, delivered
copies past their keeping time are deleted, and the ISO 18626 messages due to partner systems are sent (the
background worker sends them too, at each sweep)."""

from django.core.management.base import BaseCommand

from sirbi.loans import copies, outbox
from sirbi.loans.services import tick


class Command(BaseCommand):
    help = "Move interlibrary loan requests whose lender did not answer in time, and mark overdue loans."

    def handle(self, *args, **options):
        done = tick()
        sent = outbox.send_due()
        expired = copies.expire()
        self.stdout.write(f"{done['moved']} request(s) moved to their next lender; {done['overdue']} loan(s) overdue; "
                          f"{done['due_soon']} reminder(s) of a due date; {sent['sent']} ISO 18626 message(s) sent, "
                          f"{sent['retried']} to retry, {sent['failed']} failed; "
                          f"{expired} delivered cop(ies) deleted after their keeping time.")
