"""How fast the sector monitor refreshes a cycle's benchmark at the design size, compared with what
this machine can do, and how fast the sector dashboard renders afterwards.

Data: 10,000 school boards in six sectors, one framework version of 94 norms in
16 domains, 5 yearly cycles with a final assessment per organisation per cycle: 4.7 million norm
scores. The scores follow a fixed integer formula (`norm_answer`), so every run, and every
engine, holds exactly the same data.

Figures, each printed as `metric: value unit`:

- `monitor_refresh_first_*`: the first `monitor.services.refresh_cycle` of the last cycle after
  the bulk load, which scores every assessment from its norm scores and writes every row;
- `monitor_refresh_full_*`: `refresh_cycle(full=True)`: every participant scored again from its
  norm scores and compared with what is stored, only differing rows written (median of a few);
- `monitor_refresh_incremental_*`: `refresh_cycle(organisation_ids=[...])` as the task queued by
  a finalisation runs it after one more assessment became final (its scores stored as
  finalisation stores them, untimed): that organisation's rows and the changed cells rewritten,
  every cell computed again (median);
- `monitor_refresh_every_participant_*`: `refresh_cycle()` over every participant, as the
  dashboards' staleness check and the daily command run it, here after one more assessment
  became final (median);
- `monitor_cells_query_*`: the one statement inside both that computes every cell;
- `monitor_scores_query_*`: the one grouped query that scores every participant from its norm
  scores (inside the full refresh);
- `monitor_aggregate_duckdb`: DuckDB computing the same statistics (domain and overall scores per
  organisation, then per group and column count, mean, median, quartiles, level distribution and
  share at level 3) from the same raw rows: the reference for what the machine can do;
- `monitor_aggregate_duckdb_from_scores`: DuckDB computing the same cells from a table of
  per-organisation scores, the data the incremental path starts from;
- `monitor_<engine>_<full|incremental|every_participant|cells>_vs_duckdb`: the ratios, each line saying what it
  divides (full and incremental against DuckDB from raw rows, cells against DuckDB from
  per-organisation scores);
- `monitor_figures_refresh_*`: `monitor.services.refresh_sector_figures()`, which stores every
  other figure the dashboard and the reports show (share on track, basic measures, SOC, audits,
  awareness, governance) as the refresh task does after a cycle's refresh (median of a few);
- `monitor_dashboard_median_*` and `monitor_dashboard_queries_*`: median server time and query
  count of the sector dashboard for a sector coordinator after the refresh, over 30 requests
  through the Django test client (every organisation has basic-measure statuses, most a SOC
  connection, every sector an ambition and an audit policy, so the page shows real figures);
- `monitor_load_average`: the machine's load when DuckDB ran; on a shared machine every wall
  time is stretched by it, DuckDB's as much as the others.

Targets: the PostgreSQL refresh takes at most 3 times DuckDB's time (printed for the full and the
incremental refresh), and the dashboard renders in at most 300 ms median. Each is printed as met
or MISSED. The script exits 1 only when something is wrong rather than slow (an engine failed,
or the refresh and DuckDB disagree on a published cell), so that `make bench` still goes on to
the other benchmarks; PostgreSQL being unreachable is reported as unavailable and is not a
failure.

SQLite runs in a temporary directory. PostgreSQL runs in a database of its own, `bench_monitor`,
dropped and created anew (and dropped at the end) on the server in BENCH_POSTGRES_URL.
Each engine runs in its own process, with its own Django set-up.

    python bench/bench_monitor.py              # the design size, several minutes
    python bench/bench_monitor.py --scale 0.02 # 200 organisations, to try it out
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SEED = 2026
ORGANISATIONS = 10_000
NORMS = 94
DOMAINS = 16
CYCLES = 5
FIRST_YEAR = 2021
TIMED_CYCLE = CYCLES - 1
# Most boards are in primary education, as in the real sector.
SECTOR_SPREAD = ("PO", "PO", "PO", "PO", "PO", "VO", "VO", "SO", "MBO", "HBO", "WO")
REFRESH_RUNS = 3
DUCKDB_RUNS = 5
DASHBOARD_REQUESTS = 30
TARGET_RATIO = 3.0
TARGET_DASHBOARD_MS = 300.0

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DATABASE = "bench_monitor"


# --- the data, one formula for every engine --------------------------------------------------


def domain_of(norm: int) -> int:
    """Norms 0..93 in 16 domains of 5 or 6 norms."""
    return norm * DOMAINS // NORMS


def norm_answer(org: int, cycle: int, norm: int) -> tuple[int | None, bool, int | None]:
    """(own level, not applicable, auditor's level) of one norm: integers only, so that the SQL
    twin in DUCKDB_SCORES gives exactly the same rows. Organisations differ in maturity (org % 7),
    improve a little each cycle, about 2% of the norms do not apply, and every fourth organisation
    is audited, its auditor marking about a fifth of the norms one level lower."""
    h = ((org * 7919 + norm * 104729 + cycle * 1299709 + SEED) * 2654435761) % 4294967291
    if h % 50 == 0:
        return None, True, None
    level = min(5, 1 + ((org % 7) * 3 + cycle * 2 + domain_of(norm) % 3 + h % 7) // 8)
    auditor = max(1, level - 1) if org % 4 == 0 and (h // 7) % 5 == 0 else None
    return level, False, auditor


def sector_of(org: int) -> str:
    return SECTOR_SPREAD[org % len(SECTOR_SPREAD)]


def domain_code(domain: int) -> str:
    return f"D{domain + 1:02d}"


def cycle_dates(cycle: int) -> tuple[date, date, datetime]:
    """Opens, closes, and the moment the cycle's assessments became final (all in the past)."""
    year = FIRST_YEAR + cycle
    return date(year, 2, 1), date(year, 6, 30), datetime(year, 5, 1, 12, tzinfo=UTC)


# --- one engine through Django ---------------------------------------------------------------


def bulk_load(
    model,
    columns: list[str],
    rows: Iterable[tuple],
    constants: dict | None = None,
    prepare: bool = False,
) -> None:
    """Insert rows straight into a model's table: COPY on PostgreSQL, one executemany on SQLite.

    `columns` name the values given per row (attnames); every other column gets the `constants`
    value or else the model's own default, so a field added later is filled as Django would.
    With `prepare`, per-row values go through the field's database preparation (UUIDs, dates)."""
    from django.db import connection

    meta = model._meta
    template = model(**(constants or {}))
    fields = [meta.get_field(name) for name in columns]
    fixed_fields = [f for f in meta.concrete_fields if f.attname not in columns and not f.primary_key]
    fixed = tuple(f.get_db_prep_save(f.pre_save(template, True), connection) for f in fixed_fields)
    names = [f.column for f in (*fields, *fixed_fields)]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    table = connection.ops.quote_name(meta.db_table)

    def full_rows() -> Iterator[tuple]:
        for row in rows:
            if prepare:
                row = tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
            yield row + fixed

    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        # Room for the indexes while loading; the connection is closed afterwards, so the timed
        # part runs with the project's own settings.
        raw.execute("PRAGMA cache_size = -262144")
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in full_rows():
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in names)
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
        raw.executemany(insert, full_rows())


