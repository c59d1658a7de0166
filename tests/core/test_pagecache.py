"""Anonymous visitors' copies of read pages (core/pagecache.py): served without the database, and a write,
by any door, shows at once.

The suite turns the page cache off (tests/conftest.py); these tests turn it on, with its files in the test's
own directory.
"""

import contextlib
import os
import uuid

import pytest
from django.db import transaction
from django.test import Client

from sirbi.catalog.apps import index_state
from sirbi.catalog.search import backend
from sirbi.core import bulk, pagecache
from sirbi.core.changelog import save_object
from sirbi.registry.models import Library


@pytest.fixture
def page_cache(settings):
    """On, with its files in the test's own directory (tests/conftest.py points them there)."""
    settings.PAGE_CACHE_SECONDS = 600


def visit(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_lucia_gets_the_kept_copy_of_a_library_page_without_the_database(page_cache, lima_library,
                                                                          django_assert_num_queries):
    url = f"/es/registry/libraries/{lima_library.pk}/"
    first = visit(url)
    assert "Biblioteca Municipal de Lima" in first
    with django_assert_num_queries(0):
        assert visit(url) == first


def test_a_save_shows_at_once_on_the_page_the_list_and_the_home_page(page_cache, lima_library, secretary):
    library_url, list_url = f"/es/registry/libraries/{lima_library.pk}/", "/es/registry/libraries/?country=PE"
    for url in (library_url, list_url, "/es/"):
        visit(url)
    lima_library.name = "Biblioteca Metropolitana de Lima"
    save_object(lima_library, user=secretary)
    save_object(Library(name="Biblioteca de Arequipa", country=lima_library.country, type="public"), user=secretary)
    assert "Biblioteca Metropolitana de Lima" in visit(library_url)
    assert "Biblioteca de Arequipa" in visit(list_url)
    assert "Biblioteca Metropolitana de Lima" in visit(list_url)


def test_a_bulk_write_on_the_raw_cursor_shows_at_once(page_cache, lima_library):
    url = f"/es/registry/libraries/{lima_library.pk}/"
    visit(url)
    with bulk.raw_cursor() as cursor:
        cursor.execute(f"UPDATE {Library._meta.db_table} SET name = %s WHERE id = %s",
                       ["Biblioteca Nacional de Lima", lima_library.pk])
    assert "Biblioteca Nacional de Lima" in visit(url)


# The fixtures' writes come before the page cache is on, so the first write of the test's transaction is the
# one inside the capture (a transaction asks for one stamp change, at its commit).
def test_a_commit_replaces_the_stamp_that_every_process_reads(lima_library, secretary, page_cache,
                                                              django_capture_on_commit_callbacks):
    before = pagecache._stamp()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lima_library.name = "Biblioteca Metropolitana de Lima"
        save_object(lima_library, user=secretary)
    assert callbacks == [pagecache.bump]
    assert pagecache._stamp() != before


def test_a_rolled_back_write_leaves_the_stamp(lima_library, page_cache, django_capture_on_commit_callbacks):
    before = pagecache._stamp()
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        Library.objects.filter(pk=lima_library.pk).update(name="Never saved")
        raise RuntimeError
    assert pagecache._stamp() == before
    assert not pagecache.uncommitted_writes()


def test_signed_in_members_and_api_clients_never_get_an_anonymous_copy(page_cache, pe_public, reader, secretary):
    assert "Log out" not in visit("/en/")
    assert "Log out" in visit("/en/", _logged_in(reader))
    anonymous = Client().get("/api/v1/networks/", {"country": "PE"}).json()["results"][0]
    assert "contact_email" not in anonymous
    member = _logged_in(secretary).get("/api/v1/networks/", {"country": "PE"}).json()["results"][0]
    assert "contact_email" in member
    assert Client().get("/api/v1/networks/", {"country": "PE"}, HTTP_AUTHORIZATION="Token wrong").status_code == 401


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_commit_of_the_search_index_changes_the_search_pages_key(page_cache):
    before = index_state()
    index = backend()
    index.add({"key": "1", "title": ["Cien años de soledad"], "author": [], "subject": [], "subject_facet": [],
               "isbn": [], "publisher": [], "language": ["spa"], "material": ["book"], "year": 1967,
               "sort_title": "cien anos de soledad", "library": ["1"], "country": ["PE"], "network": []})
    index.commit()
    assert index_state() != before


def test_a_worker_without_the_page_cache_still_replaces_the_web_servers_stamp(lima_library, secretary, page_cache,
                                                                              settings,
                                                                              django_capture_on_commit_callbacks):
    """`sirbi worker` or a command started with PAGE_CACHE_SECONDS=0 writes; the web workers keep copies."""
    pagecache.bump()  # the web servers' stamp exists on this machine
    before = pagecache._stamp()
    settings.PAGE_CACHE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        lima_library.name = "Biblioteca Metropolitana de Lima"
        save_object(lima_library, user=secretary)
    assert pagecache._stamp() != before


# The stamp is overwritten in place by each process through a descriptor it keeps (cheap enough for every commit).

def test_a_bump_overwrites_the_stamp_in_place_with_a_new_token_of_the_same_length(page_cache):
    pagecache.bump()
    path = pagecache._stamp_path()
    inode, seen = path.stat().st_ino, {pagecache._stamp()}
    for _ in range(20):
        pagecache.bump()
        seen.add(pagecache._stamp())
    assert len(seen) == 21 and {len(stamp) for stamp in seen} == {32}
    assert path.stat().st_ino == inode  # no new file, no rename
    assert sorted(p.name for p in path.parent.iterdir()) == ["stamp"]  # no spare file left


def test_a_bump_in_another_process_is_seen_here(page_cache):
    before = pagecache._stamp()
    child = os.fork()
    if child == 0:  # a web worker or a command on the same machine, with its own descriptor
        try:
            pagecache.bump()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert pagecache._stamp() != before


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_stamp_file_deleted_or_replaced_under_a_process_is_written_again_at_its_path(
        lima_library, secretary, page_cache, django_capture_on_commit_callbacks, how):
    """The cache's directory cleared (then the stamp made anew by another process's reader), or the stamp put anew
    by another process, while this process keeps its descriptor of the old file: its next commit must change the
    stamp the others read, not the old file's."""
    url = f"/es/registry/libraries/{lima_library.pk}/"
    pagecache.bump()  # this process holds its descriptor of the stamp file
    path = pagecache._stamp_path()
    if how == "deleted":
        path.unlink()
        child = os.fork()
        if child == 0:  # another web worker's visit finds no stamp and makes one
            try:
                pagecache._stamp()
            finally:
                os._exit(0)
        os.waitpid(child, 0)
    else:
        spare = path.with_name("stamp.other")
        spare.write_text(uuid.uuid4().hex)
        os.replace(spare, path)
    assert "Biblioteca Municipal de Lima" in visit(url)  # kept under the new file's stamp
    before = pagecache._stamp()
    with django_capture_on_commit_callbacks(execute=True):
        lima_library.name = "Biblioteca Metropolitana de Lima"
        save_object(lima_library, user=secretary)
    assert pagecache._stamp() != before
    assert "Biblioteca Metropolitana de Lima" in visit(url)


def test_a_read_that_catches_half_a_bump_makes_a_key_never_used_before(page_cache, rf):
    """A reader overlapping a bump may read the new token's first bytes and the old one's last: a miss."""
    request = rf.get("/es/")
    old = pagecache._stamp()
    keys = {pagecache.page_key(request)}
    pagecache.bump()
    new = pagecache._stamp()
    keys.add(pagecache.page_key(request))
    path = pagecache._stamp_path()
    mixes = {new[:cut] + old[cut:] for cut in range(1, 32)} - {old, new}  # tokens may share their first digits
    assert mixes
    for mix in mixes:
        path.write_text(mix)
        assert pagecache.page_key(request) not in keys
