"""Platform pages: health, change log, background jobs, API tokens; the sign-in lockout and password reset limits."""

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from . import batches, permissions, throttle
from .changelog import ConflictError, filter_changes, readable_changes, save_object, visible_changes
from .downloads import CsvDictWriter
from .models import ApiToken, ChangeLog, Job, NotificationSetting

# Refusals that are about who may use a page at all, not about an object's place (those: permissions.refusal).
MEMBERS_ONLY = gettext_lazy("This page is for the members of the network (the secretariat, country coordinators, "
                            "network managers and library staff); your account has none of these roles.")
JOB_OWNERS_ONLY = gettext_lazy("Only the person who started this task, and the secretariat, follow it.")


def say_errors(request, exc):
    """Each message of a refused change, shown on the next page."""
    for message in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
        messages.error(request, message)


def say_form_errors(request, form):
    """Each field's errors, named by the field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


def edit_page(request, model, pk, form_class, template, *, m2m=()):
    """Create (pk None) or change one scoped object through its form and core.changelog: the permission
    checked before the form is shown (refused with permissions.refusal's reason), the version the editor loaded
    checked on save."""
    obj = get_object_or_404(model, pk=pk) if pk else model()
    permissions.require(request.user, "change" if pk else "add", obj if pk else model)
    form = form_class(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        try:
            save_object(obj, user=request.user, m2m={name: form.cleaned_data[name] for name in m2m},
                        expected_version=form.cleaned_data.get("base_version"),
                        message=form.cleaned_data.get("message", ""))
        except (PermissionDenied, ConflictError) as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": obj})
            return redirect(obj)
    return render(request, template, {"form": form, "object": obj})


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def change_models():
    """[(app_label.model, the type's name in the reader's language)] for the change log's filter."""
    types = ContentType.objects.filter(app_label="registry", model__in=["country", "network", "library"])
    named = [(f"{ct.app_label}.{ct.model}", capfirst(ct.model_class()._meta.verbose_name_plural)) for ct in types
             if ct.model_class() is not None]
    return sorted(named, key=lambda pair: str(pair[1]))


class ChangeLogListView(LoginRequiredMixin, ListView):
    """The filterable change log; members only, since entries may show contact details; each member reads the
    entries of the objects they may read (drafts: their scope's)."""

    template_name = "core/changelog_list.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.is_member(request.user):
            raise PermissionDenied(MEMBERS_ONLY)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        changes = readable_changes(ChangeLog.objects.select_related("content_type", "batch"), self.request.user)
        return filter_changes(changes, self.request.GET)

    def render_to_response(self, context, **kwargs):
        export = self.request.GET.get("export")
        if export in ("csv", "json"):
            return export_changes(self.get_queryset(), export)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["object_list"] = visible_changes(context["object_list"], self.request.user, links=True)
        context.update(
            models=change_models(),
            actions=ChangeLog.Action.choices,
            query=params.urlencode(),
            filters=self.request.GET,
        )
        return context


EXPORT_FIELDS = ["id", "time", "user_name", "action", "model", "object_id", "object_repr", "country", "source",
                 "message", "before", "after", "batch", "row"]


def change_row(change):
    return {
        "id": change.pk,
        "time": change.time.isoformat(),
        "user_name": change.user_name,
        "action": change.action,
        "model": f"{change.content_type.app_label}.{change.content_type.model}",
        "object_id": change.object_id,
        "object_repr": change.object_repr,
        "country": change.country,
        "source": change.source,
        "message": change.message,
        "before": change.before,
        "after": change.after,
        # An import's entry: its batch (whose kept file holds a creation's values) and the file's row.
        "batch": change.batch_id,
        "row": change.row,
    }


def export_changes(queryset, fmt):
    rows = (change_row(change) for change in queryset.iterator(chunk_size=2000))
    if fmt == "json":
        response = HttpResponse(
            json.dumps(list(rows), ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = CsvDictWriter(response, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            row["before"] = json.dumps(row["before"], ensure_ascii=False) if row["before"] is not None else ""
            row["after"] = json.dumps(row["after"], ensure_ascii=False) if row["after"] is not None else ""
            writer.writerow(row)
    response["Content-Disposition"] = f'attachment; filename="sirbi-changes.{fmt}"'
    return response


def member_required(view):
    """Signed in (else to the sign-in page) and a member of the network (else 403)."""
    @login_required
    def check(request, *args, **kwargs):
        if not permissions.is_member(request.user):
            raise PermissionDenied(MEMBERS_ONLY)
        return view(request, *args, **kwargs)
    return check


@member_required
def batch_list(request):
    """Imports, newest first: the secretariat sees all, others those of their countries and their own."""
    imports = batches.visible_batches(request.user)
    return render(request, "core/batch_list.html", {"batches": imports[:200]})


@member_required
def batch_detail(request, pk):
    """What one import did, row by row, with its file and (for whoever may) the undo button."""
    batch = get_object_or_404(batches.visible_batches(request.user).select_related("file", "undoes"), pk=pk)
    changes = readable_changes(batches.batch_changes(batch), request.user)
    paginator = Paginator(changes, 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "core/batch_detail.html", {
        "batch": batch,
        "page_obj": page,
        "changes": visible_changes(page.object_list, request.user, links=True),
        "undone_by": batches.undone_by(batch),
        "may_read_file": batches.may_read_file(request.user, batch) and batch.file_id is not None,
        "undo_refusal": batches.undo_refusal(request.user, batch, quick=sum((batch.counts or {}).values())
                                             > batches.PAGE_CHECK_ENTRIES),
    })


@member_required
def batch_file(request, pk):
    batch = get_object_or_404(batches.visible_batches(request.user).select_related("file"), pk=pk)
    if batch.file is None:
        raise Http404
    if not batches.may_read_file(request.user, batch):
        raise PermissionDenied(_("The file of an import is kept for the person who sent it and for the "
                                 "secretariat."))
    response = HttpResponse(batch.file.read(), content_type="application/octet-stream")
    name = "".join(c for c in batch.filename if c.isalnum() or c in "._- ") or f"import-{batch.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@member_required
def batch_undo(request, pk):
    batch = get_object_or_404(batches.visible_batches(request.user), pk=pk)
    try:
        undo = batches.undo_batch(batch, user=request.user)
    except batches.UndoRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("core:batch", pk=batch.pk)
    messages.success(request, _("Import #%(id)s was undone.") % {"id": batch.pk})
    return redirect("core:batch", pk=undo.pk)


def job_for(request, pk):
    job = get_object_or_404(Job, pk=pk)
    if not (permissions.is_secretariat(request.user) or job.created_by_id == request.user.pk):
        raise PermissionDenied(JOB_OWNERS_ONLY)
    return job


@login_required
def job_detail(request, pk):
    job = job_for(request, pk)
    next_url = (job.result or {}).get("next_url") if job.status == Job.Status.DONE else None
    if next_url:
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = next_url
            return response
        return redirect(next_url)
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_list(request):
    jobs = Job.objects.all()
    if not permissions.is_secretariat(request.user):
        jobs = jobs.filter(created_by=request.user)
    return render(request, "core/job_list.html", {"jobs": jobs.select_related("created_by")[:100]})


@login_required
def token_view(request):
    token = ApiToken.objects.filter(user=request.user).first()
    return render(request, "core/token.html", {"token": token})


@login_required
@require_POST
def token_regenerate(request):
    """A new key, shown on this answer only: the database keeps its SHA-256, never the key."""
    key = ApiToken.issue(request.user)
    response = render(request, "core/token.html", {"token": ApiToken.objects.get(user=request.user), "key": key})
    response["Cache-Control"] = "no-store"
    return response


def locked_out(request, response=None, credentials=None):
    """The answer to a sign-in refused by django-axes (settings.AXES_LOCKOUT_CALLABLE): 429, and when to try again.

    A failure during the lockout starts the cool-off again, so "again" is counted from now.
    """
    minutes = settings.LOGIN_COOLOFF_MINUTES
    until = timezone.localtime() + timedelta(minutes=minutes)
    locked = render(request, "registration/locked_out.html", {"minutes": minutes, "until": until}, status=429)
    locked["Retry-After"] = str(minutes * 60)
    return locked


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset with two limits per hour (PASSWORD_RESET_LIMIT): mails to one e-mail address
    (beyond it, the page reads the same but nothing is sent, so the page tells nobody whether the address has
    an account) and requests from one client address (beyond it, 429 and when to try again)."""

    def post(self, request, *args, **kwargs):
        limit = settings.PASSWORD_RESET_LIMIT
        seen, ends = throttle.count("password-reset-address", throttle.client_address(request), 3600)
        if seen > limit:
            return render(request, "registration/password_reset_throttled.html",
                          {"until": timezone.localtime(datetime.fromtimestamp(ends, tz=UTC))},
                          status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        seen, _ends = throttle.count("password-reset-email", form.cleaned_data["email"].strip().lower(), 3600)
        if seen > settings.PASSWORD_RESET_LIMIT:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def notifications_view(request):
    """The person's notices and how they want to receive them by e-mail."""
    setting, _created = NotificationSetting.objects.get_or_create(user=request.user)
    if request.method == "POST":
        frequency = request.POST.get("frequency")
        if frequency in NotificationSetting.Frequency.values:
            setting.frequency = frequency
            setting.save(update_fields=["frequency"])
            from django.contrib import messages

            messages.success(request, _("Saved: %(choice)s.") % {"choice": setting.get_frequency_display()})
        return redirect("core:notifications")
    return render(request, "core/notifications.html", {
        "setting": setting, "choices": NotificationSetting.Frequency.choices,
        "notifications": request.user.notifications.all()[:100]})
