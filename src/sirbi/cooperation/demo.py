"""Demo data of the cooperation workspace: the SIRBI meetings known from public pages (data/sirbi_meetings.csv,
with their sources) and, marked as sample, what is not known: agendas beyond the known sessions,
registrations, agreements, documents and a roadmap with actions in several states and progress reports.

Safe to run again: everything is found by its title or code before it is created.
"""

import csv
import hashlib
from datetime import date, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sirbi.registry.models import Country, Network
from sirbi.stats.models import Indicator

from .models import (
    Action,
    ActionIndicator,
    Activity,
    Agreement,
    Answer,
    Choice,
    Document,
    DocumentVersion,
    GoodPractice,
    GroupMembership,
    Line,
    Meeting,
    Milestone,
    NeedArea,
    Objective,
    Partner,
    PartnershipAgreement,
    Post,
    ProgressReport,
    Question,
    Questionnaire,
    Response,
    Section,
    Session,
    Topic,
    WorkingGroup,
)

DATA = Path(__file__).parent / "data"

PARTNERS = [
    # name, acronym, kind, country, website
    ("Centro Regional para el Fomento del Libro en América Latina y el Caribe", "CERLALC", "intergovernmental", "CO",
     "https://cerlalc.org/"),
    ("International Federation of Library Associations and Institutions", "IFLA", "association", "",
     "https://www.ifla.org/"),
    ("Biblioteca Nacional del Perú", "BNP", "library", "PE", "https://www.bnp.gob.pe/"),
    ("Ministerio de Cultura del Perú", "", "ministry", "PE", "https://www.gob.pe/cultura"),
    ("Ministerio de Cultura de España", "", "ministry", "ES", "https://www.cultura.gob.es/"),
    ("Consorci de Biblioteques de Barcelona", "CBB", "library", "ES", "https://ajuntament.barcelona.cat/biblioteques/"),
]

NEED_AREAS = [
    ("reading", "Promoción de la lectura", "Promoção da leitura", "Reading promotion"),
    ("training", "Formación de bibliotecarios", "Formação de bibliotecários", "Training of librarians"),
    ("legal", "Marcos legales y políticas", "Marcos legais e políticas", "Legal frameworks and policies"),
    ("school", "Bibliotecas escolares", "Bibliotecas escolares", "School libraries"),
    ("digital", "Transformación digital y conectividad", "Transformação digital e conectividade",
     "Digital transformation and connectivity"),
    ("data", "Datos y estadísticas", "Dados e estatísticas", "Data and statistics"),
    ("infrastructure", "Infraestructura y colecciones", "Infraestrutura e acervos", "Buildings and collections"),
    ("inclusion", "Inclusión y diversidad", "Inclusão e diversidade", "Inclusion and diversity"),
]

KINDS = {"network meeting": "network", "regional meeting": "regional"}
TIMEZONES = {"PE": "America/Lima", "ES": "Europe/Madrid", "": "America/Bogota"}  # CERLALC sits in Bogotá

# Sessions of the Lima meeting: (day offset, start, end, kind, title, speakers, known, note).
# Known from IFLA's page: CERLALC opened it; IFLA's panel on alliances on 9 November; working groups on the
# second day. Their times are not published: they are indicative. The other sessions are sample.
LIMA_SESSIONS = [
    (0, "09:00", "10:00", "plenary", "Inauguración", "CERLALC; Biblioteca Nacional del Perú; Ministerio de Cultura",
     True),
    (0, "10:30", "12:30", "panel", "Panel «Alianzas para la cooperación y el desarrollo bibliotecario en "
     "Iberoamérica»", "IFLA", True),
    (0, "14:30", "17:30", "plenary", "Las redes nacionales hoy: presentaciones de los países", "Delegaciones", False),
    (1, "09:00", "13:00", "working_group", "Grupos de trabajo: necesidades y áreas de trabajo conjunto",
     "Delegaciones", True),
    (1, "14:30", "17:00", "plenary", "Plenaria: hacia una hoja de ruta de cooperación regional", "CERLALC", False),
    (2, "09:00", "11:30", "visit", "Visita a la Biblioteca Nacional del Perú", "Biblioteca Nacional del Perú", False),
    (2, "12:00", "13:00", "plenary", "Clausura y lectura de acuerdos", "CERLALC", False),
]
INDICATIVE = "La hora es indicativa: no está publicada."
# The Lima sessions' titles in Portuguese and English (the others stay in Spanish: pages say so).
SESSION_TITLES = {
    "Inauguración": ("Abertura", "Opening"),
    "Panel «Alianzas para la cooperación y el desarrollo bibliotecario en Iberoamérica»": (
        "Painel «Alianças para a cooperação e o desenvolvimento das bibliotecas na Ibero-América»",
        "Panel “Alliances for Library Cooperation and Development in Ibero-America”"),
    "Las redes nacionales hoy: presentaciones de los países": (
        "As redes nacionais hoje: apresentações dos países", "National networks today: the countries' presentations"),
    "Grupos de trabajo: necesidades y áreas de trabajo conjunto": (
        "Grupos de trabalho: necessidades e áreas de trabalho conjunto",
        "Working groups: needs and areas of joint work"),
    "Plenaria: hacia una hoja de ruta de cooperación regional": (
        "Plenária: rumo a um roteiro de cooperação regional", "Plenary: towards a roadmap for regional cooperation"),
    "Visita a la Biblioteca Nacional del Perú": ("Visita à Biblioteca Nacional do Peru",
                                                 "Visit to the National Library of Peru"),
    "Clausura y lectura de acuerdos": ("Encerramento e leitura dos acordos", "Closing and reading of the agreements"),
}

