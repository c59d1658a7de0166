"""The permission matrix: every write path × every role × an object in and out of the role's scope.

The rows are data (tests/core/permission_matrix.py); one generic check runs each for each of the seven actors:
- allowed: the request succeeds (2xx/3xx, not the login page) and something is written;
- refused: 400/403/404/405 (any 4xx from the API) or the login page — or, for the pages that refuse with a
  message, any answer — and nothing at all is written: every object a model signal announced reads as before
  (a save that a refusal rolled back does not count) and no table's row count changed.
The world is built once per module; each case runs in its own transaction, rolled back after it.

Reads are in it where a rule limits them: job pages (their author and the secretariat), drafts and practices
waiting for moderation, change-log entries and editors' names (a text only the allowed may see in the answer).

The completeness tests below fail when a URL, an API write or an admin model is not in the matrix: a new write
path is refused by the suite until someone writes down who may use it.
"""

import inspect
import io
import json
import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from sirbi.api_urls import router
from sirbi.stats.models import Indicator

from .permission_matrix import (
    ADMIN,
    ALL,
    API,
    OWN_SESSION_PAGES,
    PAGES,
    PROTOCOL_ENDPOINTS,
    READ_ONLY_PAGES,
    READ_ONLY_POSTS,
)
from .permission_world import ROLES, build_world, post_forms


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, in a transaction of its own that is rolled back when the module ends. The sources' OAI-PMH
    host is an invented one that no request reaches (harvests are only queued here): it is allowed as an
    intranet host would be, so that a check of the address when a source is saved does not depend on DNS."""
    index = tmp_path_factory.mktemp("matrix-index")
    with django_db_blocker.unblock(), override_settings(CATALOG_INDEX_DIR=index,
                                                       HARVEST_ALLOWED_HOSTS=["catalog.example.org"]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            FORMS.clear()
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


FORMS = {}  # (url, pick) or url: the form or API object as the secretariat reads it


class Context:
    """What a row's payload builder may use: the world, and the secretariat's view of pages and the API."""

    def __init__(self, world):
        self.w = world
        self.url = None
        self._secretariat = None

    @property
    def secretariat(self):
        if self._secretariat is None:
            self._secretariat = Client()
            self._secretariat.force_login(self.w.users["secretariat"])
        return self._secretariat

    def form(self, url, pick, overrides, missing_ok=False):
        if (url, pick) not in FORMS:  # the world is the same in every case: each page is read once
            response = self.secretariat.get(url)
            if missing_ok and response.status_code != 200:
                FORMS[url, pick] = {}
                return {}
            assert response.status_code == 200, f"the secretariat cannot read {url}: {response.status_code}"
            forms = [(action, data) for action, data in post_forms(response.content.decode())
                     if "logout" not in action and (pick is None or pick in action)]
            assert forms, f"no form on {url}"
            FORMS[url, pick] = forms[0][1]
        data = dict(FORMS[url, pick])
        for name, value in overrides.items():
            data[name] = value(self) if callable(value) else value
        return data

    def api_read(self, url, overrides):
        if url not in FORMS:
            response = self.secretariat.get(url, HTTP_ACCEPT="application/json")
            assert response.status_code == 200, f"the secretariat cannot read {url}"
            FORMS[url] = response.json()
        return {**FORMS[url], **overrides}

    def indicator(self, code):
        return [str(Indicator.objects.get(code=code).pk)]


# Watching the database ----------------------------------------------------------------------------------------

def _counted_tables():
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)
                   if not m._meta.proxy and m is not Session and m._meta.managed})


def _counts():
    """The number of rows of every table, in one statement."""
    tables = _counted_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _row(model, pk):
    return model._base_manager.filter(pk=pk).values().first()


def _links(through, instance):
    """The rows of a many-to-many table that touch `instance`."""
    fields = [f for f in through._meta.concrete_fields if f.related_model is type(instance)]
    rows = set()
    for f in fields:
        rows |= set(through._base_manager.filter(**{f.attname: instance.pk}).values_list())
    return rows


@contextmanager
def watching_writes():
    """What the block leaves written in the database: [(table, what)].

    Every object a model signal announces is read before the change and compared with the database afterwards,
    so a save that a refusal rolled back does not count; the row counts of every table catch bulk writes.
    """
    before, created, links = {}, set(), {}

    def pre_save_or_delete(sender, instance, **kwargs):
        if sender is not Session and instance.pk is not None and (sender, instance.pk) not in before:
            before[sender, instance.pk] = _row(sender, instance.pk)

    def saved(sender, instance, created_=None, **kwargs):
        if kwargs.get("created") and sender is not Session:
            created.add((sender, instance.pk))

    def linking(sender, instance, action, **kwargs):
        if action.startswith("pre_") and (sender, type(instance), instance.pk) not in links:
            links[sender, type(instance), instance.pk] = (instance, _links(sender, instance))

    receivers = [(pre_save, pre_save_or_delete), (pre_delete, pre_save_or_delete), (post_save, saved),
                 (m2m_changed, linking)]
    counts = _counts()
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
    seen = []
    try:
        yield seen
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)
    for (model, pk), row in before.items():
        if _row(model, pk) != row:
            seen.append((model._meta.db_table, f"#{pk} changed"))
    for model, pk in created:
        if (model, pk) not in before and _row(model, pk) is not None:
            seen.append((model._meta.db_table, f"#{pk} created"))
    for (through, _model, _pk), (instance, rows) in links.items():
        if _links(through, instance) != rows:
            seen.append((through._meta.db_table, f"links of #{instance.pk} changed"))
    after = _counts()
    seen.extend((t, f"{counts[t]} → {after[t]} rows") for t in counts if counts[t] != after[t])


# One case ------------------------------------------------------------------------------------------------------

def _client(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _send(client, row, url, data):
    if row.method == "GET":
        return client.get(url, HTTP_ACCEPT="application/json") if row.kind == "json-read" else client.get(url)
    if row.kind == "json":
        return client.generic(row.method, url, json.dumps(data or {}), content_type="application/json",
                              HTTP_ACCEPT="application/json")
    if row.method == "POST":
        return client.post(url, data or {})
    return client.generic(row.method, url, "", HTTP_ACCEPT="application/json")


def _why(response, client=None):
    """The errors a refused or failed answer shows (form errors, messages, API details), for the failure text."""
    if client is not None and response.status_code == 302:
        response = client.get(response["Location"])
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return text[:300]
    found = re.findall(r'class="(?:errorlist|messages?|alert)[^"]*"[^>]*>(.*?)</(?:ul|div|p)>', text, re.S)
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found)[:400]


def _to_login(response):
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    return "/login/" in location


def _admin_case(ctx, row, role):
    """An admin page: the allowed see the form (and a deletion deletes); the refused post the secretariat's form."""
    url = row.url(ctx.w)
    op = row.path.rsplit(":", 1)[1]
    if op == "delete":
        data = {"post": "yes"}
    else:  # a page nobody may open has no form: the post is refused before any form is read
        data = ctx.form(url, None, row.data or {}, missing_ok=True)
    data["_save"] = "Save"
    client = _client(ctx.w, role)
    allowed = role in row.allowed
    if allowed and row.kind == "admin" and op in ("add", "change"):
        response = client.get(url)
        assert response.status_code == 200, f"{role} may {op} but the admin answers {response.status_code}"
        assert 'name="_save"' in response.content.decode(), f"{role} may {op} but the admin shows no save button"
        if op == "add":
            return
    with watching_writes() as seen:
        response = client.post(url, data)
    if allowed and op == "delete" and response.status_code == 403:
        # Deleting would delete rows the admin lets nobody delete (a source's records): permitted, not possible.
        assert "permission to delete the following types" in client.get(url).content.decode(), (
            f"{role} may delete, yet the admin answers 403")
        assert not seen
    elif allowed and op == "delete" and response.status_code == 200:
        # Django's page naming the protected objects that keep this one: permitted, not possible.
        assert "protected" in response.content.decode().lower() or "would require deleting" in (
            response.content.decode()), f"{role} may delete, yet the admin shows {_why(response)}"
        assert not seen
    elif allowed:
        assert response.status_code == 302 and not _to_login(response), (
            f"{role} may {op} but the admin answers {response.status_code}: {_why(response)}")
        if op == "delete" or row.kind == "admin-workflow":
            assert seen, f"{role} may {op}, yet nothing was written"
    else:
        # An object outside the user's admin list is "not found": Django sends them back to the admin's index.
        hidden = response.status_code == 302 and response.url.rstrip("/").endswith("/admin")
        assert response.status_code == 403 or _to_login(response) or hidden or row.kind == "admin-workflow", (
            f"{role} may not {op}, yet the admin answers {response.status_code}")
        if row.kind == "admin-workflow":  # the other fields were saved as they were; Django logs that visit
            seen = [(table, what) for table, what in seen if table != "django_admin_log"]
        assert not seen, f"{role} may not {op}, yet the admin wrote {seen}"


