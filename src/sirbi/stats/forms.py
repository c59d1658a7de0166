"""Forms of the statistics part; the admin edits the catalogue through them (with the change log)."""

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sirbi.core.forms import VersionedForm, https_urls
from sirbi.core.widgets import DateInput

from .choices import Typology
from .models import Campaign, Indicator, NeedRule


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        formfield_callback = https_urls
        fields = ["code", "name_es", "name_pt", "name_en", "definition_es", "definition_pt", "definition_en", "unit",
                  "level_library", "level_network", "level_country", "aggregation", "direction", "standard",
                  "numerator", "denominator", "multiplier", "counts", "position", "is_active"]

    def clean(self):
        data = super().clean()
        if data.get("denominator") and not data.get("numerator"):
            self.add_error("numerator", self.fields["numerator"].error_messages["required"])
        if self.instance.pk and self.instance.pk in {getattr(data.get(f), "pk", None)
                                                     for f in ("numerator", "denominator")}:
            self.add_error("numerator", _("An indicator cannot be computed from itself."))
        return data


class CampaignForm(VersionedForm):
    typologies = forms.MultipleChoiceField(
        label=capfirst(_("library types")), choices=[c for c in Typology.choices], widget=forms.CheckboxSelectMultiple,
        help_text=_("The library types countries and networks report for; libraries report for their own type."))
    languages = forms.MultipleChoiceField(label=capfirst(_("languages")), choices=settings.LANGUAGES,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Campaign
        fields = ["title", "year", "indicators", "level_country", "level_network", "level_library", "typologies",
                  "languages", "deadline", "status", "instructions"]

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("level_country", "level_network", "level_library")):
            self.add_error("level_country", _("Choose at least one level that reports."))
        return data


class CampaignPageForm(CampaignForm):
    """The campaign form of the secretariat's pages (the admin keeps its own widgets)."""

    class Meta(CampaignForm.Meta):
        widgets = {"indicators": forms.CheckboxSelectMultiple, "deadline": DateInput(),
                   "instructions": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = Indicator.objects.filter(numerator__isnull=True, is_active=True)
        if self.instance.pk:  # an indicator the campaign already asks for stays offered (and checked)
            offered = offered | Indicator.objects.filter(campaigns=self.instance)
        self.fields["indicators"].queryset = offered.distinct()
        if not self.instance.pk and not self.is_bound and not self.initial.get("languages"):
            self.initial["languages"] = [code for code, _name in settings.LANGUAGES]


# Choices of the public statistics pages (GET forms that work without JavaScript) -----------------

class TypologyForm(forms.Form):
    """The library type the figures are shown for; public libraries unless another is chosen."""

    typology = forms.ChoiceField(label=_("Library type"), choices=Typology.choices, required=False)

    def chosen_typology(self):
        chosen = self.data.get("typology")
        return chosen if chosen in Typology.values else Typology.PUBLIC


class FigureForm(TypologyForm):
    """The library type and year of an indicator's map and table; no year means each country's latest."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("latest available"))] + [(y, str(y)) for y in years]

    def chosen_year(self):
        return self.cleaned_data.get("year") if self.is_valid() else None


class CompareForm(TypologyForm):
    """Countries and indicators to set side by side."""

    countries = forms.MultipleChoiceField(label=_("Countries"), required=False, widget=forms.CheckboxSelectMultiple)
    indicator = forms.MultipleChoiceField(label=_("Indicators"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, countries=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = [(c.code, c.name) for c in countries]
        self.fields["indicator"].choices = [(i.code, i.name) for i in indicators]

    def chosen(self, name, default):
        """The valid codes chosen for `name`, in the order of its choices; `default` when none is."""
        picked = set(self.data.getlist(name)) if hasattr(self.data, "getlist") else set()
        codes = [code for code, _label in self.fields[name].choices if code in picked]
        return codes or list(default)


class NeedRuleForm(VersionedForm):
    class Meta:
        model = NeedRule
        fields = ["indicator", "typology", "kind", "threshold", "is_active"]
