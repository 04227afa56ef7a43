"""How an assessment's domain and overall scores follow from its norm scores.

The formula, as shown to users:

- A norm counts with its level 1–5. A norm marked *not applicable* (with a reason) and a norm not
  yet answered do not count.
- In an audit or peer review, the auditor's level replaces the institution's own level for every
  norm the auditor scored; the institution's level stays visible beside it.
- **Domain score** = the mean of the counted norm levels in that domain. A domain with no counted
  norm has no score.
- **Overall score** = the mean of the domain scores (each domain weighs the same, however many norms
  it has). Domains without a score are left out.
- **Target level** = 3 unless the institution's risk profile sets another level for a domain.
- A **gap** is a counted norm whose level is below its domain's target.

Scores are rounded to two decimals only for display; comparisons use the exact mean.
No ORM here: the functions take plain values so the formula can be tested by hand.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean

DEFAULT_TARGET = 3
LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class NormAnswer:
    norm_code: str
    domain_code: str
    level: int | None = None  # the institution's own level
    not_applicable: bool = False
    auditor_level: int | None = None  # the auditor's level, in audits and peer reviews

    @property
    def effective_level(self) -> int | None:
        if self.not_applicable:
            return None
        return self.auditor_level if self.auditor_level is not None else self.level

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.level is not None


@dataclass(frozen=True)
class DomainScore:
    domain_code: str
    score: float | None
    target: int
    counted: int
    not_applicable: int
    unanswered: int
    gaps: tuple[str, ...]

    @property
    def meets_target(self) -> bool | None:
        return None if self.score is None else self.score >= self.target


@dataclass(frozen=True)
class AssessmentScore:
    domains: tuple[DomainScore, ...]
    overall: float | None
    answered: int
    total: int

    @property
    def gaps(self) -> tuple[str, ...]:
        return tuple(code for domain in self.domains for code in domain.gaps)

    @property
    def progress(self) -> float:
        return 0.0 if self.total == 0 else self.answered / self.total


def score_assessment(
    answers: Iterable[NormAnswer],
    domain_order: Iterable[str],
    targets: Mapping[str, int] | None = None,
) -> AssessmentScore:
    """Domain scores in `domain_order`, the overall score and the gaps."""
    targets = targets or {}
    by_domain: dict[str, list[NormAnswer]] = {code: [] for code in domain_order}
    for answer in answers:
        by_domain.setdefault(answer.domain_code, []).append(answer)

    domains = []
    answered = total = 0
    for code, items in by_domain.items():
        target = targets.get(code, DEFAULT_TARGET)
        if target not in LEVELS:
            raise ValueError(f"target level for {code} must be 1-5, not {target}")
        levels = [a.effective_level for a in items if a.effective_level is not None]
        domains.append(
            DomainScore(
                domain_code=code,
                score=fmean(levels) if levels else None,
                target=target,
                counted=len(levels),
                not_applicable=sum(1 for a in items if a.not_applicable),
                unanswered=sum(1 for a in items if not a.is_answered),
                gaps=tuple(a.norm_code for a in items if a.effective_level is not None and a.effective_level < target),
            )
        )
        answered += sum(1 for a in items if a.is_answered)
        total += len(items)
    means = [d.score for d in domains if d.score is not None]
    return AssessmentScore(
        domains=tuple(domains), overall=fmean(means) if means else None, answered=answered, total=total
    )