BARCELONA_SESSIONS = [
    (0, "18:00", "19:30", "plenary", "Bienvenida: «Biblioteca Acción por la Equidad y la Justicia»", "CERLALC"),
    (1, "09:30", "11:00", "panel", "Bibliotecas y poblaciones migrantes", ""),
    (1, "11:30", "13:00", "panel", "Aprendizaje a lo largo de la vida", ""),
    (2, "09:30", "11:00", "panel", "Interculturalidad y diversidad", ""),
    (2, "11:30", "13:00", "panel", "Equidad de género en las bibliotecas", ""),
    (3, "10:00", "12:00", "visit", "Visita a bibliotecas del Consorci de Biblioteques de Barcelona", "CBB"),
]

# The roadmap (sample): line code, name, objectives [(code, name, actions)].
# Action: code, title, lead, participants, networks, start, end, status, weight, need areas,
#         reports [(date, progress, text)], milestones [(title, due, done)], indicators [(code, base, year, target)].
ROADMAP = [
    ("data", "Datos y estadísticas de bibliotecas", [
        ("data-directory", "Un directorio regional de redes y bibliotecas", [
            ("directorio-regional", "Directorio regional de redes y bibliotecas", "PE", ["CO", "CL"], ["pe-public"],
             "2022-11-11", "2023-06-30", "done", 2, ["data"],
             [("2023-02-15", 40, "Se acordó el formato de datos y el uso de ISIL."),
              ("2023-06-20", 100, "Directorio publicado con las 21 redes nacionales.")],
             [("Formato de datos acordado", "2023-02-28", "2023-02-15")], []),
        ]),
        ("data-indicators", "Estadísticas anuales comparables", [
            ("estadisticas-lmw", "Reporte anual con los indicadores de la IFLA", "CL", ["MX", "PE"], [],
             "2023-01-01", "2026-12-31", "in_progress", 3, ["data"],
             [("2023-09-01", 20, "Plantilla común en español y portugués."),
              ("2024-10-01", 55, "Ocho países reportaron las cifras de 2023."),
              ("2025-10-01", 70, "Doce países reportaron las cifras de 2024.")],
             [("Plantilla común", "2023-06-30", "2023-08-20"), ("Primer informe regional", "2025-03-31", "2025-04-10"),
              ("Segundo informe regional", "2026-03-31", None)],
             [("libraries_per_100k", None, None, None)]),
        ]),
    ]),
    ("reading", "Promoción de la lectura", [
        ("reading-plans", "Planes nacionales de lectura articulados con las redes", [
            ("intercambio-planes", "Intercambio de experiencias de planes nacionales de lectura", "ES", ["PE", "CO"],
             [], "2023-03-01", "2024-12-31", "done", 1, ["reading"],
             [("2024-05-10", 30, "Dos seminarios virtuales con cinco países."),
              ("2024-12-10", 100, "Relatoría publicada con las experiencias de siete países.")],
             [("Relatoría de experiencias", "2024-11-30", "2024-12-10")], []),
            ("maletas-viajeras", "Maletas viajeras de lectura en zonas rurales", "CO", ["EC", "BO"], [],
             "2024-02-01", "2027-12-31", "in_progress", 2, ["reading", "inclusion"],
             [("2025-03-01", 25, "Primeras 120 maletas en circulación.")], [],
             [("loans_per_capita", None, None, None)]),
        ]),
    ]),
    ("training", "Formación de bibliotecarios", [
        ("training-programme", "Programa regional de formación", [
            ("curso-virtual", "Curso virtual regional de gestión de bibliotecas públicas", "AR", ["UY", "PY"], [],
             "2023-04-01", "2026-06-30", "in_progress", 3, ["training"],
             [("2024-04-01", 35, "Primera cohorte: 180 participantes de 9 países."),
              ("2025-08-01", 70, "Segunda cohorte con módulo de bibliotecas escolares."),
              ("2026-05-01", 90, "Tercera cohorte en curso.")],
             [("Plataforma en línea", "2023-09-30", "2023-10-15"), ("Tercera cohorte", "2026-03-31", "2026-04-02")],
             []),
            ("pasantias", "Pasantías entre bibliotecas nacionales", "MX", ["GT", "HN", "SV"], [],
             "2024-01-01", "2025-06-30", "on_hold", 1, ["training"], [], [], []),
        ]),
    ]),
    ("legal", "Marcos legales", [
        ("legal-model", "Leyes de bibliotecas actualizadas", [
            ("ley-modelo", "Guía regional para leyes de bibliotecas públicas", "CO", ["CR", "PA"], [],
             "2025-01-15", "2027-10-31", "planned", 1, ["legal"], [],
             [("Borrador de la guía", "2027-05-31", None)], []),
        ]),
    ]),
    ("school", "Bibliotecas escolares", [
        ("school-networks", "Redes de bibliotecas escolares", [
            ("rbe-cooperacion", "Cooperación con la Rede de Bibliotecas Escolares de Portugal", "PT", ["BR", "CL"],
             [], "2024-10-09", "2026-12-31", "in_progress", 2, ["school", "reading"],
             [("2025-05-15", 40, "Intercambio de referenciales de evaluación de bibliotecas escolares.")],
             [], []),
        ]),
    ]),
    ("digital", "Transformación digital", [
        ("digital-access", "Conectividad y servicios digitales", [
            ("conectividad", "Diagnóstico de conectividad de las bibliotecas públicas", "BR", ["PE", "BO", "NI"],
             [], "2023-06-01", "2024-12-31", "done", 2, ["digital"],
             [("2024-03-01", 50, "Encuesta aplicada en cuatro países."),
              ("2024-12-15", 100, "Informe de diagnóstico publicado.")],
             [("Informe de diagnóstico", "2024-11-30", "2024-12-10")], [("internet_pct", None, None, None)]),
            ("catalogo-colectivo", "Catálogo colectivo regional", "CL", ["AR", "PE", "CO"], [],
             "2025-01-01", "2027-06-30", "planned", 2, ["digital", "data"], [], [], []),
            ("prestamo-digital", "Préstamo digital compartido (descartada)", "UY", [], [],
             "2023-01-01", "2023-12-31", "cancelled", 1, ["digital"], [], [], []),
        ]),
    ]),
]

