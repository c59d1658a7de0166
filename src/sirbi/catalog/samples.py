"""Which clusters are sample data. The registry marks invented libraries (Library.is_sample); the catalog's
descriptions are real records, so what is invented is where they are held: a cluster is sample when it has
copies and every one of them is at a sample library (a copy at a real library, or at a library the registry
does not know, makes it real). There is no separate flag on sources: a demo source's copies are at sample
libraries, and a real library's copies make its records real wherever they come from. Pages, results, downloads
and the MARC the providers serve say so (templatetags/catalog_sample.py, records.py)."""

from .models import Holding


def sample_clusters(cluster_ids):
    """The ids among `cluster_ids` of the clusters that are sample data, in one query."""
    real, held = set(), set()
    for cluster_id, is_sample in (Holding.objects.filter(record__cluster_id__in=list(cluster_ids),
                                                         record__deleted=False)
                                  .values_list("record__cluster_id", "library__is_sample").distinct()):
        held.add(cluster_id)
        if not is_sample:
            real.add(cluster_id)
    return held - real


def catalog_has_samples():
    """Whether any copy in the catalog is at a sample library (the demo's)."""
    return Holding.objects.filter(library__is_sample=True).exists()
