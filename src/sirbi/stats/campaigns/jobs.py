"""A scope's spreadsheet as a background job: the page stores the file, the worker checks and saves it.

All or nothing, so a job the worker restarts (after a crash) simply runs again from the start.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ConflictError
from sirbi.core.jobs import job_kind
from sirbi.core.uploads import upload_path

from ..models import Campaign
from . import services
from .services import CampaignError
from .spreadsheets import SheetErrors, read_scope_upload

KIND = "stats.scope_upload"


@job_kind(KIND, _("Statistics spreadsheet upload"))
def run_scope_upload(*, progress, job_id, upload, filename, user_id, campaign_id, language="es"):
    user = get_user_model().objects.get(pk=user_id)
    campaign = Campaign.objects.get(pk=campaign_id)
    path = upload_path(upload)
    result = {"filename": filename, "campaign": campaign.pk, "counts": None, "batch": None, "problems": [],
              "next_url": reverse("stats-campaigns:upload-result", args=[job_id])}
    with translation.override(language):
        progress(0, 3, translation.gettext("reading the file"))
        units = {u.key: u for u in services.units_for(user, campaign, limit=None)}
        data = path.read_bytes()
        try:
            pairs = read_scope_upload(data, filename, campaign, units)
            progress(1, 3, translation.gettext("checking and saving"))
            counts = services.save_many(user, campaign, pairs, filename=filename, data=data)
            result["batch"] = counts.pop("batch")
            result["counts"] = counts
        except SheetErrors as exc:
            result["problems"] = exc.problems[:1000]
            result["problem_count"] = len(exc.problems)
        except (CampaignError, ConflictError, PermissionDenied) as exc:
            result["problems"] = [str(exc)]
            result["problem_count"] = 1
        progress(3, 3, translation.gettext("done"))
    path.unlink(missing_ok=True)
    return result