def generate(organisations: int) -> dict:
    """The sector, framework, cycles, assessments and scores. Small things through the ORM, the
    bulk (organisations, assessments, participations, norm scores) straight into the tables."""
    from allauth.mfa.models import Authenticator
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from weerbaar.accounts import crypto
    from weerbaar.accounts.models import User
    from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
    from weerbaar.assessments.models import Assessment, NormScore
    from weerbaar.core.permissions import Role
    from weerbaar.frameworks.choices import VersionStatus
    from weerbaar.frameworks.models import Domain, Framework, FrameworkVersion, Norm
    from weerbaar.monitor.choices import CycleKind
    from weerbaar.monitor.models import Cycle, Participation
    from weerbaar.organisations.choices import OrganisationKind
    from weerbaar.organisations.models import Membership, Organisation, Sector

    rng = random.Random(SEED)

    def public_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    sectors = {code: Sector.objects.get_or_create(code=code)[0] for code in sorted(set(SECTOR_SPREAD))}
    coordinator = Organisation.objects.create(
        name="Sectororganisatie", kind=OrganisationKind.SECTOR_ORGANISATION, public_id=public_id()
    )
    coordinator.served_sectors.set(sectors.values())
    user = User.objects.create(email="coordinator@example.test", full_name="Coordinator")
    Membership.objects.create(user=user, organisation=coordinator, role=Role.SECTOR_COORDINATOR)
    # The second factor a coordinator must have; the test client signs in with it passed.
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": crypto.encrypt("JBSWY3DPEHPK3PXP")}
    )

    framework = Framework.objects.create(code="BENCH", name_nl="Normenkader (benchmark)")
    version = FrameworkVersion.objects.create(
        framework=framework, label="1", status=VersionStatus.PUBLISHED, scored=True
    )
    domains = [
        Domain.objects.create(version=version, code=domain_code(d), title_nl=f"Domein {d + 1}", position=d)
        for d in range(DOMAINS)
    ]
    norms = [
        Norm.objects.create(
            version=version,
            domain=domains[domain_of(n)],
            code=f"{domain_code(domain_of(n))}.{n + 1:02d}",
            title_nl=f"Norm {n + 1}",
            position=n,
            levels={str(lv): {"nl": f"Niveau {lv}", "en": f"Level {lv}"} for lv in range(1, 6)},
        )
        for n in range(NORMS)
    ]
    cycles = []
    for c in range(CYCLES):
        opens_on, closes_on, _ = cycle_dates(c)
        cycle = Cycle.objects.create(
            name=f"Monitor {opens_on.year}",
            kind=CycleKind.MONITOR,
            framework_version=version,
            opens_on=opens_on,
            closes_on=closes_on,
            coordinator=coordinator,
            opened_by=user,
        )
        cycle.sectors.set(sectors.values())
        cycles.append(cycle)

    # Explicit keys for the bulk rows, after whatever the ORM made; sequences are reset below.
    def next_key(model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    org_base, assessment_base, participation_base = (
        next_key(Organisation),
        next_key(Assessment),
        next_key(Participation),
    )
    norm_ids = [n.pk for n in norms]

    def assessment_id(org: int, cycle: int) -> int:
        return assessment_base + cycle * organisations + org

    with transaction.atomic():
        bulk_load(
            Organisation,
            ["id", "public_id", "name", "kind", "sector_id", "board_number", "student_count"],
            (
                (
                    org_base + i,
                    public_id(),
                    f"Stichting {i:05d}",
                    OrganisationKind.SCHOOL_BOARD,
                    sectors[sector_of(i)].pk,
                    f"{10000 + i:05d}",
                    500 + (i * 37) % 9000,
                )
                for i in range(organisations)
            ),
            prepare=True,
        )
        bulk_load(
            Assessment,
            ["id", "public_id", "organisation_id", "kind", "title", "finalised_at", "submitted_at"],
            (
                (
                    assessment_id(i, c),
                    public_id(),
                    org_base + i,
                    AssessmentKind.EXTERNAL_AUDIT if i % 4 == 0 else AssessmentKind.SELF,
                    cycles[c].name,
                    cycle_dates(c)[2] + timedelta(minutes=i),
                    cycle_dates(c)[2],
                )
                for c in range(CYCLES)
                for i in range(organisations)
            ),
            constants={"framework_version": version, "status": AssessmentStatus.FINAL, "started_by": user},
            prepare=True,
        )
        bulk_load(
            Participation,
            ["id", "cycle_id", "organisation_id", "assessment_id"],
            (
                (participation_base + c * organisations + i, cycles[c].pk, org_base + i, assessment_id(i, c))
                for c in range(CYCLES)
                for i in range(organisations)
            ),
        )
        bulk_load(
            NormScore,
            ["assessment_id", "norm_id", "level", "not_applicable", "auditor_level"],
            (
                (assessment_id(i, c), norm_ids[n], *norm_answer(i, c, n))
                for c in range(CYCLES)
                for i in range(organisations)
                for n in range(NORMS)
            ),
        )
        posture(organisations, org_base, sectors)
        with connection.cursor() as cursor:
            bulk_models = [Organisation, Assessment, Participation]
            for statement in connection.ops.sequence_reset_sql(no_style(), bulk_models):
                cursor.execute(statement)
    # Statistics as a maintained database has them (PostgreSQL's autovacuum would gather them).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Organisation, Assessment, Participation, NormScore):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"cycles": cycles, "user": user}


def posture(organisations: int, org_base: int, sectors: dict) -> None:
    """What the dashboard shows besides the benchmark, so that its figures are not empty: each
    sector's ambition and audit policy, every organisation's status on every basic measure and
    its SOC connection (a fixed formula, like the scores)."""
    from weerbaar.assessments.choices import AssessmentKind
    from weerbaar.assessments.models import AuditPolicy
    from weerbaar.monitor.choices import MeasureState, SocStatus
    from weerbaar.monitor.models import Ambition, BasicMeasure, MeasureStatus, SocConnection
    from weerbaar.organisations.choices import OrganisationKind

    for index, sector in enumerate(sectors.values()):
        Ambition.objects.update_or_create(
            sector=sector, defaults={"target": 3.0, "deadline": date(FIRST_YEAR + CYCLES + index, 12, 31)}
        )
        AuditPolicy.objects.update_or_create(
            sector=sector,
            defaults={
                "interval_months": 24 + 12 * (index % 2),
                "accepted_kinds": [AssessmentKind.EXTERNAL_AUDIT],
                "applies_to_kinds": [OrganisationKind.SCHOOL_BOARD],
            },
        )
    measures = list(BasicMeasure.objects.order_by("position").values_list("pk", flat=True))
    states = list(MeasureState.values)
    bulk_load(
        MeasureStatus,
        ["organisation_id", "measure_id", "state", "as_of"],
        (
            (org_base + i, measure, states[(i * 7 + m * 3) % len(states)], date(FIRST_YEAR + m % CYCLES, 3, 1))
            for i in range(organisations)
            for m, measure in enumerate(measures)
        ),
        prepare=True,
    )
    statuses = (SocStatus.CONNECTED, SocStatus.PLANNED, SocStatus.NONE)
    bulk_load(
        SocConnection,
        ["organisation_id", "status", "provider", "planned_on", "connected_on"],
        (
            (
                org_base + i,
                statuses[i % 3],
                "" if i % 3 == 2 else f"SOC {i % 4}",
                date(FIRST_YEAR + CYCLES, 1 + i % 12, 1) if i % 3 == 1 else None,
                date(FIRST_YEAR + i % CYCLES, 6, 1) if i % 3 == 0 else None,
            )
            for i in range(organisations)
            if i % 5
        ),
        prepare=True,
    )


def time_dashboard(user, cycle) -> tuple[float, str, int]:
    """Median server time of the sector dashboard for the cycle, or, while the page does not
    exist, of reading the aggregates and rendering them in a bare table."""
    from django.template import Context, Template
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from weerbaar.monitor import selectors

    try:
        url = reverse("monitor:sector_dashboard") + f"?cycle={cycle.public_id}"
    except NoReverseMatch:
        url = None
    if url is not None:
        client = Client()
        client.force_login(user)

        def once() -> None:
            response = client.get(url)
            if response.status_code != 200 or cycle.name.encode() not in response.content:
                raise RuntimeError(f"dashboard answered {response.status_code}")
            # The basic measures' coverage bars: the page shows the precomputed figures.
            if b"<progress" not in response.content:
                raise RuntimeError("dashboard shows no basic-measure coverage")

        what = "sector dashboard page"
    else:
        template = Template(
            "<table>{% for a in cells %}<tr><th scope='row'>{{ a.group }} {{ a.column }}</th>"
            "<td>{{ a.count }}</td><td>{{ a.mean|floatformat:2 }}</td>"
            "<td>{{ a.median|floatformat:2 }}</td>"
            "</tr>{% endfor %}</table>"
        )

        def once() -> None:
            template.render(Context({"cells": selectors.cycle_aggregates(cycle)}))

        what = "aggregates and a bare table (no dashboard page yet)"
    once()  # templates compiled, connections open
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        once()
    times = []
    for _ in range(DASHBOARD_REQUESTS):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, what, len(executed)


def maintain(connection) -> None:
    """Statistics and visibility as a maintained database has them after writes (PostgreSQL's
    autovacuum would do this on its own a little later)."""
    from weerbaar.assessments.models import ScoreRollup
    from weerbaar.monitor.models import OrganisationResult, ResultScore

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (ScoreRollup, OrganisationResult, ResultScore):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("ANALYZE")


def finalise_again(cycle, run: int) -> int:
    """Make the final assessment of the cycle's `run`-th participant final again, now, with its
    scores stored as `assessments.services.finalise_assessment` stores them. Returns the
    participant's organisation."""
    from django.utils import timezone

    from weerbaar.assessments import services as assessment_services
    from weerbaar.assessments.models import Assessment
    from weerbaar.assessments.selectors import score_of
    from weerbaar.monitor.models import Participation

    participation = Participation.objects.filter(cycle=cycle).order_by("organisation_id")[run]
    Assessment.objects.filter(pk=participation.assessment_id).update(finalised_at=timezone.now())
    assessment = Assessment.objects.select_related("framework_version").get(pk=participation.assessment_id)
    result = score_of(assessment)
    assessment_services.store_rollups(
        scores={assessment.pk: ({d.domain_code: d.score for d in result.domains}, result.overall)}, replace=True
    )
    return participation.organisation_id


def admin_connection():
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=5)


