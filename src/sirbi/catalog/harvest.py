"""Harvesting a source's OAI-PMH endpoint with Sickle (a maintained OAI-PMH client): incremental by datestamp,
following resumption tokens, taking deletions, retrying with back-off on 503 and network errors, and resuming
where it stopped: after each page of records is stored, the source keeps the page's resumption token (and,
when a list ends, the newest datestamp), so a harvest cut off by a crash or a restart continues from there.
The source's row is locked only while a harvest reads and resets its state at the start, not while it runs:
two harvests of one source started at once both run (each page is stored idempotently, but they share the
resumption token); the job queue keeps a requeued run from overwriting the new attempt's result."""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree
from sickle import Sickle

from sirbi.core import outbound

from . import clusters, crosswalk, marc
from .indexing import index_stale
from .ingest import Report, Store, holdings_config
from .models import Holding, Record, Source
from .prepare import prepare

MARC_NS = "http://www.loc.gov/MARC21/slim"

logger = logging.getLogger(__name__)


class HarvestError(Exception):
    """The endpoint could not be harvested (the message says why); what was stored before stays."""


@dataclass
class HarvestReport(Report):
    deleted: int = 0
    pages: int = 0
    problems: list = field(default_factory=list)

    def as_dict(self):
        return {**super().as_dict(), "deleted": self.deleted, "pages": self.pages, "problems": self.problems}


# Network errors (refused, reset, timed out) are retried after these pauses (seconds), then the harvest stops.
BACKOFF = (1, 4, 15)


class CheckedSickle(Sickle):
    """Sickle whose requests go through core.outbound's session: public addresses only (or those allowed by
    HARVEST_ALLOWED_HOSTS), checked on every connection, redirects included."""

    def __init__(self, endpoint, **kwargs):
        super().__init__(endpoint, **kwargs)
        self.session = outbound.session()

    def _request(self, kwargs):
        """The answer read in pieces up to HARVEST_MAX_RESPONSE_BYTES once decoded (requests inflates a gzip
        answer without limit: a small one may unpack to gigabytes)."""
        if self.http_method == "GET":
            response = self.session.get(self.endpoint, params=kwargs, stream=True, **self.request_args)
        else:
            response = self.session.post(self.endpoint, data=kwargs, stream=True, **self.request_args)
        limit, body = settings.HARVEST_MAX_RESPONSE_BYTES, bytearray()
        with response:
            for piece in response.iter_content(64 * 1024):
                body += piece
                if len(body) > limit:
                    raise ResponseTooLarge(limit)
        response._content = bytes(body)  # what requests keeps once a streamed answer is read whole
        return response


class ResponseTooLarge(Exception):
    """An answer that decodes to more than HARVEST_MAX_RESPONSE_BYTES."""


def client(source, timeout=30, max_retries=3):
    """Sickle retries HTTP 429/5xx itself (honouring Retry-After); network errors are retried by `_fetch`."""
    return CheckedSickle(source.base_url, max_retries=max_retries, default_retry_after=2, timeout=timeout,
                         retry_status_codes=(429, 500, 502, 503, 504))


def _fetch_problem(source, exc):
    """What a user may read about a failed request: what went wrong, never the addresses, ports, answers or
    traceback behind it (those go to the server's log)."""
    logger.warning("harvest of source %s (%s) failed: %s: %s", source.code, source.base_url, type(exc).__name__, exc,
                   exc_info=not isinstance(exc, (outbound.RefusedAddress, requests.RequestException)))
    if isinstance(exc, outbound.RefusedAddress):
        return exc.message
    if isinstance(exc, ResponseTooLarge):
        return _("the endpoint's answer is larger than %(limit)s once unpacked; the harvest was stopped.") \
            % {"limit": filesizeformat(exc.args[0])}
    if isinstance(exc, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema)):
        return _("only web addresses (http:// or https://) can be harvested.")
    if isinstance(exc, requests.TooManyRedirects):
        return _("the endpoint redirected more than %(count)d times.") % {"count": outbound.MAX_REDIRECTS}
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return _("the endpoint answered with the HTTP error %(status)d.") % {"status": exc.response.status_code}
    if isinstance(exc, requests.Timeout):
        return _("the endpoint did not answer in time.")
    if isinstance(exc, requests.ConnectionError):
        return _("the endpoint cannot be reached (its name is not found, or the connection is refused).")
    if isinstance(exc, etree.LxmlError):
        return _("the answer is not an OAI-PMH response.")
    return _("the endpoint could not be harvested (the details are in the server's log).")


def _fetch(sickle, params, backoff):
    for pause in (*backoff, None):
        try:
            return sickle.harvest(verb="ListRecords", **params)
        except (requests.ConnectionError, requests.Timeout):
            if pause is None:
                raise
            time.sleep(pause)


OAI = "{http://www.openarchives.org/OAI/2.0/}"


@dataclass
class Header:
    identifier: str
    datestamp: datetime | None
    deleted: bool


