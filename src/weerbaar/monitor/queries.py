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
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from weerbaar.assessments.choices import AssessmentStatus
from weerbaar.assessments.models import NormScore
from weerbaar.assessments.selectors import domain_order_of
from weerbaar.frameworks.models import Domain
from weerbaar.monitor.models import Cycle, Participation


@dataclass(frozen=True)
class ParticipantScores:
    """One participant's scores in a cycle, from its final assessment."""

    organisation_id: int
    assessment_id: int
    sector: str  # sector code, "" for an organisation without one
    overall: float | None
    domains: Mapping[str, float | None]  # every domain of the cycle's version, in its order
    finalised_at: datetime


def domain_sums(cycle: Cycle) -> dict[int, dict[str, tuple[int, int]]]:
    """Per final assessment of the cycle: {domain code: (sum of counted levels, number counted)}.

    One grouped query over the norm scores (and one of a few rows for the domain codes). Sums
    and counts rather than averages, so that the mean is divided in Python exactly as the
    scoring formula does it, whatever the database's own average type. Grouped by the domain's
    key rather than its code: a narrower key and one join less, a quarter faster on PostgreSQL."""
    effective = Coalesce("auditor_level", "level")
    rows = (
        NormScore.objects.filter(
            assessment__participation__cycle=cycle,
            assessment__status=AssessmentStatus.FINAL,
            not_applicable=False,
        )
        .values_list("assessment_id", "norm__domain_id")
        .annotate(total=Sum(effective), counted=Count(effective))
        .order_by()
    )
    by_id: dict[int, dict[int, tuple[int, int]]] = {}
    for assessment_id, domain_id, total, counted in rows:
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
        domains: dict[str, float | None] = dict.fromkeys(domain_codes)
        for code, (total, counted) in sums.get(assessment_id, {}).items():
            # A norm outside the version's domains still counts, as in the scoring formula.
            domains[code] = total / counted if counted else None
        means = [score for score in domains.values() if score is not None]
        results.append(
            ParticipantScores(
                organisation_id=organisation_id,
                assessment_id=assessment_id,
                sector=sector_code or "",
                overall=fmean(means) if means else None,
                domains=domains,
                finalised_at=finalised_at,
            )
        )
    return results
