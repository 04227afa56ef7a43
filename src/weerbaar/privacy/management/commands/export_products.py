from django.core.management.base import BaseCommand

from weerbaar.privacy import services
from weerbaar.privacy.management.commands._common import find_steward
from weerbaar.privacy.models import Product


class Command(BaseCommand):
    help = "Writes a sector organisation's product catalogue as CSV to standard output (importable again)."

    def add_arguments(self, parser):
        parser.add_argument("--steward", help="Public id or name of the sector organisation keeping the catalogue.")

    def handle(self, *args, steward: str | None, **options):
        keeper = find_steward(steward)
        # A system command for the operator: the catalogue is not institution data.
        products = Product.objects.filter(steward=keeper).select_related("vendor").order_by("code")
        self.stdout.write(services.export_products_csv(products), ending="")
