"""Edit pages share one form layout (core/_form.html): one column, the fields in named groups, help text where a
field has rules, the change note last."""

import re


def test_the_library_form_is_grouped_with_help_and_the_note_last(as_user, coordinator_pe, lima_library):
    body = as_user(coordinator_pe).get(f"/en/registry/libraries/{lima_library.pk}/edit/").content.decode()
    form = body.split('class="form edit-form"')[1].split("</form>")[0]
    assert re.findall(r'<fieldset class="group"><legend>([^<]+)</legend>', form) == [
        "Identity", "Place", "Contact", "Networks and services"]
    assert form.index('name="isil"') < form.index('name="country"') < form.index('name="website"') \
        < form.index('name="networks"') < form.index('name="message"')
    assert "ISO 15511" in form and "both or neither" in form  # the rules, said before they are broken
    assert 'class="grid"' not in form


def test_the_network_and_country_forms_use_the_same_layout(as_user, secretary, pe_public):
    for path in (f"/en/registry/networks/{pe_public.code}/edit/", "/en/registry/countries/PE/edit/"):
        form = as_user(secretary).get(path).content.decode().split('class="form edit-form"')[1]
        assert '<fieldset class="group">' in form and form.index('name="message"') > form.index("</fieldset>")


def test_an_empty_choice_says_choose_in_the_readers_language(as_user, coordinator_pe, lima_library):
    client = as_user(coordinator_pe)
    for language, words in (("es", "— elegir —"), ("pt", "— escolher —"), ("en", "— choose —")):
        body = client.get(f"/{language}/registry/libraries/{lima_library.pk}/edit/").content.decode()
        assert "---------" not in body and f'<option value="">{words}</option>' in body, language
