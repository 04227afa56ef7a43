from django.db import migrations

SECTOR_CODES = ["PO", "VO", "SO", "MBO", "HBO", "WO", "RESEARCH", "NONFUNDED"]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("organisations", "Sector")
    for code in SECTOR_CODES:
        Sector.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
