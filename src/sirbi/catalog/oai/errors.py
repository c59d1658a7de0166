"""The error conditions of OAI-PMH 2.0 (section 3.6), one code each; a handler raises OAIError and the response
carries <error code="...">message</error>."""

BAD_ARGUMENT = "badArgument"
BAD_RESUMPTION_TOKEN = "badResumptionToken"
BAD_VERB = "badVerb"
CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
ID_DOES_NOT_EXIST = "idDoesNotExist"
NO_RECORDS_MATCH = "noRecordsMatch"
NO_METADATA_FORMATS = "noMetadataFormats"  # never here: every record is served in every format
NO_SET_HIERARCHY = "noSetHierarchy"  # never here: the catalog has sets

CODES = (BAD_ARGUMENT, BAD_RESUMPTION_TOKEN, BAD_VERB, CANNOT_DISSEMINATE_FORMAT, ID_DOES_NOT_EXIST, NO_RECORDS_MATCH,
         NO_METADATA_FORMATS, NO_SET_HIERARCHY)


class OAIError(Exception):
    """An OAI-PMH error condition: `code` one of CODES, `message` the human-readable text."""

    def __init__(self, code, message):
        assert code in CODES, code
        super().__init__(message)
        self.code, self.message = code, message

    @property
    def echoes_request(self):
        """badVerb and badArgument answers echo the base URL only, not the request's arguments (section 3.2)."""
        return self.code not in (BAD_VERB, BAD_ARGUMENT)
