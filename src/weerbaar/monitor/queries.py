"""Set-based reads for refreshing a cycle's benchmark.

A cycle can hold ten thousand final assessments of close to a hundred norms each. Scoring them one
by one (`assessments.selectors.score_of`, one query per assessment) takes minutes; here the
database sums the counted levels of every participant per domain in one grouped query, and only
the division and the overall mean are done in Python. The formula is the one of
`assessments.scoring`, and the results equal `score_of()` for each assessment:

- a norm counts with its effective level: the reviewer's level where one was given, else the
  institution's own level; a norm marked not applicable, or without any level, does not count;
- a domain's score is the mean of its counted levels (none when nothing counts);
- the overall score is the mean of the domain scores that exist.

Domain targets play no part: they decide gaps, not scores.

`cycle_cells` is the other half: the statistics of every group and column of a cycle, computed
by the database in one statement over the cycle's result scores (`ResultScore`, filled from the
scores stored with each final assessment), so that only a few rows per cell leave the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from weerbaar.assessments.choices import AssessmentStatus
from weerbaar.assessments.models import NormScore
from weerbaar.assessments.selectors import domain_order_of
from weerbaar.frameworks.models import Domain
from weerbaar.monitor.models import Cycle, Participation, ResultScore


@dataclass(frozen=True)
class ParticipantScores:
    """One participant's scores in a cycle, from its final assessment."""

    organisation_id: int
    assessment_id: int
    sector: str  # sector code, "" for an organisation without one
    overall: float | None
    domains: Mapping[str, float | None]  # every domain of the cycle's version, in its order
    finalised_at: datetime


def domain_sums(cycle: Cycle, assessment_ids=None) -> dict[int, dict[str, tuple[int, int]]]:
    """Per final assessment of the cycle: {domain code: (sum of counted levels, number counted)}.

    One grouped query over the norm scores (and one of a few rows for the domain codes). Sums
    and counts rather than averages, so that the mean is divided in Python exactly as the
    scoring formula does it, whatever the database's own average type. Grouped by the domain's
    key rather than its code: a narrower key and one join less, a quarter faster on PostgreSQL."""
    effective = Coalesce("auditor_level", "level")
    scores = NormScore.objects.filter(
        assessment__participation__cycle=cycle,
        assessment__status=AssessmentStatus.FINAL,
        not_applicable=False,
    )
    if assessment_ids is not None:
        # Only these assessments (a list or a subquery of ids): the ones not rolled up yet.
        scores = scores.filter(assessment_id__in=assessment_ids)
    rows = (
        scores.values_list("assessment_id", "norm__domain_id")
        .annotate(total=Sum(effective), counted=Count(effective))
        .order_by()
    )
    by_id: dict[int, dict[int, tuple[int, int]]] = {}
    for assessment_id, domain_id, total, counted in raw_rows(rows, grouping=True):
        by_id.setdefault(assessment_id, {})[domain_id] = (total or 0, counted)
    domain_ids = {domain_id for domains in by_id.values() for domain_id in domains}
    codes = dict(Domain.objects.filter(pk__in=domain_ids).values_list("pk", "code"))
    sums: dict[int, dict[str, tuple[int, int]]] = {}
    for assessment_id, domains in by_id.items():
        by_code = sums[assessment_id] = {}
        for domain_id, (total, counted) in domains.items():
            code = codes[domain_id]
            before_total, before_counted = by_code.get(code, (0, 0))
            by_code[code] = (before_total + total, before_counted + counted)
    return sums


# PostgreSQL settings for the one large grouping (close to a million norm scores at the design
# size), for the rest of the refresh's transaction only. With the default 4 MB the planner sorts
# the rows for a group aggregate; with room for the hash table of the hundred and sixty thousand
# groups it hashes them, and with parallel workers allowed on these tables the join before it
# runs in workers: 0.27 s down to 0.13 s for 2,000 organisations (EXPLAIN ANALYZE).
# Put back right after it: the refresh's many small statements would otherwise start workers too.
_GROUPING_SETTINGS = {
    "work_mem": "'128MB'",
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0.01",
    "min_parallel_table_scan_size": "0",
    "min_parallel_index_scan_size": "0",
}


