"""Forms of the statistics part; the admin edits the catalogue through them (with the change log)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sirbi.registry.forms import VersionedForm, https_urls

from .choices import Typology
from .models import Campaign, Indicator


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        formfield_callback = https_urls
        fields = ["code", "name_es", "name_pt", "name_en", "definition_es", "definition_pt", "definition_en", "unit",
                  "level_library", "level_network", "level_country", "aggregation", "direction", "standard",
                  "numerator", "denominator", "multiplier", "position", "is_active"]

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
        label=_("library types"), choices=[c for c in Typology.choices], widget=forms.CheckboxSelectMultiple,
        help_text=_("The library types countries and networks report for; libraries report for their own type."))
    languages = forms.MultipleChoiceField(label=_("languages"), choices=settings.LANGUAGES,
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
