from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from weerbaar.frameworks import services
from weerbaar.frameworks.management.files import read_files


def report(command: BaseCommand, results) -> None:
    for result in results:
        if isinstance(result, services.ImportResult):
            state = "imported" if result.created else "already present with the same content, unchanged"
            command.stdout.write(f"{result.version} ({result.version.get_status_display()}): {state}")
        else:
            command.stdout.write(
                f"mappings {result.source} → {result.target}: {result.added} added, "
                f"{result.changed} changed, "
                f"{result.unchanged} unchanged"
            )


class Command(BaseCommand):
    help = (
        "Import framework versions and mapping files: our YAML format, CSV, or OSCAL catalog JSON "
        "(see docs/catalogue-format.md). All files are checked first; if any is wrong, "
        "nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="catalogue or mapping files")
        parser.add_argument("--draft", action="store_true", help="import versions as drafts instead of published")
        parser.add_argument("--code", help="framework code for an OSCAL catalog that carries none of ours")

    @no_translations
    def handle(self, *args, files, draft, code, **options):
        documents = read_files(files, oscal_code=code)
        try:
            results = services.import_documents(actor=None, documents=documents, publish=not draft)
        except ValidationError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(exc.messages)) from exc
        report(self, results)
