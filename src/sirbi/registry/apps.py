from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sirbi.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from sirbi.core import permissions

        from . import imports  # noqa: F401  (registers the import job kind)
        from .models import scope_names

        permissions.name_scopes_with(scope_names)
