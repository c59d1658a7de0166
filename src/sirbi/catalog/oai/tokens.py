"""Resumption tokens that survive changes between pages: a token carries the list's arguments, the (datestamp, id)
of the last record sent, the list's size and position when it was issued, and its expiry. The next page starts
strictly after that pair in (datestamp, id) order, so a record added or changed meanwhile (whose datestamp moves to
now, past the list's frozen `until`) is neither skipped nor sent twice by this harvest, and is found by the next
incremental one. Tokens are not secret: a harvester that edits one only asks for another part of a public list."""

import base64
import binascii
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Token:
    verb: str  # ListIdentifiers, ListRecords or ListSets
    prefix: str | None
    set: str | None
    since: datetime | None  # `from`, inclusive
    before: datetime | None  # `until` made exclusive (one second after it), frozen at the first page otherwise
    after: tuple  # (datestamp ISO text with microseconds, id) of the last record sent; for ListSets (spec,)
    size: int  # completeListSize when the list started
    cursor: int  # records sent before this page
    expires: datetime


def _time(value):
    return value.isoformat() if value else None


def encode(token):
    data = asdict(token)
    for name in ("since", "before", "expires"):
        data[name] = _time(data[name])
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(text, verb, now):
    """The Token of `text` for `verb`; ValueError when it is not one of ours, is for another verb, or expired."""
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        times = {name: datetime.fromisoformat(data[name]) if data[name] else None
                 for name in ("since", "before", "expires")}
        token = Token(verb=data["verb"], prefix=data["prefix"], set=data["set"], after=tuple(data["after"]),
                      size=int(data["size"]), cursor=int(data["cursor"]), **times)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, AttributeError) as exc:
        raise ValueError("not a resumption token of this repository") from exc
    if token.verb != verb:
        raise ValueError("a resumption token of another verb")
    if any(t is not None and t.tzinfo is None for t in (token.since, token.before, token.expires)):
        raise ValueError("not a resumption token of this repository")
    if token.expires < now:
        raise ValueError("the resumption token has expired")
    return token


def expiry(now):
    return (now + LIFETIME).astimezone(UTC).replace(microsecond=0)
