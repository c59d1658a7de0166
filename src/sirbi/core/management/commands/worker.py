from django.core.management.base import BaseCommand

from sirbi.core import jobs


class Command(BaseCommand):
    help = "Run background jobs (imports, harvests) from the database queue."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the queued jobs, then stop")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args, once, poll, **options):
        self.stdout.write("worker: waiting for jobs" if not once else "worker: running queued jobs")
        jobs.work(once=once, poll=poll)
