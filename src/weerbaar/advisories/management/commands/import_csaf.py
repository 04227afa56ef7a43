"""Take in CSAF 2.0 advisories from files: `manage.py import_csaf FILE... [--owner ORG]`.

Every file is checked on its own and kept or refused on its own; the exit status is 1 when any
file was refused, and each refusal names the file and the failed test.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from weerbaar.advisories import csafdoc, services
from weerbaar.advisories.choices import Source, Tlp
from weerbaar.organisations.models import Organisation

CHUNK = 100


class Command(BaseCommand):
    help = "Take in CSAF 2.0 advisory files (checked against the schema and the mandatory tests)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CSAF 2.0 JSON files")
        parser.add_argument("--owner", help="public id of the organisation (a CERT) the advisories come in for")
        parser.add_argument(
            "--tlp", choices=Tlp.values, help="label for documents that carry none (CSAF 2.0 makes it optional)"
        )

    def handle(self, *args, files, owner=None, tlp=None, **options):
        organisation = None
        if owner:
            organisation = Organisation.objects.filter(public_id=owner).first()
            if organisation is None:
                raise CommandError(f"no organisation with public id {owner}")
        refused = 0
        # Read and take in the files in chunks: the checks run per file, the new advisories of a
        # chunk are written together (services.import_documents).
        for start in range(0, len(files), CHUNK):
            readable = []
            for name in files[start : start + CHUNK]:
                path = Path(name)
                try:
                    if path.stat().st_size > csafdoc.MAX_BYTES:
                        raise csafdoc.CsafError("size", "the file is too large")
                    readable.append((name, path.read_bytes()))
                except OSError as exc:
                    refused += 1
                    self.stderr.write(f"{name}: refused: cannot read the file ({exc.strerror})")
                except csafdoc.CsafError as exc:
                    refused += 1
                    self.stderr.write(f"{name}: refused: {exc.test}: {exc.detail}")
            results = services.import_documents(
                actor=None,
                raws=[raw for _name, raw in readable],
                owner=organisation,
                source=Source.COMMAND,
                default_tlp=tlp,
            )
            for (name, _raw), result in zip(readable, results, strict=True):
                if isinstance(result, csafdoc.CsafError):
                    refused += 1
                    self.stderr.write(f"{name}: refused: {result.test}: {result.detail}")
                    continue
                state = "new" if result.created else "updated" if result.updated else "already up to date"
                self.stdout.write(f"{name}: {result.advisory.tracking_id} {result.advisory.version} ({state})")
        if refused:
            raise CommandError(f"{refused} of {len(files)} files refused", returncode=1)
