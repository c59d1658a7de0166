"""`sirbi worker`: runs the background jobs (imports, harvests, uploads) from the database queue, one at a time;
start as many as you want jobs at once. See core/jobs.py for how a job whose worker died is taken again."""

from django.core.management.base import BaseCommand

from sirbi.core import jobs


class Command(BaseCommand):
    help = ("Run background jobs (imports, harvests) from the database queue; jobs whose worker died (no heartbeat "
            "for JOB_STALE_SECONDS) are taken again.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the queued jobs, then stop")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args, once, poll, **options):
        self.stdout.write("worker: waiting for jobs" if not once else "worker: running queued jobs")
        jobs.work(once=once, poll=poll)
