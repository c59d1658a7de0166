"""The import as a background job: the web upload stores the file, the worker imports it."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sirbi.core.jobs import job_kind
from sirbi.core.uploads import upload_path

from .libraries import import_libraries
from .service_points import import_service_points

KIND = "registry.import_libraries"


@job_kind(KIND, _("Library import"))
def run_import(*, progress, job_id, upload, filename, user_id, network=None, dry_run=True, skip_invalid=False,
               language="es", message="", holds="libraries"):
    user = get_user_model().objects.get(pk=user_id)
    path = upload_path(upload)
    data = path.read_bytes()
    with translation.override(language):
        if holds == "service_points":
            report = import_service_points(data, filename, user=user, dry_run=dry_run, skip_invalid=skip_invalid,
                                           progress=progress, message=message)
        else:
            report = import_libraries(data, filename, user=user, network=network, dry_run=dry_run,
                                      skip_invalid=skip_invalid, progress=progress, message=message)
        result = report.as_dict(limit=1000)
        result["next_url"] = reverse("registry:import-preview", args=[job_id])
    if not dry_run:
        # The import ran to its end (a failure raises and keeps the file for the next attempt): the upload
        # is no longer needed, and its preview can no longer be confirmed a second time.
        path.unlink(missing_ok=True)
    return result
