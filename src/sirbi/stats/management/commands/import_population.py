"""`sirbi import_population FILE`: population figures from CSV (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sirbi.stats.loaders import POPULATION_COLUMNS, PopulationFileError, load_population_csv


class Command(BaseCommand):
    help = f"Load population figures from a CSV file with the columns {', '.join(POPULATION_COLUMNS)}."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            report = load_population_csv(file.read_bytes(), file.name)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8.") from exc
        except PopulationFileError as exc:
            raise CommandError(f"{exc} Nothing was stored.") from exc
        self.stdout.write(f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged.")
