"""Pages of alliances (partners, partnership agreements) and good practices (list with search and
filters, sharing form, moderation queue)."""

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sirbi.core import permissions
from sirbi.core.paginator import KeysFirstPaginator
from sirbi.core.uploads import upload_limit
from sirbi.core.views import edit_page, say_errors
from sirbi.registry.models import Country, Library, Network

from ..documents import send_file, upload_document
from ..forms import DocumentForm, PartnershipForm, PracticeForm
from ..meetings import services as meetings
from ..models import AgreementScope, GoodPractice, NeedArea, Partner, PartnershipAgreement
from ..models.alliances import SDG
from . import services as alliances


def alliance_list(request):
    partners = Partner.objects.select_related("country").prefetch_related("networks").annotate(
        n_actions=Count("actions", distinct=True), n_meetings=Count("partnered_meetings", distinct=True))
    agreements = PartnershipAgreement.objects.prefetch_related("networks__country", "partners")
    scope = request.GET.get("scope", "")
    if scope:
        agreements = [a for a in agreements if scope in a.scopes]
    rows = list(agreements)
    return render(request, "cooperation/alliances.html", {
        "partners": partners, "agreements": rows, "scope": scope, "scopes": AgreementScope.choices,
        "can_add": permissions.can_any(request.user, "add", PartnershipAgreement),
        "is_sample": any(a.is_sample for a in rows)})


def partnership_detail(request, pk):
    agreement = get_object_or_404(PartnershipAgreement.objects.prefetch_related("networks__country", "partners"),
                                  pk=pk)
    can_change = permissions.can(request.user, "change", agreement)
    return render(request, "cooperation/partnership_detail.html", {
        "agreement": agreement, "can_change": can_change, "scopes": AgreementScope.choices,
        "documents": meetings.visible_documents(agreement.documents.prefetch_related("versions"), request.user),
        "document_form": DocumentForm() if can_change else None, "is_sample": agreement.is_sample})


@login_required
def partnership_edit(request, pk=None):
    return edit_page(request, PartnershipAgreement, pk, PartnershipForm, "cooperation/partnership_form.html",
                     m2m=("networks", "partners"))


@upload_limit("DOCUMENT_MAX_BYTES")
@login_required
@require_POST
def partnership_document(request, pk):
    agreement = get_object_or_404(PartnershipAgreement, pk=pk)
    return upload_document(request, agreement, partial(alliances.add_partnership_document, agreement))


def practice_list(request):
    params = {name: request.GET.get(name, "").strip() for name in ("q", "country", "theme", "sdg")}
    practices = alliances.search(alliances.visible_practices(request.user), **params).select_related(
        "country").prefetch_related("themes")
    page = KeysFirstPaginator(practices.order_by("-created", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "cooperation/practice_list.html", {
        "page": page, "page_obj": page, "params": params,
        "query": urlencode({k: v for k, v in params.items() if v}), "countries": Country.objects.filter(is_member=True),
        "themes": NeedArea.objects.all(), "sdgs": SDG.choices,
        "can_share": permissions.can_any(request.user, "add", GoodPractice),
        "waiting": GoodPractice.objects.filter(status=GoodPractice.Status.SUBMITTED).count()
        if permissions.is_secretariat(request.user) else None,
        "is_sample": any(p.is_sample for p in page)})


def practice_detail(request, pk):
    practice = get_object_or_404(alliances.visible_practices(request.user).select_related(
        "country", "network", "library", "submitted_by").prefetch_related("themes"), pk=pk)
    labels = dict(SDG.choices)
    return render(request, "cooperation/practice_detail.html", {
        "practice": practice, "sdgs": [labels[n] for n in practice.sdgs if n in labels],
        "is_secretariat": permissions.is_secretariat(request.user), "is_sample": practice.is_sample})


def practice_image(request, pk):
    practice = get_object_or_404(alliances.visible_practices(request.user).exclude(image=""), pk=pk)
    return send_file(practice.image, practice.image_type, f"{practice.pk}.{practice.image_extension}", inline=True)


@upload_limit(alliances.IMAGE_MAX_BYTES)
@login_required
def practice_new(request):
    if not permissions.can_any(request.user, "add", GoodPractice):
        raise PermissionDenied(_("Networks and libraries of the member countries share practices: sign in with "
                                 "your role."))
    form = PracticeForm(request.POST or None, request.FILES or None, initial=_scope_initial(request.user))
    if request.method == "POST" and form.is_valid():
        practice = form.save(commit=False)
        try:
            alliances.share(practice, request.user, themes=form.cleaned_data["themes"],
                            image=form.cleaned_data.get("image"))
        except (PermissionDenied, ValidationError) as exc:
            say_errors(request, exc)
        else:
            messages.success(request, _("Thank you: the secretariat will read the practice before publishing it."))
            return redirect(practice)
    return render(request, "cooperation/practice_form.html", {"form": form})


def _scope_initial(user):
    """The country, network or library a person shares for, from their first role assignment."""
    for grant in permissions.assignments(user):
        if grant.library_id:
            library = Library.objects.filter(pk=grant.library_id).select_related("country").first()
            if library:
                return {"library": library.pk, "country": library.country.code}
        if grant.network_id:
            network = Network.objects.filter(pk=grant.network_id).select_related("country").first()
            if network:
                return {"network": network.pk, "country": network.country.code}
        if grant.country:
            return {"country": grant.country}
    return {}


@login_required
@require_POST
def practice_moderate(request, pk):
    practice = get_object_or_404(GoodPractice, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("publish", "reject"):
        raise Http404
    try:
        alliances.moderate(practice, request.user, publish=decision == "publish", note=request.POST.get("note", ""))
    except ValidationError as exc:
        say_errors(request, exc)
    else:
        messages.success(request, _("Saved: %(name)s.") % {"name": practice})
    return redirect(practice)
