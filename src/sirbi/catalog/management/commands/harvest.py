"""`sirbi harvest CODE [--from DATE] [--full]`: harvest a source's OAI-PMH endpoint (incremental by default,
resuming a harvest that was cut off), with a progress bar. `sirbi harvest --due` harvests every source whose
schedule asks for it (run it every night from cron); a source that fails does not stop the others, and the
command ends with an error when any failed."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from sirbi.catalog.harvest import HarvestError, harvest
from sirbi.catalog.models import Source


class Command(BaseCommand):
    help = "Harvest a catalog source's OAI-PMH endpoint, or (--due) every source its schedule says is due."

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?")
        parser.add_argument("--due", action="store_true", help="harvest every source whose schedule is due")
        parser.add_argument("--from", dest="from_date", help="harvest records changed since this day (YYYY-MM-DD)")
        parser.add_argument("--full", action="store_true", help="harvest everything again, from the beginning")

    def handle(self, *args, code=None, due=False, from_date=None, full=False, **options):
        if due == bool(code):
            raise CommandError("name one source (CODE) or --due")
        try:
            since = date.fromisoformat(from_date) if from_date else None
        except ValueError:
            raise CommandError(f"--from {from_date}: write the day as YYYY-MM-DD") from None
        if code:
            source = Source.objects.filter(code=code, kind=Source.Kind.OAI).first()
            if source is None:
                raise CommandError(f"no OAI-PMH source {code}")
            try:
                self._harvest(source, since, full, options)
            except HarvestError as error:
                raise CommandError(f"{code}: {error} (what was harvested before stays; run it again to go on)") \
                    from error
            return
        now = timezone.now()
        failed = []
        for source in Source.objects.filter(kind=Source.Kind.OAI).exclude(schedule="").order_by("code"):
            if not source.harvest_due(now):
                continue
            try:
                self._harvest(source, since, full, options)
            except Exception as error:  # noqa: BLE001 — one broken endpoint (or answer) must not stop the others
                reason = error if isinstance(error, HarvestError) else f"{type(error).__name__}: {error}"
                self.stderr.write(f"{source.code}: {reason} (it will be tried again on the next run)")
                failed.append(source.code)
        if failed:
            raise CommandError(f"{len(failed)} source(s) could not be harvested: {', '.join(failed)}")

    def _harvest(self, source, since, full, options):
        bar = tqdm(unit="record", desc=source.code, disable=options["verbosity"] == 0, file=self.stderr._out)
        try:
            report = harvest(source, from_date=since, full=full, progress=lambda done: bar.update(done - bar.n))
        finally:
            bar.close()
        for identifier, reason in report.rejected:
            self.stderr.write(f"{source.code} {identifier}: {reason}")
        self.stdout.write(f"{source.code}: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
                          f"{report.unchanged} unchanged, {len(report.rejected)} rejected, {report.pages} pages")
