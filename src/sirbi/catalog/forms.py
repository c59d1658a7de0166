"""The form a library's or network's staff use to set up a catalog source (outside the admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sirbi.core import outbound, permissions
from sirbi.core.forms import CodeChoiceField, VersionedForm, https_urls
from sirbi.registry.models import Library, Network

from .models import Source


class LibraryByIsil(forms.ModelChoiceField):
    """A library typed by its ISIL (capitals do not matter): a list of every library would be too long."""

    def __init__(self, **kwargs):
        super().__init__(Library.objects.select_related("country"), to_field_name="isil",
                         widget=forms.TextInput(attrs={"placeholder": "PE-B000001", "autocomplete": "off"}), **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if value.startswith("#") and value[1:].isdigit():  # a library without an ISIL, by its registry number
            found = self.queryset.filter(pk=int(value[1:])).first()
        else:
            found = self.queryset.filter(isil__iexact=value).first()
        if found is None:
            raise forms.ValidationError(_("No library has the ISIL %(isil)s.") % {"isil": value})
        return found

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Library.objects.filter(pk=value).first()
        if isinstance(value, Library):
            return value.isil or f"#{value.pk}"
        return value


class SourceForm(VersionedForm):
    library = LibraryByIsil(required=False, label=_("Library (ISIL)"),
                            help_text=_("A library without an ISIL: # and its number in the registry (#2262)."))
    network = CodeChoiceField(Network.objects.select_related("country").order_by("country__code", "name"),
                              required=False, label=_("Network"))
    metadata_prefix = forms.ChoiceField(choices=[(p, p) for p in Source.METADATA_PREFIXES], initial="marc21",
                                        label=_("Metadata prefix"))

    class Meta:
        model = Source
        formfield_callback = https_urls
        fields = ["code", "name", "kind", "library", "network", "base_url", "metadata_prefix", "set_spec", "schedule",
                  "holdings_tag", "holdings_library", "holdings_call_number", "holdings_barcode", "holdings_status",
                  "holdings_codes"]
        widgets = {"holdings_codes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Harvests speak http and https only: say so, rather than "Enter a valid URL" for file:// or gopher://.
        self.fields["base_url"].validators = [outbound.validate_web_address]
        if self.instance.pk:  # the code names the source in commands and addresses: fixed once chosen
            self.fields["code"].disabled = True
        if not self.instance.pk and not self.is_bound:
            # Library staff set up their own library's source: its ISIL is filled in for them.
            own = permissions.scope(self.user, "add", Source).libraries
            if len(own) == 1:
                self.initial["library"] = next(iter(own))
