"""One upload-size guard (core.uploads.upload_limit + UploadLimitMiddleware) for every view that takes a file:
an oversized body is refused before it is read, with the limit named, CSRF protection kept and nothing written."""

import inspect

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from sirbi.catalog.models import Source
from sirbi.cooperation.models import Document, DocumentVersion, GoodPractice, ProgressReport
from sirbi.core.models import ChangeLog, Job
from sirbi.core.uploads import FORM_SLACK, limit_of

# Every upload door, by URL name and arguments. The guard answers before the view runs, so the objects the
# arguments name need not exist.
UPLOADS = [
    ("registry:import", []),
    ("stats-campaigns:upload", [1, "country:PE"]),
    ("stats-campaigns:scope-upload", [1]),
    ("catalog:source-upload", ["bnp"]),
    ("cooperation:add-document", [1]),
    ("cooperation:add-version", [1]),
    ("cooperation:group-document", ["lectura"]),
    ("cooperation:partnership-document", [1]),
    ("cooperation:report", ["plan-lectura"]),
    ("cooperation:import-actions", []),
    ("cooperation:practice-new", []),
    ("action-reports", ["plan-lectura"]),
    ("good-practice-list", []),
    ("loans:request-copy", [1]),
]

LIMITS = ("IMPORT_MAX_BYTES", "DOCUMENT_MAX_BYTES", "CATALOG_UPLOAD_MAX_BYTES")


def _views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _reads_files(view):
    """Does one of our views read an uploaded file? (The admin takes none: its models' file fields are excluded
    or not registered.)"""
    code = getattr(view, "cls", None) or inspect.unwrap(view)
    if not code.__module__.startswith("sirbi."):
        return False
    return "request.FILES" in inspect.getsource(code)


def test_every_view_that_reads_a_file_has_an_upload_limit():
    unguarded = {route for route, view in _views() if _reads_files(view) and limit_of(view) is None}
    assert not unguarded


def test_the_list_below_covers_every_upload_view():
    guarded = {view for _route, view in _views() if limit_of(view) is not None}
    with translation.override("en"):
        listed = {resolve(reverse(name, args=args)).func for name, args in UPLOADS}
    assert {getattr(v, "cls", v) for v in guarded} == {getattr(v, "cls", v) for v in listed}


@pytest.mark.parametrize(("name", "args"), UPLOADS, ids=[name for name, _args in UPLOADS])
def test_an_oversized_upload_is_refused_before_it_is_read(name, args, secretary, settings, tmp_path):
    for setting in LIMITS:
        setattr(settings, setting, 1000)
    settings.MEDIA_ROOT = settings.UPLOAD_DIR = tmp_path
    with translation.override("en"):
        url = reverse(name, args=args)
        limit = limit_of(resolve(url).func)
    # The CSRF check stays on: the guard answers first, the check still runs for a body of acceptable size.
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary)
    before = {model: model.objects.count()
              for model in (Job, ChangeLog, Document, DocumentVersion, ProgressReport, GoodPractice, Source)}

    response = client.post(url, {"file": ("x" * (limit + FORM_SLACK + 1))}, HTTP_REFERER="http://testserver/en/",
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 413
    body = response.json()["detail"] if name.count(":") == 0 else response.content.decode()
    assert "The file is larger than the limit of" in body
    if limit == 1000:
        assert "1000\xa0bytes" in body
    assert before == {model: model.objects.count() for model in before}
    assert not any(tmp_path.rglob("*"))


def test_a_small_upload_without_the_csrf_token_is_still_refused(secretary):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary)
    assert client.post(reverse("cooperation:add-document", args=[1]), {"title": "x"}).status_code == 403


def test_the_api_answers_the_refusal_in_json(secretary, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    client = Client()
    client.force_login(secretary)
    response = client.post(reverse("action-reports", args=["plan-lectura"]), {"evidence": "x" * 70_000},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than the limit of 1000\xa0bytes."}


def test_the_refusal_page_links_back_to_the_form_on_this_site_only(secretary, settings):
    settings.IMPORT_MAX_BYTES = 1000
    client = Client()
    client.force_login(secretary)
    body = "x" * 70_000
    here = client.post("/en/registry/import/", {"file": body}, HTTP_REFERER="http://testserver/en/registry/import/")
    elsewhere = client.post("/en/registry/import/", {"file": body}, HTTP_REFERER="https://evil.example/")
    assert 'href="http://testserver/en/registry/import/"' in here.content.decode()
    assert "evil.example" not in elsewhere.content.decode()


def test_a_view_that_takes_no_file_refuses_a_huge_body_before_reading_it(client, settings):
    """Without a mark, a page still has its body parsed by the CSRF check: anonymous clients could make the server
    spool any size to disk. The largest limit of a file form applies (DOCUMENT_MAX_BYTES)."""
    response = client.generic("POST", "/en/accounts/login/", b"x", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(settings.DOCUMENT_MAX_BYTES + 10 * 1024 * 1024))
    assert response.status_code == 413
