"""`sirbi reindex`: rebuild the catalog's search index from the database (with a progress bar)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sirbi.catalog.indexing import reindex


class Command(BaseCommand):
    help = "Rebuild the union catalog's search index from the database."

    def handle(self, *args, **options):
        bar = tqdm(total=0, unit="cluster", disable=options["verbosity"] == 0, file=self.stderr._out)

        def progress(done, total):
            if bar.total != total:
                bar.reset(total=total)
            bar.n = done
            bar.refresh()

        count = reindex(progress=progress)
        bar.close()
        self.stdout.write(f"{count} clusters indexed.")
