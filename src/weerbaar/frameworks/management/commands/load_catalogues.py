from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from weerbaar.frameworks import services
from weerbaar.frameworks.management.commands.import_framework import report
from weerbaar.frameworks.management.files import CATALOGUE_SUFFIXES, read_files

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "catalogues"


class Command(BaseCommand):
    help = (
        "Import every catalogue shipped with the platform (frameworks first, then mappings). "
        "Safe to run again: versions already present with the same content are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=CATALOGUE_DIR, help="where the catalogue files are")

    @no_translations
    def handle(self, *args, directory, **options):
        files = (
            sorted(p for p in directory.glob("*") if p.suffix.lower() in CATALOGUE_SUFFIXES)
            if directory.is_dir()
            else []
        )
        if not files:
            self.stdout.write(f"No catalogue files in {directory}.")
            return
        documents = read_files(files)
        try:
            results = services.import_documents(actor=None, documents=documents, publish=True)
        except ValidationError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(exc.messages)) from exc
        report(self, results)