def raw_rows(queryset, *, grouping: bool = False) -> list[tuple]:
    """The rows of a `values_list` queryset of plain numbers and strings straight from the
    cursor: without the ORM's per-value converters, a third of the time for 160,000 rows. On
    PostgreSQL inside a transaction, without JIT compilation, which costs more than it saves on
    these short grouped scans, and with `grouping` the settings of the large grouping for this
    statement only."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        tuned = grouping and connection.vendor == "postgresql" and connection.in_atomic_block
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            cursor.execute("SET LOCAL jit = off")
        if tuned:
            for name, value in _GROUPING_SETTINGS.items():
                cursor.execute(f"SET LOCAL {name} = {value}")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if tuned:
            for name in _GROUPING_SETTINGS:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
        return rows


def participant_scores(cycle: Cycle) -> list[ParticipantScores]:
    """The scores of every participant whose assessment for the cycle is final."""
    domain_codes = domain_order_of(cycle.framework_version)
    participants = (
        Participation.objects.filter(cycle=cycle, assessment__status=AssessmentStatus.FINAL)
        .values_list(
            "organisation_id",
            "assessment_id",
            "organisation__sector__code",
            "assessment__finalised_at",
        )
        .order_by("organisation_id")
    )
    sums = domain_sums(cycle)
    results = []
    for organisation_id, assessment_id, sector_code, finalised_at in participants:
        domains, overall = scores_from_sums(domain_codes, sums.get(assessment_id, {}))
        results.append(
            ParticipantScores(
                organisation_id=organisation_id,
                assessment_id=assessment_id,
                sector=sector_code or "",
                overall=overall,
                domains=domains,
                finalised_at=finalised_at,
            )
        )
    return results


def scores_from_sums(domain_codes, sums: Mapping[str, tuple[int, int]]) -> tuple[dict[str, float | None], float | None]:
    """One assessment's domain scores (every domain of the version, in its order) and overall
    score from its sums and counts per domain, as the scoring formula has them."""
    domains: dict[str, float | None] = dict.fromkeys(domain_codes)
    for code, (total, counted) in sums.items():
        # A norm outside the version's domains still counts, as in the scoring formula.
        domains[code] = total / counted if counted else None
    means = [score for score in domains.values() if score is not None]
    return domains, (fmean(means) if means else None)


@dataclass
class CellFigures:
    """What the database tells about one cell (a group and a column) of a cycle: the number of
    scores, their sum, the number per level band, the number at or above the target, and the
    first quartile, median and third quartile."""

    count: int
    total: float
    bands: tuple[int, int, int, int, int]
    at_target: int
    q1: float
    median: float
    q3: float

    @property
    def mean(self) -> float:
        return self.total / self.count


def order_statistics(n: int, at: Mapping[int, float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile of `n` sorted scores from the scores at a few
    positions (`at`, 0-based), exactly as statistics.quantiles(n=4, method="inclusive") and
    statistics.median compute them from the whole sorted list."""
    median = at[n // 2] if n % 2 else (at[n // 2 - 1] + at[n // 2]) / 2
    if n == 1:
        return at[0], median, at[0]
    m = n - 1
    quartiles = []
    for i in (1, 3):
        j, delta = divmod(i * m, 4)
        quartiles.append((at[j] * (4 - delta) + at[j + 1] * delta) / 4)
    return quartiles[0], median, quartiles[1]


# PostgreSQL: one grouped pass; ROLLUP adds the 'all' group per column, and percentile_cont
# interpolates the quartiles at (n - 1) * p as the inclusive method does.
_CELLS_SQL_POSTGRESQL = """
SELECT CASE WHEN GROUPING({sector}) = 1 THEN 'all' ELSE {sector} END AS grp, {column} AS col,
       COUNT(*), SUM({score}),
       COUNT(*) FILTER (WHERE {score} < 2),
       COUNT(*) FILTER (WHERE {score} >= 2 AND {score} < 3),
       COUNT(*) FILTER (WHERE {score} >= 3 AND {score} < 4),
       COUNT(*) FILTER (WHERE {score} >= 4 AND {score} < 5),
       COUNT(*) FILTER (WHERE {score} >= 5),
       COUNT(*) FILTER (WHERE {score} >= %s),
       percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY {score})
FROM {table}
WHERE {cycle} = %s
GROUP BY ROLLUP ({column}, {sector})
HAVING GROUPING({column}) = 0
"""

# Other databases (SQLite): window functions number the sorted scores of each cell, and only
# the rows at the positions the median and quartiles need leave the database.
_CELLS_SQL = """
WITH grouped AS (
    SELECT {sector} AS grp, {column} AS col, {score} AS score FROM {table} WHERE {cycle} = %s
    UNION ALL
    SELECT 'all', {column}, {score} FROM {table} WHERE {cycle} = %s
),
ranked AS (
    SELECT grp, col, score,
           ROW_NUMBER() OVER (PARTITION BY col, grp ORDER BY score) - 1 AS i,
           COUNT(*) OVER cell AS n,
           SUM(score) OVER cell AS total,
           SUM(CASE WHEN score < 2 THEN 1 ELSE 0 END) OVER cell AS band1,
           SUM(CASE WHEN score >= 2 AND score < 3 THEN 1 ELSE 0 END) OVER cell AS band2,
           SUM(CASE WHEN score >= 3 AND score < 4 THEN 1 ELSE 0 END) OVER cell AS band3,
           SUM(CASE WHEN score >= 4 AND score < 5 THEN 1 ELSE 0 END) OVER cell AS band4,
           SUM(CASE WHEN score >= 5 THEN 1 ELSE 0 END) OVER cell AS band5,
           SUM(CASE WHEN score >= %s THEN 1 ELSE 0 END) OVER cell AS at_target
    FROM grouped
    WINDOW cell AS (PARTITION BY col, grp)
)
SELECT grp, col, n, total, band1, band2, band3, band4, band5, at_target, i, score
FROM ranked
WHERE i IN ((n - 1) / 4, (n - 1) / 4 + 1, (n - 1) / 2, (n - 1) / 2 + 1,
            3 * (n - 1) / 4, 3 * (n - 1) / 4 + 1, n / 2 - 1, n / 2)
"""


def _cells_sql(vendor: str) -> str:
    q = connection.ops.quote_name

    def column(name: str) -> str:
        return q(ResultScore._meta.get_field(name).column)

    return (_CELLS_SQL_POSTGRESQL if vendor == "postgresql" else _CELLS_SQL).format(
        table=q(ResultScore._meta.db_table),
        sector=column("sector"),
        column=column("column"),
        score=column("score"),
        cycle=column("cycle"),
    )


def cycle_cells(cycle: Cycle, target: float = 3.0) -> dict[tuple[str, str], CellFigures]:
    """{(group, column): figures} for every cell of the cycle with at least one score: groups
    'all' and each sector code ('' for organisations without one), columns 'overall' and each
    domain code. One statement over the cycle's result scores, grouped in the database, so that
    at most a few rows per cell leave it."""
    cells: dict[tuple[str, str], CellFigures] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_cells_sql(connection.vendor), [target, cycle.pk])
            for grp, col, n, total, b1, b2, b3, b4, b5, at_target, quartiles in cursor.fetchall():
                q1, median, q3 = (float(v) for v in quartiles)
                cells[(grp, col)] = CellFigures(
                    int(n), float(total), (int(b1), int(b2), int(b3), int(b4), int(b5)), int(at_target), q1, median, q3
                )
            return cells
        cursor.execute(_cells_sql(connection.vendor), [cycle.pk, cycle.pk, target])
        rows: dict[tuple[str, str], tuple] = {}
        ordered: dict[tuple[str, str], dict[int, float]] = {}
        for grp, col, n, total, b1, b2, b3, b4, b5, at_target, i, score in cursor.fetchall():
            rows[(grp, col)] = (int(n), float(total), (int(b1), int(b2), int(b3), int(b4), int(b5)), int(at_target))
            ordered.setdefault((grp, col), {})[int(i)] = float(score)
    for key, (n, total, bands, at_target) in rows.items():
        cells[key] = CellFigures(n, total, bands, at_target, *order_statistics(n, ordered[key]))
    return cells
