from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sirbi.core.changelog import ChangeLoggedModel
from sirbi.core.markup import validate_plain_text
from sirbi.core.permissions import SecretariatOwned
from sirbi.registry.models import Country

from ..choices import PartnerKind


class Partner(SecretariatOwned, ChangeLoggedModel):
    """An institution SIRBI works with: IFLA, CERLALC, ministries, foundations, universities."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_plain_text])
    acronym = models.CharField(_("acronym"), max_length=30, blank=True, validators=[validate_plain_text])
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("country"))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    networks = models.ManyToManyField("registry.Network", blank=True, related_name="partners",
                                      verbose_name=_("networks it works with"))

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.acronym or self.name


class NeedArea(SecretariatOwned, ChangeLoggedModel):
    """An area of need (reading promotion, training, legal frameworks...): the columns of the needs matrix
    and what actions say they answer."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_es = models.CharField(_("name in Spanish"), max_length=150, validators=[validate_plain_text])
    name_pt = models.CharField(_("name in Portuguese"), max_length=150, validators=[validate_plain_text])
    name_en = models.CharField(_("name in English"), max_length=150, validators=[validate_plain_text])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicators = models.ManyToManyField("stats.Indicator", blank=True, related_name="+",
                                        verbose_name=_("indicators that reveal it"),
                                        help_text=_("A country weaker than the rule on one of these has a need in "
                                                    "this area, shown in the needs matrix."))

    class Meta:
        verbose_name = _("area of need")
        verbose_name_plural = _("areas of need")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return getattr(self, f"name_{(get_language() or 'es')[:2]}", None) or self.name_en
