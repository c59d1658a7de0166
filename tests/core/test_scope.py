"""What each person may pick: one `permissions.scope(user, action, model)` behind the forms' and filters' choices
(the library form's countries, a campaign's units, a meeting's delegations, the list of imports)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from sirbi.cooperation.meetings.services import delegation_countries
from sirbi.core import permissions
from sirbi.core.models import ImportBatch
from sirbi.registry.forms import LibraryForm, NetworkForm
from sirbi.registry.models import Country, Library, Network
from sirbi.stats.campaigns.services import unit_keys_for
from sirbi.stats.models import Campaign, Value


def members():
    return Country.objects.filter(is_member=True)


def test_the_secretariat_reaches_everywhere(secretary, lima_library, buenos_aires_library):
    reach = permissions.scope(secretary, "add", Library)
    assert reach.everywhere
    assert set(reach.narrow(Library.objects.all())) == {lima_library, buenos_aires_library}
    assert reach.narrow(members()).count() == members().count()


def test_the_coordinator_of_peru_picks_peru(coordinator_pe, peru, pe_public, lima_library, cusco_library,
                                            buenos_aires_library):
    reach = permissions.scope(coordinator_pe, "add", Library)
    assert reach.countries == {"PE"} and not reach.networks and not reach.libraries
    assert list(reach.narrow(members())) == [peru]
    assert set(reach.narrow(Library.objects.all())) == {lima_library, cusco_library}
    assert pe_public in reach.narrow(Network.objects.all())


def test_the_network_manager_picks_their_network_and_its_libraries(network_manager_pe, pe_public, lima_library,
                                                                    cusco_library):
    reach = permissions.scope(network_manager_pe, "change", Library)
    assert reach.networks == {pe_public.pk} and not reach.countries
    assert list(reach.narrow(Network.objects.all())) == [pe_public]
    assert list(reach.narrow(Library.objects.all())) == [lima_library]
    assert not reach.narrow(members()).exists()  # they coordinate no country


def test_the_librarian_in_lima_picks_their_library_only(librarian_lima, lima_library, cusco_library):
    assert list(permissions.scope(librarian_lima, "change", Library).narrow(Library.objects.all())) == [lima_library]
    assert not permissions.scope(librarian_lima, "add", Library)  # they add no library
    assert not permissions.scope(librarian_lima, "add", Network).narrow(Network.objects.all()).exists()


@pytest.mark.parametrize("actor", ["reader", "anonymous"])
def test_people_without_a_role_pick_nothing(actor, request, lima_library):
    user = AnonymousUser() if actor == "anonymous" else request.getfixturevalue(actor)
    reach = permissions.scope(user, "change", Library)
    assert not reach and not reach.everywhere
    assert not reach.narrow(Library.objects.all()).exists()


def test_view_reaches_where_the_roles_that_change_it_do(coordinator_pe):
    assert permissions.scope(coordinator_pe, "view", Value) == permissions.scope(coordinator_pe, "change", Value)


def test_restrict_and_scope_agree(coordinator_pe, network_manager_pe, librarian_lima, lima_library, cusco_library,
                                  buenos_aires_library):
    for user in (coordinator_pe, network_manager_pe, librarian_lima):
        assert (set(permissions.restrict(Library.objects.all(), user, "change"))
                == set(permissions.scope(user, "change", Library).narrow(Library.objects.all())))


# --- The pickers that use it -----------------------------------------------------------------------------


def test_the_library_form_offers_the_countries_of_the_scope(secretary, coordinator_pe, network_manager_pe,
                                                            librarian_lima, lima_library, peru):
    assert LibraryForm(user=secretary).fields["country"].queryset.count() == members().count()
    assert list(LibraryForm(user=coordinator_pe).fields["country"].queryset) == [peru]
    # A network's manager adds libraries in the network's country.
    assert list(LibraryForm(user=network_manager_pe).fields["country"].queryset) == [peru]
    # Library staff add none, but their own library keeps its country in the form.
    assert not LibraryForm(user=librarian_lima).fields["country"].queryset.exists()
    assert list(LibraryForm(user=librarian_lima, instance=lima_library).fields["country"].queryset) == [peru]
    assert not NetworkForm(user=network_manager_pe).fields["country"].queryset.exists()


def test_a_campaign_offers_each_person_their_units(secretary, coordinator_pe, network_manager_pe, librarian_lima,
                                                   reader, lima_library, pe_public):
    campaign = Campaign.objects.create(year=2031, title="Campaña 2031", deadline="2031-12-31", level_country=True,
                                       level_network=True, level_library=True)
    assert unit_keys_for(coordinator_pe, campaign) >= {"PE", f"network:{pe_public.pk}",
                                                       f"library:{lima_library.pk}"}
    assert not any(key.startswith("AR") for key in unit_keys_for(coordinator_pe, campaign))
    assert unit_keys_for(network_manager_pe, campaign) == {f"network:{pe_public.pk}", f"library:{lima_library.pk}"}
    assert unit_keys_for(librarian_lima, campaign) == {f"library:{lima_library.pk}"}
    assert unit_keys_for(reader, campaign) == set()
    assert "CL" in unit_keys_for(secretary, campaign)


def test_delegations_are_for_the_countries_one_coordinates(secretary, coordinator_pe, network_manager_pe, peru):
    assert list(delegation_countries(coordinator_pe)) == [peru]
    assert not delegation_countries(network_manager_pe).exists()
    assert delegation_countries(secretary).count() == members().count()


def test_the_list_of_imports_shows_a_coordinator_their_countrys(as_user, coordinator_pe, coordinator_cl, secretary):
    ours = ImportBatch.objects.create(kind="libraries", filename="peru.csv", country="PE", user=secretary)
    theirs = ImportBatch.objects.create(kind="libraries", filename="chile.csv", country="CL", user=coordinator_cl)
    page = as_user(coordinator_pe).get("/en/platform/changes/imports/").content.decode()
    assert ours.filename in page and theirs.filename not in page
    page = as_user(coordinator_cl).get("/en/platform/changes/imports/").content.decode()
    assert theirs.filename in page and ours.filename not in page


# --- Refusals: worded once, saying why -------------------------------------------------------------------


def test_a_coordinator_is_told_which_country_their_role_covers(coordinator_pe, buenos_aires_library):
    with translation.override("en"):
        assert (permissions.refusal(coordinator_pe, "change", buenos_aires_library)
                == f"Your role covers Peru; {buenos_aires_library} is in Argentina.")


def test_a_network_manager_is_told_the_library_is_not_in_their_network(network_manager_pe, pe_public,
                                                                        cusco_library):
    with translation.override("en"):
        assert (permissions.refusal(network_manager_pe, "change", cusco_library)
                == f"Your role covers the network {pe_public.name} (Peru); {cusco_library} is "
                   "not in it.")


def test_what_only_the_secretariat_does_says_so(coordinator_pe):
    campaign = Campaign(year=2031, title="Campaña 2031", deadline="2031-12-31")
    with translation.override("en"):
        assert permissions.refusal(coordinator_pe, "change", campaign) == (
            "Only the regional secretariat may change Campaña 2031.")


def test_roles_and_visitors_are_told_what_is_missing(librarian_lima, lima_library):
    with translation.override("en"):
        assert permissions.refusal(librarian_lima, "add", Library) == (
            "Your account has no role that may add libraries (the roles that may: National coordinator, "
            "Network manager, and the regional secretariat).")
        assert permissions.refusal(AnonymousUser(), "change", lima_library) == (
            f"Sign in with your role to change {lima_library}.")
        assert permissions.refusal(librarian_lima, "change", lima_library) is None


def test_the_403_page_gives_the_reason(as_user, coordinator_pe, buenos_aires_library):
    response = as_user(coordinator_pe).get(f"/en/registry/libraries/{buenos_aires_library.pk}/edit/")
    assert response.status_code == 403
    assert f"Your role covers Peru; {buenos_aires_library} is in Argentina." in response.content.decode()
