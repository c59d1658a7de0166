"""Each verb's arguments (OAI-PMH 2.0 section 4), checked before any handler runs: required, optional and
exclusive ones, none repeated, none unknown, dates at the repository's granularity."""

import re
from datetime import UTC, datetime, timedelta

from .errors import BAD_ARGUMENT, BAD_VERB, OAIError

# verb: (required, optional); resumptionToken is exclusive: with it, no other argument but the verb.
VERBS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def checked(params):
    """(verb, {argument: value}) from the request's parameters ([(name, [values])]); OAIError otherwise."""
    params = dict(params)
    verbs = params.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError(BAD_VERB, "The verb argument is missing, repeated or not an OAI-PMH verb." if len(verbs) != 1
                       else f"{verbs[0]!r} is not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    for name, values in params.items():
        if name not in required and name not in optional:
            raise OAIError(BAD_ARGUMENT, f"{verb} takes no argument {name!r}.")
        if len(values) != 1:
            raise OAIError(BAD_ARGUMENT, f"The argument {name!r} is repeated.")
    args = {name: values[0] for name, values in params.items()}
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError(BAD_ARGUMENT, "resumptionToken is an exclusive argument: send it alone with the verb.")
        return verb, args
    missing = [name for name in required if not args.get(name)]
    if missing:
        raise OAIError(BAD_ARGUMENT, f"{verb} needs the argument {missing[0]!r}.")
    dates = {name: _date(name, args[name]) for name in ("from", "until") if name in args}
    if len(dates) == 2:
        (since, since_day), (until, until_day) = dates["from"], dates["until"]
        if since_day != until_day:
            raise OAIError(BAD_ARGUMENT, "from and until must have the same granularity.")
        if since > until:
            raise OAIError(BAD_ARGUMENT, "from is later than until.")
    if "from" in dates:
        args["from"] = dates["from"][0]
    if "until" in dates:
        until, day = dates["until"]
        args["until"] = until + (timedelta(days=1) if day else timedelta(seconds=1))  # exclusive from here on
    return verb, args


def _date(name, text):
    """(aware datetime, whether at day granularity)."""
    try:
        if DAY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC), True
        if SECOND.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), False
    except ValueError:
        pass
    raise OAIError(BAD_ARGUMENT, f"{name} must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDThh:mm:ssZ).")
