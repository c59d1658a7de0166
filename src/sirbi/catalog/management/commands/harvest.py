"""`sirbi harvest CODE [--from DATE] [--full]`: harvest a source's OAI-PMH endpoint (incremental by default,
resuming a harvest that was cut off), with a progress bar."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sirbi.catalog.harvest import HarvestError, harvest
from sirbi.catalog.models import Source


class Command(BaseCommand):
    help = "Harvest a catalog source's OAI-PMH endpoint."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--from", dest="from_date", help="harvest records changed since this day (YYYY-MM-DD)")
        parser.add_argument("--full", action="store_true", help="harvest everything again, from the beginning")

    def handle(self, *args, code, from_date=None, full=False, **options):
        source = Source.objects.filter(code=code, kind=Source.Kind.OAI).first()
        if source is None:
            raise CommandError(f"no OAI-PMH source {code}")
        try:
            since = date.fromisoformat(from_date) if from_date else None
        except ValueError:
            raise CommandError(f"--from {from_date}: write the day as YYYY-MM-DD") from None
        bar = tqdm(unit="record", disable=options["verbosity"] == 0, file=self.stderr._out)
        try:
            report = harvest(source, from_date=since, full=full, progress=lambda done: bar.update(done - bar.n))
        except HarvestError as error:
            raise CommandError(f"{code}: {error} (what was harvested before stays; run it again to go on)") from error
        finally:
            bar.close()
        for identifier, reason in report.rejected:
            self.stderr.write(f"{identifier}: {reason}")
        self.stdout.write(f"{code}: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
                          f"{report.unchanged} unchanged, {len(report.rejected)} rejected, {report.pages} pages")
