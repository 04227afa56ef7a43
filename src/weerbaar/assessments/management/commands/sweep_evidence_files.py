from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from weerbaar.assessments import services


class Command(BaseCommand):
    help = (
        "List the stored evidence files that no evidence record points at (left behind when an "
        "upload was rolled back) and, with --delete, remove them. Without --delete nothing is "
        "changed. Files younger than --min-age hours are left alone, since their upload may "
        "still be in progress. Meant for cron, for example daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files found (default: only list them)")
        parser.add_argument(
            "--min-age",
            type=float,
            default=24,
            metavar="HOURS",
            help="only files stored at least this many hours ago (default 24)",
        )

    def handle(self, *args, delete: bool, min_age: float, **options):
        if min_age < 0:
            raise CommandError("--min-age cannot be negative.")
        sweep = services.sweep_unreferenced_evidence_files(delete=delete, min_age=timedelta(hours=min_age))
        if options["verbosity"] > 1:
            for name in sweep.unreferenced:
                self.stdout.write(f"  {name}")
        self.stdout.write(
            f"Evidence files stored: {sweep.stored}; without a record: {len(sweep.unreferenced)} "
            f"({sweep.unreferenced_bytes} bytes); too new to judge: {sweep.too_new}."
        )
        if delete:
            self.stdout.write(self.style.SUCCESS(f"Removed: {sweep.removed}."))
        elif sweep.unreferenced:
            self.stdout.write("Nothing removed (dry run); run again with --delete to remove them.")