def _command_case(ctx, row, role, tmp_path):
    name = row.path.split(":", 1)[1]
    path = tmp_path / "rows.csv"
    path.write_bytes(row.data(ctx))
    with watching_writes() as seen:
        try:
            call_command(name, str(path), user=ctx.w.users[role].username, stdout=io.StringIO(),
                         stderr=io.StringIO(), **(row.options(ctx.w) if row.options else {}))
        except CommandError:
            pass
    if role in row.allowed:
        assert seen, f"{role} may import these rows, yet nothing was written"
    else:
        assert not seen, f"{role} may not import these rows, yet the command wrote {seen}"


def _params():
    for row in ALL:
        for role in ROLES:
            if row.kind == "command" or row.path.startswith("command:"):
                if role == "anonymous":
                    continue  # the command line is the operator's; --user names whose rules apply
            yield pytest.param(row, role, id=f"{row.id}-{role}")


@pytest.mark.parametrize(("row", "role"), list(_params()))
def test_permission_matrix(world, row, role, tmp_path):
    ctx = Context(world)
    with translation.override("en"):
        if row.path.startswith("admin:"):
            return _admin_case(ctx, row, role)
        if row.path.startswith("command:"):
            return _command_case(ctx, row, role, tmp_path)
        url = ctx.url = row.url(world)
        data = row.data(ctx) if callable(row.data) else row.data
        client = _client(world, role)
        with watching_writes() as seen:
            response = _send(client, row, url, data)
    status = response.status_code
    assert status < 500, f"{row.id} as {role}: {status}"
    if row.kind in ("read", "json-read"):
        return _read_case(row, role, response, world)
    if role in row.allowed:
        assert status < 400 and not _to_login(response), f"{role} may, yet the answer is {status}: {_why(response)}"
        assert seen, f"{role} may, yet nothing was written (answer {status}: {_why(response, client)})"
    else:
        if row.kind == "json":
            assert 400 <= status < 500, f"{role} may not, yet the API answers {status}"
        elif row.refusal == "status":
            assert status in (400, 403, 404, 405) or _to_login(response), (
                f"{role} may not, yet the answer is {status}")
        assert not seen, f"{role} may not, yet {row.id} wrote {seen}"


