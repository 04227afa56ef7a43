"""Assessments for the demo, in every state of the workflow, so that each demo login finds
something to do: the PO board's IBP officer a draft half filled in next to last year's final
self-assessment, the MBO institution an external audit that the demo auditor is reviewing, and
enough final assessments elsewhere for sector figures.

Pure: no database. Every draw comes from a generator seeded with the demo seed and a stable key,
so the same demo sector gives the same assessments on every machine. `services.
load_demo_assessments` writes what these functions plan. The texts are our own examples.
"""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus

JUSTIFICATIONS = (
    "Vastgelegd in het informatiebeveiligingsbeleid en jaarlijks besproken met het bestuur.",
    "De werkwijze is bekend bij de ICT-coördinatoren, maar nog niet op papier gezet.",
    "Afspraken met de leverancier staan in de verwerkersovereenkomst.",
    "Pilot op twee scholen loopt; de uitrol naar alle scholen volgt dit schooljaar.",
    "De IBP-coördinator controleert dit twee keer per jaar met een steekproef.",
    "Nog geen vaste aanpak; dit staat op het verbeterplan.",
    "Geregeld via de centrale ICT-dienst van het bestuur; rapportage per kwartaal.",
    "Medewerkers zijn geïnformeerd tijdens de studiedag; herhaling is gepland.",
)
NOT_APPLICABLE_REASONS = (
    "Het bestuur heeft geen eigen serverruimte; alle diensten draaien in de cloud.",
    "Er worden op geen enkele locatie camerabeelden gemaakt of bewaard.",
)
AUDITOR_NOTES = (
    "Beleid aanwezig, maar geen bewijs gezien dat het periodiek wordt geëvalueerd.",
    "Bevestigd met een steekproef in het wijzigingslogboek.",
    "Niveau lager vastgesteld: de werking is in de audit niet aangetoond.",
    "Interview met de functioneel beheerder bevestigt de beschreven werkwijze.",
)


