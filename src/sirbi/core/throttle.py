"""Counting events per client address or per account within a time window, for the throttles that
django-axes (sign-ins, core.signin) does not cover: password reset mails, API rates and failed API tokens.

Counters live in the "throttle" cache, a database table (settings.CACHES), so that every web worker counts
together. A fixed window is enough here: at worst twice the limit passes around a window's edge.
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import caches


def client_address(request):
    """The address of the client: REMOTE_ADDR, or behind the reverse proxy (BEHIND_PROXY) the last address
    of X-Forwarded-For, the one our proxy added (earlier ones are whatever the client chose to send)."""
    if settings.BEHIND_PROXY:
        forwarded = _address(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1])
        if forwarded:
            return forwarded
    # None when there is none (a request made by Django itself, as the test client's force_login): axes stores
    # addresses in an IP column, which PostgreSQL refuses to compare with a word such as "unknown".
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(text):
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _key(scope, identity, window):
    start = int(time.time()) // window * window
    digest = hashlib.sha256(str(identity).encode()).hexdigest()[:32]  # e-mail addresses are not kept as such
    return f"{scope}:{digest}:{start}", start + window


def count(scope, identity, window, cache="throttle"):
    """Counts one event; returns (events in this window so far, when the window ends as a Unix time)."""
    cache = caches[cache]
    key, ends = _key(scope, identity, window)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key), ends
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1, ends


def counted(scope, identity, window):
    """(events in this window so far, when the window ends), counting nothing."""
    key, ends = _key(scope, identity, window)
    return caches["throttle"].get(key, 0), ends

