"""Rosa Quispe, Peru's national coordinator, keeps her country's libraries up to date, and only those."""

from sirbi.core.models import ChangeLog
from sirbi.registry.models import Library

from .conftest import shot, sign_in


def test_rosa_signs_in_and_corrects_the_phone_of_a_library_of_peru(page, live_server, rosa, libraries):
    lima = libraries["lima"][0]
    base = live_server.url
    # Anonymous, she finds the library but cannot edit it.
    page.goto(f"{base}/es/registry/libraries/{lima.pk}/")
    edit_link = page.locator(f'main a[href="/es/registry/libraries/{lima.pk}/edit/"]')
    assert edit_link.count() == 0
    # She signs in from the page's "log in" link and comes back to the library.
    page.locator("header li.account a").click()
    page.wait_for_url("**/es/accounts/login/**")
    sign_in(page, base, rosa)
    assert page.url == f"{base}/es/registry/libraries/{lima.pk}/"
    assert page.locator("header li.account").inner_text().strip() == "Rosa Quispe"

    edit_link.click()
    page.wait_for_url(f"**/es/registry/libraries/{lima.pk}/edit/")
    # The form opens with the library's current values ...
    assert page.locator("#id_name").input_value() == lima.name
    assert page.locator("#id_country").input_value() == "PE", "the form lost the library's country"
    assert page.locator("#id_subdivision").input_value() == "PE-LIM", "the form lost the library's subdivision"
    # ... and she changes only the phone.
    phone = page.locator("#id_phone")
    assert phone.input_value() == "+51 1 427 0000"
    phone.fill("+51 1 632 4500")
    page.fill("#id_message", "Nuevo número de la central")
    shot(page, "es-library-form")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()

    # Back on the library page: a confirmation, the new phone, and the change in the history.
    refused = [(e.get_attribute("id"), e.inner_text()) for e in page.locator("main .errorlist").all()]
    assert page.url == f"{base}/es/registry/libraries/{lima.pk}/", f"the form was refused: {refused}"
    assert lima.name in page.locator("main .messages[role=status]").inner_text()
    facts = page.locator("main dl.facts").first  # the second list says how the library is counted
    assert "+51 1 632 4500" in facts.inner_text()
    assert "+51 1 427 0000" not in facts.inner_text()
    # Nothing else moved: still in Lima, Peru, in the same network.
    assert "(PE-LIM)" in facts.inner_text()
    assert "Perú" in facts.inner_text()
    assert facts.locator('a[href="/es/registry/networks/pe-public/"]').count() == 1
    history = page.locator("main section.history")
    change = history.locator("ol.changes > li").first
    assert "rosa" in change.inner_text()
    assert "Nuevo número de la central" in change.inner_text()
    row = change.locator("table.diff tbody tr", has_text="+51 1 632 4500")
    assert row.locator("td").all_inner_texts() == ["+51 1 427 0000", "+51 1 632 4500"]
    shot(page, "es-library-after-edit")

    # The saved record and its change log entry, as the server keeps them.
    lima.refresh_from_db()
    assert (lima.phone, lima.subdivision.code, lima.country.code) == ("+51 1 632 4500", "PE-LIM", "PE")
    entry = ChangeLog.objects.get(content_type__model="library", object_id=lima.pk,
                                  action=ChangeLog.Action.UPDATE)
    assert (entry.user_name, entry.before["phone"], entry.after["phone"]) == ("rosa", "+51 1 427 0000",
                                                                              "+51 1 632 4500")

    # The platform's change log lists it too, and its filters find it.
    page.locator('nav.main-nav a[href="/es/platform/changes/"]').click()
    page.wait_for_url("**/es/platform/changes/")
    listed = page.locator("main ol.changes > li", has_text=lima.name)
    assert listed.count() == 1
    assert listed.locator("table.diff tbody tr td").all_inner_texts() == ["+51 1 427 0000", "+51 1 632 4500"]
    shot(page, "es-changes")
    page.fill("main form.filters input[name=user]", "rosa")
    page.fill("main form.filters input[name=country]", "PE")
    page.locator("main form.filters button[type=submit]").click()
    page.wait_for_url("**/es/platform/changes/?*user=rosa*")
    assert page.locator("main ol.changes > li", has_text=lima.name).count() == 1
    page.fill("main form.filters input[name=country]", "AR")
    page.locator("main form.filters button[type=submit]").click()
    page.wait_for_url("**/es/platform/changes/?*country=AR*")
    assert page.locator("main ol.changes > li").count() == 0


def test_rosa_cannot_touch_a_library_of_argentina(page, live_server, rosa, libraries):
    palermo = libraries["buenos_aires"][0]
    own = libraries["lima"][1]
    base = live_server.url
    sign_in(page, base, rosa)

    # Her own country's library shows the Edit link; Argentina's does not.
    page.goto(f"{base}/es/registry/libraries/{own.pk}/")
    assert page.locator(f'main a[href="/es/registry/libraries/{own.pk}/edit/"]').count() == 1
    page.goto(f"{base}/es/registry/libraries/{palermo.pk}/")
    assert page.locator("h1").inner_text() == palermo.name
    assert page.locator(f'a[href="/es/registry/libraries/{palermo.pk}/edit/"]').count() == 0
    assert page.locator(f'a[href="/es/registry/libraries/{palermo.pk}/delete/"]').count() == 0

    # Typing the edit or delete address gets the 403 page.
    response = page.goto(f"{base}/es/registry/libraries/{palermo.pk}/edit/")
    assert response.status == 403
    assert page.locator("#id_phone").count() == 0
    shot(page, "es-403")
    response = page.goto(f"{base}/es/registry/libraries/{palermo.pk}/delete/")
    assert response.status == 403
    # A hand-made POST, with a valid CSRF token, is refused too (the same POST on her own library is not).
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    form = {"name": "Tomada", "country": "AR", "type": "popular", "status": "open"}
    posted = page.request.post(f"{base}/es/registry/libraries/{palermo.pk}/edit/", form=form,
                               headers={"X-CSRFToken": token}, max_redirects=0)
    assert posted.status == 403
    control = page.request.post(f"{base}/es/registry/libraries/{own.pk}/edit/", form={"country": "PE"},
                                headers={"X-CSRFToken": token}, max_redirects=0)
    assert control.status == 400  # allowed, and refused only for its missing fields
    palermo_now = Library.objects.get(pk=palermo.pk)
    assert palermo_now.name == palermo.name
    assert not ChangeLog.objects.filter(content_type__model="library", object_id=palermo.pk).exists()
