"""`sirbi import-marc --source CODE [--library ISIL | --network CODE] [--user NAME] FILE...`: MARC 21 (ISO 2709,
UTF-8 or MARC-8), MARCXML, Dublin Core XML and catalog CSV (docs/catalog-csv.md) files into the union catalog; the
source is created when missing (if the user may: it is logged like a source made on its page). Each file is one
import batch (kept, with its counts). Unreadable records are quarantined with their reason; running it again on
the same files changes nothing."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sirbi.catalog.ingest import import_file
from sirbi.catalog.marc import FileError
from sirbi.catalog.models import Source
from sirbi.core import permissions
from sirbi.core.changelog import save_object
from sirbi.core.management.importing import acting_user, add_user_argument, input_file
from sirbi.registry.models import Library, Network


class Command(BaseCommand):
    help = "Import MARC 21, MARCXML, Dublin Core or catalog CSV files into a catalog source (created if missing)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--source", required=True, help="the source's code")
        parser.add_argument("--library", help="ISIL of the library the source belongs to (when creating it)")
        parser.add_argument("--network", help="code of the network the source belongs to (when creating it)")
        parser.add_argument("--name", help="the source's name (when creating it)")
        add_user_argument(parser)

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        source = Source.objects.filter(code=options["source"]).first()
        if source is None:
            source = self.create_source(options, user)
        elif not permissions.can(user, "change", source):
            raise CommandError(f"{user.username} may not import into the source {source.code}")
        paths = [input_file(name) for name in options["files"]]
        failed = False
        for path in paths:
            bar = tqdm(desc=path.name, unit="record", disable=options["verbosity"] == 0, file=self.stderr._out)
            try:
                report = import_file(source, path.read_bytes(), path.name, user=user,
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
                              f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
                              + (f" (import #{report.batch.pk})" if report.batch else ""))
        if failed:
            raise CommandError("some files could not be read; the others were imported")

    def create_source(self, options, user):
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
        try:
            source.full_clean()
            save_object(source, user=user, source="import", message="sirbi import-marc")
        except ValidationError as error:
            raise CommandError(f"the source cannot be created: {'; '.join(error.messages)}") from error
        except PermissionDenied as error:
            raise CommandError(f"{user.username} may not create this source: {error}") from error
        return source
