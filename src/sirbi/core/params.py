"""Whole numbers read from request parameters (page, year, id): an absent or malformed value gives the default,
and a value is clamped to the range the caller can use, so that no 20-digit number reaches the database or
the search engine (where it overflows). Dates likewise."""

from django.utils.dateparse import parse_date


def whole_number(value, default=None, *, low=None, high=None):
    """`value` (a string from a query or form) as an int within [low, high], or `default` if it is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    if low is not None and number < low:
        number = low
    if high is not None and number > high:
        number = high
    return number


def calendar_date(value):
    """`value` as a date (YYYY-MM-DD), or None when it is absent or not a date of the calendar (2026-13-45)."""
    try:
        return parse_date(str(value or "").strip())
    except ValueError:  # well formed, but no such day
        return None
