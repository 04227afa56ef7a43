from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from weerbaar.frameworks import catalogue_format, oscal, selectors
from weerbaar.frameworks.choices import CatalogueFormat


class Command(BaseCommand):
    help = "Write one framework version as YAML, CSV or OSCAL catalog JSON (to standard output by default)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="framework code, e.g. IBP-FO")
        parser.add_argument("version", help="version label, e.g. 2024")
        parser.add_argument("--format", dest="export_format", choices=CatalogueFormat.values, default="yaml")
        parser.add_argument("--output", type=Path, help="file to write instead of standard output")

    @no_translations
    def handle(self, *args, code, version, export_format, output, **options):
        found = selectors.find_version(code, version)
        if found is None:
            raise CommandError(f"There is no version {version} of framework {code}.")
        catalogue = selectors.version_as_catalogue(found)
        if export_format == CatalogueFormat.YAML:
            text = catalogue_format.dump_yaml(catalogue)
        elif export_format == CatalogueFormat.CSV:
            text = catalogue_format.dump_csv(catalogue)
        else:
            text = oscal.dump_oscal(catalogue)
        if output:
            output.write_text(text, encoding="utf-8", newline="")
            self.stderr.write(f"Wrote {found} to {output}")
        else:
            self.stdout.write(text, ending="")
