from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weerbaar.privacy import services
from weerbaar.privacy.management.commands._common import find_steward


class Command(BaseCommand):
    help = (
        "Loads a product catalogue CSV into a sector organisation's catalogue. Every row is checked "
        "first; on any error nothing is written, each error is printed with its row and column, "
        "and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, comma or semicolon separated).")
        parser.add_argument("--steward", help="Public id or name of the sector organisation keeping the catalogue.")

    def handle(self, *args, file: str, steward: str | None, **options):
        keeper = find_steward(steward)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        if path.stat().st_size > services.catalogue_format.MAX_BYTES:
            raise CommandError("The file is larger than 5 MB; nothing was written.")
        try:
            result = services.import_products(actor=None, steward=keeper, data=path.read_bytes())
        except services.ImportRefusedError as exc:
            if exc.message:
                self.stderr.write(exc.message)
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError("The catalogue was not imported; nothing was written.") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Catalogue of {keeper.name}: {result.created} created, {result.updated} updated.")
        )
