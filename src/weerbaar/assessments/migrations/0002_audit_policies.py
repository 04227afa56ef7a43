"""The audit policies the sectors agreed on; coordinators can change them later."""

from django.db import migrations

POLICIES = [
    # sector, months, kinds that count, organisation kinds it applies to
    ("WO", 12, ["external_audit"], ["institution"]),
    ("HBO", 24, ["external_audit"], ["institution"]),
    ("MBO", 12, ["external_audit", "peer_review"], ["institution"]),
]


def add_policies(apps, schema_editor):
    Sector = apps.get_model("organisations", "Sector")
    AuditPolicy = apps.get_model("assessments", "AuditPolicy")
    for code, months, kinds, organisation_kinds in POLICIES:
        sector = Sector.objects.filter(code=code).first()
        if sector is not None:
            AuditPolicy.objects.get_or_create(
                sector=sector,
                defaults={"interval_months": months, "accepted_kinds": kinds, "applies_to_kinds": organisation_kinds},
            )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("organisations", "0002_sectors")]
    operations = [migrations.RunPython(add_policies, migrations.RunPython.noop)]
