"""SRU's standard diagnostics (info:srw/diagnostic/1/N): every error the server reports is one of these, raised
as `Diagnostic` by whatever finds it and written out in the requested version's envelope, never as an HTTP error.

A fatal diagnostic ends the request (no records); a non-fatal one rides along with the answer (`warnings`)."""

PREFIX = "info:srw/diagnostic/1/"

MESSAGES = {
    1: "General system error",
    4: "Unsupported operation",
    5: "Unsupported version",
    6: "Unsupported parameter value",
    7: "Mandatory parameter not supplied",
    8: "Unsupported parameter",
    10: "Query syntax error",
    12: "Too many characters in query",
    15: "Unsupported context set",
    16: "Unsupported index",
    19: "Unsupported relation",
    20: "Unsupported relation modifier",
    22: "Unsupported combination of relation and index",
    27: "Empty term unsupported",
    28: "Masking character not supported",
    36: "Term in invalid format for index or relation",
    37: "Unsupported boolean operator",
    38: "Too many boolean operators in query",
    40: "Unsupported proximity relation",
    41: "Unsupported proximity distance",
    42: "Unsupported proximity unit",
    44: "Unsupported combination of proximity modifiers",
    46: "Unsupported boolean modifier",
    48: "Query feature unsupported",
    50: "Result sets not supported",
    61: "First record position out of range",
    64: "Record temporarily unavailable",
    66: "Unknown schema for retrieval",
    71: "Unsupported record packing",
    80: "Sort not supported",
    84: "Too many sort keys",
    110: "Stylesheets not supported",
    120: "Response position out of range",
    121: "Too many terms requested",
}


class Diagnostic(Exception):
    """An SRU diagnostic: its number in the standard list and the details the list asks for (a parameter's name,
    an index, a relation...)."""

    def __init__(self, number, details=""):
        super().__init__(f"{number} {MESSAGES.get(number, '')}: {details}")
        self.number = number
        self.details = str(details)

    @property
    def uri(self):
        return f"{PREFIX}{self.number}"

    @property
    def message(self):
        return MESSAGES.get(self.number, "")
