"""A MARC file uploaded on a source's page, imported by the background worker with its progress on the job
page. Re-running it (after a worker crash) changes nothing already imported: the import is idempotent.
The worker also finishes, when idle, the index work that a killed `sirbi import-marc` or harvest left."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sirbi.core.jobs import job_kind, when_idle
from sirbi.core.uploads import upload_path

from .indexing import index_stale
from .ingest import import_file
from .marc import FileError
from .models import Source

KIND = "catalog.import"


@job_kind(KIND, _("Catalog import"))
def run_import(*, progress, job_id, upload, filename, source_id, user_id=None):
    source = Source.objects.get(pk=source_id)
    path = upload_path(upload)
    data = path.read_bytes()
    progress(0, data.count(b"\x1d") or None, "reading")
    result = {"filename": filename, "source": source.code, "next_url": reverse("catalog:source", args=[source.code])}
    try:
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        report = import_file(source, data, filename, user=user, progress=lambda done: progress(done))
    except FileError as error:
        result["problem"] = str(error)
    else:
        result.update(report.as_dict())
    path.unlink(missing_ok=True)
    return result


HARVEST = "catalog.harvest"


@job_kind(HARVEST, _("Catalog harvest"))
def run_harvest(*, progress, job_id, source_id, full=False, user_id=None):
    from .harvest import HarvestError, harvest

    source = Source.objects.get(pk=source_id)
    result = {"source": source.code, "next_url": reverse("catalog:source", args=[source.code])}
    try:
        result.update(harvest(source, full=full, progress=lambda done: progress(done)).as_dict())
    except HarvestError as error:
        result["problem"] = str(error)
    return result


@when_idle
def finish_indexing():
    """Index the clusters an interrupted import or harvest left marked (when another process is writing the
    index, the next sweep tries again)."""
    index_stale(wait=0)
