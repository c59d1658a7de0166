from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sirbi.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from . import imports  # noqa: F401  (registers the import job kind)
