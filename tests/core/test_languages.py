"""Content in the reader's language (core/languages.py): the text in the active language, else Spanish,
Portuguese, English, saying which; the page marks a fallback with `lang` and a note."""

from datetime import date

from django.template import Context, Template
from django.utils import translation

from sirbi.cooperation.models import Meeting
from sirbi.core.languages import column, text, texts, translated_columns


def lima(**titles):
    return Meeting(title="I Encuentro Regional del SIRBI", kind="regional", start_date=date(2022, 11, 9),
                   end_date=date(2022, 11, 11), **titles)


def test_the_text_of_the_readers_language():
    meeting = lima(title_pt="I Encontro Regional do SIRBI", title_en="1st Regional Meeting of SIRBI")
    for language, expected in [("es", "I Encuentro Regional del SIRBI"), ("pt", "I Encontro Regional do SIRBI"),
                               ("en", "1st Regional Meeting of SIRBI")]:
        with translation.override(language):
            value = text(meeting, "title")
            assert (value.text, value.lang, value.fallback, value.note) == (expected, language, False, "")
            assert str(meeting) == expected


def test_a_missing_language_falls_back_to_spanish_and_says_so():
    meeting = lima(title_en="1st Regional Meeting of SIRBI")
    with translation.override("pt"):
        value = text(meeting, "title")
        assert (value.text, value.lang, value.fallback) == ("I Encuentro Regional del SIRBI", "es", True)
        assert str(value.note) == "só em espanhol"


def test_spanish_readers_get_another_language_when_spanish_is_empty():
    meeting = lima(description_pt="Reunião em Lima.")
    with translation.override("es"):
        value = text(meeting, "description")
        assert (value.text, value.lang, str(value.note)) == ("Reunião em Lima.", "pt", "solo en portugués")
    assert texts(meeting, "description") == {"es": "", "pt": "Reunião em Lima.", "en": ""}


def test_columns_of_a_translated_model():
    assert column("title", "es") == "title" and column("title", "pt") == "title_pt"
    assert translated_columns(Meeting) == ["title", "title_pt", "title_en", "description", "description_pt",
                                           "description_en"]
    field = Meeting._meta.get_field("title_pt")
    with translation.override("en"):
        assert field.blank and field.max_length == 250 and str(field.verbose_name) == "title (Portuguese)"


def test_template_marks_a_fallback_with_its_language():
    template = Template('{% load languages %}<h1>{{ meeting|localized:"title" }}</h1>'
                        '{{ meeting|localized_markdown:"description" }}')
    meeting = lima(title_pt="I Encontro Regional do SIRBI", description="Encuentro *presencial*.")
    with translation.override("pt"):
        html = template.render(Context({"meeting": meeting}))
    assert "<h1>I Encontro Regional do SIRBI</h1>" in html
    assert '<p class="lang-note">Só em espanhol</p><div lang="es"><p>Encuentro <em>presencial</em>.</p></div>' in html
    with translation.override("en"):
        html = template.render(Context({"meeting": meeting}))
    assert ('<h1><span lang="es">I Encuentro Regional del SIRBI</span> <small class="lang-note">(only in Spanish)'
            '</small></h1>') in html


def test_time_zones_read_as_a_place_and_an_offset():
    from sirbi.core.languages import timezone_label

    assert timezone_label("America/Bogota", date(2022, 11, 9)) == "Bogota (UTC−5)"
    assert timezone_label("Europe/Madrid", date(2024, 10, 6)) == "Madrid (UTC+2)"
    assert timezone_label("America/St_Johns", date(2024, 1, 6)) == "St Johns (UTC−3:30)"


def test_portuguese_months_are_written_in_lower_case_inside_dates():
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    with translation.override("pt"):
        assert template.render(Context({"day": date(2022, 11, 9)})) == "9 de novembro de 2022"
    with translation.override("es"):
        assert template.render(Context({"day": date(2022, 11, 9)})) == "9 de noviembre de 2022"


def test_the_change_log_filter_names_object_types(secretary, as_user):
    page = as_user(secretary).get("/pt/platform/changes/").content.decode()
    assert "&lt;class" not in page and "<class" not in page
    assert ">Bibliotecas</option>" in page