# Sample agreements of Lima: number, text, countries, deadline, action code it became (or None).
LIMA_AGREEMENTS = [
    (1, "Construir un directorio regional de las redes nacionales y sus bibliotecas.", ["PE", "CO"], "2023-06-30",
     "directorio-regional"),
    (2, "Reportar cada año las estadísticas de bibliotecas públicas con los indicadores del Mapa Mundial de "
        "Bibliotecas de la IFLA.", ["CL", "MX"], "2025-12-31", "estadisticas-lmw"),
    (3, "Crear un programa regional de formación de bibliotecarios.", ["AR"], "2026-06-30", "curso-virtual"),
    (4, "Intercambiar experiencias sobre los planes nacionales de lectura y su relación con las redes.",
     ["PE", "ES"], "2024-12-31", None),
]


# Working groups (sample: Lima's second day had working groups, whose themes and members are not published).
GROUPS = [
    ("datos", "Grupo de trabajo de datos y estadísticas", "Estadísticas comparables de las redes de bibliotecas",
     "Acordar los indicadores comunes, acompañar las campañas anuales de estadísticas y publicar un informe "
     "regional cada año.", ["CL", "MX", "PE", "CO"], [("coord-cl", "coordinator", "CL"), ("coord-pe", "member", "PE"),
                                                     ("red-pe", "member", "PE")],
     ["estadisticas-lmw", "directorio-regional"],
     [("Plantilla común de la campaña 2026", [
         ("coord-cl", "Propongo usar la plantilla del año pasado con dos columnas nuevas: **fuente** y **método**."),
         ("coord-pe", "De acuerdo. En el Perú las bibliotecas municipales reportan por región: ¿podemos mantener "
                      "ese nivel?"),
         ("coord-cl", "Sí: la campaña admite cifras por red y por biblioteca.")])]),
    ("formacion", "Grupo de trabajo de formación de bibliotecarios", "Formación continua del personal de bibliotecas",
     "Diseñar y evaluar el curso virtual regional y un programa de pasantías.", ["AR", "UY", "PY", "MX"],
     [("secretaria", "coordinator", None)], ["curso-virtual", "pasantias"],
     [("Evaluación de la segunda cohorte", [
         ("secretaria", "Compartimos los resultados de la encuesta: 86 % recomendaría el curso.")])]),
    ("escolares", "Grupo de trabajo de bibliotecas escolares", "Redes de bibliotecas escolares",
     "Intercambiar marcos de evaluación y experiencias de las redes escolares.", ["PT", "BR", "CL"],
     [("coord-cl", "member", "CL")], ["rbe-cooperacion"], []),
]


