from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sirbi.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import pagecache

        connection_created.connect(pagecache.watch_connection)
