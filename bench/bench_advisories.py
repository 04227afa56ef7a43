"""Matching one advisory against the whole sector, and taking in many advisories, on PostgreSQL.

The data set: 10,000 organisations with 200 software items each (2 million inventory rows),
drawn from a catalogue in which a few products (an operating system, an office suite, a
browser…) are on nearly every list and the rest are spread thinly, with PURLs, CPEs and
four-part versions; every organisation has an IBP officer, as in a real sector, so a high-risk
match notifies thousands of people. Figures, each printed as `metric: value unit`:

- `advisories_generate`: building the data set (COPY), for information;
- `advisories_match_candidates` / `advisories_match_exposures`: the size of the problem;
- `advisories_match`: one advisory with 50 products (five of them on nearly every list) matched
  against all 2 million rows: candidates by the indexed keys, version ranges checked in the
  database on the items' sort keys, exposures written set-based, and the IBP officers of every
  organisation with a sure match notified (the advisory is high-risk) (target at most 1 s);
- `advisories_match_notifications`: how many officers that notified;
- `advisories_rematch`: the same advisory matched again (nothing new to write);
- `advisories_import_1000`: 1,000 CSAF advisories checked (schema and mandatory tests, each
  document on its own) and stored in chunks of 100 as `manage.py import_csaf` does, matching
  queued for the task worker as in production (target at most 60 s);
- `advisories_import_per_second`.

Missed targets are printed as MISSED, not a failure, so `make bench` goes on; the script exits 1
only when a result is wrong (no exposure found, or an advisory not stored). PostgreSQL being
unreachable is reported as unavailable. The database `bench_advisories` is made anew on the
server in BENCH_POSTGRES_URL and dropped at the end; with `--keep` it is left in place, and a
later `--keep` run of the same size takes its sector again instead of generating it (only the
advisories are removed), to try a change to the matching without waiting for the data.

    python bench/bench_advisories.py                    # the full run
    python bench/bench_advisories.py --organisations 1000 --advisories 100   # a quick try
    python bench/bench_advisories.py --keep --advisories 0   # matching only, data kept for the next run
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BENCH_DATABASE = os.environ.get("BENCH_ADVISORIES_DATABASE", "bench_advisories")
ITEMS_PER_ORGANISATION = 200
COMMON_PRODUCTS = 20
CATALOGUE = 6000
MATCH_TARGET_S = 1.0
IMPORT_TARGET_S = 60.0


def admin_connection():
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=5)


def catalogue(rng: random.Random) -> list[dict]:
    """Products with their keys: the first COMMON_PRODUCTS are on nearly every list."""
    from weerbaar.advisories.matching import name_key

    products = []
    for n in range(CATALOGUE):
        vendor = f"Vendor {n // 5}"
        product = f"Product {n}"
        entry = {"vendor": vendor, "product": product, "name_key": name_key(vendor, product), "purl": "", "cpe": ""}
        if n % 3 == 0:
            entry["purl"] = f"pkg:npm/vendor{n // 5}/product-{n}"
        elif n % 3 == 1:
            entry["cpe"] = f"cpe:2.3:a:vendor_{n // 5}:product_{n}"
        products.append(entry)
    return products


def version(rng: random.Random) -> str:
    # Four-part builds as Windows has them, so the comparison is the one that matters.
    return f"10.0.{rng.randint(19000, 19100)}.{rng.randint(1, 4000)}"


def generate(organisations: int, rng: random.Random) -> list[dict]:
    from django.db import connection

    from weerbaar.advisories.matching import parse_cpe, parse_purl, sort_key
    from weerbaar.organisations.models import Organisation, Sector

    sector, _ = Sector.objects.get_or_create(code="PO")
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Stichting {n}", kind="school_board", sector=sector, board_number="")
            for n in range(organisations)
        ],
        batch_size=5000,
    )
    org_ids = list(Organisation.objects.values_list("pk", flat=True))
    officers(org_ids)
    products = catalogue(rng)
    common = list(range(COMMON_PRODUCTS))
    rare = list(range(COMMON_PRODUCTS, CATALOGUE))
    now = datetime.now(UTC).isoformat()
    columns = (
        "public_id, created_at, updated_at, organisation_id, vendor, product, version, cpe, purl, "
        "purl_key, cpe_key, name_key, version_sort"
    )
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY advisories_inventoryitem ({columns}) FROM STDIN") as copy,
    ):
        for org_id in org_ids:
            chosen = common + rng.sample(rare, ITEMS_PER_ORGANISATION - COMMON_PRODUCTS)
            for index in chosen:
                p = products[index]
                v = version(rng)
                purl = f"{p['purl']}@{v}" if p["purl"] else ""
                cpe = f"{p['cpe']}:{v}:*:*:*:*:*:*:*" if p["cpe"] else ""
                copy.write_row(
                    (
                        uuid.uuid4(),
                        now,
                        now,
                        org_id,
                        p["vendor"],
                        p["product"],
                        v,
                        cpe,
                        purl,
                        parse_purl(purl)[0],
                        parse_cpe(cpe)[0],
                        p["name_key"],
                        sort_key(v),
                    )
                )
    with connection.cursor() as cursor:
        # As autovacuum leaves a table that is read far more often than written: analysed, and its
        # pages marked all-visible, so the matcher reads candidates from the index alone.
        cursor.execute("VACUUM (ANALYZE) advisories_inventoryitem")
        # The people and organisations the notifications are chosen from, as autovacuum would.
        cursor.execute("ANALYZE accounts_user, organisations_membership, organisations_organisation")
    return products


def officers(org_ids: list[int]) -> None:
    """One active IBP officer per organisation, who is notified of its high-risk matches."""
    from django.contrib.auth.hashers import make_password

    from weerbaar.accounts.models import User
    from weerbaar.core.permissions import Role
    from weerbaar.organisations.models import Membership

    # Signed in through federated login only: an unusable password, made without hashing.
    users = User.objects.bulk_create(
        [
            User(email=f"ibp{org_id}@bench.example", full_name=f"IBP {org_id}", password=make_password(None))
            for org_id in org_ids
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user_id=user.pk, organisation_id=org_id, role=Role.IBP_OFFICER)
            for user, org_id in zip(users, org_ids, strict=True)
        ],
        batch_size=5000,
    )


def advisory_document(index: int, products: list[dict], rng: random.Random, count: int) -> bytes:
    from weerbaar.advisories import csafdoc

    picked = rng.sample(range(COMMON_PRODUCTS), min(5, count)) + rng.sample(
        range(COMMON_PRODUCTS, CATALOGUE), count - min(5, count)
    )
    rows = []
    for n in picked:
        p = products[n]
        bound = f"10.0.{rng.randint(19000, 19100)}.{rng.randint(1, 4000)}"
        rows.append(
            {
                "vendor": p["vendor"],
                "product": p["product"],
                "version_range": f"vers:generic/>=10.0.19000.0|<{bound}",
                "purl": p["purl"],
                "cpe": p["cpe"] + ":*:*:*:*:*:*:*:*" if p["cpe"] else "",
            }
        )
    released = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index)
    doc = csafdoc.build(
        publisher_name="NCSC bench",
        publisher_namespace="https://bench.example",
        tracking_id=f"BENCH-2026-{index:05d}",
        title=f"Kwetsbaarheden verholpen in product {index}",
        tlp="green",
        released=released,
        summary="Meerdere kwetsbaarheden.",
        cve=f"CVE-2026-{10000 + index}",
        cvss=csafdoc.cvss_object("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        kans="high",
        schade="high",
        products=rows,
        remediation="Installeer de updates.",
    )
    return json.dumps(doc).encode()


def _kept_size() -> tuple[int, int, int] | None:
    """(organisations, inventory items, IBP officers) of a database a `--keep` run left, None if
    there is none."""
    import psycopg

    with admin_connection() as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]).fetchone():
            return None
    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/{BENCH_DATABASE}", connect_timeout=5) as kept:
            return kept.execute(
                "SELECT (SELECT count(*) FROM organisations_organisation),"
                " (SELECT count(*) FROM advisories_inventoryitem),"
                " (SELECT count(*) FROM organisations_membership WHERE role = 'ibp_officer' AND is_active)"
            ).fetchone()
    except psycopg.Error:
        return None


def run(organisations: int, advisories: int, keep: bool = False) -> int:
    import psycopg

    try:
        # A kept database of another size, or from before the officers, is built again.
        reuse = keep and _kept_size() == (organisations, organisations * ITEMS_PER_ORGANISATION, organisations)
        if not reuse:
            with admin_connection() as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    except psycopg.OperationalError as exc:
        print(f"advisories_match: unavailable ({str(exc).strip().splitlines()[0]})")
        return 0
    os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{BENCH_DATABASE}"
    # Matching after an import is queued for the worker, as in production.
    os.environ["WEERBAAR_TASK_BACKEND"] = "database"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from weerbaar.advisories import matching, services
    from weerbaar.advisories.choices import Source
    from weerbaar.advisories.models import Advisory, Exposure, Notification

    failed = 0
    rng = random.Random(20261123)
    try:
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        started = time.perf_counter()
        if reuse:
            Advisory.objects.all().delete()
            products = catalogue(rng)
            print("advisories_generate: kept from an earlier --keep run", flush=True)
        else:
            products = generate(organisations, rng)
            print(f"advisories_generate: {time.perf_counter() - started:.1f} s", flush=True)
        # The advisories draw from their own sequence, so a kept sector gets the same ones.
        rng = random.Random(20261124)

        raw = advisory_document(0, products, rng, 50)
        advisory = services.import_document(actor=None, raw=raw, owner=None, source=Source.COMMAND).advisory
        if not services._high_risk(advisory, matching.Tier.PURL):
            print("advisories_match: WRONG (the advisory is not high-risk: no officer would be notified)")
            failed = 1
        started = time.perf_counter()
        found = services.match_advisory(advisory)
        elapsed = time.perf_counter() - started
        exposures = Exposure.objects.filter(advisory=advisory).count()
        notifications = Notification.objects.filter(advisory=advisory).count()
        # TLP:GREEN, one officer per organisation: one message per organisation with a sure match.
        notified_organisations = (
            Exposure.objects.filter(advisory=advisory, tier__lt=matching.Tier.VERSION_NOT_STATED)
            .values("organisation_id")
            .distinct()
            .count()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM advisories_inventoryitem i WHERE i.name_key IN "
                "(SELECT name_key FROM advisories_advisoryproduct WHERE advisory_id = %s)",
                [advisory.pk],
            )
            candidates = cursor.fetchone()[0]
        print(f"advisories_match_candidates: {candidates} rows")
        print(f"advisories_match_exposures: {exposures} rows")
        print(f"advisories_match_notifications: {notifications} rows")
        verdict = "met" if elapsed <= MATCH_TARGET_S else "MISSED"
        print(f"advisories_match: {elapsed:.3f} s ({verdict}: target {MATCH_TARGET_S:.0f} s)", flush=True)
        if not exposures or found != exposures:
            print("advisories_match: WRONG (no exposures, or a count that differs)")
            failed = 1
        if not notifications or notifications != notified_organisations:
            print(f"advisories_match: WRONG ({notifications} notifications for {notified_organisations} organisations)")
            failed = 1
        started = time.perf_counter()
        services.match_advisory(advisory)
        print(f"advisories_rematch: {time.perf_counter() - started:.3f} s", flush=True)

        if advisories:
            documents = [advisory_document(n, products, rng, 10) for n in range(1, advisories + 1)]
            started = time.perf_counter()
            # In chunks, as `manage.py import_csaf` takes in many files: every document checked on its
            # own, the new ones of a chunk written together.
            for start in range(0, len(documents), 100):
                results = services.import_documents(
                    actor=None, raws=documents[start : start + 100], owner=None, source=Source.COMMAND
                )
                refused = [r for r in results if not isinstance(r, services.ImportResult)]
                if refused:
                    print(f"advisories_import: WRONG (refused: {refused[0]})")
                    failed = 1
            elapsed = time.perf_counter() - started
            stored = Advisory.objects.count() - 1
            verdict = "met" if elapsed <= IMPORT_TARGET_S * advisories / 1000 else "MISSED"
            print(
                f"advisories_import_{advisories}: {elapsed:.1f} s ({verdict}: target {IMPORT_TARGET_S:.0f} s per 1000)"
            )
            print(f"advisories_import_per_second: {advisories / elapsed:.1f} advisories/s", flush=True)
            if stored != advisories:
                print(f"advisories_import: WRONG ({stored} of {advisories} stored)")
                failed = 1
    finally:
        connection.close()
        if not keep:
            with admin_connection() as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--advisories", type=int, default=1000)
    parser.add_argument(
        "--keep", action="store_true", help="leave the database in place, and take a kept one of the same size again"
    )
    args = parser.parse_args()
    return run(args.organisations, args.advisories, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
