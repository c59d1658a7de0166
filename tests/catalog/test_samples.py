"""Sample markers: a cluster whose copies are all at sample libraries (the demo's) says so on the catalog's
pages, beside each result, in its downloads and in the MARC the providers serve; a copy at a real library
makes it real."""

import json
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from sirbi.catalog import records
from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.catalog.samples import sample_clusters
from sirbi.registry.models import Library

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"


def url(name, *args):
    with translation.override("en"):
        return reverse(f"catalog:{name}", args=args)


def test_clusters_held_only_at_sample_libraries_are_marked(peru, lima_library, as_user):
    invented = Library.objects.create(name="Biblioteca Pública Municipal de Ica", country=peru, type="public",
                                      is_sample=True)
    demo = Source.objects.create(code="demo", name="Demo", library=invented)
    import_file(demo, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    pragmatic = Record.objects.get(title__startswith="The pragmatic programmer")
    assert pragmatic.cluster_id in sample_clusters([pragmatic.cluster_id])

    anonymous = as_user(None)
    found = anonymous.get(url("search") + "?q=pragmatic").content.decode()
    assert "Sample data" in found and 'class="sample">sample</span>' in found
    page = anonymous.get(url("cluster", pragmatic.cluster_id)).content.decode()
    assert "are invented for the demonstration" in page
    download = json.loads(anonymous.get(url("record-download", pragmatic.pk, "json")).content)
    assert download["is_sample"] is True
    marc = records.cluster_marc(records.load([pragmatic.cluster_id])[pragmatic.cluster_id])
    assert marc.get_fields("852")[0].get_subfields("x") == [records.SAMPLE_NOTE]

    # Lima, a real library, holds the same edition: the cluster is real now, and says nothing.
    real = Source.objects.create(code="lima", name="Lima", library=lima_library)
    import_file(real, (DATA / "pymarc-marc.dat").read_bytes(), "marc.dat")
    assert not sample_clusters([pragmatic.cluster_id])
    page = anonymous.get(url("cluster", pragmatic.cluster_id)).content.decode()
    assert "Sample data" not in page
    found = anonymous.get(url("search") + "?q=pragmatic").content.decode()
    assert 'class="sample">sample</span>' not in found
    download = json.loads(anonymous.get(url("record-download", pragmatic.pk, "json")).content)
    assert download["is_sample"] is False
    copies = records.cluster_marc(records.load([pragmatic.cluster_id])[pragmatic.cluster_id]).get_fields("852")
    assert [bool(f.get_subfields("x")) for f in copies].count(True) == 1  # Ica's copy only
