"""Forms of the cooperation pages; the services check permissions and rules again, whatever the door."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sirbi.core import permissions
from sirbi.core.forms import CHOOSE, CodeChoiceField, VersionedForm, field_groups, https_urls, name_empty_choices
from sirbi.core.languages import label_base_language, language_groups, with_translations
from sirbi.core.widgets import DateInput
from sirbi.registry.models import Country, Network

from .choices import DocumentKind, ParticipantRole, Visibility
from .models import Action, Activity, AgreementScope, GoodPractice, NeedArea, Objective, Partner, PartnershipAgreement
from .models.alliances import SDG


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    organisation = forms.CharField(label=_("Organisation"), max_length=250, required=False)
    country = forms.ModelChoiceField(label=_("Delegation"), queryset=Country.objects.none(), required=False,
                                     empty_label=_("Guest (no delegation)"), to_field_name="code")
    # No role chosen in advance: a guest is not a delegate, and a wrong default is easy to send unnoticed.
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose your role")), *ParticipantRole.choices])
    public_consent = forms.BooleanField(label=_("Show my name in the public list of participants"), required=False)

    def __init__(self, *args, countries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries if countries is not None else Country.objects.none()


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices,
                                   initial=Visibility.MEMBERS)
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Agreement"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    countries = forms.ModelMultipleChoiceField(label=_("Responsible countries"), to_field_name="code",
                                               queryset=Country.objects.filter(is_member=True), required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 6}))
    networks = forms.ModelMultipleChoiceField(label=_("Responsible networks"), required=False,
                                              queryset=Network.objects.select_related("country"),
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())


class ToActionForm(forms.Form):
    lead_country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("Lead country"), required=False,
                                   help_text=_("One of the responsible countries; empty: the first of them."))
    objective = forms.ModelChoiceField(label=_("Objective of the roadmap"), empty_label=CHOOSE,
                                       queryset=Objective.objects.select_related("line"))
    code = forms.SlugField(label=_("Code of the new action"), max_length=40)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, initial=1)


class ProgressReportForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Markdown: *italics*, **bold**, lists, links."))
    link = forms.URLField(label=_("Link to evidence"), required=False, assume_scheme="https")
    evidence = forms.FileField(label=_("Evidence file"), required=False,
                               help_text=_("PDF, image, office document or text."))


class ActionForm(VersionedForm):
    """An action's fields as the API writes them (countries, networks, need areas and the objective by code)."""

    objective = CodeChoiceField(Objective.objects.all(), label=_("objective"))
    lead_country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("lead country"))
    countries = forms.ModelMultipleChoiceField(Country.objects.filter(is_member=True), to_field_name="code",
                                               required=False, label=_("participating countries"))
    networks = forms.ModelMultipleChoiceField(Network.objects.all(), to_field_name="code", required=False,
                                              label=_("participating networks"))
    need_areas = forms.ModelMultipleChoiceField(NeedArea.objects.all(), to_field_name="code", required=False,
                                                label=_("needs it answers"))
    partners = forms.ModelMultipleChoiceField(Partner.objects.all(), required=False, label=_("partners"))

    class Meta:
        model = Action
        fields = with_translations(Action, [
            "objective", "code", "title", "description", "lead_country", "countries", "networks", "partners",
            "need_areas", "start", "end", "status", "weight"])


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    text = forms.CharField(label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Markdown: *italics*, **bold**, lists, links."))


class PostForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Markdown: *italics*, **bold**, lists, links."))


class PartnershipForm(VersionedForm):
    networks = forms.ModelMultipleChoiceField(Network.objects.select_related("country"), to_field_name="code",
                                              required=False, label=_("signatory networks"),
                                              widget=forms.SelectMultiple(attrs={"size": 8}))
    partners = forms.ModelMultipleChoiceField(Partner.objects.all(), required=False, label=_("signatory partners"),
                                              widget=forms.SelectMultiple(attrs={"size": 6}))
    scopes = forms.MultipleChoiceField(choices=AgreementScope.choices, label=_("scope"),
                                       widget=forms.CheckboxSelectMultiple)

    def clean_networks(self):
        networks = self.cleaned_data["networks"]
        if not networks and not (self.user is not None and permissions.is_secretariat(self.user)):
            raise forms.ValidationError(_("Name at least one signatory network."))
        return networks

    class Meta:
        model = PartnershipAgreement
        formfield_callback = https_urls
        fields = with_translations(PartnershipAgreement, [
            "title", "networks", "partners", "signed", "starts", "ends", "scopes", "description", "url"])
        widgets = {name: DateInput() for name in ("signed", "starts", "ends")}


class PracticeForm(forms.ModelForm):
    country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("country"))
    themes = forms.ModelMultipleChoiceField(NeedArea.objects.all(), to_field_name="code", required=False,
                                            label=_("themes"), widget=forms.CheckboxSelectMultiple)
    sdgs = forms.TypedMultipleChoiceField(choices=SDG.choices, coerce=int, required=False,
                                          label=_("sustainable development goals"),
                                          widget=forms.CheckboxSelectMultiple)
    image = forms.FileField(label=_("image"), required=False, help_text=_("PNG, JPEG, WebP or GIF; at most 5 MB."))

    class Meta:
        model = GoodPractice
        formfield_callback = https_urls
        fields = with_translations(GoodPractice, ["title", "summary", "country", "network", "library", "themes",
                                                  "sdgs", "link"])
        widgets = {"summary": forms.Textarea(attrs={"rows": 6}), "summary_pt": forms.Textarea(attrs={"rows": 4}),
                   "summary_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.select_related("country")
        self.fields["library"].widget = forms.NumberInput()
        self.fields["library"].help_text = _("The library's number in the registry, if the practice is a library's.")
        label_base_language(self)
        name_empty_choices(self)

    def grouped(self):
        """The fields, then the optional languages, as every edit form shows them (core/_form.html)."""
        return field_groups(self, (), after=language_groups(self))


class ActivityForm(VersionedForm):
    country = CodeChoiceField(Country.objects.filter(is_member=True), label=_("country"))
    network = CodeChoiceField(Network.objects.select_related("country"), label=_("network"), required=False)

    class Meta:
        model = Activity
        formfield_callback = https_urls
        fields = with_translations(Activity, [
            "title", "kind", "country", "network", "organiser", "city", "latitude", "longitude", "start", "end", "url",
            "description"])
        widgets = {"start": DateInput(), "end": DateInput(), "description": forms.Textarea(attrs={"rows": 4}),
                   "description_pt": forms.Textarea(attrs={"rows": 4}),
                   "description_en": forms.Textarea(attrs={"rows": 4})}