# Indicators of the statistics that reveal a need in an area (stats.services.needs applies their rules).
AREA_INDICATORS = {"reading": ["loans_per_capita", "visits_per_capita"], "digital": ["internet_pct"],
                   "infrastructure": ["libraries_per_100k"], "training": ["staff_per_10k"]}
# Sample submitted answers: country → need level 1-5 per area in NEED_AREAS' order.
SAMPLE_ANSWERS = {
    "AR": [2, 3, 2, 3, 2, 4, 3, 2], "BO": [4, 5, 4, 5, 5, 5, 5, 4], "CL": [2, 2, 3, 2, 2, 3, 2, 3],
    "CO": [3, 3, 2, 4, 3, 4, 3, 4], "EC": [4, 4, 3, 4, 4, 5, 4, 3], "MX": [3, 4, 3, 3, 3, 3, 4, 3],
    "PY": [4, 4, 5, 4, 4, 5, 4, 4], "PT": [1, 2, 1, 2, 2, 2, 1, 3], "UY": [2, 3, 2, 2, 2, 3, 3, 2],
    "ES": [1, 2, 1, 1, 2, 1, 1, 3],
}


def _d(text):
    return date.fromisoformat(text) if text else None


def _t(text):
    return time.fromisoformat(text)


def load_partners():
    countries = {c.code: c for c in Country.objects.all()}
    for name, acronym, kind, country, website in PARTNERS:
        Partner.objects.get_or_create(name=name, defaults={"acronym": acronym, "kind": kind,
                                                           "country": countries.get(country), "website": website})
    for order, (code, es, pt, en) in enumerate(NEED_AREAS):
        NeedArea.objects.get_or_create(code=code, defaults={"name_es": es, "name_pt": pt, "name_en": en,
                                                            "order": order})


