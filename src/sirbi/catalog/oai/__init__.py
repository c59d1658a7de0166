"""The union catalog's OAI-PMH 2.0 data provider, cut along the protocol: `errors` (the spec's error codes),
`arguments` (each verb's arguments, dates at seconds granularity), `tokens` (keyset resumption tokens), `sets`
(set specs: country, network, library by escaped ISIL), `xml` (the response envelope), `verbs` (one handler per
verb, over a repository object), all plain Python without Django. `repository` answers the verbs' questions from
the database (one OAI record per cluster, through catalog/records.py), `datestamps` keeps clusters' datestamps and
tombstones, `views` is the thin view at /oai.

Why not a provider library: pyoai (and its maintained fork `oaipmh` 4.x) pages lists with offsets (its tokens
carry a cursor into the list, read again on each page), which skips or repeats records when an import changes the
list between pages, and writes no completeListSize or expirationDate. Here a token carries the last datestamp and
id sent, so each page starts exactly after the last record the harvester received."""
