"""Interlibrary loan forms: the lending policy (pages and API), a new request, and the two sides' steps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sirbi.core.forms import CHOOSE, VersionedForm, https_urls
from sirbi.core.markup import validate_plain_text
from sirbi.core.outbound import url_problem
from sirbi.registry.models import Library, LibraryStatus, ServicePoint

from .choices import (
    LOAN_CONDITION_LABELS,
    REASON_UNFILLED_LABELS,
    REASONS_RETRY_OFFERED,
    Delivery,
    ServiceType,
)
from .iso18626.codes import Action, ReasonForMessage, Status
from .models import LendingPolicy, PartnerEndpoint


class LendingPolicyForm(VersionedForm):
    deliveries = forms.MultipleChoiceField(label=_("delivery methods"), choices=Delivery.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    library = forms.ModelChoiceField(Library.objects.all(), widget=forms.HiddenInput)

    class Meta:
        model = LendingPolicy
        fields = ["library", "lends_returnables", "supplies_copies", "lends_to", "loan_days", "renewals",
                  "response_days", "deliveries", "cost", "cost_amount", "cost_currency", "cost_note", "paused_from",
                  "paused_until", "pause_reason", "shipping_address", "note"]
        widgets = {"paused_from": forms.DateInput(attrs={"type": "date"}),
                   "paused_until": forms.DateInput(attrs={"type": "date"}),
                   "shipping_address": forms.Textarea(attrs={"rows": 3}), "note": forms.Textarea(attrs={"rows": 3})}

    ship_to = forms.ModelChoiceField(
        ServicePoint.objects.none(), required=False, label=_("ship to one of the library's service points"),
        help_text=_("Its address replaces the address to ship to. Without any, parcels go to the main building's "
                    "address."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        library = self.instance.library_id or self.initial.get("library")
        self.fields["ship_to"].queryset = ServicePoint.objects.filter(library_id=library).exclude(
            status=LibraryStatus.CLOSED).select_related("library__country") if library else ServicePoint.objects.none()

    def clean_deliveries(self):
        return list(self.cleaned_data.get("deliveries") or [])

    def clean(self):
        data = super().clean()
        if data.get("ship_to") is not None:
            data["shipping_address"] = data["ship_to"].postal_address()
        return data


class LoanRequestForm(forms.Form):
    """A library's request: for a catalog entry (cluster or record) or by ISBN and title."""

    borrower = forms.ModelChoiceField(Library.objects.none(), label=_("requesting library"), empty_label=CHOOSE)
    title = forms.CharField(label=_("title"), max_length=500, validators=[validate_plain_text])
    author = forms.CharField(label=_("author"), max_length=300, required=False, validators=[validate_plain_text])
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False, validators=[validate_plain_text])
    service_type = forms.ChoiceField(label=_("loan or copy"), choices=ServiceType.choices, initial=ServiceType.LOAN,
                                     widget=forms.RadioSelect)
    pages = forms.CharField(label=_("pages or article"), max_length=300, required=False,
                            validators=[validate_plain_text], help_text=_("For a copy: which pages, or the article."))
    needed_before = forms.DateField(label=_("not needed after"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    patron_reference = forms.CharField(label=_("patron reference"), max_length=100, required=False,
                                       validators=[validate_plain_text],
                                       help_text=_("Free text, seen only by your library: no patron names travel."))
    note = forms.CharField(label=_("note to the lender"), max_length=500, required=False,
                           validators=[validate_plain_text])

    def __init__(self, *args, libraries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if libraries is not None:
            self.fields["borrower"].queryset = libraries

    def clean(self):
        data = super().clean()
        if data.get("service_type") == ServiceType.COPY and not data.get("pages"):
            self.add_error("pages", _("Say which pages or which article to copy."))
        return data


def _choices(labels):
    return [("", "—"), *((code, label) for code, label in labels.items())]


class RequesterStepForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.value) for a in Action] + [
        ("send", "send"), ("accept", "accept"), ("decline", "decline")])
    note = forms.CharField(label=_("note"), max_length=1000, required=False, validators=[validate_plain_text])


class SupplierAnswerForm(forms.Form):
    """The lender's answer: a status of the standard, with its reason, condition, due date or yes/no answer."""

    status = forms.ChoiceField(label=_("status"), choices=[(s.value, s.value) for s in Status])
    reason_for_message = forms.ChoiceField(choices=[("", "")] + [(r.value, r.value) for r in ReasonForMessage],
                                           required=False)
    answer = forms.ChoiceField(choices=[("", ""), ("Y", _("Yes")), ("N", _("No"))], required=False)
    reason_unfilled = forms.ChoiceField(label=_("reason"), choices=_choices(REASON_UNFILLED_LABELS), required=False)
    reason_retry = forms.ChoiceField(label=_("reason to retry"), required=False,
                                     choices=[("", "—"), *((code, code) for code in REASONS_RETRY_OFFERED)])
    loan_condition = forms.ChoiceField(label=_("loan condition"), choices=_choices(LOAN_CONDITION_LABELS),
                                       required=False)
    due_date = forms.DateField(label=_("due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), max_length=1000, required=False, validators=[validate_plain_text])


class RotaForm(forms.Form):
    """The requester's order of the lenders: their library ids, in order (those left out are removed)."""

    order = forms.CharField(max_length=2000)

    def clean_order(self):
        try:
            return [int(value) for value in self.cleaned_data["order"].split(",") if value.strip()]
        except ValueError:
            raise forms.ValidationError(_("A list of library numbers separated by commas.")) from None


class EndpointForm(VersionedForm):
    """The partner's address is checked as the harvester's are (public addresses only, or HARVEST_ALLOWED_HOSTS);
    the token for their endpoint is typed, never shown back, and kept when left empty."""

    class Meta:
        model = PartnerEndpoint
        fields = ["library", "url", "agency_id_type", "agency_id", "outgoing_token", "active"]
        formfield_callback = https_urls
        widgets = {"outgoing_token": forms.PasswordInput(render_value=False)}

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_outgoing_token(self):
        return self.cleaned_data.get("outgoing_token") or (self.instance.outgoing_token if self.instance.pk else "")


class EndpointPageForm(EndpointForm):
    """The library keepers' page: the library is the page's; a new token may be asked for."""

    library = forms.ModelChoiceField(Library.objects.all(), widget=forms.HiddenInput)
    new_token = forms.BooleanField(label=_("issue a new token (the old one stops working)"), required=False)