def load_meetings():
    """The three meetings of the CSV, with their facts and sources."""
    countries = {c.code: c for c in Country.objects.all()}
    partners = {p.acronym or p.name: p for p in Partner.objects.all()}
    created = 0
    with open(DATA / "sirbi_meetings.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start = _d(row["start"])
            titles = {"title": row["title_es"], "title_pt": row["title_pt"], "title_en": row["title_en"]}
            # Found by its Spanish title, or by the source's name that earlier demos stored as the title.
            meeting = Meeting.objects.filter(title__in=[row["title_es"], row["meeting"]]).first()
            new = meeting is None
            if new:
                meeting = Meeting.objects.create(
                    **titles, kind=KINDS.get(row["kind"], "regional"), start_date=start,
                    end_date=_d(row["end"]) or start, timezone=TIMEZONES.get(row["country_iso2"], "America/Bogota"),
                    city=row["city"], country=countries.get(row["country_iso2"]), description=_description(row),
                    description_pt=_description(row, "pt"), description_en=_description(row, "en"),
                    source_url=row["source_url"], is_sample=False)
            elif meeting.title != row["title_es"] or not meeting.title_pt:
                Meeting.objects.filter(pk=meeting.pk).update(**titles, description_pt=_description(row, "pt"),
                                                             description_en=_description(row, "en"))
            created += new
            if new:
                meeting.countries.set([countries[c] for c in row["countries_iso2"].split()])
                meeting.hosts.set([partners["CERLALC"]])
                if row["country_iso2"] == "PE":
                    meeting.hosts.add(partners["BNP"], partners["Ministerio de Cultura del Perú"])
                    meeting.partners.set([partners["IFLA"]])
                if row["country_iso2"] == "ES":
                    meeting.hosts.add(partners["Ministerio de Cultura de España"], partners["CBB"])
    return created


# The description of a meeting from the CSV, in each language: (mode, countries, what the source says, source).
DESCRIPTION_TEXTS = {
    "es": ({"virtual": "Reunión virtual.", "in person": "Encuentro presencial."}, " Países participantes: {}.",
           "Lo que dice la fuente (en inglés)", "Fuente"),
    "pt": ({"virtual": "Reunião virtual.", "in person": "Encontro presencial."}, " Países participantes: {}.",
           "O que diz a fonte (em inglês)", "Fonte"),
    "en": ({"virtual": "Online meeting.", "in person": "In-person meeting."}, " Countries taking part: {}.",
           "What the source says", "Source"),
}


def _description(row, language="es"):
    modes, countries, says, source = DESCRIPTION_TEXTS[language]
    count = countries.format(row["countries_count"]) if row["countries_count"] else ""
    return (f"{modes.get(row['mode'], '')}{count}\n\n{says}: *{row['facts']}*\n\n"
            f"{source}: <{row['source_url']}>")


def _meeting(title_es):
    return Meeting.objects.get(title=title_es)


def load_sessions():
    lima = _meeting("I Encuentro Regional del SIRBI")
    barcelona = _meeting("II Encuentro Iberoamericano del SIRBI")
    if not lima.sessions.exists():
        for offset, start, end, kind, title, speakers, known in LIMA_SESSIONS:
            Session.objects.create(meeting=lima, date=lima.start_date + timedelta(days=offset), start_time=_t(start),
                                   end_time=_t(end), kind=kind, title=title, speakers=speakers,
                                   title_pt=SESSION_TITLES[title][0], title_en=SESSION_TITLES[title][1],
                                   room="Biblioteca Nacional del Perú" if known else "Sala 1",
                                   description=INDICATIVE if known else "", is_sample=not known)
        lima.is_sample = True  # its agenda, agreements and documents are partly sample
        lima.save(update_fields=["is_sample"])
    if not barcelona.sessions.exists():
        for offset, start, end, kind, title, speakers in BARCELONA_SESSIONS:
            Session.objects.create(meeting=barcelona, date=barcelona.start_date + timedelta(days=offset),
                                   start_time=_t(start), end_time=_t(end), kind=kind, title=title,
                                   speakers=speakers, is_sample=True)
        barcelona.is_sample = True
        barcelona.save(update_fields=["is_sample"])


def load_upcoming(today=None):
    """A sample webinar three months ahead, open for registration with 30 places."""
    today = today or date.today()
    day = today + timedelta(days=90)
    meeting, new = Meeting.objects.get_or_create(title="Seminario web: estadísticas de bibliotecas con los "
                                                       "indicadores de la IFLA", defaults={
        "kind": "webinar", "start_date": day, "end_date": day, "timezone": "America/Bogota",
        "online_url": "https://meet.example.org/sirbi-estadisticas", "capacity": 30, "registration_open": True,
        "description": "Cómo reportar las cifras de las redes en la campaña anual, con ejemplos de tres países.",
        "is_sample": True})
    if new:
        Session.objects.create(meeting=meeting, date=day, start_time=_t("10:00"), end_time=_t("11:30"),
                               kind="plenary", title="Presentación y preguntas", speakers="Secretaría de SIRBI",
                               is_sample=True)
    return meeting


def _people():
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=["secretaria", "coord-pe", "coord-cl"])}


