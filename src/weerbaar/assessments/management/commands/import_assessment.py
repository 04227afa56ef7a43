from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from weerbaar.assessments import selectors, services
from weerbaar.assessments.spreadsheet import SpreadsheetError, read_scores
from weerbaar.core.permissions import Action


class Command(BaseCommand):
    help = (
        "Import a self-assessment spreadsheet (XLSX or CSV, see docs/assessment-import.md) into a "
        "draft assessment, acting as the given person. The whole file is checked first; if "
        "anything is wrong, every problem is listed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment", help="public id of the assessment")
        parser.add_argument("file", type=Path, help="the .xlsx or .csv file")
        parser.add_argument(
            "--as",
            dest="email",
            required=True,
            help="e-mail address of the person importing (needs the right to edit the assessment)",
        )

    def handle(self, *args, assessment: str, file: Path, email: str, **options):
        actor = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        # Alike for an unknown person, an unknown assessment and one the person may not edit.
        not_found = CommandError(f"No assessment {assessment} that {email} may edit.")
        if actor is None:
            raise not_found
        try:
            target = selectors.access_assessment(actor, assessment, Action.ASSESSMENT_EDIT)
        except Http404 as exc:
            raise not_found from exc
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        if size > settings.MAX_UPLOAD_BYTES:
            raise CommandError(
                f"{file} is too large (at most {settings.MAX_UPLOAD_BYTES} bytes). Nothing was imported."
            )
        try:
            parsed = read_scores(
                file.name,
                file.read_bytes(),
                norm_codes=target.scores.values_list("norm__code", flat=True),
                max_bytes=settings.MAX_UPLOAD_BYTES,
            )
            counts = services.import_scores(actor=actor, assessment=target, rows=parsed.rows)
        except SpreadsheetError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"  {error}" for error in exc.errors)) from exc
        except ValidationError as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"  {m}" for m in exc.messages)) from exc
        except PermissionDenied as exc:
            raise not_found from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.title}: {counts['rows']} norms read from {file.name}, {counts['changed']} answers changed."
            )
        )
        if parsed.ignored_columns:
            self.stdout.write("Columns not used: " + ", ".join(parsed.ignored_columns))
