"""Every write leaves a change-log entry; a save over someone else's change is refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from sirbi.core.changelog import ConflictError, delete_object, history, save_object
from sirbi.core.models import ChangeLog
from sirbi.registry.models import Library


def test_an_update_records_who_before_after_and_why(coordinator_pe, lima_library):
    lima_library.locality = "Lima Cercado"
    save_object(lima_library, user=coordinator_pe, message="town name corrected")
    entry = history(lima_library).get()
    assert entry.user_name == "coord_pe"
    assert entry.action == "update"
    assert entry.before["locality"] == "Lima"
    assert entry.after["locality"] == "Lima Cercado"
    assert entry.message == "town name corrected"
    assert entry.country == "PE"
    assert [row["name"] for row in entry.changed_fields()] == ["locality"]
    lima_library.refresh_from_db()
    assert lima_library.version == 2


def test_a_save_that_changes_nothing_writes_no_entry(coordinator_pe, lima_library):
    save_object(lima_library, user=coordinator_pe)
    assert not history(lima_library).exists()
    lima_library.refresh_from_db()
    assert lima_library.version == 1


def test_the_second_of_two_editors_is_refused(coordinator_pe, secretary, lima_library):
    alice_copy = Library.objects.get(pk=lima_library.pk)
    bob_copy = Library.objects.get(pk=lima_library.pk)
    alice_copy.phone = "01 111"
    save_object(alice_copy, user=coordinator_pe, expected_version=1)
    bob_copy.phone = "01 222"
    with translation.override("en"), pytest.raises(ConflictError, match="version 2"):
        save_object(bob_copy, user=secretary, expected_version=1)
    lima_library.refresh_from_db()
    assert lima_library.phone == "01 111"
    assert history(lima_library).count() == 1


def test_nobody_moves_an_object_out_of_their_scope(coordinator_pe, lima_library, argentina):
    lima_library.country = argentina
    lima_library.isil = None
    with pytest.raises(PermissionDenied):
        save_object(lima_library, user=coordinator_pe)
    lima_library.refresh_from_db()
    assert lima_library.country.code == "PE"
    assert not ChangeLog.objects.exists()


def test_a_refused_creation_writes_nothing(coordinator_pe, argentina):
    library = Library(name="Biblioteca ajena", country=argentina, type="public")
    with pytest.raises(PermissionDenied):
        save_object(library, user=coordinator_pe)
    assert not Library.objects.filter(name="Biblioteca ajena").exists()
    assert not ChangeLog.objects.exists()


def test_a_deletion_keeps_the_last_values(coordinator_pe, lima_library):
    pk = lima_library.pk
    delete_object(lima_library, user=coordinator_pe, message="closed for good")
    entry = ChangeLog.objects.get(object_id=pk)
    assert entry.action == "delete"
    assert entry.before["name"] == "Biblioteca Municipal de Lima"
    assert entry.after is None
    assert not Library.objects.filter(pk=pk).exists()


def test_the_change_log_links_each_entry_to_its_object_and_labels_its_fields(coordinator_pe, secretary,
                                                                              lima_library, as_user):
    lima_library.locality = "Lima Cercado"
    lima_library.postal_code = "15001"
    save_object(lima_library, user=coordinator_pe)
    gone = Library.objects.create(name="Biblioteca que se cierra", country=lima_library.country)
    delete_object(gone, user=secretary)
    page = as_user(secretary).get("/es/platform/changes/").content.decode()
    assert f'<a href="{lima_library.get_absolute_url()}">{lima_library.name}</a>' in page
    assert "<span>Biblioteca que se cierra</span>" in page  # deleted: no page to link to
    assert "<th scope=\"row\">Localidad</th>" in page and "<th scope=\"row\">Código postal</th>" in page
    assert ">locality<" not in page and ">postal_code<" not in page


def test_a_reader_without_a_role_is_told_the_change_log_is_for_members(as_user, reader):
    refused = as_user(reader).get("/en/platform/changes/")
    assert refused.status_code == 403 and "your account has none of these roles" in refused.content.decode()
