from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weerbaar.privacy import services
from weerbaar.privacy.management.commands._common import find_organisation


class Command(BaseCommand):
    help = (
        "Loads a processing register (CSV or XLSX) into an organisation, named by public id, board "
        "number or BRIN code. The whole file is checked first; on any error nothing is written and "
        "the command exits with status 1. An activity with the same name is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="Public id, board number or BRIN code.")
        parser.add_argument("file", help="A .csv or .xlsx file.")

    def handle(self, *args, organisation: str, file: str, **options):
        target = find_organisation(organisation)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        file_format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
        if path.stat().st_size > services.catalogue_format.MAX_BYTES:
            raise CommandError("The file is larger than 5 MB; nothing was written.")
        try:
            result = services.import_register(
                actor=None, organisation=target, data=path.read_bytes(), file_format=file_format
            )
        except services.ImportRefusedError as exc:
            if exc.message:
                self.stderr.write(exc.message)
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError("The register was not imported; nothing was written.") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Register of {target.name}: {result.created} added, {result.updated} replaced.")
        )
