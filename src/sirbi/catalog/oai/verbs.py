"""One handler per OAI-PMH verb, over a repository object that answers a few questions (see `Repository`), and
`respond`, which checks the arguments, calls the handler and wraps its answer or error in the envelope."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from . import errors, sets, tokens
from .arguments import checked
from .errors import OAIError
from .xml import element, envelope, error, stamp

# prefix: (schema, namespace)
FORMATS = {
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", "http://www.loc.gov/MARC21/slim"),
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
}
PAGE = 500  # records or headers per list response
SETS_PAGE = 1000


@dataclass
class Header:
    id: int
    datestamp: datetime
    deleted: bool = False
    sets: list = field(default_factory=list)  # set specs (text)


@dataclass(frozen=True)
class Selection:
    """Which records a list asks for: in `set` (a sets.SetSpec or None), with since <= datestamp < before."""

    set: object = None
    since: datetime | None = None
    before: datetime | None = None


class Repository(Protocol):
    name: str
    host: str  # the identifiers' namespace: oai:<host>:cluster/<id>
    admin_emails: list

    def earliest(self) -> datetime: ...
    def header(self, cluster_id) -> Header | None: ...
    def count(self, selection) -> int: ...
    def headers(self, selection, after, limit) -> list: ...  # ordered by (datestamp, id), after (datestamp, id)
    def metadata(self, cluster_ids, prefix) -> dict: ...  # {id: serialised XML} of live clusters
    def sets(self) -> list: ...  # [(spec, name)] ordered by spec


def identifier(repository, cluster_id):
    return f"oai:{repository.host}:cluster/{cluster_id}"


def cluster_id(repository, text):
    prefix = f"oai:{repository.host}:cluster/"
    number = text[len(prefix):] if text.startswith(prefix) else ""
    if not number.isdigit() or number.startswith("0"):
        raise OAIError(errors.ID_DOES_NOT_EXIST, f"{text!r} is not an identifier of this repository.")
    return int(number)


def _prefix(text):
    if text not in FORMATS:
        raise OAIError(errors.CANNOT_DISSEMINATE_FORMAT, f"{text!r} is not a format of this repository; "
                                                  f"see ListMetadataFormats.")
    return text


def _header(repository, header):
    specs = "".join(element("setSpec", spec) for spec in header.sets)
    status = ' status="deleted"' if header.deleted else ""
    return (f"<header{status}>{element('identifier', identifier(repository, header.id))}"
            f"{element('datestamp', stamp(header.datestamp))}{specs}</header>")


def identify(repository, args, now):
    emails = "".join(element("adminEmail", email) for email in repository.admin_emails)
    return ("<Identify>" + element("repositoryName", repository.name) + element("baseURL", args["_base_url"])
            + element("protocolVersion", "2.0") + emails + element("earliestDatestamp", stamp(repository.earliest()))
            + element("deletedRecord", "persistent") + element("granularity", "YYYY-MM-DDThh:mm:ssZ")
            + "</Identify>")


def list_metadata_formats(repository, args, now):
    if "identifier" in args and repository.header(cluster_id(repository, args["identifier"])) is None:
        raise OAIError(errors.ID_DOES_NOT_EXIST, f"{args['identifier']!r} is not an identifier of this repository.")
    formats = "".join(f"<metadataFormat>{element('metadataPrefix', prefix)}{element('schema', schema)}"
                      f"{element('metadataNamespace', namespace)}</metadataFormat>"
                      for prefix, (schema, namespace) in FORMATS.items())
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def list_sets(repository, args, now):
    every = repository.sets()
    start = 0
    if "resumptionToken" in args:
        token = _token(args["resumptionToken"], "ListSets", now)
        start = next((n for n, (spec, _name) in enumerate(every) if spec > token.after[0]), len(every))
        size, cursor = token.size, token.cursor
    else:
        size, cursor = len(every), 0
    page = every[start:start + SETS_PAGE]
    body = "".join(f"<set>{element('setSpec', spec)}{element('setName', name)}</set>" for spec, name in page)
    if start + SETS_PAGE < len(every):
        body += _resumption(tokens.Token("ListSets", None, None, None, None, (page[-1][0],), size,
                                         cursor + len(page), tokens.expiry(now)), cursor)
    elif "resumptionToken" in args:
        body += element("resumptionToken", "", completeListSize=size, cursor=cursor)
    return f"<ListSets>{body}</ListSets>"


def get_record(repository, args, now):
    prefix = _prefix(args["metadataPrefix"])
    header = repository.header(cluster_id(repository, args["identifier"]))
    if header is None:
        raise OAIError(errors.ID_DOES_NOT_EXIST, f"{args['identifier']!r} is not an identifier of this repository.")
    metadata = {} if header.deleted else repository.metadata([header.id], prefix)
    if not header.deleted and header.id not in metadata:
        raise OAIError(errors.ID_DOES_NOT_EXIST, f"{args['identifier']!r} is not an identifier of this repository.")
    return f"<GetRecord>{_record(repository, header, metadata)}</GetRecord>"


def _record(repository, header, metadata):
    body = "" if header.deleted else f"<metadata>{metadata[header.id]}</metadata>"
    return f"<record>{_header(repository, header)}{body}</record>"


def _token(text, verb, now):
    try:
        return tokens.decode(text, verb, now)
    except ValueError as exc:
        raise OAIError(errors.BAD_RESUMPTION_TOKEN, str(exc)) from exc


def _resumption(token, cursor):
    """The token of the next page; `cursor` is this page's position in the list (the spec's cursor: 0 first)."""
    return element("resumptionToken", tokens.encode(token), completeListSize=token.size, cursor=cursor,
                   expirationDate=stamp(token.expires))


def _list(repository, args, now, verb, with_records):
    """A page of headers or records, and the token of the next page."""
    if "resumptionToken" in args:
        token = _token(args["resumptionToken"], verb, now)
        try:
            spec = sets.parse(token.set) if token.set else None
            prefix = _prefix(token.prefix)
            after = (datetime.fromisoformat(token.after[0]), int(token.after[1]))
        except (ValueError, IndexError, TypeError, OAIError) as exc:
            raise OAIError(errors.BAD_RESUMPTION_TOKEN, "not a resumption token of this repository") from exc
        selection = Selection(spec, token.since, token.before)
    else:
        prefix = _prefix(args["metadataPrefix"])
        try:
            spec = sets.parse(args["set"]) if "set" in args else None
        except ValueError as exc:
            raise OAIError(errors.BAD_ARGUMENT,
                           f"{args['set']!r} is not a set of this repository; see ListSets.") from exc
        # Without `until`, the list ends at its first request: what changes while it is harvested comes in the
        # next incremental harvest, and a busy catalog cannot keep a harvest from ending.
        selection = Selection(spec, args.get("from"), args.get("until") or now)
        size = repository.count(selection)
        if not size:
            raise OAIError(errors.NO_RECORDS_MATCH, "No records match these arguments.")
        token, after = tokens.Token(verb, prefix, str(spec) if spec else None, selection.since, selection.before,
                                    (), size, 0, now), None
    page = repository.headers(selection, after, PAGE + 1)
    more = len(page) > PAGE
    page = page[:PAGE]
    if not page:
        raise OAIError(errors.NO_RECORDS_MATCH, "No records are left in this list (they changed since it started).")
    if with_records:
        metadata = repository.metadata([h.id for h in page if not h.deleted], prefix)
        body = "".join(_record(repository, h, metadata) for h in page if h.deleted or h.id in metadata)
    else:
        body = "".join(_header(repository, h) for h in page)
    if more:
        last = page[-1]
        body += _resumption(replace(token, after=(last.datestamp.isoformat(), last.id),
                                    cursor=token.cursor + len(page), expires=tokens.expiry(now)), token.cursor)
    elif "resumptionToken" in args:  # the last page of a list sent in parts ends with an empty token
        body += element("resumptionToken", "", completeListSize=token.size, cursor=token.cursor)
    return f"<{verb}>{body}</{verb}>"


def list_identifiers(repository, args, now):
    return _list(repository, args, now, "ListIdentifiers", with_records=False)


def list_records(repository, args, now):
    return _list(repository, args, now, "ListRecords", with_records=True)


HANDLERS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
            "GetRecord": get_record, "ListIdentifiers": list_identifiers, "ListRecords": list_records}


def respond(repository, params, base_url, now):
    """The response (bytes) to a request's parameters ([(name, [values])]), errors included."""
    params = list(params)
    echo = {name: values[0] for name, values in params if len(values) == 1}
    try:
        verb, args = checked(params)
        args["_base_url"] = base_url
        body = HANDLERS[verb](repository, args, now)
    except OAIError as exc:
        return envelope(now, base_url, echo if exc.echoes_request else {}, error(exc.code, exc.message))
    return envelope(now, base_url, echo, body)
