"""`sirbi import_actions FILE --user NAME [--dry-run]`: roadmap actions from CSV or XLSX, all rows or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sirbi.cooperation.roadmap.spreadsheets import import_actions
from sirbi.core.tables import FileProblem


class Command(BaseCommand):
    help = "Import roadmap actions from a CSV or XLSX file (columns as in the template): all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="whose permissions apply and who appears in the change log")
        parser.add_argument("--dry-run", action="store_true", help="check and report; change nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['user']}") from None
        bar = tqdm(total=0, unit="row", disable=options["verbosity"] == 0, file=self.stderr._out)

        def progress(done, total, stage):
            if bar.total != total:
                bar.reset(total=total)
            bar.set_description(str(stage))
            bar.n = done
            bar.refresh()

        try:
            report = import_actions(path.read_bytes(), path.name, user=user, dry_run=options["dry_run"],
                                    progress=progress)
        except FileProblem as problem:
            raise CommandError(str(problem)) from problem
        finally:
            bar.close()
        for line in report.messages():
            self.stderr.write(line)
        verb = "dry run" if report.dry_run else ("imported" if report.applied else "nothing imported")
        self.stdout.write(f"{verb}: {len(report.created)} new, {len(report.updated)} updated, "
                          f"{len(report.unchanged)} unchanged, {len(report.errors)} errors")
        if not report.ok:
            raise CommandError(f"{path.name}: the file has errors; nothing was imported")
