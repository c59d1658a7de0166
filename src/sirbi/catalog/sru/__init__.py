"""The union catalog's SRU server (Search/Retrieve via URL, versions 1.2 and 2.0), cut along the protocol:
`protocol` (which operation and version a request asks, and the two versions' envelopes), `cql` (a CQL query to
the search back-end's structured query), `explain`, `search_retrieve` and `scan` (one module per operation) and
`diagnostics` (the standard error list). `views.endpoint` is the thin Django door at /sru."""
