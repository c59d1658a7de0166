"""Indexing beside a large import: a process of its own that indexes the clusters the import's batches have
marked (indexing.index_stale: a Tantivy commit once `marks` batches are waiting) while the importing process goes on
storing, so that the index's work runs on the other core instead of after the last batch. Nothing here imports
models at module level: the process is spawned and sets Django up first. The importing process stops it at the
end and indexes what is left; a crash of either leaves marks that the next run indexes (indexing.py)."""

import os


def index_alongside(stop, marks):
    """Run in a spawned process until `stop` (a multiprocessing Event) is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirbi.settings")
    import django

    django.setup()
    from sirbi.core.bulk import collection_paused

    from .indexing import index_stale
    from .models import StaleDocument

    while not stop.wait(0.5):
        if StaleDocument.objects.count() >= marks:  # a mark per stored batch
            with collection_paused():
                index_stale()