def _stamp(text):
    text = (text or "").strip()
    if not text:
        return None
    if "T" in text:
        return parse_datetime(text.replace("Z", "+00:00"))
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def harvest(source, *, from_date=None, full=False, progress=None, sickle=None, backoff=None):
    """Harvest `source` (an OAI-PMH source); returns a HarvestReport, or raises HarvestError. Each response
    page is stored in its own transaction together with the token of the next page."""
    report = HarvestReport(filename=source.base_url)
    sickle = sickle or client(source)
    backoff = BACKOFF if backoff is None else backoff
    with transaction.atomic():
        # A second harvest starting now waits here only until this one has read and reset the source's state.
        source = Source.objects.select_for_update().get(pk=source.pk)
        if full:
            source.harvested_until, source.resumption_token = None, ""
            Source.objects.filter(pk=source.pk).update(harvested_until=None, resumption_token="")
    if source.resumption_token:
        params = {"resumptionToken": source.resumption_token}
    else:
        params = {"metadataPrefix": source.metadata_prefix or "marc21"}
        since = from_date or source.harvested_until
        if since:
            params["from"] = since.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(since, datetime) else str(since)
        if source.set_spec:
            params["set"] = source.set_spec
    newest = source.harvested_until
    store = Store(source, Record.Format.DC if source.metadata_prefix == "oai_dc" else Record.Format.MARCXML, report)
    while True:
        try:
            response = _fetch(sickle, params, backoff)
            tree = response.xml
        except Exception as exc:  # refused addresses, network errors after the retries, HTTP errors, unreadable answers
            raise HarvestError(_fetch_problem(source, exc)) from exc
        if tree is None or tree.tag != f"{OAI}OAI-PMH":
            raise HarvestError(_("the answer is not an OAI-PMH response."))
        error = tree.find(f"{OAI}error")
        if error is not None:
            if error.get("code") == "noRecordsMatch":
                break
            raise HarvestError(_("the endpoint answered %(code)s: %(text)s")
                               % {"code": error.get("code"), "text": (error.text or "").strip()[:300]})
        records = tree.findall(f"{OAI}ListRecords/{OAI}record")
        token_element = tree.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        token = (token_element.text or "").strip() if token_element is not None else ""
        stamps = _store_page(source, records, report, store)
        newest = max([s for s in stamps + [newest] if s], default=None)
        report.pages += 1
        Source.objects.filter(pk=source.pk).update(resumption_token=token[:500])
        if progress:
            progress(report.total)
        if not token:
            break
        params = {"resumptionToken": token}
    Source.objects.filter(pk=source.pk).update(resumption_token="", harvested_until=newest, last_harvest=timezone.now())
    index_stale()  # this harvest's pages, and whatever an interrupted one left (their marks committed with them)
    return report


def _parse_metadata(element, dublin_core):
    """The record in an OAI-PMH <record>'s metadata (MARCXML, or Dublin Core for oai_dc) as a marc.Parsed whose
    raw bytes are the metadata as the endpoint sent it; None when the metadata holds no such record."""
    if dublin_core:
        dc = element.find(f".//{crosswalk.OAI_DC}dc")
        if dc is None:
            return None
        return marc.dc_parsed(dc, etree.tostring(dc, encoding="utf-8"))
    marc_element = element.find(f".//{{{MARC_NS}}}record")
    if marc_element is None:
        return None
    raw = etree.tostring(marc_element, encoding="utf-8")
    parsed = next(iter(marc.read_marcxml(raw)), None)
    if parsed is not None:
        parsed.raw = raw  # the bytes as the endpoint sent them
    return parsed


def _store_page(source, elements, report, store):
    """Store one response page's records in a few bulk statements (as imports do); returns their datestamps."""
    dublin_core = source.metadata_prefix == "oai_dc"
    config = holdings_config(source)
    headers = []
    for element in elements:
        header_element = element.find(f"{OAI}header")
        if header_element is None or not header_element.findtext(f"{OAI}identifier"):
            raise HarvestError(_("a record without its header: the response is malformed or cut off."))
        headers.append((element, Header(identifier=header_element.findtext(f"{OAI}identifier").strip()[:200],
                                        datestamp=_stamp(header_element.findtext(f"{OAI}datestamp")),
                                        deleted=header_element.get("status") == "deleted")))
    with transaction.atomic():
        existing = {r.local_id: r for r in Record.objects.filter(
            source=source, local_id__in=[header.identifier for _e, header in headers if header.deleted]).only(
            "pk", "local_id", "deleted", "cluster_id")}
        pending = {}  # local id → Prepared; the last of the page wins
        gone = {}  # local id → Record deleted at the source
        for element, header in headers:
            record = existing.get(header.identifier)
            if header.deleted:
                pending.pop(header.identifier, None)
                if record and not record.deleted:
                    gone[header.identifier] = record
                continue
            gone.pop(header.identifier, None)
            parsed = _parse_metadata(element, dublin_core)
            if parsed is None:
                report.rejected.append((header.identifier, "no MARC 21 record in the metadata" if not dublin_core
                                        else "no Dublin Core record in the metadata"))
                continue
            item = prepare(parsed, config)
            if item.error:
                report.rejected.append((header.identifier, item.error))
                continue
            item.local_id = header.identifier
            pending[header.identifier] = item
        if gone:
            ids = [r.pk for r in gone.values()]
            Record.objects.filter(pk__in=ids).update(deleted=True)
            Holding.objects.filter(record_id__in=ids).delete()
            clusters.leave(gone.values())
            report.deleted += len(gone)
        store.store(list(pending.values()))
    return [header.datestamp for _e, header in headers]
