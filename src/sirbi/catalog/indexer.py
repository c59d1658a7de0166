"""Indexing beside a large import: a process of its own that indexes the clusters the import's batches have marked,
as each batch commits (indexing.index_as_marked: a Tantivy commit every `marks` batches), while the importing process
goes on storing, so that the index's work runs on the other core instead of after the last batch. Nothing here
imports models at module level: the process is spawned and sets Django up first. The importing process stops it at
the end (it indexes what is left, then returns); a crash of either leaves marks that the next run indexes
(indexing.py)."""

import os


def index_alongside(stop, marks):
    """Run in a spawned process until `stop` (a multiprocessing Event) is set: indexing.index_as_marked."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirbi.settings")
    import django

    django.setup()
    from sirbi.core.bulk import collection_paused

    from .indexing import index_as_marked

    with collection_paused():  # a process that lives as long as one import, making no reference cycles of note
        index_as_marked(stop, marks)
