"""The admin obeys the same scoped permissions and writes the same change log."""

from sirbi.core.changelog import history


def admin_form(library, **changes):
    data = {"name": library.name, "isil": library.isil or "", "country": library.country.code, "subdivision": "",
            "type": library.type, "status": library.status, "locality": library.locality, "address": "",
            "postal_code": "", "latitude": "", "longitude": "", "website": "", "email": "", "phone": "",
            "description": "", "base_version": library.version, "message": ""}
    data.update(changes)
    return data


def test_a_coordinator_changes_their_country_in_the_admin(as_user, coordinator_pe, cusco_library):
    coordinator_pe.is_staff = True
    coordinator_pe.save()
    response = as_user(coordinator_pe).post(f"/en/admin/registry/library/{cusco_library.pk}/change/",
                                            admin_form(cusco_library, phone="084 123"))
    assert response.status_code == 302, response.content.decode()[:3000]
    cusco_library.refresh_from_db()
    assert cusco_library.phone == "084 123"
    assert history(cusco_library).get().source == "admin"


def test_the_admin_refuses_another_country(as_user, coordinator_pe, buenos_aires_library):
    coordinator_pe.is_staff = True
    coordinator_pe.save()
    client = as_user(coordinator_pe)
    response = client.post(f"/en/admin/registry/library/{buenos_aires_library.pk}/change/",
                           admin_form(buenos_aires_library, phone="x"))
    assert response.status_code == 403
    response = client.post(f"/en/admin/registry/library/{buenos_aires_library.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    buenos_aires_library.refresh_from_db()
    assert buenos_aires_library.phone == ""
    assert client.get("/en/admin/core/user/").status_code == 403
