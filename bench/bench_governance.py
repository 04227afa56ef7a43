"""Governance at design size: 10,000 boards and institutions with three years of budgets and
paragraphs in every state; the anonymised sector figures that the sector page, the dashboard and
the autumn report compute on every view, drafting one paragraph, and the reminder run.

Targets: the sector figures within 2 seconds, a draft (all figures plus both texts) within
0.5 seconds, the reminder run within 60 seconds and a second run sending nothing. Each figure is
printed as `metric: value unit`, then met or MISSED; the script exits 1 only when the figures are
wrong rather than slow (a shown cell for a group that is too small, or a second reminder), so
`make bench` goes on.

Runs on a fresh SQLite database in a temporary directory, so it touches no one's data.

    python bench/bench_governance.py                    # 10,000 organisations
    python bench/bench_governance.py --organisations 500
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FIGURES_TARGET = 2.0
DRAFT_TARGET = 0.5
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

        from weerbaar.governance import selectors, services
        from weerbaar.governance.models import AnnualReportParagraph, SecurityBudget
        from weerbaar.organisations.choices import OrganisationKind, SectorCode
        from weerbaar.organisations.models import Organisation, Sector

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        rng = random.Random(2026)
        sectors = {code: Sector.objects.get_or_create(code=code)[0] for code in SectorCode.values}
        weights = [("PO", 0.6), ("VO", 0.2), ("MBO", 0.06), ("HBO", 0.06), ("WO", 0.0014), ("RESEARCH", 0.04)]
        organisations = []
        for code, share in weights:
            count = max(1, int(args.organisations * share))
            organisations += [
                Organisation(
                    name=f"{code} {i}",
                    kind=OrganisationKind.SCHOOL_BOARD if code in ("PO", "VO") else OrganisationKind.INSTITUTION,
                    sector=sectors[code],
                    student_count=500 + (i * 37) % 20_000,
                )
                for i in range(count)
            ]
        Organisation.objects.bulk_create(organisations, batch_size=2000)
        organisations = list(Organisation.objects.all())
        year = time.localtime().tm_year
        started = time.perf_counter()
        budgets, paragraphs = [], []
        for organisation in organisations:
            for offset in (3, 2, 1):
                total = Decimal(organisation.student_count * 9000)
                ict = (total * Decimal("0.05")).quantize(Decimal("1"))
                budgets.append(
                    SecurityBudget(
                        organisation=organisation,
                        year=year - offset,
                        total_budget=total,
                        ict_budget=ict,
                        security_budget=Decimal(organisation.student_count * rng.randint(20, 80)),
                        headcount_fte=Decimal(max(10, organisation.student_count // 12)),
                        ibp_officer_fte=Decimal("0.5"),
                    )
                )
            for offset in (2, 1):
                state = rng.choice(["draft", "submitted", "approved", "approved", None])
                if state:
                    paragraphs.append(
                        AnnualReportParagraph(organisation=organisation, year=year - offset, status=state, text_nl="x")
                    )
        SecurityBudget.objects.bulk_create(budgets, batch_size=5000)
        AnnualReportParagraph.objects.bulk_create(paragraphs, batch_size=5000)
        print(f"governance_organisations: {len(organisations)} organisations")
        print(f"governance_budgets: {len(budgets)} budgets")
        print(f"governance_paragraphs: {len(paragraphs)} paragraphs")
        print(f"governance_load: {time.perf_counter() - started:.1f} s")

        codes = list(SectorCode.values)
        started = time.perf_counter()
        result = selectors.sector_figures(codes, year - 1)
        figures = time.perf_counter() - started
        print(
            f"governance_sector_figures: {figures:.3f} s ({verdict(figures, FIGURES_TARGET)}, "
            f"target {FIGURES_TARGET} s)"
        )
        wrong = sum(
            1 for cell in result.cells if not cell.suppressed and (cell.count or 0) <= settings.BENCHMARK_MIN_GROUP
        )
        suppressed = [f"{c.group}/{c.column}" for c in result.cells if c.suppressed]
        print(f"governance_cells_wrongly_published: {wrong} cells")
        print(f"governance_cells_suppressed: {len(suppressed)} cells ({', '.join(suppressed) or 'none'})")

        sample = organisations[:50]
        started = time.perf_counter()
        for organisation in sample:
            facts = selectors.paragraph_facts(organisation, year - 1)
            services.draft_texts(facts, list(selectors.settings_for(organisation.sector)["elements"]))
        draft = (time.perf_counter() - started) / len(sample)
        print(
            f"governance_draft: {draft * 1000:.1f} ms ({verdict(draft, DRAFT_TARGET)}, "
            f"target {DRAFT_TARGET * 1000:.0f} ms)"
        )

        day = date(year, 6, 10)
        started = time.perf_counter()
        sent = services.send_due_paragraph_reminders(today=day)
        reminders = time.perf_counter() - started
        again = services.send_due_paragraph_reminders(today=day)
        print(f"governance_reminders_sent: {sent} reminders")
        print(
            f"governance_reminder_run: {reminders:.1f} s ({verdict(reminders, REMINDERS_TARGET)}, "
            f"target {REMINDERS_TARGET:.0f} s)"
        )
        print(f"governance_reminders_second_run: {again} reminders")
        return 1 if wrong or again else 0


if __name__ == "__main__":
    sys.exit(main())
