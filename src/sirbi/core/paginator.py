"""Paging of long ordered lists: the page's keys first, then only those rows.

With LIMIT/OFFSET over the full rows, a database joins (and, without a fitting index, sorts) every
skipped row with all its columns and related tables; deep pages of a large result then cost as much as
the whole result. Selecting the ordered primary keys alone lets it walk a narrow index, and the page's
rows are then fetched by key with their related objects. Used by the web lists and the API alike.
"""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        return self._get_page(rows_by_keys(self.object_list, keys), number, self)


def rows_by_keys(queryset, keys):
    """The objects of `queryset` with these primary keys, in the keys' order, with the queryset's
    select_related and prefetch_related, but without its filters (the keys already satisfy them, and a
    filter could lead the database to scan an index instead of looking the keys up)."""
    fetch = queryset.model._default_manager.filter(pk__in=keys)
    fetch.query.select_related = queryset.query.select_related
    fetch = fetch.prefetch_related(*queryset._prefetch_related_lookups)
    by_key = {row.pk: row for row in fetch}
    return [by_key[key] for key in keys if key in by_key]
