"""The awareness figures at design size: loading the demo history of 10,000 boards and
institutions, the anonymised sector figures read by dashboards and the autumn report, an
organisation's year summary, and the daily reminder run.

Targets: the sector figures within 2 seconds (they are computed on every dashboard view, not
precomputed), a year summary within 20 ms, the reminder run within 60 seconds. Each figure is
printed as `metric: value unit`, then met or MISSED; the script exits 1 only when the figures are
wrong rather than slow (a published cell for a group that is too small), so `make bench` goes on.

Runs on a fresh SQLite database in a temporary directory, so it touches no one's data.

    python bench/bench_awareness.py                    # 10,000 organisations
    python bench/bench_awareness.py --organisations 500
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FIGURES_TARGET = 2.0
SUMMARY_TARGET = 0.020
REMINDERS_TARGET = 60.0


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as data_dir:
        os.environ["WEERBAAR_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection

        from weerbaar.awareness import selectors, services
        from weerbaar.organisations.choices import OrganisationKind, SectorCode
        from weerbaar.organisations.models import Organisation, Sector

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        sectors = {code: Sector.objects.get_or_create(code=code)[0] for code in SectorCode.values}
        weights = [("PO", 0.6), ("VO", 0.2), ("MBO", 0.06), ("HBO", 0.06), ("WO", 0.04), ("RESEARCH", 0.04)]
        organisations = []
        for code, share in weights:
            count = max(1, int(args.organisations * share))
            organisations += [
                Organisation(
                    name=f"{code} {i}",
                    kind=OrganisationKind.SCHOOL_BOARD if code in ("PO", "VO") else OrganisationKind.INSTITUTION,
                    sector=sectors[code],
                    board_number=f"{code[:1]}{i:06d}",
                    student_count=500 + (i * 37) % 20_000,
                )
                for i in range(count)
            ]
        Organisation.objects.bulk_create(organisations, batch_size=2000)
        coordinator = Organisation.objects.create(name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION)
        coordinator.served_sectors.set([sectors["PO"], sectors["VO"]])

        started = time.perf_counter()
        counts = services.load_demo_awareness(actor=None, seed=2026)
        load = time.perf_counter() - started
        print(f"awareness_demo_organisations: {counts['organisations']} organisations")
        print(f"awareness_demo_activities: {counts['activities']} activities")
        print(f"awareness_demo_load: {load:.1f} s")

        codes = list(SectorCode.values)
        started = time.perf_counter()
        rows = selectors.sector_figures(codes)
        figures = time.perf_counter() - started
        print(
            f"awareness_sector_figures: {figures:.3f} s ({verdict(figures, FIGURES_TARGET)}, target {FIGURES_TARGET} s)"
        )

        # Wrong rather than slow: a shown cell must stand for more than the minimum group.
        wrong = 0
        for row in rows:
            for column in selectors.FIGURE_COLUMNS:
                stats = row[column]
                if not stats.suppressed and stats.count <= settings.BENCHMARK_MIN_GROUP:
                    wrong += 1
        print(f"awareness_cells_wrongly_published: {wrong} cells")

        sample = list(Organisation.objects.filter(kind__in=["school_board", "institution"]).order_by("pk")[:200])
        year = time.localtime().tm_year
        started = time.perf_counter()
        for organisation in sample:
            selectors.year_summary(organisation=organisation, year=year - 1)
        summary = (time.perf_counter() - started) / len(sample)
        print(
            f"awareness_year_summary: {summary * 1000:.2f} ms "
            f"({verdict(summary, SUMMARY_TARGET)}, target {SUMMARY_TARGET * 1000:.0f} ms)"
        )

        started = time.perf_counter()
        sent = services.send_due_reminders()
        reminders = time.perf_counter() - started
        print(f"awareness_reminders_sent: {sent} reminders")
        print(
            f"awareness_reminder_run: {reminders:.1f} s ({verdict(reminders, REMINDERS_TARGET)}, "
            f"target {REMINDERS_TARGET:.0f} s)"
        )
        started = time.perf_counter()
        again = services.send_due_reminders()
        print(f"awareness_reminder_second_run: {time.perf_counter() - started:.1f} s, {again} sent")
        connection.close()
    return 1 if wrong or again else 0


if __name__ == "__main__":
    sys.exit(main())