def _read_case(row, role, response, world):
    """A read: the allowed get the page (with the secret text); the others are refused or do not see it."""
    status = response.status_code
    refused = status in (401, 403, 404) or _to_login(response)
    text = response.content.decode(errors="replace")
    if row.kind == "json-read":
        text = json.dumps(response.json(), ensure_ascii=False) if status == 200 else ""
    secret = row.secret(world) if row.secret else None
    if role in row.allowed:
        assert status == 200, f"{role} may read, yet the answer is {status}"
        if secret and row.shows:
            assert secret in text, f"{role} may read {secret!r}, yet it is not shown"
    else:
        assert refused or (secret is not None and status == 200), f"{role} may not read, yet the answer is {status}"
        assert secret is None or secret not in text, f"{role} may not read {secret!r}, yet it is shown"


# Completeness --------------------------------------------------------------------------------------------------

def _patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or ""), pattern.callback


def test_every_page_is_in_the_matrix_or_declared_read_only():
    in_matrix = {row.path for row in PAGES}
    missing, wrongly_read_only = [], []
    for name, callback in _patterns(get_resolver().url_patterns):
        if name.startswith("admin:") or hasattr(callback, "cls") or name in ("api-schema", "api-docs", "api-root",
                                                                              "catalog-search"):
            continue  # the admin and the API have their own completeness tests below
        if name in in_matrix or name in OWN_SESSION_PAGES or name in PROTOCOL_ENDPOINTS:
            continue
        if name not in READ_ONLY_PAGES:
            missing.append(name)
            continue
        view = getattr(callback, "view_class", None)
        if view is not None:
            if any(hasattr(view, m) for m in ("post", "put", "patch", "delete")):
                wrongly_read_only.append(name)
        elif "POST" in inspect.getsource(inspect.unwrap(callback)) and name not in READ_ONLY_POSTS:
            wrongly_read_only.append(name)
    assert not missing, f"pages in neither the matrix nor READ_ONLY_PAGES: {missing}"
    assert not wrongly_read_only, f"pages declared read-only whose view handles POST: {wrongly_read_only}"


def test_every_api_write_is_in_the_matrix():
    in_matrix = {(row.path.removeprefix("api:"), row.method) for row in API}
    missing = []
    for pattern in router.urls:
        callback = pattern.callback
        allowed = {m.upper() for m in callback.cls.http_method_names}
        for method, _action in (getattr(callback, "actions", None) or {}).items():
            method = method.upper()
            if method in ("POST", "PUT", "PATCH", "DELETE") and (pattern.name, method) not in in_matrix:
                missing.append((pattern.name, method, "405" if method not in allowed else "routed"))
    assert not missing, f"API writes not in the matrix: {sorted(set(missing))}"


def test_every_admin_model_is_in_the_matrix():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(ADMIN), (f"admin models not in the matrix: {sorted(registered - set(ADMIN))}; "
                                      f"in the matrix but not registered: {sorted(set(ADMIN) - registered)}")
