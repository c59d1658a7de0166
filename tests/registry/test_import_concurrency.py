"""Imports and edits at the same time, on PostgreSQL (SQLite's write transaction keeps other writers out): two
connections, so each write commits (transactional tests; tests/conftest.py loads the shared data again after them)."""

import threading
import time

import pytest
from django.db import connection, transaction

from sirbi.core.models import ChangeLog
from sirbi.registry.models import Library
from tests.registry.test_imports import MIRAFLORES, csv_bytes, run, with_cell

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's write transaction keeps other writers out"),
]


@pytest.mark.django_db(transaction=True)
def test_an_edit_committed_while_an_import_reads_is_not_overwritten_unseen(coordinator_pe, lima_library):
    """An edit holds the Lima library's row while an import that changes it starts: the import waits for it, reads
    its values (they are the import's "before") and writes the next version, rather than reusing the edit's."""
    editing, version = threading.Event(), lima_library.version

    def edit():
        try:
            with transaction.atomic():
                library = Library.objects.select_for_update().get(pk=lima_library.pk)
                library.locality, library.version = "Lima Cercado", library.version + 1
                library.save()
                editing.set()
                time.sleep(1.5)  # the import starts meanwhile
        finally:
            connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    editing.wait()
    row = with_cell(with_cell(MIRAFLORES, "isil", "PE-LIM01"), "name", "Biblioteca Metropolitana de Lima")
    report = run(csv_bytes([row]), coordinator_pe)
    editor.join()
    assert report.applied
    lima_library.refresh_from_db()
    assert (lima_library.name, lima_library.version) == ("Biblioteca Metropolitana de Lima", version + 2)
    entry = ChangeLog.objects.filter(object_id=lima_library.pk, batch__isnull=False).get()
    assert entry.before["locality"] == "Lima Cercado"
