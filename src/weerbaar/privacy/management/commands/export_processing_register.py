import sys

from django.core.management.base import BaseCommand

from weerbaar.privacy import services
from weerbaar.privacy.management.commands._common import find_organisation
from weerbaar.privacy.models import ProcessingActivity


class Command(BaseCommand):
    help = (
        "Writes an organisation's processing register (named by public id, board number or BRIN "
        "code) as CSV or XLSX, to standard output or --output FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="Public id, board number or BRIN code.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write; standard output when left out.")

    def handle(self, *args, organisation: str, format: str, output: str | None, **options):
        target = find_organisation(organisation)
        # An operator's command (no user): the register is read for the named organisation only.
        activities = ProcessingActivity.objects.filter(organisation=target).prefetch_related("processors")
        data = services.export_register(activities.order_by("name"), format, title=target.name)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stdout.write(self.style.SUCCESS(f"Register of {target.name} written to {output}."))
        elif format == "xlsx":
            sys.stdout.buffer.write(data)
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