def load_roadmap():
    countries = {c.code: c for c in Country.objects.all()}
    networks = {n.code: n for n in Network.objects.all()}
    areas = {a.code: a for a in NeedArea.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    people = _people()
    created = 0
    for line_order, (line_code, line_name, objectives) in enumerate(ROADMAP):
        line, _new = Line.objects.get_or_create(code=line_code, defaults={
            "name": line_name, "order": line_order, "is_sample": True})
        for objective_order, (objective_code, objective_name, actions) in enumerate(objectives):
            objective, _new = Objective.objects.get_or_create(code=objective_code, defaults={
                "line": line, "name": objective_name, "order": objective_order, "is_sample": True})
            for (code, title, lead, participants, nets, start, end, status, weight, need_areas, reports,
                 milestones, links) in actions:
                if Action.objects.filter(code=code).exists():
                    continue
                action = Action.objects.create(
                    objective=objective, code=code, title=title, lead_country=countries[lead], start=_d(start),
                    end=_d(end), status=status, weight=weight, is_sample=True,
                    progress=reports[-1][1] if reports else 0)
                created += 1
                action.countries.set([countries[c] for c in participants])
                action.networks.set([networks[n] for n in nets if n in networks])
                action.need_areas.set([areas[a] for a in need_areas])
                author = people.get("coord-pe" if lead == "PE" else "coord-cl" if lead == "CL" else "secretaria")
                for day, progress, text in reports:
                    ProgressReport.objects.create(action=action, date=_d(day), progress=progress, text=text,
                                                  author=author, is_sample=True)
                for milestone_title, due, done in milestones:
                    Milestone.objects.create(action=action, title=milestone_title, due=_d(due), done_on=_d(done))
                for indicator_code, baseline, baseline_year, target in links:
                    if indicator_code in indicators:
                        ActionIndicator.objects.create(action=action, indicator=indicators[indicator_code],
                                                       baseline=baseline, baseline_year=baseline_year, target=target)
    partners = {p.acronym: p for p in Partner.objects.exclude(acronym="")}
    for code in ("estadisticas-lmw", "curso-virtual"):
        action = Action.objects.filter(code=code).first()
        if action and not action.partners.exists():
            action.partners.add(partners["IFLA"], partners["CERLALC"])
    return created


def load_agreements():
    lima = _meeting("I Encuentro Regional del SIRBI")
    countries = {c.code: c for c in Country.objects.all()}
    for number, text, codes, deadline, action_code in LIMA_AGREEMENTS:
        agreement, new = Agreement.objects.get_or_create(meeting=lima, number=number, defaults={
            "text": text, "deadline": _d(deadline), "is_sample": True,
            "action": Action.objects.filter(code=action_code).first() if action_code else None})
        if new:
            agreement.countries.set([countries[c] for c in codes])


# A one-page PDF written by hand (no library needed): the sample minutes of Lima.
def _minutes_pdf():
    text = "SIRBI - Lima 2022 - Acta (ejemplo / sample)"
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def load_documents():
    lima = _meeting("I Encuentro Regional del SIRBI")
    if lima.documents.exists():
        return
    body = _minutes_pdf()
    document = Document.objects.create(meeting=lima, title="Acta del encuentro (ejemplo)", kind="minutes",
                                       visibility="public", is_sample=True)
    version = DocumentVersion(document=document, number=1, original_name="acta-lima-2022.pdf",
                              media_type="application/pdf", extension="pdf", size=len(body),
                              sha256=hashlib.sha256(body).hexdigest(), note="Ejemplo")
    version.file.save("acta-lima-2022.pdf", ContentFile(body), save=False)
    version.save()


def load_groups():
    countries = {c.code: c for c in Country.objects.all()}
    User = get_user_model()
    people = {u.username: u for u in User.objects.all()}
    for code, name, theme, mandate, member_countries, members, action_codes, topics in GROUPS:
        group, new = WorkingGroup.objects.get_or_create(code=code, defaults={
            "name": name, "theme": theme, "mandate": mandate, "is_sample": True})
        if not new:
            continue
        group.countries.set([countries[c] for c in member_countries])
        for username, role, country in members:
            if username in people:
                GroupMembership.objects.create(group=group, user=people[username], role=role,
                                               country=countries.get(country))
        Action.objects.filter(code__in=action_codes).update(working_group=group)
        for title, posts in topics:
            topic = Topic.objects.create(group=group, title=title, author=people.get(posts[0][0]), is_sample=True)
            for username, text in posts:
                Post.objects.create(topic=topic, author=people.get(username), text=text, is_sample=True)
        if code == "datos":
            session = Meeting.objects.create(
                title="Sesión del grupo de trabajo de datos y estadísticas", kind="working_group",
                start_date=date(2025, 9, 17), end_date=date(2025, 9, 17), timezone="America/Santiago",
                online_url="https://meet.example.org/sirbi-datos", working_group=group, is_sample=True,
                description="Revisión de la plantilla de la campaña anual.")
            Session.objects.create(meeting=session, date=session.start_date, start_time=_t("10:00"),
                                   end_time=_t("11:30"), kind="working_group", title="Plantilla común",
                                   is_sample=True)


def load_questionnaire(today=None):
    """A sample needs questionnaire, open now, with ten countries' submitted answers (Peru's left to answer)."""
    today = today or date.today()
    areas = {a.code: a for a in NeedArea.objects.all()}
    indicators = {i.code: i for i in Indicator.objects.all()}
    for code, codes in AREA_INDICATORS.items():
        if code in areas and not areas[code].indicators.exists():
            areas[code].indicators.set([indicators[c] for c in codes if c in indicators])
    questionnaire, new = Questionnaire.objects.get_or_create(code="diagnostico-2026", defaults={
        "title_es": "Diagnóstico de necesidades de las redes (ejemplo)",
        "title_pt": "Diagnóstico de necessidades das redes (exemplo)",
        "title_en": "Needs assessment of the networks (sample)",
        "intro_es": "Responda por la red o las redes de su país. Puede guardar y volver más tarde.",
        "intro_pt": "Responda pela rede ou redes do seu país. Pode salvar e voltar mais tarde.",
        "intro_en": "Answer for your country's network or networks. You can save and come back later.",
        "opens": today - timedelta(days=30), "closes": today + timedelta(days=60), "status": "sent",
        "is_sample": True})
    if not new:
        return questionnaire
    questionnaire.countries.set(Country.objects.filter(is_member=True))
    priorities = Section.objects.create(questionnaire=questionnaire, order=1, title_es="Prioridades",
                                        title_pt="Prioridades", title_en="Priorities")
    ordered = [areas[code] for code, *_names in NEED_AREAS]
    for order, area in enumerate(ordered):
        Question.objects.create(
            section=priorities, order=order, code=f"need-{area.code}", kind="scale", need_area=area,
            text_es=f"¿Qué tan grande es la necesidad de su red en «{area.name_es}»?",
            text_pt=f"Qual é o tamanho da necessidade da sua rede em «{area.name_pt}»?",
            text_en=f"How great is your network's need in “{area.name_en}”?")
    resources = Section.objects.create(questionnaire=questionnaire, order=2, title_es="Cooperación",
                                       title_pt="Cooperação", title_en="Cooperation")
    support = Question.objects.create(
        section=resources, order=1, code="support", kind="multiple", required=False,
        text_es="¿En qué áreas busca apoyo de la cooperación regional?",
        text_pt="Em que áreas procura apoio da cooperação regional?",
        text_en="In which areas do you seek support from regional cooperation?")
    for order, area in enumerate(ordered):
        Choice.objects.create(question=support, order=order, code=area.code, label_es=area.name_es,
                              label_pt=area.name_pt, label_en=area.name_en, need_area=area)
    Question.objects.create(section=resources, order=2, code="offline", kind="number", required=False,
                            text_es="¿Cuántas bibliotecas de su red no tienen internet?",
                            text_pt="Quantas bibliotecas da sua rede não têm internet?",
                            text_en="How many libraries of your network have no internet?")
    Question.objects.create(section=resources, order=3, code="comments", kind="text", required=False,
                            text_es="Comentarios", text_pt="Comentários", text_en="Comments")
    countries = {c.code: c for c in Country.objects.all()}
    questions = {q.code: q for q in Question.objects.filter(section__questionnaire=questionnaire)}
    for code, levels in SAMPLE_ANSWERS.items():
        response = Response.objects.create(questionnaire=questionnaire, country=countries[code],
                                           status="submitted", submitted=timezone.now(), is_sample=True)
        for area, level in zip(ordered, levels, strict=True):
            Answer.objects.create(response=response, question=questions[f"need-{area.code}"], value=level)
        Answer.objects.create(response=response, question=support,
                              value=[a.code for a, level in zip(ordered, levels, strict=True) if level >= 4])
    return questionnaire


PRACTICES = [
    # title, country, network, themes, sdgs, status, summary
    ("Maletas viajeras en comunidades rurales", "CO", "co-public", ["reading", "inclusion"], [4, 10], "published",
     "Las bibliotecas públicas municipales prestan **maletas de 50 libros** a escuelas y juntas comunales de "
     "veredas sin biblioteca; una persona de la comunidad se forma como mediadora de lectura."),
    ("Bibliotecas escolares evaluadas con un referencial común", "PT", "pt-school", ["school", "data"], [4],
     "published", "La red de bibliotecas escolares usa un modelo de autoevaluación con indicadores comunes que "
     "cada escuela aplica cada año; los resultados orientan la formación y las inversiones."),
    ("Clubes de lectura para personas migrantes", "ES", "es-public", ["inclusion", "reading"], [4, 10, 16],
     "published", "Clubes de lectura y conversación en español para recién llegados, con materiales en sus "
     "lenguas y voluntariado de la comunidad."),
    ("Conectividad en bibliotecas populares", "AR", "ar-popular", ["digital"], [9, 4], "submitted",
     "Un fondo concursable financia la conexión y el equipamiento de bibliotecas populares de zonas alejadas."),
]

PARTNERSHIPS = [
    # title, networks, partners (acronyms), signed, starts, ends (days from today, or None), scopes
    ("Convenio de préstamo interbibliotecario entre las redes públicas del Perú y de Chile", ["pe-public", "cl-public"],
     [], "2024-03-15", "2024-04-01", 45, ["loans", "data"]),
    ("Programa de formación con la IFLA", ["ar-public", "uy-public", "py-public"], ["IFLA"], "2023-05-10",
     "2023-06-01", None, ["training"]),
]


def load_alliances(today=None):
    today = today or date.today()
    networks = {n.code: n for n in Network.objects.all()}
    partners = {p.acronym or p.name: p for p in Partner.objects.all()}
    if not partners["IFLA"].networks.exists():
        partners["IFLA"].networks.set([networks[c] for c in ("pe-public", "ar-public", "uy-public")])
        partners["CERLALC"].networks.set([networks[c] for c in ("pe-public", "co-public", "es-public")])
    for title, codes, acronyms, signed, starts, ends_in, scopes in PARTNERSHIPS:
        agreement, new = PartnershipAgreement.objects.get_or_create(title=title, defaults={
            "signed": _d(signed), "starts": _d(starts), "scopes": scopes, "is_sample": True,
            "ends": today + timedelta(days=ends_in) if ends_in is not None else None})
        if new:
            agreement.networks.set([networks[c] for c in codes])
            agreement.partners.set([partners[a] for a in acronyms])
    areas = {a.code: a for a in NeedArea.objects.all()}
    countries = {c.code: c for c in Country.objects.all()}
    for title, country, network, themes, sdgs, status, summary in PRACTICES:
        practice, new = GoodPractice.objects.get_or_create(title=title, defaults={
            "country": countries[country], "network": networks.get(network), "sdgs": sdgs, "status": status,
            "summary": summary, "is_sample": True})
        if new:
            practice.themes.set([areas[t] for t in themes])


# Sample agenda (days from today): real kinds of activity in real towns, invented dates and titles.
ACTIVITIES = [
    ("Feria del libro de la ciudad (ejemplo)", "book_fair", "MX", "", "Guadalajara", 20.67, -103.35, 5, 13),
    ("Campaña nacional «Leer en familia» (ejemplo)", "campaign", "PE", "pe-public", "", None, None, 10, 120),
    ("Curso de mediación de lectura para bibliotecas populares (ejemplo)", "training", "AR", "ar-popular",
     "Córdoba", -31.42, -64.18, 30, 34),
    ("Plan nacional de lectura: encuentro de bibliotecas escolares (ejemplo)", "reading_plan", "PT", "pt-school",
     "Lisboa", 38.72, -9.14, 45, 46),
    ("Festival de literatura infantil (ejemplo)", "festival", "CO", "co-public", "Bogotá", 4.71, -74.07, 60, 65),
    ("Jornada de bibliotecas públicas (ejemplo)", "training", "CL", "cl-public", "Valparaíso", -33.05, -71.62, 75,
     76),
]


def load_agenda(today=None):
    today = today or date.today()
    countries = {c.code: c for c in Country.objects.all()}
    networks = {n.code: n for n in Network.objects.all()}
    for title, kind, country, network, city, lat, lon, start, end in ACTIVITIES:
        Activity.objects.get_or_create(title=title, defaults={
            "kind": kind, "country": countries[country], "network": networks.get(network), "city": city,
            "latitude": lat, "longitude": lon, "start": today + timedelta(days=start),
            "end": today + timedelta(days=end), "is_sample": True})


@transaction.atomic
def load_cooperation_demo():
    load_partners()
    meetings = load_meetings()
    load_sessions()
    upcoming = load_upcoming()
    actions = load_roadmap()
    load_agreements()
    load_documents()
    load_groups()
    load_questionnaire()
    load_alliances()
    load_agenda()
    return {"meetings": meetings, "actions": actions, "upcoming": upcoming}
