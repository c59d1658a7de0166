"""The small, demo-like world the permission matrix runs in, built once per module.

Seven actors as the demo's accounts: an anonymous visitor, `lector` (signed in, no role), `biblio_pe` (staff of
a library in Lima, member of Peru's public network), `red_pe` (manager of `pe-public`), `coord_pe` and
`coord_cl` (national coordinators of Peru and Chile) and `secretariat`. Every role holder is admin staff (the
demo makes only the coordinators and the secretariat staff): the admin's own rules must hold even when an
operator opens the admin to more people. As in the demo, the secretariat's account is also a superuser.

Each write path has an object in the scope of the Peruvian roles and one in Chile's, so that every role meets
one object it may change and one it may not.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sirbi.catalog.ingest import import_file
from sirbi.catalog.models import Record, Source
from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.groups import services as groups
from sirbi.cooperation.meetings import services as meetings
from sirbi.cooperation.models import (
    Action,
    Activity,
    Agreement,
    GoodPractice,
    GroupMembership,
    Line,
    Meeting,
    NeedArea,
    Objective,
    Participant,
    Partner,
    PartnershipAgreement,
    Question,
    Questionnaire,
    Response,
    Section,
    WorkingGroup,
)
from sirbi.core import batches
from sirbi.core.changelog import BatchLog, save_object
from sirbi.core.models import Job, Role, RoleAssignment, User
from sirbi.core.uploads import store_upload
from sirbi.registry.imports.jobs import KIND as LIBRARY_IMPORT
from sirbi.registry.models import Country, Library, Network, ServicePoint
from sirbi.stats.campaigns.services import Entry, Unit, save_figures
from sirbi.stats.models import Campaign, Indicator, NeedRule
from tests.loans import world as ill_world

ROLES = ("anonymous", "lector", "biblio_pe", "red_pe", "coord_pe", "coord_cl", "secretariat")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MEMBERS = SIGNED_IN - {"lector"}
MARC = Path(__file__).resolve().parents[1] / "data" / "marc" / "pymarc-marc.dat"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="acta.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    """Primary keys and codes of the world's objects (never model instances: each case reads them fresh)."""

    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None

    def admin_object(self, label, target):
        """The primary key of the object `target` of the model `label` ("any": its first row)."""
        model = apps.get_model(label)
        if target == "any":
            return model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if target in self.users:
            return self.users[target].pk
        if label == "registry.Country":
            return Country.objects.get(code=target).pk
        value = self.ids[target]
        return model._default_manager.get(code=value).pk if isinstance(value, str) else value


