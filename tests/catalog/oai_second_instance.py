"""A second, empty SIRBI instance for the OAI-PMH round trip: run in its own process with its own database
(DATABASE_URL), it migrates, registers the same libraries (by ISIL) in one network, adds that network's OAI-PMH
source for our provider (holdings read from 852: $a ISIL, $h call number, $p barcode, $z status), runs
`sirbi harvest`, and prints what it got as JSON: for each of its clusters, the provider's identifiers of its
records and the copies ([ISIL, call number, barcode, status]).

    python -m tests.catalog.oai_second_instance BASE_URL '[["PE-LIM01", "Lima", "PE"], ...]'
"""

import json
import os
import sys
from collections import defaultdict

import django


def main(base_url, libraries):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sirbi.settings")
    django.setup()
    from django.core.management import call_command

    from sirbi.catalog.models import Holding, Record, Source
    from sirbi.registry.countries import load_countries
    from sirbi.registry.models import Country, Library, Network

    call_command("migrate", verbosity=0)
    load_countries()
    network = Network.objects.create(code="round-trip", name="Round trip", type="public",
                                     country=Country.objects.get(code=libraries[0][2]))
    for isil, name, country in libraries:
        library = Library.objects.create(isil=isil, name=name, type="public", country=Country.objects.get(code=country))
        library.networks.add(network)
    Source.objects.create(code="sirbi", name="SIRBI", kind="oai", network=network, base_url=base_url,
                          metadata_prefix="marc21", holdings_tag="852", holdings_library="a",
                          holdings_call_number="h", holdings_barcode="p", holdings_status="z")
    call_command("harvest", "sirbi", "--full")
    members, copies = defaultdict(list), defaultdict(list)
    for cluster, local_id in Record.objects.filter(deleted=False).values_list("cluster_id", "local_id"):
        members[cluster].append(local_id)
    for row in Holding.objects.values_list("record__cluster_id", "library__isil", "library_code", "call_number",
                                           "barcode", "status"):
        copies[row[0]].append([row[1] or row[2], *row[3:]])
    print(json.dumps([{"records": sorted(members[c]), "copies": sorted(copies[c])} for c in members]))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
