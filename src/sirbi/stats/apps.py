from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "sirbi.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from .campaigns import jobs  # noqa: F401  (registers the scope upload job kind)
