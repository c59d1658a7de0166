"""A mock ISO 18626 partner: another library system on 127.0.0.1, in a thread. It checks every message it gets from
us against the official XSD and our token, confirms it (OK, or what it was told to answer: an HTTP error, an ERROR
confirmation), and sends its own messages to our POST /iso18626 with the token we gave it."""

import datetime
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from defusedxml import ElementTree

from sirbi.loans.iso18626.messages import (
    CONFIRMATION_OF,
    Agency,
    Confirmation,
    Header,
    Request,
    RequestingAgencyMessage,
    SupplyingAgencyMessage,
    build,
    kind_of,
    parse,
)
from tests.standards import schema

XSD = "ISO-18626-v1_2.xsd"


class MockPartner:
    def __init__(self, agency, *, token_from_us, token_to_us, our_endpoint):
        self.agency = Agency(agency)
        self.token_from_us, self.token_to_us, self.our_endpoint = token_from_us, token_to_us, our_endpoint
        self.received = []        # the messages we sent it, parsed, in order
        self.invalid = []         # schema errors of messages that did not validate (must stay empty)
        self.refused = 0          # requests without our token
        self.http_errors = []     # HTTP statuses to answer next, instead of a confirmation
        self.error_next = None    # (errorType, value) of the next confirmation, instead of OK
        self.clock = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                partner.answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/iso18626"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # What it answers ---------------------------------------------------------------------------------------------

    def answer(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        if handler.headers.get("Authorization") != f"Bearer {self.token_from_us}":
            self.refused += 1
            return self._reply(handler, 401, b"")
        if self.http_errors:
            return self._reply(handler, self.http_errors.pop(0), b"busy")
        errors = list(schema(XSD).iter_errors(ElementTree.fromstring(body)))
        if errors:
            self.invalid.append(str(errors[0]))
        message = parse(body)
        self.received.append(message)
        error_type, value = self.error_next or ("", "")
        self.error_next = None
        confirmation = Confirmation(kind=CONFIRMATION_OF[kind_of(message)], status="ERROR" if error_type else "OK",
                                    header=message.header, timestamp_received=self.clock, error_type=error_type,
                                    error_value=value,
                                    reason_for_message=getattr(message, "reason_for_message", ""),
                                    action=getattr(message, "action", ""))
        self._reply(handler, 200, build(confirmation))

    @staticmethod
    def _reply(handler, status, content):
        handler.send_response(status)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    # What it sends ---------------------------------------------------------------------------------------------

    def post(self, xml):
        """POST `xml` to our endpoint with its token; (HTTP status, the confirmation parsed, its bytes)."""
        request = urllib.request.Request(self.our_endpoint, data=xml, method="POST", headers={
            "Content-Type": "application/xml", "Authorization": f"Bearer {self.token_to_us}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                content = response.read()
                return response.status, parse(content), content
        except urllib.error.HTTPError as error:
            return error.code, None, error.read()

    def _tick(self):
        self.clock += datetime.timedelta(minutes=1)
        return self.clock

    def as_lender(self, request_id, requester, status, reason="StatusChange", **extra):
        """A supplyingAgencyMessage of this partner (the lender) about our request `request_id`."""
        at = self._tick()
        header = Header(supplying=self.agency, requesting=Agency(requester), timestamp=at, request_id=request_id)
        return build(SupplyingAgencyMessage(header=header, reason_for_message=reason, status=status, last_change=at,
                                            **extra))

    def as_borrower(self, request_id, lender, action=None, **request):
        """A request of this partner (the borrower) to our library `lender`, or an action on it."""
        header = Header(supplying=Agency(lender), requesting=self.agency, timestamp=self._tick(),
                        request_id=request_id)
        if action:
            return build(RequestingAgencyMessage(header=header, action=action))
        return build(Request(header=header, **request))
