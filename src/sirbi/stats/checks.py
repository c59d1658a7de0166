"""Checks on entry. A check that fails gives a flag (code and message); a flag asks for a justification
but does not block saving. Type and range errors are not flags: the forms and imports refuse them."""

import statistics

from django.utils.translation import gettext as _

# Above this change against the previous year (as a fraction), a value is flagged.
CHANGE_THRESHOLD = 0.5
# Robust z-score (median and median absolute deviation of the peers) above which a value is an outlier.
OUTLIER_Z = 3.5
# Fewer peers than this and the outlier check says nothing.
MIN_PEERS = 8
# Parts that cannot exceed their total: {part indicator: total indicator}.
PARTS = {"libraries_internet": "libraries"}


def flag(code, message):
    return {"code": code, "message": message}


def check_change(value, previous):
    """Flag a change against last year's value above CHANGE_THRESHOLD."""
    if previous is None or previous <= 0:
        return None
    change = (value - previous) / previous
    if abs(change) > CHANGE_THRESHOLD:
        return flag("change", _("%(change)+.0f%% against last year (%(previous)s); above ±%(limit).0f%%.")
                    % {"change": change * 100, "previous": _number(previous), "limit": CHANGE_THRESHOLD * 100})
    return None


def check_part(value, total, part_name, total_name):
    """Flag a part larger than its total (libraries with internet access above all libraries)."""
    if total is not None and value > total:
        return flag("part", _("%(part)s (%(value)s) is more than %(total)s (%(total_value)s).")
                    % {"part": part_name, "value": _number(value), "total": total_name,
                       "total_value": _number(total)})
    return None


def check_outlier(value, peers, peer_label):
    peers = [p for p in peers if p is not None]
    if len(peers) < MIN_PEERS:
        return None
    return outlier_flag(value, *spread(peers), peer_label)


def spread(peers):
    """(median, median absolute deviation) of a group, computed once for all its members."""
    median = statistics.median(peers)
    return median, statistics.median(abs(p - median) for p in peers)


def outlier_flag(value, median, mad, peer_label):
    """The outlier flag for `value` given its peers' median and MAD (see spread)."""
    if not mad:
        return None
    z = 0.6745 * (value - median) / mad
    if abs(z) > OUTLIER_Z:
        return flag("outlier", _("far from %(peers)s (median %(median)s; robust z-score %(z).1f).")
                    % {"peers": peer_label, "median": _number(median), "z": z})
    return None


def _number(x):
    from django.utils.formats import number_format

    return number_format(x, decimal_pos=0 if float(x).is_integer() else 1, use_l10n=True, force_grouping=True)
