"""Who may do what, asked of the one place that decides it."""

from sirbi.core import permissions
from sirbi.registry.models import Library, Network


def test_the_secretariat_may_change_anything(secretary, lima_library, buenos_aires_library):
    assert permissions.can(secretary, "change", lima_library)
    assert permissions.can(secretary, "delete", buenos_aires_library)


def test_a_coordinator_changes_their_country_only(coordinator_pe, lima_library, buenos_aires_library, peru, argentina):
    assert permissions.can(coordinator_pe, "change", lima_library)
    assert permissions.can(coordinator_pe, "change", peru)
    assert not permissions.can(coordinator_pe, "change", buenos_aires_library)
    assert not permissions.can(coordinator_pe, "change", argentina)
    editable = permissions.restrict(Library.objects.all(), coordinator_pe, "change")
    assert set(editable) == {lima_library}


def test_a_network_manager_changes_the_networks_libraries(network_manager_pe, lima_library, cusco_library, pe_public):
    assert permissions.can(network_manager_pe, "change", lima_library)
    assert not permissions.can(network_manager_pe, "change", cusco_library)
    assert permissions.can(network_manager_pe, "change", pe_public)
    assert not permissions.can(network_manager_pe, "delete", pe_public)
    assert set(permissions.restrict(Network.objects.all(), network_manager_pe, "change")) == {pe_public}


def test_library_staff_change_their_library_but_not_delete_it(librarian_lima, lima_library, cusco_library):
    assert permissions.can(librarian_lima, "change", lima_library)
    assert not permissions.can(librarian_lima, "delete", lima_library)
    assert not permissions.can(librarian_lima, "change", cusco_library)
    assert not permissions.can_any(librarian_lima, "add", Library)


def test_readers_and_visitors_change_nothing(reader, lima_library):
    from django.contrib.auth.models import AnonymousUser

    for user in (reader, AnonymousUser()):
        assert not permissions.can(user, "change", lima_library)
        assert not permissions.restrict(Library.objects.all(), user, "change").exists()
        assert not permissions.is_member(user)


def test_an_inactive_account_loses_its_roles(coordinator_pe, lima_library):
    coordinator_pe.is_active = False
    coordinator_pe.save()
    permissions.forget_assignments(coordinator_pe)
    assert not permissions.can(coordinator_pe, "change", lima_library)
