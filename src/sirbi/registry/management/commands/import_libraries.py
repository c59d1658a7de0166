"""`sirbi import-libraries FILE [--network CODE] [--service-points] [--dry-run] [--skip-invalid] [--user NAME]`."""


from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sirbi.core.management.importing import acting_user, add_user_argument, input_file, progress_bar
from sirbi.registry.imports import import_libraries, import_service_points


class Command(BaseCommand):
    help = "Import libraries from a CSV or XLSX file: all rows or none (see docs/import-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--network", help="code of a network every library joins")
        parser.add_argument("--service-points", action="store_true",
                            help="the file holds service points of registered libraries (docs/import-format.md)")
        parser.add_argument("--dry-run", action="store_true", help="check and report; change nothing")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows and list the skipped ones (default: one bad row stops all)")
        add_user_argument(parser)
        parser.add_argument("--message", default="", help="note for the change log")

    def handle(self, *args, **options):
        path = input_file(options["file"])
        user = acting_user(options["user"])
        bar, progress = progress_bar(self, options["verbosity"])

        if options["service_points"]:
            if options["network"]:
                raise CommandError("--network is for files of libraries, not of service points")
            report = import_service_points(path.read_bytes(), path.name, user=user, dry_run=options["dry_run"],
                                           skip_invalid=options["skip_invalid"], progress=progress,
                                           message=options["message"])
        else:
            report = import_libraries(path.read_bytes(), path.name, user=user, network=options["network"],
                                      dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                                      progress=progress, message=options["message"])
        bar.close()
        for line in report.messages():
            self.stderr.write(line)
        summary = report.summary()
        self.stdout.write(
            "{verb}: {create} new, {update} updated, {unchanged} unchanged, {bad} {what}".format(
                verb="dry run" if report.dry_run else ("imported" if report.applied else "nothing imported"),
                bad=summary["error"] + summary["skipped"],
                what="skipped" if options["skip_invalid"] else "with errors",
                **summary,
            )
        )
        if report.batch_id:
            self.stdout.write(f"import #{report.batch_id}: {settings.SITE_URL.rstrip('/')}{report.batch_url}")
        if not report.ok and not (options["skip_invalid"] and not report.problem):
            raise CommandError(f"{path.name}: nothing was imported" if not report.dry_run else "the file has errors")

