from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from weerbaar.monitor import services
from weerbaar.monitor.models import Cycle


class Command(BaseCommand):
    help = (
        "Bring the precomputed benchmark of every measurement cycle (or of one) up to date. By "
        "default incrementally, as after an assessment became final; with --full every "
        "participant is scored again from the norm scores (after an upgrade, or to check the "
        "stored scores). Only rows that differ are written. Then the other sector figures the "
        "dashboards show (share on track, basic measures, SOC, audits, awareness, governance) are stored again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="public id of one cycle (default: every cycle)")
        parser.add_argument("--full", action="store_true", help="score every participant from its norm scores")

    def handle(self, *args, **options):
        cycles = Cycle.objects.order_by("opens_on", "pk")
        if options["cycle"]:
            try:
                cycles = list(cycles.filter(public_id=options["cycle"]))
            except ValidationError as exc:
                raise CommandError(f"Not a cycle id: {options['cycle']}") from exc
            if not cycles:
                raise CommandError(f"No cycle with id {options['cycle']}.")
        for cycle in cycles:
            counted = services.refresh_cycle(cycle=cycle, full=options["full"])
            self.stdout.write(f"{cycle.name}: {counted} organisations counted.")
        # The other sector figures the dashboards show read the results just refreshed; run daily,
        # this also moves the overdue audits and the awareness year on with the date.
        sets = services.refresh_sector_figures()
        self.stdout.write(f"Sector figures: {sets} sets of sectors stored.")
