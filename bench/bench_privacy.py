"""Privacy: announcing a new central DPIA version to 5,000 organisations, and the catalogue page
with 2,000 products and their usage counts.

1. A product used by 5,000 school boards, each with a DPO and an accepted local DPIA of it. A new
   central DPIA version is published; the task worker (the database task backend, worked off with
   `db_worker --batch`, as in production) then flags every local DPIA for review and leaves one
   notice and one e-mail per DPO. Target: done within 10 s of publishing, every organisation told
   exactly once. The task is then run a second time (a retry, a second worker) and must tell
   nobody again.
2. The catalogue page (and the anonymised sector view) for 200 and for 2,000 products, each with
   usage counts and a central DPIA: the number of queries must not grow with the catalogue.

Figures are printed as `metric: value unit`. Runs on SQLite in a temporary directory, so it needs
no server. Exit status 1 only when something is wrong rather than slow (an organisation told
twice or not at all, a query count that grows), so that `make bench` goes on.

    python bench/bench_privacy.py
    python bench/bench_privacy.py --organisations 500   # a quick try
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TARGET_SECONDS = 10.0
CATALOGUE_SIZES = (200, 2000)


def build_users(count: int):
    """`count` PO school boards, each with a DPO (bulk, no passwords) and a TOTP-less account."""
    from django.contrib.auth.hashers import make_password

    from weerbaar.accounts.models import User
    from weerbaar.organisations.choices import OrganisationKind
    from weerbaar.organisations.models import Membership, Organisation, Sector

    po = Sector.objects.get_or_create(code="PO")[0]
    boards = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench Stichting {n}",
                kind=OrganisationKind.SCHOOL_BOARD,
                sector=po,
                board_number=f"{10000 + n:05d}",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"dpo{n}@bench.invalid", full_name=f"DPO {n}", password=unusable) for n in range(count)],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=b, role="dpo") for u, b in zip(users, boards, strict=True)],
        batch_size=1000,
    )
    return po, boards


def steward_and_coordinator(po):
    from weerbaar.accounts.models import User
    from weerbaar.organisations.choices import OrganisationKind
    from weerbaar.organisations.models import Membership, Organisation

    steward = Organisation.objects.create(name="Bench Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION)
    steward.served_sectors.set([po])
    coordinator = User.objects.create_user(email="coordinator@bench.invalid", password=None, full_name="Co")
    Membership.objects.create(user=coordinator, organisation=steward, role="sector_coordinator")
    return steward, coordinator


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


RISKS = [
    {"code": "R1", "title": "Vendor reads pupil data", "likelihood": "medium", "impact": "high", "residual": "low"},
    {"code": "R2", "title": "Telemetry abroad", "likelihood": "high", "impact": "medium", "residual": "medium"},
]
MEASURES = [{"code": "M1", "kind": "settings", "title": "Minimise telemetry"}]


def announce(organisations: int) -> dict:
    from django.core import mail
    from django.core.management import call_command

    from weerbaar.privacy import services
    from weerbaar.privacy.choices import LocalStatus
    from weerbaar.privacy.models import CentralChange, LocalDPIA, PrivacyNotice, ProductUse, ReviewFlag

    po, boards = build_users(organisations)
    steward, coordinator = steward_and_coordinator(po)
    product = services.save_product(
        actor=coordinator, steward=steward, code="bench-platform", vendor_name="Bench BV", name="Platform"
    )
    first = services.create_central_draft(
        actor=coordinator,
        product=product,
        assessed_on=_today() - timedelta(days=100),
        assessor="Bench",
        advice="medium",
        risks=RISKS,
        school_measures=MEASURES,
    )
    services.publish_central(actor=coordinator, central=first)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)  # nobody uses it yet: nothing to tell
    ProductUse.objects.bulk_create([ProductUse(organisation=b, product=product) for b in boards], batch_size=1000)
    LocalDPIA.objects.bulk_create(
        [
            LocalDPIA(
                organisation=b,
                title="Platform",
                product=product,
                central=first,
                status=LocalStatus.ACCEPTED,
                accepted_on=_today() - timedelta(days=50),
                review_due=_today() + timedelta(days=300),
            )
            for b in boards
        ],
        batch_size=1000,
    )
    mail.outbox = []
    second = services.create_central_draft(
        actor=coordinator,
        product=product,
        assessed_on=_today(),
        assessor="Bench",
        advice="high",
        risks=RISKS,
        school_measures=MEASURES,
    )
    started = time.perf_counter()
    services.publish_central(actor=coordinator, central=second)
    published = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    done = time.perf_counter()
    change = CentralChange.objects.get(central=second)
    figures = {
        "publish_s": published - started,
        "total_s": done - started,
        "flags": ReviewFlag.objects.filter(change=change).count(),
        "notices": PrivacyNotice.objects.filter(central=second).count(),
        "distinct_notices": PrivacyNotice.objects.filter(central=second)
        .values("user", "organisation")
        .distinct()
        .count(),
        "flagged": LocalDPIA.objects.filter(product=product, needs_review=True).count(),
        "mails": sum(len(m.to) for m in mail.outbox),
    }
    # A second run of the same task (a retry): nobody is told again.
    from weerbaar.privacy.tasks import announce_change_task

    announce_change_task.enqueue(change.pk)
    rerun_started = time.perf_counter()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    figures["rerun_s"] = time.perf_counter() - rerun_started
    figures["rerun_notices"] = PrivacyNotice.objects.filter(central=second).count() - figures["notices"]
    figures["rerun_mails"] = sum(len(m.to) for m in mail.outbox) - figures["mails"]
    return figures


def catalogue_queries(size: int, steward, coordinator, viewer, organisations) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from weerbaar.privacy.models import CentralDPIA, Product, ProductUse, Vendor

    have = Product.objects.filter(steward=steward).count()
    vendors = Vendor.objects.bulk_create(
        [Vendor(steward=steward, name=f"Vendor {size}-{n}") for n in range(max(1, (size - have) // 10))]
    )
    new = Product.objects.bulk_create(
        [
            Product(steward=steward, vendor=vendors[n % len(vendors)], code=f"p-{size}-{n}", name=f"Product {n}")
            for n in range(size - have)
        ],
        batch_size=1000,
    )
    CentralDPIA.objects.bulk_create(
        [
            CentralDPIA(product=p, number=1, status="published", assessed_on=_today(), assessor="Bench", advice="low")
            for p in new[::2]
        ],
        batch_size=1000,
    )
    ProductUse.objects.bulk_create(
        [ProductUse(organisation=o, product=p) for i, p in enumerate(new) for o in organisations[i % 7 : i % 7 + 8]],
        batch_size=2000,
        ignore_conflicts=True,
    )
    client = Client()
    client.force_login(viewer)
    figures = {}
    for name, url in (("catalogue", "/privacy/catalogue/"), ("sector", "/privacy/sector/")):
        client.get(url)  # the first request of a session loads it
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        figures[f"{name}_queries"] = len(ctx.captured_queries)
        figures[f"{name}_ms"] = elapsed * 1000
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organisations", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as data_dir:
        os.environ["WEERBAAR_DATA_DIR"] = data_dir
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
        os.environ["WEERBAAR_TASK_BACKEND"] = "database"
        os.environ.setdefault("WEERBAAR_CACHE_URL", "locmem://")
        os.environ.setdefault("WEERBAAR_DEBUG", "false")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()  # e-mail into memory, the test client's host allowed
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        figures = announce(args.organisations)

        from allauth.mfa.models import Authenticator

        from weerbaar.accounts import crypto
        from weerbaar.organisations.models import Membership, Organisation

        viewer_membership = Membership.objects.select_related("user", "organisation").filter(role="dpo").first()
        viewer = viewer_membership.user
        # The sign-in needs a second factor; the secret itself is never used here.
        Authenticator.objects.create(
            user=viewer, type=Authenticator.Type.TOTP, data={"secret": crypto.encrypt("JBSWY3DPEHPK3PXP")}
        )
        steward = Organisation.objects.get(name="Bench Coordinatie")
        coordinator = steward.memberships.get().user
        organisations = list(Organisation.objects.filter(kind="school_board").order_by("pk")[:40])
        catalogue = {
            size: catalogue_queries(size, steward, coordinator, viewer, organisations) for size in CATALOGUE_SIZES
        }

    n = args.organisations
    print(f"# privacy: a new central DPIA version for a product used by {n} organisations (SQLite)")
    print(f"privacy_publish: {figures['publish_s'] * 1000:.0f} ms")
    print(f"privacy_announce_total: {figures['total_s']:.2f} s")
    print(f"# target: privacy_announce_total at most {TARGET_SECONDS:.0f} s (publish until the worker is done)")
    print(f"privacy_review_flags: {figures['flags']} organisations")
    print(f"privacy_local_dpias_flagged: {figures['flagged']} dpias")
    print(f"privacy_notices: {figures['notices']} notices")
    print(f"privacy_mails: {figures['mails']} mails")
    print(f"privacy_rerun: {figures['rerun_s'] * 1000:.0f} ms")
    print(f"privacy_rerun_extra_notices: {figures['rerun_notices']} notices")
    print(f"privacy_rerun_extra_mails: {figures['rerun_mails']} mails")
    for size, f in catalogue.items():
        print(f"privacy_catalogue_queries_{size}: {f['catalogue_queries']} queries")
        print(f"privacy_catalogue_page_{size}: {f['catalogue_ms']:.0f} ms")
        print(f"privacy_sector_queries_{size}: {f['sector_queries']} queries")
        print(f"privacy_sector_page_{size}: {f['sector_ms']:.0f} ms")
    print(f"# target: the query counts for {CATALOGUE_SIZES[0]} and {CATALOGUE_SIZES[1]} products are equal")

    problems = []
    expected = {"flags": n, "flagged": n, "notices": n, "distinct_notices": n, "mails": n}
    for key, value in expected.items():
        if figures[key] != value:
            problems.append(f"{key}: {figures[key]}, expected {value}")
    if figures["rerun_notices"] or figures["rerun_mails"]:
        problems.append("the second run told organisations again")
    small, large = (catalogue[s] for s in CATALOGUE_SIZES)
    for name in ("catalogue_queries", "sector_queries"):
        if small[name] != large[name]:
            problems.append(f"{name} grew from {small[name]} to {large[name]}")
    print("# privacy_announce_total target " + ("met" if figures["total_s"] <= TARGET_SECONDS else "MISSED"))
    for problem in problems:
        print(f"# WRONG: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
