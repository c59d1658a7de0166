"""Forms of the statistics part; the admin edits the catalogue through them (with the change log)."""

from django.utils.translation import gettext_lazy as _

from sirbi.registry.forms import VersionedForm, https_urls

from .models import Indicator


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
