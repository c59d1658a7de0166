"""The permission matrix as data: every write path of the platform, the object it writes (in one role's scope
or another's), and the roles that may write it. `test_permission_matrix.py` runs each row for each role.

A row is the rules as written in core/permissions.py and the models' `permission_roles` (the secretariat
everywhere; coordinators in their country; network managers in their network; library staff in their library),
not what the code happens to do today: a row that fails is a hole to fix, never an expectation to relax.

Payloads are built at run time from the world (`permission_world.py`); page forms are read from the page as the
secretariat sees it and then changed, so that a refused write is refused for its permission, not its form.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sirbi.cooperation.roadmap.spreadsheets import COLUMNS as ACTION_COLUMNS
from sirbi.registry.models import Library
from sirbi.stats.campaigns.services import Unit
from sirbi.stats.campaigns.spreadsheets import stored_values, template_csv
from sirbi.stats.models import Campaign

from .permission_world import MARC, MEMBERS, PDF, SIGNED_IN, pdf

SEC = frozenset({"secretariat"})
NOBODY = frozenset()


def roles(*names):
    return frozenset(names) | SEC


# Who may write an object, by whose scope it is in.
LIMA = roles("coord_pe", "red_pe", "biblio_pe")       # the Lima library (in pe-public)
PE_PUBLIC = roles("coord_pe", "red_pe")               # pe-public and what belongs to it
PERU = roles("coord_pe")                              # Peru, outside pe-public
CHILE = roles("coord_cl")                             # Chile
GROUP_PE, GROUP_CL = roles("coord_pe"), roles("coord_cl")  # members of each working group


@dataclass(frozen=True)
class Write:
    """One write path applied to one object. `url(w)` and `data(ctx)` build the request at run time."""

    path: str                 # URL name, "api:<route name>", "admin:<app.model>:<op>" or "command:<name>"
    method: str
    target: str               # the object written, named after whose scope it is in
    allowed: frozenset        # the roles that may make this write
    url: object = None
    data: object = None
    kind: str = "form"        # form, multipart, json; read, json-read (GET); admin, admin-workflow
    # "status": refused with 403/404/405 or sent to the login page; "message": the page answers as usual with
    # an error message (the check is then that nothing was written).
    refusal: str = "status"
    note: str = ""
    # Reads: a text only the allowed roles may see in the answer (`shows`: and that they do see).
    secret: object = None
    shows: bool = True
    # Commands: their other options, from the world (e.g. which catalog source).
    options: object = None

    @property
    def id(self):
        return f"{self.path}[{self.method}:{self.target}]"


def rev(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def attr(name):
    return lambda w: getattr(w, name)


def page_form(url, pick=None, **overrides):
    """The form of `url` as the secretariat reads it, with `overrides`; `pick` chooses among the page's forms by
    a piece of their action."""
    def build(ctx):
        return ctx.form(url(ctx.w), pick, overrides)
    return build


def fixed(**data):
    return lambda ctx: {k: (v(ctx.w) if callable(v) else v) for k, v in data.items()}


def upload(name, body, **data):
    def build(ctx):
        out = {k: (v(ctx.w) if callable(v) else v) for k, v in data.items()}
        out["file"] = SimpleUploadedFile(name, body() if callable(body) else body)
        return out
    return build


def today():
    return date.today().isoformat()


# Pages -----------------------------------------------------------------------------------------------------------

def _library_form(country, networks):
    def build(ctx):
        url = reverse("registry:library-add") + f"?country={country}"
        return ctx.form(url, None, {"name": "Biblioteca nueva", "country": country, "type": "public",
                                    "networks": [getattr(ctx.w, n) for n in networks], "isil": ""})
    return build


def _campaign_file(unit_key):
    def body(ctx):
        campaign = Campaign.objects.get(pk=ctx.w.campaign)
        units = [Unit.from_key(unit_key(ctx.w))]
        text = template_csv(campaign, units, "en", stored_values(campaign, units)).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            row["value"] = row["value"] or "12"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return {"file": SimpleUploadedFile("figures.csv", out.getvalue().encode())}
    return body


def _actions_file(code, lead):
    def build(ctx):
        row = {"code": code, "title": "Acción importada", "objective": ctx.w.objective, "lead_country": lead,
               "countries": "", "networks": "", "need_areas": "", "start": "2026-01-01", "end": "2027-06-30",
               "status": "planned", "weight": "1", "description": ""}
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=ACTION_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
        return {"file": SimpleUploadedFile("actions.csv", out.getvalue().encode())}
    return build


def _unit(kind):
    return {
        "PE": lambda w: "PE", "CL": lambda w: "CL",
        "lima": lambda w: f"library:{w.lima}", "pe_public": lambda w: f"network:{w.pe_public_id}",
    }[kind]


def _source_new(library):
    def build(ctx):
        return ctx.form(reverse("catalog:source-new"), None, {
            "code": f"mx-new-{library}", "name": "Fuente nueva", "kind": "files",
            "library": Library.objects.get(pk=getattr(ctx.w, library)).isil, "network": ""})
    return build


def _practice_new(country, library, network):
    def build(ctx):
        return ctx.form(reverse("cooperation:practice-new"), None, {
            "title": "Práctica nueva", "summary": "Clubes", "country": country,
            "library": str(getattr(ctx.w, library)), "network": str(getattr(ctx.w, network))})
    return build


def _partnership_new(network):
    def build(ctx):
        return ctx.form(reverse("cooperation:partnership-new"), None, {
            "title": "Convenio nuevo", "signed": "2025-01-01", "starts": "2025-01-01", "scopes": ["loans"],
            "networks": [getattr(ctx.w, network)]})
    return build


def _activity_new(country, network):
    def build(ctx):
        return ctx.form(reverse("cooperation:activity-new"), None, {
            "title": "Actividad nueva", "kind": "book_fair", "country": country, "network": getattr(ctx.w, network),
            "start": today(), "end": today()})
    return build


def _network_new(country, code):
    def build(ctx):
        return ctx.form(reverse("registry:network-add"), None, {
            "country": country, "code": code, "name": "Red nueva", "type": "public"})
    return build


def _register(country=""):
    def build(ctx):
        data = {"name": "Delegada", "email": "delegada@example.org", "role": "delegate", "organisation": ""}
        if country:
            data["country"] = country
        return data
    return build


PAGES = [
    # Registry
    Write("registry:country-edit", "POST", "PE", PERU, rev("registry:country-edit", "PE"),
          page_form(rev("registry:country-edit", "PE"), focal_point_entity="Ministerio de Cultura (matriz)")),
    Write("registry:country-edit", "POST", "CL", CHILE, rev("registry:country-edit", "CL"),
          page_form(rev("registry:country-edit", "CL"), focal_point_entity="Ministerio de las Culturas (matriz)")),
    Write("registry:network-add", "POST", "PE", PERU, rev("registry:network-add"), _network_new("PE", "pe-mx-new")),
    Write("registry:network-add", "POST", "CL", CHILE, rev("registry:network-add"), _network_new("CL", "cl-mx-new")),
    Write("registry:network-edit", "POST", "pe-public", PE_PUBLIC, rev("registry:network-edit", attr("pe_public")),
          page_form(rev("registry:network-edit", attr("pe_public")), governing_entity="Ministerio (matriz)")),
    Write("registry:network-edit", "POST", "cl-public", CHILE, rev("registry:network-edit", attr("cl_public")),
          page_form(rev("registry:network-edit", attr("cl_public")), governing_entity="Ministerio (matriz)")),
    Write("registry:network-delete", "POST", "PE", PERU, rev("registry:network-delete", attr("pe_empty")),
          fixed(message="")),
    Write("registry:network-delete", "POST", "CL", CHILE, rev("registry:network-delete", attr("cl_empty")),
          fixed(message="")),
    Write("registry:library-add", "POST", "pe-public", PE_PUBLIC, rev("registry:library-add"),
          _library_form("PE", ["pe_public"])),
    Write("registry:library-add", "POST", "PE", PERU, rev("registry:library-add"), _library_form("PE", [])),
    Write("registry:library-add", "POST", "CL", CHILE, rev("registry:library-add"), _library_form("CL", ["cl_public"])),
    Write("registry:library-edit", "POST", "lima", LIMA, rev("registry:library-edit", attr("lima")),
          page_form(rev("registry:library-edit", attr("lima")), description="Abierta los domingos")),
    Write("registry:library-edit", "POST", "PE", PERU, rev("registry:library-edit", attr("cusco")),
          page_form(rev("registry:library-edit", attr("cusco")), description="Abierta los domingos")),
    Write("registry:library-edit", "POST", "CL", CHILE, rev("registry:library-edit", attr("santiago")),
          page_form(rev("registry:library-edit", attr("santiago")), description="Abierta los domingos")),
    Write("registry:library-edit", "POST", "lima-leaves-pe-public", PERU,
          rev("registry:library-edit", attr("lima")),
          page_form(rev("registry:library-edit", attr("lima")), networks=[]),
          note="Detaching a library from its network is the coordinators' decision: not the library's staff's, "
               "and not the network manager's either (the library would leave their scope, and no save may take "
               "an object out of its writer's scope).",
    ),
    # Service points: the library's keepers, its staff included.
    *[Write("registry:service-point-add", "POST", key, allowed, rev("registry:service-point-add", attr(library)),
            page_form(rev("registry:service-point-add", attr(library)), kind="mobile", name="Bibliobús (matriz)"))
      for key, library, allowed in (("lima", "lima", LIMA), ("PE", "cusco", PERU), ("CL", "santiago", CHILE))],
    *[Write("registry:service-point-edit", "POST", key, allowed, rev("registry:service-point-edit", attr(point)),
            page_form(rev("registry:service-point-edit", attr(point)), opening_hours="Lunes a sábado"))
      for key, point, allowed in (("lima", "point_lima", LIMA), ("PE", "point_cusco", PERU),
                                  ("CL", "point_santiago", CHILE))],
    *[Write("registry:service-point-delete", "POST", key, allowed, rev("registry:service-point-delete", attr(point)),
            fixed(message=""))
      for key, point, allowed in (("lima", "point_lima", LIMA), ("CL", "point_santiago", CHILE))],
    Write("registry:library-delete", "POST", "pe-public", PE_PUBLIC, rev("registry:library-delete", attr("lima_spare")),
          fixed(message="")),
    Write("registry:library-delete", "POST", "CL", CHILE, rev("registry:library-delete", attr("santiago_spare")),
          fixed(message="")),
    Write("registry:import", "POST", "any", MEMBERS, rev("registry:import"),
          upload("libraries.csv", b"name,country,type\nNueva,PE,public\n", message=""), kind="multipart",
          note="Queues a dry run; each row is then checked against the user's scope (see the command rows)."),
    Write("registry:import-preview", "POST", "own-job", roles("biblio_pe"), rev("registry:import-preview",
                                                                               attr("job_biblio")), fixed(),
          note="Confirming a dry run: its author or the secretariat."),
    # Statistics campaigns
    Write("stats-campaigns:new", "POST", "region", SEC, rev("stats-campaigns:new"),
          page_form(rev("stats-campaigns:new"), title="Campaña nueva", year="2020", typologies=["public"],
                    languages=["es"], status="draft", deadline=today(), level_country="on",
                    indicators=lambda ctx: ctx.indicator("visits"))),
    Write("stats-campaigns:edit", "POST", "region", SEC, rev("stats-campaigns:edit", attr("campaign")),
          page_form(rev("stats-campaigns:edit", attr("campaign")), title="Campaña matriz (cambiada)")),
    *[Write("stats-campaigns:report", "POST", unit, allowed,
            rev("stats-campaigns:report", attr("campaign"), _unit(unit)),
            fixed(**{"libraries-public-value": "12"}))
      for unit, allowed in (("PE", PERU), ("CL", CHILE), ("lima", LIMA), ("pe_public", PE_PUBLIC))],
    *[Write("stats-campaigns:upload", "POST", unit, allowed,
            rev("stats-campaigns:upload", attr("campaign"), _unit(unit)),
            _campaign_file(_unit(unit)), kind="multipart")
      for unit, allowed in (("PE", PERU), ("CL", CHILE), ("lima", LIMA))],
    Write("stats-campaigns:review", "POST", "PE", SEC, rev("stats-campaigns:review", attr("campaign"), "PE"),
          fixed(value=attr("submitted_value"), action="return", comment="Revise")),
    Write("stats-campaigns:scope-upload", "POST", "any", MEMBERS, rev("stats-campaigns:scope-upload", attr("campaign")),
          upload("figures.csv", b"x\n"), kind="multipart",
          note="Queues the file for the worker, which saves only the units in the sender's scope."),
    # Meetings
    Write("cooperation:register", "POST", "self", SIGNED_IN, rev("cooperation:register", attr("meeting")), _register()),
    Write("cooperation:register", "POST", "PE-delegation", PERU, rev("cooperation:register", attr("meeting")),
          _register("PE"), refusal="message"),
    Write("cooperation:cancel-registration", "POST", "lector's", roles("lector"),
          rev("cooperation:cancel-registration", attr("registration")), fixed()),
    Write("cooperation:participants", "POST", "approve", SEC, rev("cooperation:participants", attr("meeting2")),
          fixed(participant=attr("registration"), decision="approve")),
    Write("cooperation:add-document", "POST", "meeting", SEC, rev("cooperation:add-document", attr("meeting")),
          lambda ctx: {"title": "Acta 2", "kind": "minutes", "visibility": "public", "note": "", "file": pdf()},
          kind="multipart"),
    Write("cooperation:add-version", "POST", "meeting", SEC, rev("cooperation:add-version", attr("meeting_document")),
          lambda ctx: {"note": "", "file": pdf()}, kind="multipart"),
    Write("cooperation:add-version", "POST", "group-PE", GROUP_PE,
          rev("cooperation:add-version", attr("group_pe_document")), lambda ctx: {"note": "", "file": pdf()},
          kind="multipart"),
    Write("cooperation:add-version", "POST", "group-CL", GROUP_CL,
          rev("cooperation:add-version", attr("group_cl_document")), lambda ctx: {"note": "", "file": pdf()},
          kind="multipart"),
    Write("cooperation:add-agreement", "POST", "meeting", SEC, rev("cooperation:add-agreement", attr("meeting")),
          lambda ctx: {"text": "Otro acuerdo", "deadline": "2031-01-01", "countries": ["PE"]}),
    Write("cooperation:agreement-to-action", "POST", "meeting", SEC,
          rev("cooperation:agreement-to-action", attr("agreement")),
          lambda ctx: {f"a{ctx.w.agreement}-objective": str(ctx.w.objective_id), f"a{ctx.w.agreement}-code": "mx-agr",
                       f"a{ctx.w.agreement}-weight": "1"}),
    # Roadmap
    Write("cooperation:report", "POST", "PE", PE_PUBLIC, rev("cooperation:report", attr("action_pe")),
          fixed(progress="30", text="Avance", date=lambda w: today(), link=""), kind="multipart",
          note="The action's owners report: its lead and participating countries, its networks."),
    Write("cooperation:report", "POST", "CL", CHILE, rev("cooperation:report", attr("action_cl")),
          fixed(progress="30", text="Avance", date=lambda w: today(), link=""), kind="multipart"),
    Write("cooperation:import-actions", "POST", "PE", PERU, rev("cooperation:import-actions"),
          _actions_file("mx-imported-pe", "PE"), kind="multipart", refusal="message"),
    Write("cooperation:import-actions", "POST", "CL", CHILE, rev("cooperation:import-actions"),
          _actions_file("mx-imported-cl", "CL"), kind="multipart", refusal="message"),
    # Working groups
    *[Write("cooperation:group-document", "POST", key, allowed, rev("cooperation:group-document", attr(group)),
            lambda ctx: {"title": "Nota 2", "kind": "other", "visibility": "members", "note": "", "file": pdf()},
            kind="multipart")
      for key, group, allowed in (("PE", "group_pe", GROUP_PE), ("CL", "group_cl", GROUP_CL))],
    *[Write("cooperation:start-topic", "POST", key, allowed, rev("cooperation:start-topic", attr(group)),
            fixed(title="Otro tema", text="Propuesta"))
      for key, group, allowed in (("PE", "group_pe", GROUP_PE), ("CL", "group_cl", GROUP_CL))],
    *[Write("cooperation:topic", "POST", key, allowed, rev("cooperation:topic", attr(group), attr(f"{group}_topic")),
            fixed(text="Respuesta"))
      for key, group, allowed in (("PE", "group_pe", GROUP_PE), ("CL", "group_cl", GROUP_CL))],
    # Needs assessment
    *[Write("cooperation:answer", "POST", f"{country}-{how}", allowed,
            rev("cooperation:answer", attr("needs_open"), country),
            fixed(**{"q-reading": "3"}, **({"submit": "1"} if how == "submit" else {})))
      for country, allowed in (("PE", PERU), ("CL", CHILE)) for how in ("save", "submit")],
    Write("cooperation:return-answers", "POST", "PE", SEC,
          rev("cooperation:return-answers", attr("needs_submitted"), "PE"),
          fixed(reason="Faltan datos")),
    # Agenda, alliances, good practices
    Write("cooperation:activity-new", "POST", "PE", PE_PUBLIC, rev("cooperation:activity-new"),
          _activity_new("PE", "pe_public"), refusal="message"),
    Write("cooperation:activity-new", "POST", "CL", CHILE, rev("cooperation:activity-new"),
          _activity_new("CL", "cl_public"), refusal="message"),
    *[Write("cooperation:activity-edit", "POST", key, allowed,
            rev("cooperation:activity-edit", attr(f"activity_{key}")),
            page_form(rev("cooperation:activity-edit", attr(f"activity_{key}")), organiser="Ministerio (matriz)"))
      for key, allowed in (("pe", PE_PUBLIC), ("cl", CHILE))],
    Write("cooperation:partnership-new", "POST", "pe-public", PE_PUBLIC, rev("cooperation:partnership-new"),
          _partnership_new("pe_public"), refusal="message"),
    Write("cooperation:partnership-new", "POST", "cl-public", CHILE, rev("cooperation:partnership-new"),
          _partnership_new("cl_public"), refusal="message"),
    *[Write("cooperation:partnership-edit", "POST", key, allowed,
            rev("cooperation:partnership-edit", attr(f"partnership_{key}")),
            page_form(rev("cooperation:partnership-edit", attr(f"partnership_{key}")),
                      description="Préstamos (matriz)"))
      for key, allowed in (("pe", PE_PUBLIC), ("cl", CHILE))],
    *[Write("cooperation:partnership-document", "POST", key, allowed,
            rev("cooperation:partnership-document", attr(f"partnership_{key}")),
            lambda ctx: {"title": "Texto firmado", "kind": "other", "visibility": "members", "note": "",
                         "file": pdf()}, kind="multipart")
      for key, allowed in (("pe", PE_PUBLIC), ("cl", CHILE))],
    Write("cooperation:practice-new", "POST", "lima", LIMA, rev("cooperation:practice-new"),
          _practice_new("PE", "lima", "pe_public_id"), kind="multipart", refusal="message"),
    Write("cooperation:practice-new", "POST", "CL", CHILE, rev("cooperation:practice-new"),
          _practice_new("CL", "santiago", "cl_public_id"), kind="multipart", refusal="message"),
    Write("cooperation:practice-moderate", "POST", "PE", SEC, rev("cooperation:practice-moderate", attr("practice_pe")),
          fixed(decision="publish", note="")),
    # Catalog
    Write("catalog:source-new", "POST", "lima", LIMA, rev("catalog:source-new"), _source_new("lima"),
          refusal="message"),
    Write("catalog:source-new", "POST", "CL", CHILE, rev("catalog:source-new"), _source_new("santiago"),
          refusal="message"),
    *[Write("catalog:source-edit", "POST", key, allowed, rev("catalog:source-edit", attr(f"source_{key}")),
            page_form(rev("catalog:source-edit", attr(f"source_{key}")), name="Fuente (matriz)"))
      for key, allowed in (("pe", LIMA), ("cl", CHILE))],
    *[Write("catalog:source-upload", "POST", key, allowed, rev("catalog:source-upload", attr(f"source_{key}")),
            upload("marc.dat", MARC.read_bytes), kind="multipart")
      for key, allowed in (("pe", LIMA), ("cl", CHILE))],
    *[Write("catalog:source-harvest", "POST", key, allowed, rev("catalog:source-harvest", attr(f"source_{key}")),
            fixed()) for key, allowed in (("pe", LIMA), ("cl", CHILE))],
    *[Write("catalog:record-split", "POST", key, allowed, rev("catalog:record-split", attr(f"record_{key}")), fixed())
      for key, allowed in (("pe", LIMA), ("cl", CHILE))],
    *[Write("catalog:record-merge", "POST", key, allowed, rev("catalog:record-merge", attr(f"record_{key}")),
            fixed(into=attr(f"record_{key}_other"))) for key, allowed in (("pe", LIMA), ("cl", CHILE))],
    # The person's own account
    Write("core:token-regenerate", "POST", "own", SIGNED_IN, rev("core:token-regenerate"), fixed()),
    Write("core:notifications", "POST", "own", SIGNED_IN, rev("core:notifications"), fixed(frequency="weekly")),
    # Reads of what is not public yet: drafts and practices waiting for moderation are read in their author's
    # scope and by the secretariat; a change-log entry by whoever may read its object as it is now; anonymous
    # visitors never see editors' user names.
    Write("cooperation:practice", "GET", "waiting-PE", roles("coord_pe", "biblio_pe"),
          rev("cooperation:practice", attr("practice_pe")), kind="read"),
    # (The change-log page is for members: the others are refused there before any entry is read.)
    *[Write(path, "GET", what, allowed, rev(path, *args), kind="read", secret=secret)
      for path, args in (("cooperation:whats-new", ("PE",)), ("core:changes", ()))
      for what, allowed, secret in (
          ("waiting-practice", roles("coord_pe", "biblio_pe"), lambda w: "Práctica pe"),
          ("draft-figure", roles("coord_pe"), lambda w: f"visits PE public {w.campaign_year}"))],
    Write("registry:library", "GET", "editor-names", SIGNED_IN, rev("registry:library", attr("lima")), kind="read",
          secret=lambda w: "biblio-pe", shows=False),
    # Jobs: who may read a job's page (its author and the secretariat)
    Write("core:job", "GET", "biblio-pe's", roles("biblio_pe"), rev("core:job", attr("job_biblio")), kind="read"),
    Write("core:job", "GET", "coord-cl's", roles("coord_cl"), rev("core:job", attr("job_cl")), kind="read"),
    # Imports: the kept file is read, and the import undone, by the person who imported and the secretariat.
    *[Write("core:batch-file", "GET", f"{who}'s", roles(who), rev("core:batch-file", attr(key)), kind="read")
      for key, who in (("batch_pe", "coord_pe"), ("batch_cl", "coord_cl"))],
    *[Write("core:batch-undo", "POST", f"{who}'s", roles(who), rev("core:batch-undo", attr(key)), fixed(),
            refusal="message") for key, who in (("batch_pe", "coord_pe"), ("batch_cl", "coord_cl"))],
    # Interlibrary loan: policies by their library's keepers; a request's steps by the staff of the library on
    # that side only (coordinators and managers read, never act); the XML endpoint takes no session at all.
    *[Write("loans:policy-edit", "POST", key, allowed, rev("loans:policy-edit", attr(key)),
            page_form(rev("loans:policy-edit", attr(key)), loan_days="30"))
      for key, allowed in (("lima", LIMA), ("santiago", CHILE))],
    *[Write("loans:endpoint-edit", "POST", key, allowed, rev("loans:endpoint-edit", attr(key)),
            lambda ctx, key=key: ctx.form(rev("loans:endpoint-edit", attr(key))(ctx.w), None, {
                "url": f"https://ill.example.org/iso18626/{key}", "agency_id": f"XX-{key.upper()}"}))
      for key, allowed in (("cusco", PERU), ("lima", LIMA))],
    Write("loans:request-new", "POST", "lima", roles("biblio_pe"), rev("loans:request-new"),
          fixed(borrower=attr("lima"), title="Libro pedido", service_type="Loan")),
    Write("loans:request-act", "POST", "lima-draft", roles("biblio_pe"), rev("loans:request-act", attr("loan_draft")),
          fixed(action="send")),
    Write("loans:request-act", "POST", "santiago-asks-lima", SEC, rev("loans:request-act", attr("loan_in")),
          fixed(action="Cancel"), note="Santiago's staff (not in the world) and the secretariat act for Santiago."),
    Write("loans:request-answer", "POST", "lima-asked", roles("biblio_pe"),
          rev("loans:request-answer", attr("loan_in")), fixed(status="WillSupply")),
    Write("loans:request-answer", "POST", "santiago-asked", SEC, rev("loans:request-answer", attr("loan_out")),
          fixed(status="WillSupply")),
    Write("loans:request-rota", "POST", "lima-draft", roles("biblio_pe"), rev("loans:request-rota", attr("loan_draft")),
          fixed(order=attr("santiago"))),
    Write("loans:request-copy", "POST", "lima-asked-copy", roles("biblio_pe"),
          rev("loans:request-copy", attr("loan_copy_in")), upload("copia.pdf", PDF, note=""), kind="multipart",
          note="The copy's file is read by the two libraries' staff only (tests/loans/test_copies.py)."),
    Write("loans:request-resend", "POST", "lima-to-partner", roles("biblio_pe"),
          rev("loans:request-resend", attr("loan_to_partner"), attr("message_failed")), fixed()),
    Write("iso18626", "POST", "session", NOBODY, lambda w: "/iso18626", fixed(), kind="json",
          note="Partners authenticate with their token (tests/loans/test_endpoint.py); a session is no credential."),
    Write("loans:request", "GET", "lima-asks-santiago", roles("biblio_pe", "red_pe", "coord_pe", "coord_cl"),
          rev("loans:request", attr("loan_out")), kind="read", secret=lambda w: "Libro out"),
    Write("loans:desk", "GET", "lima", roles("biblio_pe", "red_pe", "coord_pe"), rev("loans:desk", attr("lima")),
          kind="read", secret=lambda w: "Libro out"),
]

# Pages that take no write from anyone, or only the person's own session (sign in, out, passwords, language):
# the completeness test requires every URL name to be in PAGES or here, and reads these views' code for "POST".
READ_ONLY_PAGES = {
    "root", "healthz", "sru", "portal:home", "portal:open-data",
    "registry:index", "cooperation:index",
    "registry:country", "registry:networks", "registry:network", "registry:libraries", "registry:library",
    "registry:map", "registry:map-points", "registry:import-template",
    "stats-campaigns:list", "stats-campaigns:detail", "stats-campaigns:scope-template",
    "stats-campaigns:upload-result", "stats-campaigns:template",
    "stats-data:values", "stats-data:aggregates", "stats-data:indicators",
    "stats:overview", "stats:indicator", "stats:country", "stats:compare", "stats:reconciliation",
    "stats:country-reconciliation",
    "cooperation:meetings", "cooperation:calendar", "cooperation:feed", "cooperation:meeting",
    "cooperation:meeting-ics", "cooperation:document-file", "cooperation:groups", "cooperation:group",
    "cooperation:questionnaires", "cooperation:questionnaire", "cooperation:matrix", "cooperation:agenda",
    "cooperation:activity", "cooperation:alliances", "cooperation:partnership", "cooperation:practices",
    "cooperation:practice", "cooperation:practice-image", "cooperation:roadmap", "cooperation:timeline",
    "cooperation:actions-export", "cooperation:actions-template", "cooperation:countries", "cooperation:country",
    "cooperation:whats-new", "cooperation:action", "cooperation:evidence",
    "catalog:search", "catalog:cluster", "catalog:record-download", "catalog:csv-template", "catalog:sources",
    "catalog:source",
    "core:changes", "core:jobs", "core:token", "core:batches", "core:batch",
    "opendata-catalog", "opendata-catalog-file",
    "loans:home", "loans:desk", "loans:policy", "loans:request", "loans:copy", "loans:statistics",
    "loans:statistics-unit",
}
# Protocol endpoints that also take their parameters in a form-encoded POST, as the protocol allows, and write
# nothing (no session, no change): the SRU server.
READ_ONLY_POSTS = {"sru"}
OWN_SESSION_PAGES = {
    "set_language", "login", "logout", "password_change", "password_change_done", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete",
}
# Library protocol endpoints that take their arguments by GET or by form-encoded POST, as their protocol allows
# (OAI-PMH), and write nothing.
PROTOCOL_ENDPOINTS = {"oai"}


# The API -------------------------------------------------------------------------------------------------------

def api(name, *args):
    return rev(f"{name}", *args)


def changed(**overrides):
    """The object as the secretariat reads it from the API (`url`), with `overrides`: a PUT body."""
    def build(ctx):
        return ctx.api_read(ctx.url, overrides)
    return build


def read_version(ctx):
    """The body of a deletion: the version the secretariat reads (the API refuses a deletion without one)."""
    return {"version": ctx.api_read(ctx.url, {})["version"]}


def body(**data):
    return lambda ctx: {k: (v(ctx) if callable(v) else v) for k, v in data.items()}


def _report_body(ctx):
    return {"progress": 40, "text": "Avance por la API"}


def _figures(unit):
    return body(unit=lambda ctx: _unit(unit)(ctx.w), submit=False,
                figures=[{"indicator": "libraries", "typology": "public", "value": 7}])


def _new_action(code, lead):
    return body(code=code, title="Acción por la API", objective=lambda ctx: ctx.w.objective, lead_country=lead,
                start="2026-01-01", end="2027-01-01", status="planned", weight=1)


def _new_partnership(network):
    return body(title="Convenio por la API", signed="2025-01-01", starts="2025-01-01", scopes=["loans"],
                networks=lambda ctx: [getattr(ctx.w, network)])


def _new_practice(country, network, library):
    return body(title="Práctica por la API", summary="Clubes", country=country,
                network=lambda ctx: getattr(ctx.w, network),
                library=lambda ctx: getattr(ctx.w, library))


def _new_library(country, networks):
    return body(name="Biblioteca por la API", country=country, type="public",
                networks=lambda ctx: [getattr(ctx.w, n) for n in networks])


API = [
    Write("api:country-list", "POST", "new", SEC, api("country-list"), body(code="XX", name_en="Nowhere"),
          kind="json", note="Only the secretariat (countries come from ISO 3166; the admin offers no add)."),
    *[Write("api:country-detail", method, code, allowed, api("country-detail", code),
            changed(focal_point_entity="Ministerio (API)"), kind="json")
      for method in ("PUT", "PATCH") for code, allowed in (("PE", PERU), ("CL", CHILE))],
    *[Write("api:network-list", "POST", code, allowed, api("network-list"),
            body(country=code, code=f"{code.lower()}-api-new", name="Red por la API", type="public"), kind="json")
      for code, allowed in (("PE", PERU), ("CL", CHILE))],
    *[Write("api:network-detail", method, key, allowed, api("network-detail", attr(key)),
            changed(governing_entity="Ministerio (API)"), kind="json")
      for method in ("PUT", "PATCH") for key, allowed in (("pe_public", PE_PUBLIC), ("cl_public", CHILE))],
    *[Write("api:network-detail", "DELETE", key, allowed, api("network-detail", attr(key)), read_version,
            kind="json")
      for key, allowed in (("pe_empty", PERU), ("cl_empty", CHILE))],
    Write("api:library-list", "POST", "pe-public", PE_PUBLIC, api("library-list"), _new_library("PE", ["pe_public"]),
          kind="json"),
    Write("api:library-list", "POST", "PE", PERU, api("library-list"), _new_library("PE", []), kind="json"),
    Write("api:library-list", "POST", "CL", CHILE, api("library-list"), _new_library("CL", ["cl_public"]),
          kind="json"),
    *[Write("api:library-detail", method, key, allowed, api("library-detail", attr(key)),
            changed(description="Abierta los domingos (API)"), kind="json")
      for method in ("PUT", "PATCH") for key, allowed in (("lima", LIMA), ("cusco", PERU), ("santiago", CHILE))],
    *[Write("api:service-point-list", "POST", key, allowed, api("service-point-list"),
            body(library=lambda ctx, k=library: getattr(ctx.w, k), kind="mobile", name="Bibliobús (API)"),
            kind="json")
      for key, library, allowed in (("lima", "lima", LIMA), ("CL", "santiago", CHILE))],
    *[Write("api:service-point-detail", method, key, allowed, api("service-point-detail", attr(point)),
            changed(opening_hours="Domingos (API)"), kind="json")
      for method in ("PUT", "PATCH")
      for key, point, allowed in (("lima", "point_lima", LIMA), ("CL", "point_santiago", CHILE))],
    *[Write("api:service-point-detail", "DELETE", key, allowed, api("service-point-detail", attr(point)),
            read_version, kind="json")
      for key, point, allowed in (("PE", "point_cusco", PERU), ("CL", "point_santiago", CHILE))],
    Write("api:library-detail", "PATCH", "lima-leaves-pe-public", PERU, api("library-detail", attr("lima")),
          changed(networks=[]), kind="json", note="As the page's row."),
    *[Write("api:library-detail", "DELETE", key, allowed, api("library-detail", attr(key)), read_version,
            kind="json")
      for key, allowed in (("lima_spare", PE_PUBLIC), ("santiago_spare", CHILE))],
    *[Write("api:campaign-figures", "POST", unit, allowed, api("campaign-figures", attr("campaign")), _figures(unit),
            kind="json") for unit, allowed in (("PE", PERU), ("CL", CHILE), ("lima", LIMA))],
    *[Write("api:action-list", "POST", code, allowed, api("action-list"), _new_action(f"mx-api-{code.lower()}", code),
            kind="json") for code, allowed in (("PE", PERU), ("CL", CHILE))],
    *[Write("api:action-detail", method, key, allowed, api("action-detail", attr(key)),
            changed(title="Acción (API)"), kind="json")
      for method in ("PUT", "PATCH") for key, allowed in (("action_pe", PERU), ("action_cl", CHILE))],
    Write("api:action-detail", "DELETE", "action_pe", NOBODY, api("action-detail", attr("action_pe")), kind="json",
          note="Actions are cancelled, not deleted (405 for everyone)."),
    *[Write("api:action-reports", "POST", key, allowed, api("action-reports", attr(key)), _report_body, kind="json")
      for key, allowed in (("action_pe", PE_PUBLIC), ("action_cl", CHILE))],
    *[Write("api:agreement-list", "POST", key, allowed, api("agreement-list"), _new_partnership(key), kind="json")
      for key, allowed in (("pe_public", PE_PUBLIC), ("cl_public", CHILE))],
    *[Write("api:agreement-detail", method, key, allowed, api("agreement-detail", attr(f"partnership_{key}")),
            changed(description="Préstamos (API)"), kind="json")
      for method in ("PUT", "PATCH") for key, allowed in (("pe", PE_PUBLIC), ("cl", CHILE))],
    Write("api:agreement-detail", "DELETE", "pe", NOBODY, api("agreement-detail", attr("partnership_pe")), kind="json",
          note="Agreements end; they are not deleted (405 for everyone)."),
    Write("api:good-practice-list", "POST", "lima", LIMA, api("good-practice-list"),
          _new_practice("PE", "pe_public", "lima"), kind="json"),
    Write("api:good-practice-list", "POST", "CL", CHILE, api("good-practice-list"),
          _new_practice("CL", "cl_public", "santiago"), kind="json"),
    Write("api:good-practice-detail", "GET", "waiting-PE", roles("coord_pe", "biblio_pe"),
          api("good-practice-detail", attr("practice_pe")), kind="json-read"),
    *[Write("api:change-list", "GET", what, allowed, api("change-list"), kind="json-read", secret=secret)
      for what, allowed, secret in (
          ("waiting-practice", roles("coord_pe", "biblio_pe"), lambda w: "Práctica pe"),
          ("draft-figure", roles("coord_pe"), lambda w: f"visits PE public {w.campaign_year}"))],
    *[Write("api:good-practice-detail", method, "pe", NOBODY, api("good-practice-detail", attr("practice_pe")),
            body(status="published", title="Publicada por la API"), kind="json",
            note="Practices are shared by POST and published by moderation only (405 for everyone).")
      for method in ("PUT", "PATCH", "DELETE")],
    *[Write("api:loans-policy-list", "POST", key, allowed, api("loans-policy-list"),
            body(library=lambda ctx, key=key: getattr(ctx.w, key), lends_to="country", loan_days=21, renewals=1,
                 response_days=3, cost="free", deliveries=["post"]), kind="json")
      for key, allowed in (("cusco", PERU), ("santiago_spare", CHILE))],
    *[Write("api:loans-policy-detail", method, key, allowed, api("loans-policy-detail", attr(f"policy_{key}")),
            changed(loan_days=30), kind="json")
      for method in ("PUT", "PATCH") for key, allowed in (("lima", LIMA), ("santiago", CHILE))],
    Write("api:loans-request-list", "POST", "lima", roles("biblio_pe"), api("loans-request-list"),
          body(borrower=lambda ctx: ctx.w.lima, title="Libro por la API"), kind="json"),
    Write("api:loans-request-act", "POST", "lima-draft", roles("biblio_pe"),
          api("loans-request-act", attr("loan_draft")), body(action="send"), kind="json"),
    Write("api:loans-request-answer", "POST", "lima-asked", roles("biblio_pe"),
          api("loans-request-answer", attr("loan_in")), body(status="WillSupply"), kind="json"),
    Write("api:loans-request-answer", "POST", "santiago-asked", SEC,
          api("loans-request-answer", attr("loan_out")), body(status="WillSupply"), kind="json"),
]


# The admin -----------------------------------------------------------------------------------------------------
# For each registered model: who may add one, and who may change and delete which object. The objects are looked up
# by `ctx.admin_object(label, target)`; "any" is the first row of the table (for models without a scope).

STAFF_ROLES = frozenset({"biblio_pe", "red_pe", "coord_pe", "coord_cl"})
ADMIN = {
    # label: (add, {target: change}, {target: delete})
    "auth.Group": (SEC, {"any": SEC}, {"any": SEC}),
    "core.User": (SEC, {"lector": SEC}, {"lector": SEC}),
    "core.ChangeLog": (NOBODY, {"any": NOBODY}, {"any": NOBODY}),
    "core.Job": (NOBODY, {"job_biblio": SEC}, {"job_biblio": SEC}),
    "registry.Country": (NOBODY, {"PE": PERU, "CL": CHILE}, {"PE": NOBODY}),
    "registry.Subdivision": (NOBODY, {"any": NOBODY}, {"any": NOBODY}),
    "registry.Network": (roles("coord_pe", "coord_cl"), {"pe_public": PE_PUBLIC, "cl_public": CHILE},
                         {"pe_empty": PERU, "cl_empty": CHILE}),
    "registry.Library": (roles("coord_pe", "coord_cl", "red_pe"), {"lima": LIMA, "cusco": PERU, "santiago": CHILE},
                         {"lima_spare": PE_PUBLIC, "santiago_spare": CHILE}),
    "stats.NeedRule": (SEC, {"any": SEC}, {"any": SEC}),
    "registry.TypologyRule": (SEC, {"any": SEC}, {"any": SEC}),
    "stats.Campaign": (SEC, {"campaign": SEC}, {"campaign": SEC}),
    "stats.Indicator": (SEC, {"any": SEC}, {"any": SEC}),
    "stats.Population": (SEC, {"any": SEC}, {"any": SEC}),
    "stats.Value": (NOBODY, {"submitted_value": NOBODY}, {"submitted_value": SEC}),
    "cooperation.Meeting": (SEC, {"meeting": SEC}, {"meeting": SEC}),
    "cooperation.Partner": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.NeedArea": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.Line": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.Objective": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.Action": (roles("coord_pe", "coord_cl"), {"action_pe": PERU, "action_cl": CHILE},
                           {"action_pe": SEC}),
    "cooperation.WorkingGroup": (SEC, {"group_pe": SEC}, {"group_pe": SEC}),
    "cooperation.Questionnaire": (SEC, {"needs_open": SEC}, {"needs_open": SEC}),
    "cooperation.Section": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.Question": (SEC, {"any": SEC}, {"any": SEC}),
    "cooperation.Response": (NOBODY, {"any": NOBODY}, {"any": NOBODY}),
    "cooperation.PartnershipAgreement": (roles("coord_pe", "coord_cl", "red_pe"),
                                         {"partnership_pe": PE_PUBLIC, "partnership_cl": CHILE},
                                         {"partnership_pe": PERU, "partnership_cl": CHILE}),
    # The Lima library's practice names the library only, so pe-public's manager is not among its keepers.
    "cooperation.GoodPractice": (STAFF_ROLES | SEC, {"practice_pe": roles("coord_pe", "biblio_pe"),
                                                     "practice_cl": CHILE}, {"practice_pe": SEC}),
    "cooperation.Participant": (NOBODY, {"registration": NOBODY}, {"registration": NOBODY}),
    "catalog.Source": (STAFF_ROLES | SEC, {"source_pe": LIMA, "source_cl": CHILE},
                       {"source_pe": PERU, "source_cl": CHILE}),
    "catalog.Record": (NOBODY, {"record_pe": NOBODY}, {"record_pe": NOBODY}),
    "catalog.Rejected": (NOBODY, {}, {}),
    "loans.LendingPolicy": (STAFF_ROLES | SEC, {"policy_lima": LIMA, "policy_santiago": CHILE},
                            {"policy_lima": LIMA, "policy_santiago": CHILE}),
    "loans.PartnerEndpoint": (STAFF_ROLES | SEC, {"endpoint_cusco": PERU}, {"endpoint_cusco": PERU}),
    # Requests move by their actions only: read in the admin, never written there.
    "loans.LoanRequest": (NOBODY, {"loan_out": NOBODY}, {"loan_out": NOBODY}),
}


def _admin_rows():
    rows = []
    for label, (add, change, delete) in ADMIN.items():
        app, model = label.lower().split(".")
        rows.append(Write(f"admin:{label}:add", "POST", "new", add,
                          lambda w, app=app, model=model: reverse(f"admin:{app}_{model}_add"), kind="admin"))
        for op, targets in (("change", change), ("delete", delete)):
            for target, allowed in targets.items():
                rows.append(Write(f"admin:{label}:{op}", "POST", target, allowed,
                                  lambda w, app=app, model=model, op=op, label=label, target=target: reverse(
                                      f"admin:{app}_{model}_{op}", args=[w.admin_object(label, target)]),
                                  kind="admin"))
    # Workflow fields change only through their workflow: publishing a practice is the secretariat's moderation.
    rows.append(Write("admin:cooperation.GoodPractice:change", "POST", "practice_pe-publish", SEC,
                      lambda w: reverse("admin:cooperation_goodpractice_change", args=[w.practice_pe]),
                      data={"status": "published"}, kind="admin-workflow",
                      note="The moderation page refuses everyone but the secretariat; the admin must too."))
    return rows


ADMIN_ROWS = _admin_rows()


# Imports from the command line (`--user` decides what the rows may touch) ---------------------------------------

def _libraries_csv(country, networks):
    return f"name,country,type,networks\nBiblioteca importada,{country},public,{networks}\n".encode()


COMMANDS = [
    Write("command:import_libraries", "RUN", "pe-public", PE_PUBLIC,
          data=lambda ctx: _libraries_csv("PE", "pe-public")),
    Write("command:import_libraries", "RUN", "PE", PERU, data=lambda ctx: _libraries_csv("PE", "")),
    Write("command:import_libraries", "RUN", "CL", CHILE, data=lambda ctx: _libraries_csv("CL", "cl-public")),
    Write("command:import_actions", "RUN", "PE", PERU,
          data=lambda ctx: _actions_file("mx-cmd-pe", "PE")(ctx)["file"].read()),
    Write("command:import_actions", "RUN", "CL", CHILE,
          data=lambda ctx: _actions_file("mx-cmd-cl", "CL")(ctx)["file"].read()),
    *[Write("command:import_marc", "RUN", key, allowed, data=lambda ctx: MARC.read_bytes(),
            options=lambda w, key=key: {"source": getattr(w, f"source_{key}")})
      for key, allowed in (("pe", LIMA), ("cl", CHILE))],
]

ALL = PAGES + API + ADMIN_ROWS + COMMANDS
