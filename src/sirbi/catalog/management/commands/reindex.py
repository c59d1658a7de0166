"""`sirbi reindex`: rebuild the catalog's search index from the database (with a progress bar). Not needed after
a crash (imports, harvests and the worker index what an interrupted run left); for a new or lost index
directory."""

from django.core.management.base import BaseCommand, CommandError
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

        try:
            count = reindex(progress=progress)
        except RuntimeError as error:  # another process is writing the index
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        self.stdout.write(f"{count} clusters indexed.")