def engine_run(engine: str, organisations: int, out: Path) -> int:
    """Build the data set in one engine, then time the refresh and the dashboard there."""
    if engine == "postgresql":
        import psycopg

        try:
            with admin_connection() as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        except psycopg.OperationalError as exc:
            print(f"monitor_refresh_postgresql: unavailable ({str(exc).strip().splitlines()[0]})")
            return 0
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{BENCH_DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weerbaar.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from weerbaar.monitor import queries, services
    from weerbaar.monitor.models import CycleAggregate

    try:
        call_command("migrate", verbosity=0, interactive=False, skip_checks=True)
        started = time.perf_counter()
        made = generate(organisations)
        print(f"monitor_generate_{engine}: {time.perf_counter() - started:.1f} s", flush=True)
        cycles = made["cycles"]
        # Earlier cycles first, untimed: the timed refresh then computes changes against the
        # previous cycle, and the dashboard has a trend to draw. The bulk-loaded assessments have
        # no stored scores yet, so these first refreshes score them from their norm scores.
        for cycle in cycles[:TIMED_CYCLE]:
            services.refresh_cycle(cycle=cycle)
        cycle = cycles[TIMED_CYCLE]

        started = time.perf_counter()
        counted = len(queries.participant_scores(cycle))
        print(f"monitor_scores_query_{engine}: {time.perf_counter() - started:.2f} s", flush=True)

        # The first refresh of the timed cycle: every assessment scored from its norm scores and
        # every result written (what happens once after a bulk load).
        started = time.perf_counter()
        refreshed = services.refresh_cycle(cycle=cycle)
        print(f"monitor_refresh_first_{engine}: {time.perf_counter() - started:.2f} s", flush=True)
        maintain(connection)

        # Full refresh from the raw norm scores: everything recomputed and compared, only rows
        # that differ written (none here).
        runs = []
        for _ in range(REFRESH_RUNS):
            started = time.perf_counter()
            refreshed = services.refresh_cycle(cycle=cycle, full=True)
            runs.append(time.perf_counter() - started)
        if refreshed != organisations or counted != organisations:
            raise RuntimeError(f"{refreshed} organisations refreshed, {organisations} expected")
        print(f"monitor_refresh_full_{engine}: {statistics.median(runs):.3f} s", flush=True)

        # Incremental refresh, as the task runs it after an assessment became final: each run one
        # more organisation's assessment is made final again (its scores stored as the
        # finalising service stores them, untimed), then the refresh is timed.
        runs = []
        for run in range(REFRESH_RUNS):
            organisation_id = finalise_again(cycle, run)
            started = time.perf_counter()
            services.refresh_cycle(cycle=cycle, organisation_ids=[organisation_id])
            runs.append(time.perf_counter() - started)
        print(f"monitor_refresh_incremental_{engine}: {statistics.median(runs):.3f} s", flush=True)

        # The same over every participant: the safety net the staleness check and the daily
        # command run, which finds the one that changed among all of them.
        runs = []
        for run in range(REFRESH_RUNS, 2 * REFRESH_RUNS):
            finalise_again(cycle, run)
            started = time.perf_counter()
            services.refresh_cycle(cycle=cycle)
            runs.append(time.perf_counter() - started)
        print(f"monitor_refresh_every_participant_{engine}: {statistics.median(runs):.3f} s", flush=True)

        # The one statement inside both that computes every cell from the result scores.
        runs = []
        for _ in range(REFRESH_RUNS):
            started = time.perf_counter()
            cells_found = len(queries.cycle_cells(cycle))
            runs.append(time.perf_counter() - started)
        print(f"monitor_cells_query_{engine}: {statistics.median(runs):.3f} s ({cells_found} cells)", flush=True)

        # Everything else the dashboard shows (share on track, measures, SOC, audits, awareness,
        # governance), as the refresh task stores it after the cycle's refresh.
        runs = []
        for _ in range(REFRESH_RUNS):
            started = time.perf_counter()
            services.refresh_sector_figures()
            runs.append(time.perf_counter() - started)
        print(f"monitor_figures_refresh_{engine}: {statistics.median(runs):.3f} s", flush=True)

        median_ms, what, dashboard_queries = time_dashboard(made["user"], cycle)
        print(f"monitor_dashboard_median_{engine}: {median_ms:.0f} ms", flush=True)
        print(f"monitor_dashboard_queries_{engine}: {dashboard_queries} queries", flush=True)
        print(f"monitor_dashboard_measures_{engine}: {what}", flush=True)

        cells = [
            {
                "group": a.group,
                "column": a.column,
                "suppressed": a.suppressed,
                "count": a.count,
                "mean": a.mean,
                "median": a.median,
                "q1": a.q1,
                "q3": a.q3,
                "distribution": a.distribution,
                "share_at_target": a.share_at_target,
            }
            for a in CycleAggregate.objects.filter(cycle=cycle)
        ]
        out.write_text(json.dumps(cells))
    finally:
        connection.close()
        if engine == "postgresql":
            import psycopg

            with admin_connection() as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    return 0


# --- the reference: DuckDB on the same rows --------------------------------------------------

# The SQL twin of norm_answer(): same integers, same rows.
DUCKDB_SCORES = """
CREATE TABLE score AS
SELECT org, cycle, norm, na AS not_applicable,
       CASE WHEN na THEN NULL ELSE level END AS level,
       CASE WHEN NOT na AND org % 4 = 0 AND (h // 7) % 5 = 0 THEN greatest(1, level - 1)
       END AS auditor_level
FROM (
    SELECT org, cycle, norm, h, h % 50 = 0 AS na,
           least(5, 1 + ((org % 7) * 3 + cycle * 2 + ((norm * $domains) // $norms) % 3
                         + h % 7) // 8) AS level
    FROM (
        SELECT o.range AS org, c.range AS cycle, n.range AS norm,
               ((o.range * 7919 + n.range * 104729 + c.range * 1299709 + $seed) * 2654435761)
                   % 4294967291 AS h
        FROM range($organisations) o, range($cycles) c, range($norms) n
    )
)
"""

DUCKDB_AGGREGATES = """
WITH domain_scores AS (
    SELECT s.org, d.domain, avg(coalesce(s.auditor_level, s.level)) AS score
    FROM score s JOIN norm_domain d ON d.norm = s.norm
    WHERE s.cycle = $cycle AND NOT s.not_applicable
    GROUP BY s.org, d.domain
),
overall AS (
    -- The mean of the domain means, summed exactly as Python's fsum() does: every mean below 8
    -- is a whole multiple of 2^-52, so the sum is exact in integers and rounded once. A plain
    -- avg() is off by a unit in the last place for one organisation in five, which moves some
    -- from 2.9999999999999996 to 3.0 and so across a level band.
    SELECT org, 'overall' AS col,
           CAST(CAST(sum(CAST(score * $scale AS BIGINT)) AS BIGINT) AS DOUBLE) / $scale
               / count(score) AS score
    FROM domain_scores WHERE score IS NOT NULL GROUP BY org
),
cells AS (
    SELECT org, domain AS col, score FROM domain_scores WHERE score IS NOT NULL
    UNION ALL
    SELECT org, col, score FROM overall WHERE score IS NOT NULL
)
SELECT coalesce(o.sector, 'all') AS grp, c.col, count(*) AS n, avg(c.score) AS mean,
       median(c.score) AS median,
       quantile_cont(c.score, 0.25) AS q1, quantile_cont(c.score, 0.75) AS q3,
       count(*) FILTER (WHERE c.score < 2) AS band1,
       count(*) FILTER (WHERE c.score >= 2 AND c.score < 3) AS band2,
       count(*) FILTER (WHERE c.score >= 3 AND c.score < 4) AS band3,
       count(*) FILTER (WHERE c.score >= 4 AND c.score < 5) AS band4,
       count(*) FILTER (WHERE c.score >= 5) AS band5,
       avg(CASE WHEN c.score >= 3 THEN 1.0 ELSE 0.0 END) AS share_at_target
FROM cells c JOIN org_sector o ON o.org = c.org
GROUP BY GROUPING SETS ((o.sector, c.col), (c.col))
"""


# The same statistics from a table of per-organisation scores (org, sector, column, score), the
# shape of the monitor's result scores: what the incremental path starts from.
DUCKDB_SCORE_TABLE = (
    DUCKDB_AGGREGATES.split("SELECT coalesce(o.sector")[0].replace(  # noqa: S608
        "WITH domain_scores AS", "CREATE TABLE cell_scores AS WITH domain_scores AS"
    )
    + "SELECT c.org, o.sector, c.col, c.score FROM cells c JOIN org_sector o ON o.org = c.org"
)

DUCKDB_FROM_SCORES = """
SELECT coalesce(sector, 'all') AS grp, col, count(*) AS n, avg(score) AS mean,
       median(score) AS median,
       quantile_cont(score, 0.25) AS q1, quantile_cont(score, 0.75) AS q3,
       count(*) FILTER (WHERE score < 2) AS band1,
       count(*) FILTER (WHERE score >= 2 AND score < 3) AS band2,
       count(*) FILTER (WHERE score >= 3 AND score < 4) AS band3,
       count(*) FILTER (WHERE score >= 4 AND score < 5) AS band4,
       count(*) FILTER (WHERE score >= 5) AS band5,
       avg(CASE WHEN score >= 3 THEN 1.0 ELSE 0.0 END) AS share_at_target
FROM cell_scores
GROUP BY GROUPING SETS ((sector, col), (col))
"""


def with_values(sql: str, **values: int) -> str:
    """Fill $name placeholders with integers (constants of this script, nothing from outside)."""
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        sql = sql.replace(f"${name}", str(int(value)))
    return sql


def duckdb_run(organisations: int) -> tuple[float, float, float, list[tuple]]:
    import duckdb

    db = duckdb.connect()
    started = time.perf_counter()
    db.execute(
        with_values(DUCKDB_SCORES, organisations=organisations, cycles=CYCLES, norms=NORMS, domains=DOMAINS, seed=SEED)
    )
    db.execute("CREATE TABLE norm_domain (norm INTEGER, domain VARCHAR)")
    db.executemany(
        "INSERT INTO norm_domain VALUES (?, ?)",
        [(n, domain_code(domain_of(n))) for n in range(NORMS)],
    )
    db.execute("CREATE TABLE org_sector (org INTEGER, sector VARCHAR)")
    db.executemany("INSERT INTO org_sector VALUES (?, ?)", [(i, sector_of(i)) for i in range(organisations)])
    generated = time.perf_counter() - started
    runs, rows = [], []
    for _ in range(DUCKDB_RUNS):
        started = time.perf_counter()
        sql = with_values(DUCKDB_AGGREGATES, cycle=TIMED_CYCLE, scale=2**52)
        rows = db.execute(sql).fetchall()
        runs.append(time.perf_counter() - started)
    db.execute(with_values(DUCKDB_SCORE_TABLE, cycle=TIMED_CYCLE, scale=2**52))
    from_scores = []
    for _ in range(DUCKDB_RUNS):
        started = time.perf_counter()
        db.execute(DUCKDB_FROM_SCORES).fetchall()
        from_scores.append(time.perf_counter() - started)
    db.close()
    return generated, statistics.median(runs), statistics.median(from_scores), rows


def same_aggregates(django_cells: list[dict], duck_rows: list[tuple]) -> list[str]:
    """Cells where the refresh and DuckDB disagree (published cells only; DuckDB knows no
    suppression). Averages of averages may differ in the last bits, hence the tolerance."""
    duck = {(r[0], r[1]): r for r in duck_rows}
    differences = []
    for cell in django_cells:
        if cell["suppressed"]:
            continue
        row = duck.get((cell["group"], cell["column"]))
        if row is None:
            differences.append(f"{cell['group']}/{cell['column']} missing")
            continue
        ours = [
            cell["count"],
            cell["mean"],
            cell["median"],
            cell["q1"],
            cell["q3"],
            *[cell["distribution"].get(str(b), 0) for b in range(1, 6)],
            cell["share_at_target"],
        ]
        theirs = list(row[2:])
        if any(abs(float(a) - float(b)) > 1e-9 for a, b in zip(ours, theirs, strict=True)):
            differences.append(f"{cell['group']}/{cell['column']}")
    return differences


# --- the whole run ---------------------------------------------------------------------------


def figures_of(output: str) -> dict[str, str]:
    figures = {}
    for line in output.splitlines():
        name, sep, value = line.partition(": ")
        if sep and name.startswith("monitor_"):
            figures[name] = value
    return figures


def seconds(value: str | None) -> float | None:
    """The number of a figure in seconds ("0.42 s" or "0.42 s (119 cells)")."""
    if not value:
        return None
    number, _sep, unit = value.partition(" ")
    return float(number) if unit.startswith("s") else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of the 10,000 organisations (default 1.0)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    organisations = max(1, round(ORGANISATIONS * args.scale))
    if args.engine:
        return engine_run(args.engine, organisations, args.out)

    print(
        f"monitor_scores: {organisations * CYCLES * NORMS} rows "
        f"({organisations} organisations x {NORMS} norms x {CYCLES} cycles)"
    )
    failed = False
    figures: dict[str, str] = {}
    cells: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as data_dir:
        for engine in ("sqlite", "postgresql"):
            out = Path(data_dir) / f"aggregates-{engine}.json"
            # Each engine in a process of its own: Django binds its database once, at set-up.
            env = {
                **os.environ,
                "WEERBAAR_DATA_DIR": data_dir,
                "WEERBAAR_CACHE_URL": "locmem://",
                "WEERBAAR_DEBUG": "false",
            }
            env.pop("DATABASE_URL", None)
            done = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--scale", str(args.scale), "--engine", engine, "--out", str(out)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            print(done.stdout, end="", flush=True)
            if done.returncode != 0:
                print(f"monitor_{engine}: failed\n{done.stderr}", file=sys.stderr)
                failed = True
            figures.update(figures_of(done.stdout))
            if out.exists():
                cells[engine] = json.loads(out.read_text())

    generated, duck_seconds, duck_from_scores, duck_rows = duckdb_run(organisations)
    print(f"monitor_generate_duckdb: {generated:.1f} s")
    print(f"monitor_aggregate_duckdb: {duck_seconds:.3f} s")
    print(f"monitor_aggregate_duckdb_from_scores: {duck_from_scores:.3f} s")
    print(f"monitor_load_average: {os.getloadavg()[0]:.1f}")
    for engine, engine_cells in cells.items():
        differences = same_aggregates(engine_cells, duck_rows)
        verdict = "yes"
        if differences:
            verdict = f"NO ({len(differences)} cells differ: {', '.join(differences[:5])})"
        print(f"monitor_same_aggregates_{engine}_duckdb: {verdict}")
        failed |= bool(differences)

    # Each path against the DuckDB figure that starts from the same data: the refreshes from the
    # raw norm scores (full: scored anew; incremental: from the scores stored at finalisation,
    # which is what the platform runs) against DuckDB from the raw norm scores, and the one
    # statement over the result scores against DuckDB over the same per-organisation scores.
    # Each ratio says what it divides, so that the one against raw rows is not read as the one
    # against per-organisation scores.
    comparisons = (
        ("full", "monitor_refresh_full", duck_seconds, "full refresh from raw norm scores / DuckDB from raw rows"),
        (
            "incremental",
            "monitor_refresh_incremental",
            duck_seconds,
            "incremental refresh from stored scores / DuckDB from raw rows",
        ),
        (
            "every_participant",
            "monitor_refresh_every_participant",
            duck_seconds,
            "refresh comparing every participant, from stored scores / DuckDB from raw rows",
        ),
        (
            "cells",
            "monitor_cells_query",
            duck_from_scores,
            "cells from stored result scores / DuckDB from per-organisation scores",
        ),
    )
    for engine in ("sqlite", "postgresql"):
        for name, figure, reference, meaning in comparisons:
            value = seconds(figures.get(f"{figure}_{engine}"))
            if value is None:
                continue
            ratio = value / reference
            print(f"monitor_{engine}_{name}_vs_duckdb: {ratio:.1f} x ({meaning})")
            if engine == "postgresql" and name in {"full", "incremental"}:
                verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
                print(f"monitor_postgresql_{name}_vs_duckdb_target: {verdict} (at most {TARGET_RATIO:g} x)")
    for engine in ("sqlite", "postgresql"):
        value = figures.get(f"monitor_dashboard_median_{engine}")
        if value:
            met = float(value.split()[0]) <= TARGET_DASHBOARD_MS
            verdict = "met" if met else "MISSED"
            limit = f"at most {TARGET_DASHBOARD_MS:g} ms"
            print(f"monitor_dashboard_{engine}_target: {verdict} ({limit})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
