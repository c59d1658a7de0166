"""Form pieces every app's edit forms share: the version an editor loaded (a save over someone else's change
is refused), choosing by code, and web addresses typed without a scheme."""

from django import forms
from django.db import models
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from .languages import label_base_language, language_groups
from .markup import validate_plain_text


def https_urls(model_field, **kwargs):
    """Web addresses typed without a scheme are read as https://."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class VersionedForm(forms.ModelForm):
    """Carries the version the editor loaded, so that a save over someone else's change is refused."""

    # Not named "version": that is the model's (non-editable) field, and the admin refuses the clash.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    message = forms.CharField(
        label=_("Note for the change log"), required=False, max_length=500, validators=[validate_plain_text],
        help_text=_("Optional: why you made this change."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        label_base_language(self)
        name_empty_choices(self)
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.version
            self._initial_codes()

    # Edit pages show the fields in groups, one column (core/_form.html): [(legend, [field names])]. Fields
    # left out follow in a group of their own; texts in the other languages (optional) after them, one group per
    # language (core/languages.py); the change note always comes last.
    groups = ()

    def grouped(self):
        """[(legend or None, [bound fields])]: the groups of visible fields, the change note last."""
        return field_groups(self, self.groups, last=("message",), after=language_groups(self))

    def _initial_codes(self):
        """Fields that choose by code start from the instance's related objects (the model gives primary keys),
        which each field shows as it reads them back (its code, an ISIL...)."""
        for name, field in self.fields.items():
            if not getattr(field, "to_field_name", None) or name not in self.initial:
                continue
            if isinstance(field, forms.ModelMultipleChoiceField):
                self.initial[name] = list(getattr(self.instance, name).all())
            else:
                self.initial[name] = getattr(self.instance, name, None)


# The empty choice of a select, in words (Django's is "---------"). A select that needs no empty choice (a
# required field with a default) has none: Django leaves it out.
CHOOSE = _("— choose —")


def name_empty_choices(form):
    """Gives every select of `form` whose empty choice is Django's dashes the words "— choose —"."""
    dashes = BLANK_CHOICE_DASH[0][1]
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            if field.empty_label == dashes:
                field.empty_label = CHOOSE
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
            choices = list(field.choices)
            if any(value == "" and label == dashes for value, label in choices):
                field.choices = [(value, CHOOSE if value == "" and label == dashes else label)
                                 for value, label in choices]


class CodeChoiceField(forms.ModelChoiceField):
    """Chooses an object by its code (a country, a subdivision, a network, an objective...), in pages, the API
    and imports alike."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("empty_label", CHOOSE)
        super().__init__(queryset, to_field_name="code", **kwargs)


def field_groups(form, groups, last=(), after=()):
    """The visible fields of `form` in `groups` ([(legend, [names])]), the others after them, then the groups
    `after`, then `last`."""
    visible = {field.name: field for field in form.visible_fields()}
    result, placed = [], set(last) | {name for _legend, names in after for name in names}
    for legend, names in groups:
        fields = [visible[name] for name in names if name in visible and name not in placed]
        placed.update(names)
        if fields:
            result.append((legend, fields))
    rest = [field for name, field in visible.items() if name not in placed]
    if rest:
        result.append((None, rest))
    for legend, names in after:
        fields = [visible[name] for name in names if name in visible]
        if fields:
            result.append((legend, fields))
    tail = [visible[name] for name in last if name in visible]
    if tail:
        result.append((None, tail))
    return result
