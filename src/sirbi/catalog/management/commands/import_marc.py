"""`sirbi import-marc --source CODE [--library ISIL | --network CODE] FILE...`: MARC 21 (ISO 2709, UTF-8 or
MARC-8), MARCXML, Dublin Core XML and catalog CSV (docs/catalog-csv.md) files into the union catalog; the
source is created when missing. Unreadable records are quarantined with their reason; running it again on the
same files changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sirbi.catalog.ingest import import_file
from sirbi.catalog.marc import FileError
from sirbi.catalog.models import Source
from sirbi.registry.models import Library, Network


class Command(BaseCommand):
    help = "Import MARC 21, MARCXML, Dublin Core or catalog CSV files into a catalog source (created if missing)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--source", required=True, help="the source's code")
        parser.add_argument("--library", help="ISIL of the library the source belongs to (when creating it)")
        parser.add_argument("--network", help="code of the network the source belongs to (when creating it)")
        parser.add_argument("--name", help="the source's name (when creating it)")

    def handle(self, *args, **options):
        source = Source.objects.filter(code=options["source"]).first()
        if source is None:
            source = self.create_source(options)
        paths = [Path(p) for p in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        failed = False
        for path in paths:
            bar = tqdm(desc=path.name, unit="record", disable=options["verbosity"] == 0, file=self.stderr._out)
            try:
                report = import_file(source, path.read_bytes(), path.name,
                                     progress=lambda done, bar=bar: bar.update(done - bar.n))
            except FileError as error:
                bar.close()
                self.stderr.write(f"{path.name}: {error}")
                failed = True
                continue
            bar.close()
            for position, reason in report.rejected:
                self.stderr.write(f"{path.name}, record {position}: {reason}")
            self.stdout.write(f"{path.name}: {report.added} added, {report.updated} updated, "
                              f"{report.unchanged} unchanged, {len(report.rejected)} rejected")
        if failed:
            raise CommandError("some files could not be read; the others were imported")

    def create_source(self, options):
        library = network = None
        if options["library"]:
            library = Library.objects.filter(isil__iexact=options["library"]).first()
            if library is None:
                raise CommandError(f"no library with ISIL {options['library']}")
        elif options["network"]:
            network = Network.objects.filter(code=options["network"]).first()
            if network is None:
                raise CommandError(f"no network {options['network']}")
        else:
            raise CommandError(f"no source {options['source']}: give --library or --network to create it")
        source = Source(code=options["source"], name=options["name"] or options["source"], library=library,
                        network=network)
        source.full_clean()
        source.save()
        return source
