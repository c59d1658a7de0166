"""`sirbi ill_statistics`: write the interlibrary loan figures of a year as statistics values (source "ILL
transactions"). Idempotent: run it from cron (nightly, or at least once after the year ends); a second run changes
nothing unless requests moved in between."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sirbi.loans import statistics


class Command(BaseCommand):
    help = "Write the interlibrary loan figures of a year (default: this year and the last) as statistics values."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="A year to count (repeatable).")
        parser.add_argument("--all", action="store_true", help="Every year in which requests were sent.")

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        if options["all"]:
            years = statistics.years()
        else:
            years = options["year"] or [this_year - 1, this_year]
        for year in years:
            if not 1900 <= year <= this_year:
                raise CommandError(f"--year {year}: give a year between 1900 and {this_year}.")
        for year in sorted(years):
            done = statistics.record_values(year)
            self.stdout.write(f"{year}: {done['created']} value(s) created, {done['updated']} updated, "
                              f"{done['deleted']} removed.")
