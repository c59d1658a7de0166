"""A country's "what's new": its recent change-log entries, as the visitor may read them."""

from datetime import date, timedelta

from sirbi.core.changelog import readable_changes
from sirbi.core.models import ChangeLog

# How far back a country's "what's new" page looks.
NEWS_DAYS = 60


def country_changes(country, user, *, days=NEWS_DAYS, limit=100):
    """[(entry, kind of object, its page or None)] of the country's last `days` days, newest first: only the
    entries of objects `user` may read now (no draft figures or unmoderated practices for the public), in a
    fixed number of queries (one per kind of object linked)."""
    since = date.today() - timedelta(days=days)
    entries = list(readable_changes(ChangeLog.objects.filter(country=country.code, time__date__gte=since), user)
                   .select_related("content_type").order_by("-time", "-pk")[:limit])
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry.content_type, set()).add(entry.object_id)
    urls = {}
    for content_type, ids in by_type.items():
        model = content_type.model_class()
        if model is not None and hasattr(model, "get_absolute_url"):
            for pk, obj in model._default_manager.in_bulk(ids).items():
                urls[(content_type.pk, pk)] = obj.get_absolute_url()
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        kind = model._meta.verbose_name if model else ""
        rows.append((entry, kind, urls.get((entry.content_type_id, entry.object_id))))
    return rows
