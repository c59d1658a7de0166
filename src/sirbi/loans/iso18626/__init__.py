"""ISO 18626 (interlibrary loan transactions), schema version 1.2, as plain Python with no Django import.

- `codes`: the closed lists of the schema (statuses, actions, reasons for a message, error types, service types)
  and the standard's open code lists we use (reasons unfilled and for retry, loan conditions);
- `supplier`, `requester`: the two state machines, each transition allowed only from the states the standard
  allows;
- `schema`: the content model of the XSD, checked element by element (order, cardinality, values), so that a
  message is validated against the schema without the schema file being read at run time;
- `messages`: building messages and parsing them (defusedxml), with the standard's error for what is wrong.
"""
