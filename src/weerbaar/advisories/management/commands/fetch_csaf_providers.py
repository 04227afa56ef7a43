"""Fetch new advisories from the CSAF providers (run it from cron, e.g. every 15 minutes):
`manage.py fetch_csaf_providers`, or add one with `--add URL --owner ORG_PUBLIC_ID --name NAME`.
Exit status 1 when a provider could not be read."""

from django.core.management.base import BaseCommand, CommandError

from weerbaar.advisories import providers, services
from weerbaar.organisations.models import Organisation


class Command(BaseCommand):
    help = "Fetch new advisories from every active CSAF provider."

    def add_arguments(self, parser):
        parser.add_argument("--add", metavar="URL", help="address of a provider-metadata.json to add")
        parser.add_argument("--owner", help="public id of the CERT the provider's advisories come in for")
        parser.add_argument("--name", default="", help="name of the provider")

    def handle(self, *args, add=None, owner=None, name="", **options):
        if add:
            organisation = Organisation.objects.filter(public_id=owner).first() if owner else None
            if organisation is None:
                raise CommandError("--add needs --owner with the public id of an organisation")
            try:
                services.add_provider(actor=None, owner=organisation, name=name, metadata_url=add)
            except services.InputRefusedError as exc:
                raise CommandError("; ".join(exc.errors)) from exc
        failed = 0
        for provider, result in providers.fetch_all().items():
            if isinstance(result, str):
                failed += 1
                self.stderr.write(f"{provider}: not read: {result}")
                continue
            self.stdout.write(f"{provider}: {result.imported} new or updated, {result.unchanged} unchanged")
            for problem in result.refused:
                self.stderr.write(f"{provider}: refused: {problem}")
            for url in result.unsigned:
                self.stdout.write(f"{provider}: taken in without a signature: {url}")
        if failed:
            raise CommandError(f"{failed} providers could not be read", returncode=1)
