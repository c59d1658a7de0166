"""`sirbi load_demo`: countries, networks, sample libraries, statistics, meetings and the roadmap, and demo accounts
(safe to run again). It lives in the portal because it loads every part."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sirbi.catalog.demo import load_catalog_demo
from sirbi.cooperation.demo import load_cooperation_demo
from sirbi.loans.demo import load_loans_demo
from sirbi.registry.demo import DEMO_PASSWORD, load_demo
from sirbi.stats.demo import load_stats_demo


class Command(BaseCommand):
    help = "Load the demo data and accounts; what already exists is kept."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo's accounts (a superuser among them) share a password printed in the README.
            raise CommandError(
                f"load_demo creates accounts whose password is the published '{DEMO_PASSWORD}', a superuser among "
                "them, so it runs only in a development copy (DEBUG=true), never on a production database.")
        result = load_demo()
        self.stdout.write(
            f"Countries: {result['countries']} (new subdivisions: {result['subdivisions']}); "
            f"new networks: {result['networks']}; new sample libraries: {result['libraries']}."
        )
        stats = load_stats_demo()
        self.stdout.write(
            f"Statistics: new indicators: {stats['indicators']}; new populations: {stats['population']}; "
            f"LMW figures: {stats['lmw'].created} new, {stats['lmw'].updated} updated, "
            f"{len(stats['lmw'].skipped)} skipped; new sample library figures: {stats['samples']}."
        )
        campaign = stats["campaign"]
        self.stdout.write(f"Open reporting campaign: {campaign.title} (deadline {campaign.deadline}).")
        for line, reason in stats["lmw"].skipped:
            self.stdout.write(f"  lmw_figures.csv, line {line} skipped: {reason}")
        cooperation = load_cooperation_demo()
        self.stdout.write(
            f"Cooperation: new meetings: {cooperation['meetings']}; new roadmap actions: {cooperation['actions']}; "
            f"open registration: {cooperation['upcoming'].title} ({cooperation['upcoming'].start_date})."
        )
        catalog = load_catalog_demo()
        self.stdout.write(f"Catalog: {catalog['sources']} demo sources; new records: {catalog['records']}.")
        if connection.vendor == "postgresql":
            # Thousands of rows just arrived: PostgreSQL plans the next statements on fresh statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        loans = load_loans_demo()
        result["accounts"] += loans["accounts"]
        self.stdout.write(f"Interlibrary loan: new sample policies: {loans['policies']}; sample requests: "
                          f"{loans['requests']}.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, scope in result["accounts"]:
            self.stdout.write(f"  {username:<12} {role}{' — ' + scope if scope else ''}")
