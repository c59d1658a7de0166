"""`sirbi import_actions FILE --user NAME [--dry-run]`: roadmap actions from CSV or XLSX, all rows or none."""


from django.core.management.base import BaseCommand, CommandError

from sirbi.cooperation.roadmap.spreadsheets import import_actions
from sirbi.core.management.importing import acting_user, add_user_argument, input_file, progress_bar
from sirbi.core.tables import FileProblem


class Command(BaseCommand):
    help = "Import roadmap actions from a CSV or XLSX file (columns as in the template): all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        add_user_argument(parser, required=True)
        parser.add_argument("--dry-run", action="store_true", help="check and report; change nothing")

    def handle(self, *args, **options):
        path = input_file(options["file"])
        user = acting_user(options["user"])
        bar, progress = progress_bar(self, options["verbosity"])

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
        if report.batch is not None:
            self.stdout.write(f"recorded as import #{report.batch.pk} (/platform/changes/imports/{report.batch.pk}/)")
        if not report.ok:
            raise CommandError(f"{path.name}: the file has errors; nothing was imported")
