"""Anonymous visitors' copies of read pages, kept until the next write to the database.

The pages named in settings.PAGE_CACHE_VIEWS, asked for with GET by a visitor without a session, a messages
cookie or an Authorization header, are kept in the "pages" cache (files under VAR_DIR, shared by the web
workers of one machine) and served from there to the next such visitor. A change shows at once because the
key of every copy holds a stamp that every write replaces:

- Every statement that may change rows, through any Django cursor (an execute wrapper installed on each new
  connection) or core.bulk's raw cursor, counts as a write, except those on the session table. In autocommit
  mode the stamp is replaced right after the statement; inside a transaction, when it commits (`on_commit`).
  Pages are therefore never keyed by a stamp older than the data they were made from. A connection with
  uncommitted writes sees what others do not: its keys also hold a token of its transaction and its number of
  writes (so a transaction, a test's for instance, reads its own writes).
- The stamp is a random token in a file beside the copies (`stamp`), so the web workers, the background worker
  and management commands of the machine share it (see `bump` for how it is replaced, and why a reader never
  gets a stale copy). Several machines do not: there, set PAGE_CACHE_SECONDS=0 (or point every machine at one
  shared directory).
- The key also holds a token chosen when the server starts (restarting after new code or templates starts
  afresh; gunicorn's preloaded workers share it), any derived data's state the apps register with
  `depends_on` (the catalog's search index), the day, the language, host, path with query and Accept.
- Not kept: responses other than a 200 HTML, JSON or RDF (the open data catalogue) body, responses that set a
  cookie or used the CSRF token, that say private/no-store/no-cache, vary on something the key lacks, or carry a
  CSP nonce.

Writes that bypass Django (sqlite3 shell, psql) show after PAGE_CACHE_SECONDS, a restart, or the next write.
"""

import hashlib
import os
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re

ALIAS = "pages"
# Statements that never change rows; anything else counts as a write (when it reports rows, or cannot say).
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "EXPLAIN", "SHOW", "SET ", "PRAGMA")
# Tables no kept page depends on: sessions are saved on every signed-in request.
_IGNORED_TABLES = ('"django_session"',)
_STORED_TYPES = ("text/html", "application/json", "text/turtle", "application/ld+json", "application/rdf+xml")
_KEYED_VARY = {"accept", "accept-language"}
_MAX_BYTES = 2 * 1024 * 1024
_sources = []
_generation = uuid.uuid4().hex


def depends_on(function):
    """Register a function whose value (a string) changes when derived data that pages show changes."""
    _sources.append(function)


def _new_generation(**kwargs):
    # Settings changed at run time (tests): pages made under the old ones must not be served.
    global _generation
    _generation = uuid.uuid4().hex


setting_changed.connect(_new_generation)


# The stamp --------------------------------------------------------------------------------------------------

def _stamp_path():
    return Path(settings.CACHES[ALIAS]["LOCATION"]) / "stamp"


_stamp_file = None  # this process's descriptor of the stamp file, with its path: (path, fd)
_stamp_lock = threading.Lock()


def _after_fork():
    # A child process (a preloaded web worker) keeps the parent's descriptor (pwrite needs no offset), never the
    # lock's state: another thread of the parent may have held it.
    global _stamp_lock
    _stamp_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def bump():
    """Replace the stamp: every copy made before is no longer found.

    Called after every committed write (a write transaction's `on_commit`), so it must be cheap: the file stays
    in place and this process overwrites its fixed-length content with one `os.pwrite` on a descriptor it keeps
    open (creating a file and renaming it over the stamp cost a write transaction about 0.4 ms). Why no page is
    ever served stale:

    - A page's key holds the stamp read before the page's data were read, and `bump` runs after the write's
      commit. A copy made from data older than a write was therefore keyed with a stamp read before that write's
      `bump` began; from the moment `bump` returns every reader reads a new token (written over the whole old
      one in one call, with the file's length unchanged), so that copy's key is never made again.
    - A reader whose read overlaps the `pwrite` may get some bytes of the old token and some of the new (and
      two processes' overlapping `bump`s may leave such a mix in the file). Such a mix holds fresh random
      bytes: it is a key never used before, i.e. a miss, never a stale hit. The reader read it after the write
      committed, so the copy it makes under that key holds the write.
    - The file is created whole (written beside it and renamed into place: never seen empty or short). If it is
      deleted or replaced under a process (the cache's directory cleared, say), the descriptor it keeps would
      write to a file nobody reads: before each write, the descriptor's file must still be the one at the path
      (same device and inode: the kept descriptor keeps its inode from being reused), else it is opened again.
      A file put at the path after the write committed holds a new token anyway.
    """
    global _stamp_file
    path = _stamp_path()
    token = uuid.uuid4().hex.encode()
    with _stamp_lock:
        if _stamp_file is not None:
            kept_path, descriptor = _stamp_file
            if kept_path == path and _still_at(path, descriptor):
                os.pwrite(descriptor, token, 0)
                return
            _stamp_file = None
            os.close(descriptor)
        _stamp_file = _open_stamp(path, token)


