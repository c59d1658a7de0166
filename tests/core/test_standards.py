"""The shared schemas load offline and tell a valid message from an invalid one (tests of other parts rely on it)."""

import pytest

from tests.standards import assert_valid

DIAGNOSTIC = (
    '<diagnostic xmlns="http://docs.oasis-open.org/ns/search-ws/diagnostic">'
    "<uri>info:srw/diagnostic/1/10</uri><message>Query syntax error</message></diagnostic>"
)


def test_an_sru_diagnostic_validates_with_its_imports_read_locally():
    assert_valid("diagnostic.xsd", DIAGNOSTIC)


def test_an_element_out_of_place_is_named():
    with pytest.raises(AssertionError, match="diagnostic.xsd"):
        assert_valid("diagnostic.xsd", DIAGNOSTIC.replace("<uri>", "<url>").replace("</uri>", "</url>"))
