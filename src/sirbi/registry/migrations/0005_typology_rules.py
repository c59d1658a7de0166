"""The typology crosswalk's starting rules (registry/typology.py). The secretariat changes them afterwards in the
admin; each rule's name says, in the three languages, what it decides."""

from django.db import migrations

# order, code, (es, pt, en), ISO 2789 type, subtype ("" any), statutory (None either), LMW type, SIRBI type
RULES = [
    (10, "national", ("Biblioteca nacional", "Biblioteca nacional", "National library"),
     "national", "", None, "national", "other"),
    (20, "higher-education", ("Biblioteca de educación superior: académica para el LMW",
                              "Biblioteca de ensino superior: acadêmica para o LMW",
                              "Higher education library: academic for the LMW"),
     "higher_education", "", None, "academic", "other"),
    (30, "public-statutory", ("Biblioteca pública a cargo de una autoridad pública",
                              "Biblioteca pública mantida por uma autoridade pública",
                              "Public library run by a public authority"),
     "public", "", True, "public", "public"),
    (40, "public-community", ("Biblioteca de uso público no estatal (comunitaria o popular): comunitaria para el LMW, "
                              "popular para SIRBI; ISO 2789 no tiene categoría propia",
                              "Biblioteca de uso público não estatal (comunitária ou popular): comunitária para o "
                              "LMW, popular para o SIRBI; a ISO 2789 não tem categoria própria",
                              "Public-use library not run by a public authority (community or popular): community "
                              "for the LMW, popular for SIRBI; ISO 2789 has no category of its own"),
     "public", "", False, "community", "popular"),
    (50, "school", ("Biblioteca escolar", "Biblioteca escolar", "School library"),
     "school", "", None, "school", "school"),
    (60, "special", ("Biblioteca especializada: otra para el LMW", "Biblioteca especializada: outra para o LMW",
                     "Special library: other for the LMW"),
     "special", "", None, "other", "other"),
]


def add_rules(apps, schema_editor):
    TypologyRule = apps.get_model("registry", "TypologyRule")
    for order, code, (es, pt, en), iso_type, subtype, statutory, lmw, sirbi in RULES:
        TypologyRule.objects.update_or_create(code=code, defaults={
            "order": order, "name_es": es, "name_pt": pt, "name_en": en, "iso_type": iso_type,
            "iso_subtype": subtype, "statutory": statutory, "lmw_type": lmw, "sirbi_type": sirbi})


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_typology_and_service_points")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