def _still_at(path, descriptor):
    """Is the file open at `descriptor` the one at `path` (not deleted, not replaced)?"""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(descriptor)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def _open_stamp(path, token):
    """(path, descriptor) of the stamp file, holding `token`: created whole if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            descriptor = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            spare = path.with_name(f"stamp.{os.getpid()}.{threading.get_ident()}")
            spare.write_bytes(token)
            os.replace(spare, path)
            continue  # opened next time round (unless deleted again meanwhile)
        os.pwrite(descriptor, token, 0)
        return path, descriptor


def _stamp():
    try:
        return _stamp_path().read_text()
    except FileNotFoundError:
        bump()
        return _stamp_path().read_text()


# Noticing writes --------------------------------------------------------------------------------------------

def enabled():
    return settings.PAGE_CACHE_SECONDS > 0


def uncommitted_writes(conn=connection):
    """Whether this connection's open transaction has written (a stamp change is waiting for its commit)."""
    return any(function is bump for _savepoints, function, _robust in conn.run_on_commit)


def written(conn=connection):
    """Note a write on this connection: replace the stamp now (autocommit) or when the transaction commits.

    Also where this process keeps no copies (PAGE_CACHE_SECONDS=0 for a worker or a command) as long as copies
    exist on this machine (the stamp file is there): the web processes that keep them must see the write.
    """
    if not enabled() and not _stamp_path().exists():
        return
    conn.page_cache_writes = getattr(conn, "page_cache_writes", 0) + 1
    if not conn.in_atomic_block:
        bump()
    elif not uncommitted_writes(conn):
        conn.page_cache_transaction = uuid.uuid4().hex
        conn.on_commit(bump)


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    sql = str(sql)
    head = sql.lstrip()[:9].upper()
    if not head.startswith(_READS) and not any(name in sql[:80] for name in _IGNORED_TABLES):
        if context["cursor"].rowcount != 0:  # an UPDATE or DELETE that matched nothing changed nothing
            written(context["connection"])
    return result


def watch_connection(sender, connection, **kwargs):
    """connection_created receiver: notice the writes of every Django cursor of this connection."""
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


# The middleware ---------------------------------------------------------------------------------------------

def _anonymous_get(request):
    return (request.method == "GET" and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES)


def page_key(request):
    own = f"{connection.page_cache_transaction}:{connection.page_cache_writes}" if uncommitted_writes() else ""
    parts = [_generation, _stamp(), own, *(source() for source in _sources), timezone.localdate().isoformat(),
             translation.get_language() or "", request.scheme, request.get_host(), request.get_full_path(),
             request.META.get("HTTP_ACCEPT", "")]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds this visitor's CSRF token
        return False
    if not response.get("Content-Type", "").startswith(_STORED_TYPES) or len(response.content) > _MAX_BYTES:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header.strip()}
    if vary - _KEYED_VARY:
        return False
    return b" nonce=" not in response.content  # a Content-Security-Policy nonce must not be served twice


class AnonymousPageCacheMiddleware:
    """Serve and keep anonymous visitors' copies of the pages in settings.PAGE_CACHE_VIEWS (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "page_cache_key", None)
        # Not kept when the view itself wrote: the page may be newer than the key's stamp (harmless, but useless).
        if key and not getattr(request, "page_cache_hit", False) and _storable(request, response) \
                and getattr(connection, "page_cache_writes", 0) == request.page_cache_writes:
            headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
            caches[ALIAS].set(key, (headers, response.content), settings.PAGE_CACHE_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not (enabled() and match and match.view_name in settings.PAGE_CACHE_VIEWS and _anonymous_get(request)):
            return None
        request.page_cache_key = page_key(request)
        request.page_cache_writes = getattr(connection, "page_cache_writes", 0)
        kept = caches[ALIAS].get(request.page_cache_key)
        if kept is None:
            return None
        request.page_cache_hit = True
        headers, content = kept
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
