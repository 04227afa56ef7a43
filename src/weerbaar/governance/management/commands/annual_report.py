from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from weerbaar.governance import exports, selectors
from weerbaar.governance.services import draft_texts
from weerbaar.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Writes an organisation's IBP paragraph for the annual report over YEAR as HTML, PDF or DOCX. "
        "ORG is the organisation's public id, board number or BRIN code. The newest version is written "
        "(approved or not, as its status line says); without one, a draft from the platform's figures "
        "is written without being stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", metavar="ORG")
        parser.add_argument("year", metavar="YEAR", type=int)
        parser.add_argument("--format", choices=sorted(exports.RENDERERS), default="docx")
        parser.add_argument("--language", choices=["nl", "en"], default="nl")
        parser.add_argument("--output", required=True, help="File to write ('-' for standard output, HTML only).")

    def handle(self, *args, organisation: str, year: int, format: str, language: str, output: str, **options):
        try:
            found = selectors.access_organisation_by_key(organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with public id, board number or BRIN code {organisation!r}.") from None
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a year this platform reports on.")
        paragraph = selectors.current_paragraph(found, year)
        if paragraph is None:
            facts = selectors.paragraph_facts(found, year)
            if not selectors.has_data(facts):
                raise CommandError(f"The platform holds no figures for {found.name} in {year}; nothing was written.")
            elements = selectors.settings_for(found.sector)["elements"]
            text_nl, text_en = draft_texts(facts, elements)
            # An unsaved draft: the command writes a file, never a record.
            from weerbaar.governance.models import AnnualReportParagraph

            paragraph = AnnualReportParagraph(
                organisation=found,
                year=year,
                version=1,
                elements=elements,
                facts=facts,
                text_nl=text_nl,
                text_en=text_en,
            )
        try:
            content = exports.render(paragraph, format, language)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if output == "-":
            if format != "html":
                raise CommandError("Only HTML can be written to standard output.")
            self.stdout.write(content.decode())
            return
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {format.upper()} of {found.name} {year} to {path}."))