def rng_for(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 -- reproducible demo data


@dataclass(frozen=True)
class DemoAnswer:
    level: int | None = None
    not_applicable_reason: str = ""
    justification: str = ""
    auditor_level: int | None = None
    auditor_note: str = ""


@dataclass(frozen=True)
class DemoAssessment:
    """One assessment to write: whose, on which framework version, how far it is, its answers
    per norm code, and its dates."""

    organisation: str
    framework_code: str
    version_label: str
    kind: str
    status: str
    title: str
    started_on: date
    submitted_on: date | None = None
    finalised_on: date | None = None
    reviewer_email: str = ""
    answers: dict[str, DemoAnswer] = field(default_factory=dict)


def _level(rng: random.Random, mean: float) -> int:
    return min(5, max(1, round(rng.gauss(mean, 0.8))))


def answers(
    seed: int,
    key: str,
    codes: list[str],
    *,
    mean: float,
    answered_share: float = 1.0,
    not_applicable: int = 0,
    reviewed_share: float = 0.0,
) -> dict[str, DemoAnswer]:
    """Answers per norm code around `mean`: a share left open, a few marked not applicable with
    a reason, about half with a justification, and a share with the reviewer's own level."""
    rng = rng_for(seed, "answers", key)
    chosen_na = set(rng.sample(codes, min(not_applicable, len(codes)))) if codes else set()
    result = {}
    for code in codes:
        if code in chosen_na:
            result[code] = DemoAnswer(not_applicable_reason=rng.choice(NOT_APPLICABLE_REASONS))
            continue
        if rng.random() >= answered_share:
            result[code] = DemoAnswer()
            continue
        level = _level(rng, mean)
        justification = rng.choice(JUSTIFICATIONS) if rng.random() < 0.5 else ""
        auditor_level, auditor_note = None, ""
        if rng.random() < reviewed_share:
            # Auditors mostly confirm, sometimes find a level too optimistic.
            auditor_level = max(1, level - 1) if rng.random() < 0.3 else level
            if auditor_level != level or rng.random() < 0.2:
                auditor_note = rng.choice(AUDITOR_NOTES)
        result[code] = DemoAnswer(
            level=level,
            justification=justification,
            auditor_level=auditor_level,
            auditor_note=auditor_note,
        )
    return result


def _day(seed: int, key: str, first: date, last: date) -> date:
    span = max(0, (last - first).days)
    return first + timedelta(days=rng_for(seed, "day", key).randint(0, span))


def for_ibp_officer(seed: int, today: date, organisation: str, codes: list[str]) -> list[DemoAssessment]:
    """The demo PO board: last year's final self-assessment (mean around 2) and this year's draft,
    about half answered."""
    year = today.year
    final_on = _day(seed, f"{organisation}:final", date(year - 1, 4, 1), date(year - 1, 6, 30))
    return [
        DemoAssessment(
            organisation=organisation,
            framework_code="IBP-FO",
            version_label="2024",
            kind=AssessmentKind.SELF,
            status=AssessmentStatus.FINAL,
            title=f"Zelfevaluatie IBP-FO {year - 1}",
            started_on=final_on - timedelta(days=60),
            submitted_on=final_on - timedelta(days=7),
            finalised_on=final_on,
            answers=answers(seed, f"{organisation}:{year - 1}", codes, mean=2.0, not_applicable=1),
        ),
        DemoAssessment(
            organisation=organisation,
            framework_code="IBP-FO",
            version_label="2024",
            kind=AssessmentKind.SELF,
            status=AssessmentStatus.DRAFT,
            title=f"Zelfevaluatie IBP-FO {year} (werkversie)",
            started_on=today - timedelta(days=21),
            answers=answers(
                seed,
                f"{organisation}:{year}",
                codes,
                mean=2.4,
                answered_share=0.5,
                not_applicable=1,
            ),
        ),
    ]


def for_mbo_institution(
    seed: int, today: date, organisation: str, codes: list[str], auditor_email: str
) -> list[DemoAssessment]:
    """The demo MBO institution: last year's final self-assessment and this year's external audit,
    submitted and under review by the demo auditor, who has checked about a third of the norms."""
    year = today.year
    final_on = _day(seed, f"{organisation}:final", date(year - 1, 9, 1), date(year - 1, 11, 30))
    submitted_on = today - timedelta(days=18)
    return [
        DemoAssessment(
            organisation=organisation,
            framework_code="SURFAUDIT",
            version_label="2021",
            kind=AssessmentKind.SELF,
            status=AssessmentStatus.FINAL,
            title=f"Zelfevaluatie SURFaudit {year - 1}",
            started_on=final_on - timedelta(days=50),
            submitted_on=final_on - timedelta(days=5),
            finalised_on=final_on,
            answers=answers(seed, f"{organisation}:{year - 1}", codes, mean=2.5),
        ),
        DemoAssessment(
            organisation=organisation,
            framework_code="SURFAUDIT",
            version_label="2021",
            kind=AssessmentKind.EXTERNAL_AUDIT,
            status=AssessmentStatus.UNDER_REVIEW,
            title=f"Externe audit SURFaudit {year}",
            started_on=submitted_on - timedelta(days=45),
            submitted_on=submitted_on,
            reviewer_email=auditor_email,
            answers=answers(seed, f"{organisation}:audit:{year}", codes, mean=2.9, reviewed_share=0.35),
        ),
    ]


def sample(seed: int, names: list[str], wanted: int) -> list[str]:
    """`wanted` of the names, the same ones for the same seed whatever their order."""
    ranked = sorted(names, key=lambda name: hashlib.sha256(f"{seed}:sample:{name}".encode()).hexdigest())
    return sorted(ranked[: max(0, wanted)])


def final_for(
    seed: int,
    today: date,
    organisation: str,
    framework_code: str,
    version_label: str,
    codes: list[str],
) -> DemoAssessment:
    """A final self-assessment finished some time in the last year, at the organisation's own
    level of maturity."""
    rng = rng_for(seed, "maturity", organisation)
    final_on = _day(seed, f"{organisation}:sample", today - timedelta(days=330), today - timedelta(days=20))
    return DemoAssessment(
        organisation=organisation,
        framework_code=framework_code,
        version_label=version_label,
        kind=AssessmentKind.SELF,
        status=AssessmentStatus.FINAL,
        title=f"Zelfevaluatie {framework_code} {final_on.year}",
        started_on=final_on - timedelta(days=40),
        submitted_on=final_on - timedelta(days=6),
        finalised_on=final_on,
        answers=answers(seed, f"{organisation}:sample", codes, mean=rng.uniform(1.6, 3.6)),
    )
