from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "sirbi.loans"
    label = "loans"
    verbose_name = _("Interlibrary loan")

    def ready(self):
        from . import jobs  # noqa: F401  (the worker sends the ISO 18626 outbox at each sweep)