def _user(username, role=None, **scope):
    user = User.objects.create_user(username=username, password=None, email=f"{username}@example.org",
                                    is_staff=role is not None, is_superuser=role == Role.SECRETARIAT)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def build_world():
    w = World()
    ids = w.ids
    pe, cl = Country.objects.get(code="PE"), Country.objects.get(code="CL")
    pe_public, cl_public = Network.objects.get(code="pe-public"), Network.objects.get(code="cl-public")
    ids.update(pe_public=pe_public.code, cl_public=cl_public.code, pe_public_id=pe_public.pk,
               cl_public_id=cl_public.pk)

    def library(name, isil, country, network=None):
        obj = Library.objects.create(name=name, isil=isil, country=country, type="public", locality=name)
        if network:
            obj.networks.add(network)
        return obj.pk

    ids.update(
        lima=library("Biblioteca Municipal de Lima", "PE-MXLIM", pe, pe_public),
        lima_spare=library("Biblioteca de Miraflores", "PE-MXMIR", pe, pe_public),
        cusco=library("Biblioteca de Cusco", "PE-MXCUS", pe),
        santiago=library("Biblioteca de Santiago", "CL-MXSAN", cl, cl_public),
        santiago_spare=library("Biblioteca de Valparaíso", "CL-MXVAL", cl, cl_public),
    )
    u_biblio = _user("biblio-pe", Role.LIBRARY_STAFF, library_id=ids["lima"])
    # The Lima librarian has edited the library once: the change log names them.
    lima = Library.objects.get(pk=ids["lima"])
    lima.description = "Horario de verano"
    save_object(lima, user=u_biblio, m2m={"networks": [pe_public.pk]})

    # Service points: one of the Lima library (its staff keep it), one in Cusco (Peru), one in Santiago (Chile).
    for key, library_key in (("point_lima", "lima"), ("point_cusco", "cusco"), ("point_santiago", "santiago")):
        ids[key] = ServicePoint.objects.create(library_id=ids[library_key], kind="branch", name=f"Filial {key}").pk

    for key, country in (("pe_empty", pe), ("cl_empty", cl)):
        net = Network.objects.create(country=country, code=f"{key.replace('_', '-')}-matrix", name=f"Red {key}",
                                     type="other")
        ids[key] = net.code

    w.users = {
        "lector": _user("lector"),
        "biblio_pe": u_biblio,
        "red_pe": _user("red-pe", Role.NETWORK_MANAGER, network_id=pe_public.pk),
        "coord_pe": _user("coord-pe", Role.COORDINATOR, country="PE"),
        "coord_cl": _user("coord-cl", Role.COORDINATOR, country="CL"),
        "secretariat": _user("secretaria", Role.SECRETARIAT),
    }
    u = w.users
    today = date.today()

    # Statistics: an open campaign at the country and library levels, one PE figure submitted for review.
    campaign = Campaign.objects.create(title="Campaña matriz", year=today.year - 1, typologies=["public"],
                                       languages=["es", "pt", "en"], status="open",
                                       deadline=today + timedelta(days=30), level_country=True,
                                       level_network=True, level_library=True)
    campaign.indicators.set(Indicator.objects.filter(code__in=["libraries", "visits"]))
    ids["campaign"], ids["campaign_year"] = campaign.pk, campaign.year
    values = save_figures(u["coord_pe"], campaign, Unit(pe), [
        Entry(indicator=Indicator.objects.get(code="visits"), typology="public", value=1000)], submit=True)
    ids["submitted_value"] = values[("visits", "public")].pk

    # Meetings: a meeting open for registration, a document, an agreement, a registration waiting.
    meeting = Meeting.objects.create(title="Encuentro matriz", kind="regional", start_date=today + timedelta(days=60),
                                     end_date=today + timedelta(days=62), timezone="America/Lima", city="Lima",
                                     country=pe, capacity=20, registration_open=True)
    ids["meeting"] = meeting.pk
    ids["meeting_document"] = meetings.add_document(meeting, u["secretariat"], title="Acta", kind="minutes",
                                                    visibility="public", upload=pdf()).pk
    agreement = Agreement.objects.create(meeting=meeting, number=1, text="Plan común", deadline=today + timedelta(
        days=365))
    agreement.countries.set([pe])
    ids["agreement"] = agreement.pk
    # The reader's registration waits for approval in a second meeting (the first is left to register for).
    meeting2 = Meeting.objects.create(title="Taller matriz", kind="network", start_date=today + timedelta(days=90),
                                      end_date=today + timedelta(days=90), timezone="America/Lima", city="Cusco",
                                      country=pe, capacity=20, registration_open=True)
    ids["meeting2"] = meeting2.pk
    ids["registration"] = Participant.objects.create(meeting=meeting2, user=u["lector"], name="Lectora",
                                                     status="requested").pk

    # The roadmap: Peru leads one action (pe-public takes part), Chile another.
    line = Line.objects.create(code="mx-line", name="Línea", order=1)
    objective = Objective.objects.create(line=line, code="mx-objective", name="Objetivo")
    ids.update(line=line.code, objective=objective.code, objective_id=objective.pk)
    for key, country, network in (("action_pe", pe, pe_public), ("action_cl", cl, cl_public)):
        action = Action.objects.create(objective=objective, code=f"mx-{key[-2:]}", title=f"Acción {key}",
                                       lead_country=country, start=date(2024, 1, 1), end=date(2031, 12, 31))
        action.networks.add(network)
        ids[key] = action.code

    # Working groups: Peru's coordinator is a member of one, Chile's of the other.
    for key, member, country in (("group_pe", "coord_pe", pe), ("group_cl", "coord_cl", cl)):
        group = WorkingGroup.objects.create(code=f"mx-{key[-2:]}", name=f"Grupo {key}", theme="Lectura")
        GroupMembership.objects.create(group=group, user=u[member], country=country)
        ids[key] = group.code
        ids[f"{key}_topic"] = groups.start_topic(group, u[member], title="Tema", text="Hola").pk
        ids[f"{key}_document"] = groups.add_document(group, u[member], title="Nota", kind="other",
                                                     visibility="members", upload=pdf()).pk

    # Needs: one questionnaire open for answers (Peru, Chile), another with both answers submitted.
    area = NeedArea.objects.create(code="mx-reading", name_es="Lectura", name_pt="Leitura", name_en="Reading")
    for key in ("needs_open", "needs_submitted"):
        q = Questionnaire.objects.create(code=f"mx-{key.replace('_', '-')}", title_es="Diagnóstico",
                                         title_pt="Diagnóstico", title_en="Assessment",
                                         opens=today - timedelta(days=1), closes=today + timedelta(days=10),
                                         status="sent")
        q.countries.set([pe, cl])
        section = Section.objects.create(questionnaire=q, title_es="S", title_pt="S", title_en="S")
        question = Question.objects.create(section=section, order=1, code="reading", kind="scale", need_area=area,
                                           text_es="¿Lectura?", text_pt="Leitura?", text_en="Reading?")
        ids[key] = q.code
        ids[f"{key}_question"] = question.code
    for country in (pe, cl):
        Response.objects.create(questionnaire=Questionnaire.objects.get(code=ids["needs_submitted"]), country=country,
                                status="submitted", submitted=timezone.now())

    # Alliances and good practices: one of Peru's (pe-public, the Lima library), one of Chile's.
    for key, country, network, lib in (("pe", pe, pe_public, ids["lima"]), ("cl", cl, cl_public, ids["santiago"])):
        agreement = PartnershipAgreement.objects.create(title=f"Convenio {key}", signed=date(2024, 1, 1),
                                                        starts=date(2024, 1, 1), scopes=["loans"])
        agreement.networks.set([network])
        ids[f"partnership_{key}"] = agreement.pk
        # Shared (so waiting for moderation, with a change-log entry) by the library's staff and by Chile's
        # coordinator.
        ids[f"practice_{key}"] = alliances.share(
            GoodPractice(title=f"Práctica {key}", summary="Clubes de lectura", country=country, library_id=lib),
            u["biblio_pe"] if key == "pe" else u["coord_cl"], themes=[]).pk
        ids[f"activity_{key}"] = Activity.objects.create(
            title=f"Feria {key}", kind="book_fair", country=country, network=network, start=today,
            end=today + timedelta(days=3)).pk

    # The catalog: an OAI-PMH source for the Lima library and one for Santiago, each with MARC records.
    for key, lib in (("pe", ids["lima"]), ("cl", ids["santiago"])):
        source = Source.objects.create(code=f"mx-{key}", name=f"Fuente {key}", library_id=lib, kind="oai",
                                       base_url="https://catalog.example.org/oai")
        import_file(source, MARC.read_bytes(), "marc.dat")
        ids[f"source_{key}"] = source.code
        records = list(Record.objects.filter(source=source).order_by("pk").values_list("pk", flat=True))
        ids[f"record_{key}"], ids[f"record_{key}_other"] = records[0], records[1]

    # Interlibrary loan: policies, a partner endpoint, requests between Lima and Santiago (loans/world.py).
    ids.update(ill_world.build(ids["lima"], ids["santiago"], ids["cusco"]))

    # Jobs: a finished dry run of a library import by the Lima librarian, and a job of Chile's coordinator.
    # Rows for the admin's models that nothing above creates.
    Group.objects.create(name="mx-group")
    Partner.objects.create(name="Socio matriz", kind="other")
    NeedRule.objects.create(indicator=Indicator.objects.get(code="visits"))

    upload = store_upload(SimpleUploadedFile("libraries.csv", b"name,country,type\nNueva,PE,public\n"))
    ids["job_biblio"] = Job.objects.create(
        kind=LIBRARY_IMPORT, status="done", created_by=u["biblio_pe"],
        params={"upload": upload, "filename": "libraries.csv", "user_id": u["biblio_pe"].pk, "network": None,
                "dry_run": True, "skip_invalid": False, "language": "es", "message": ""},
        result={"summary": {"create": 1, "update": 0, "error": 0, "unchanged": 0}, "rows": []}).pk
    ids["job_cl"] = Job.objects.create(kind=LIBRARY_IMPORT, status="done", created_by=u["coord_cl"],
                                       params={"dry_run": True}, result={"summary": {}}).pk
    # Imports: one by Peru's coordinator, one by Chile's, each having created a library (undone by the matrix).
    for key, user, country in (("batch_pe", u["coord_pe"], pe), ("batch_cl", u["coord_cl"], cl)):
        batch = batches.open_batch(user=user, kind="libraries", filename=f"{key}.csv", data=key.encode(),
                                   country=country.code)
        created = Library.objects.create(name=f"Importada {key}", country=country, type="public", locality=key)
        log = BatchLog(batch, Library)
        log.created(created.pk, created.name, country.code, 2)
        log.write()
        ids[key] = batches.close_batch(batch, create=1).pk
    return w


class FormReader(HTMLParser):
    """The fields of the POST forms of a page, as a browser would send them unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "data": {},
                          "multiple": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        data, name = self._form["data"], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data.setdefault(name, []).append(a.get("value", "on"))
                return
            data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            data.setdefault(name, [])
            if "multiple" in a:
                self._form["multiple"].add(name)
        elif tag == "option" and self._select and "selected" in a:
            data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, text):
        if self._textarea and self._form is not None:
            self._form["data"][self._textarea][0] += text


def post_forms(html):
    """[(action, {name: value or [values]})] of the page's POST forms, in page order."""
    reader = FormReader()
    reader.feed(html)
    out = []
    for form in reader.forms:
        if form["method"] != "post":
            continue
        data = {k: (v if k in form["multiple"] or len(v) > 1 else (v[0] if v else "")) for k, v in form["data"].items()}
        out.append((form["action"], data))
    return out
