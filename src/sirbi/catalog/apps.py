from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "sirbi.catalog"
    label = "catalog"
    verbose_name = _("Union catalog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sirbi.core import pagecache

        from . import jobs  # noqa: F401  (registers the import job kind)

        pagecache.depends_on(index_state)


def index_state():
    """The search index's meta.json, which Tantivy rewrites (with a new "opstamp") at every commit of the index,
    and that may come after the database's: the page cache makes search pages again."""
    from django.conf import settings

    try:
        return (Path(settings.CATALOG_INDEX_DIR) / "meta.json").read_text()
    except FileNotFoundError:
        return ""
