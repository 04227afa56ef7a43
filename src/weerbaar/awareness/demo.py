"""The demo history of awareness work: which activities an organisation held over the last three
years, drawn from a seeded generator so that every run of the demo gives the same sector.

Pure: plain values, no database. `services.load_demo_awareness` writes the plans.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

CAMPAIGNS = (
    ("Cybersecurity Maand", 10, 1),
    ("Wachtwoorden en MFA", 3, 1),
    ("Privacy op school", 5, 15),
)
TRAININGS = (
    ("Veilig werken met leerlinggegevens", ("teaching_staff", "support_staff"), 12),
    ("Phishing herkennen", ("teaching_staff", "support_staff", "board"), 24),
)
SCENARIOS = (
    (
        "Ransomware in de leerlingadministratie",
        "Maandagochtend zijn de servers versleuteld; de administratie ligt stil.",
    ),
    ("Datalek via een gedeelde map", "Een map met zorggegevens van leerlingen blijkt voor iedereen leesbaar."),
    ("Uitval van de leeromgeving", "Tijdens de examenweek is de digitale leeromgeving twee dagen onbereikbaar."),
)
FINDINGS = (
    "De telefoonlijst van leveranciers was verouderd.",
    "Niet duidelijk wie de pers te woord staat.",
    "Back-ups zijn nooit volledig teruggezet als test.",
    "Het crisisteam kon elkaar buiten werktijd niet bereiken.",
    "Ouders en leerlingen werden pas laat geïnformeerd.",
)
EXERCISE_GROUP_SETS = (
    ["board", "ibp", "it", "communication"],
    ["board", "supervisory_board", "ibp", "it"],
    ["ibp", "it", "teaching_staff"],
)


@dataclass
class ActivityPlan:
    kind: str
    title: str
    held_on: date
    description: str = ""
    repeat_months: int | None = None
    counts: dict = field(default_factory=dict)  # sent, opened, clicked, reported
    scenario: str = ""
    groups: list = field(default_factory=list)
    participation: list = field(default_factory=list)  # (group, people, invited, participated)
    evaluation: str = ""
    findings: list = field(default_factory=list)


def _day(year: int, month: int, day: int, today: date) -> date | None:
    value = date(year, month, min(day, 28))
    return value if value <= today else None


def plan_organisation(key: int, staff: int, seed: int, today: date) -> list[ActivityPlan]:
    """Three years of activities of one organisation with `staff` people. Most hold a crisis
    exercise every year; some skipped the last one (their reminder is due); phishing reports
    grow as awareness does."""
    rng = random.Random(f"{seed}:{key}")  # noqa: S311 - reproducible demo data, not a secret
    plans: list[ActivityPlan] = []
    teaching = max(5, int(staff * 0.7))
    support = max(2, staff - teaching)
    board = rng.randint(2, 5)
    maturity = rng.random()
    skips_exercise = rng.random() < 0.25
    for offset, year in enumerate(range(today.year - 2, today.year + 1)):
        for title, month, day in CAMPAIGNS[: 1 + (offset + key) % 2]:
            held_on = _day(year, month, day, today)
            if held_on:
                plans.append(ActivityPlan("campaign", f"{title} {year}", held_on, "Posters, nieuwsbrief en intranet."))
        title, groups, repeat = TRAININGS[(key + offset) % len(TRAININGS)]
        held_on = _day(year, rng.choice((2, 9, 11)), rng.randint(1, 28), today)
        if held_on:
            sizes = {"teaching_staff": teaching, "support_staff": support, "board": board}
            share = min(0.95, 0.4 + 0.15 * offset + 0.3 * maturity)
            participation = []
            for group in groups:
                people = sizes[group]
                invited = people if group != "teaching_staff" else max(1, int(people * rng.uniform(0.8, 1.0)))
                participation.append((group, people, invited, int(invited * rng.uniform(share - 0.1, share))))
            plans.append(ActivityPlan("training", title, held_on, repeat_months=repeat, participation=participation))
        for month in (4, 11):
            held_on = _day(year, month, rng.randint(1, 28), today)
            if not held_on:
                continue
            sent = staff
            opened = int(sent * rng.uniform(0.45, 0.7))
            clicked = int(opened * max(0.05, rng.uniform(0.15, 0.4) - 0.05 * offset - 0.1 * maturity))
            reported = int(sent * min(0.8, rng.uniform(0.05, 0.15) + 0.1 * offset + 0.2 * maturity))
            plans.append(
                ActivityPlan(
                    "phishing",
                    f"Phishingsimulatie {'voorjaar' if month == 4 else 'najaar'} {year}",
                    held_on,
                    counts={"sent": sent, "opened": opened, "clicked": clicked, "reported": reported},
                    participation=[
                        ("teaching_staff", teaching, teaching, teaching),
                        ("support_staff", support, support, support),
                    ],
                )
            )
        last_year = year == today.year or (year == today.year - 1 and today.month < 6)
        if skips_exercise and last_year:
            continue
        held_on = _day(year, rng.choice((3, 6, 10)), rng.randint(1, 28), today)
        if held_on and held_on <= today - timedelta(days=14):
            title, scenario = SCENARIOS[(key + offset) % len(SCENARIOS)]
            findings = rng.sample(FINDINGS, rng.randint(1, 3))
            plans.append(
                ActivityPlan(
                    "exercise",
                    f"Crisisoefening: {title}",
                    held_on,
                    scenario=scenario,
                    groups=list(EXERCISE_GROUP_SETS[(key + offset) % len(EXERCISE_GROUP_SETS)]),
                    evaluation="Het crisisteam kwam snel bijeen; de communicatie naar buiten liep stroef.",
                    findings=findings,
                )
            )
    return plans
