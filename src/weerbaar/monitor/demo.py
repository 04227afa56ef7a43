"""A living sector for the demo: measurement cycles over three years with maturity that grows
at different speeds per organisation, some organisations that do not take part, and the basic
measures and SOC connections that go with it.

Pure: no database. Every draw comes from a random generator seeded with the demo seed and the
organisation's name, so the same demo sector gives the same history on every machine. The
monitor's `load_demo_monitor` service writes what these functions plan.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from weerbaar.monitor.choices import CycleKind, MeasureState, ParticipationStep, SocStatus

PRIMARY = ("PO", "VO", "SO")
HIGHER = ("MBO", "HBO", "WO", "RESEARCH")


@dataclass(frozen=True)
class DemoCycle:
    """One cycle of the demo: who coordinates it (the demo sector's key), on which framework
    version, for which sectors, and when. `current` is the one still open today."""

    name: str
    kind: str
    coordinator: str
    framework_code: str
    version_label: str
    sectors: tuple[str, ...]
    opens_on: date
    closes_on: date
    current: bool = False


def demo_cycles(today: date) -> list[DemoCycle]:
    """Three cycles for each sector group, the last of SIVON's still open (and closing within
    the reminder period), oldest first."""
    year = today.year
    cycles = []
    for offset, kind, label in (
        (2, CycleKind.BASELINE, "Nulmeting"),
        (1, CycleKind.MONITOR, "Monitor"),
    ):
        cycles.append(
            DemoCycle(
                name=f"{label} IBP {year - offset}",
                kind=kind,
                coordinator="sivon",
                framework_code="IBP-FO",
                version_label="2024",
                sectors=PRIMARY,
                opens_on=date(year - offset, 3, 1),
                closes_on=date(year - offset, 6, 30),
            )
        )
    cycles.append(
        DemoCycle(
            name=f"Monitor IBP {year}",
            kind=CycleKind.MONITOR,
            coordinator="sivon",
            framework_code="IBP-FO",
            version_label="2024",
            sectors=PRIMARY,
            opens_on=today - timedelta(days=60),
            closes_on=today + timedelta(days=10),
            current=True,
        )
    )
    for offset in (2, 1):
        cycles.append(
            DemoCycle(
                name=f"SURFaudit benchmark {year - offset}",
                kind=CycleKind.BENCHMARK,
                coordinator="surf",
                framework_code="SURFAUDIT",
                version_label="2021",
                sectors=HIGHER,
                opens_on=date(year - offset, 9, 1),
                closes_on=date(year - offset, 11, 30),
            )
        )
    cycles.append(
        DemoCycle(
            name=f"SURFaudit benchmark {year}",
            kind=CycleKind.BENCHMARK,
            coordinator="surf",
            framework_code="SURFAUDIT",
            version_label="2021",
            sectors=HIGHER,
            opens_on=today - timedelta(days=150),
            closes_on=today - timedelta(days=30),
        )
    )
    return sorted(cycles, key=lambda c: c.opens_on)


def rng_for(seed: int, *parts: str) -> random.Random:
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 -- reproducible demo data


@dataclass(frozen=True)
class Profile:
    """How an organisation develops: where it started, how fast it improves per year, how its
    domains differ from its mean, and whether it takes part at all."""

    start: float
    speed: float
    domain_offsets: dict[str, float]
    takes_part: bool

    def mean_in(self, years: float) -> float:
        return min(4.6, max(1.0, self.start + self.speed * years))


# Share of organisations per speed of improvement (per year), from stalling to fast.
_SPEEDS = ((0.12, -0.08, 0.02), (0.28, 0.05, 0.15), (0.40, 0.18, 0.32), (0.20, 0.35, 0.55))


def profile(seed: int, organisation: str, domain_codes: list[str], always_takes_part: bool = False) -> Profile:
    rng = rng_for(seed, "profile", organisation)
    draw = rng.random()
    low, high = 0.0, 0.0
    for share, low, high in _SPEEDS:  # noqa: B007 -- the last band is kept when the loop ends
        if draw < share:
            break
        draw -= share
    return Profile(
        start=rng.uniform(1.5, 2.9),
        speed=rng.uniform(low, high),
        domain_offsets={code: rng.gauss(0, 0.35) for code in domain_codes},
        takes_part=always_takes_part or rng.random() >= 0.08,
    )


def outcome(seed: int, organisation: str, cycle: DemoCycle, profile: Profile) -> str | None:
    """The step the organisation reaches in the cycle: None when it stays invited."""
    if not profile.takes_part:
        return None
    rng = rng_for(seed, "outcome", organisation, cycle.name)
    draw = rng.random()
    if not cycle.current:
        return ParticipationStep.FINAL if draw < 0.88 else None
    if draw < 0.62:
        return ParticipationStep.FINAL
    if draw < 0.74:
        return ParticipationStep.SUBMITTED
    if draw < 0.87:
        return ParticipationStep.STARTED
    return None


def levels(
    seed: int,
    organisation: str,
    cycle: DemoCycle,
    profile: Profile,
    norms: list[tuple[str, str]],
    years: float,
    answered_share: float = 1.0,
) -> dict[str, int | None]:
    """A level per norm code (None when not answered yet) around the organisation's mean in
    that year and its domain offsets."""
    rng = rng_for(seed, "levels", organisation, cycle.name)
    mean = profile.mean_in(years)
    result = {}
    for code, domain in norms:
        if answered_share < 1.0 and rng.random() > answered_share:
            result[code] = None
            continue
        value = mean + profile.domain_offsets.get(domain, 0.0) + rng.gauss(0, 0.55)
        result[code] = min(5, max(1, round(value)))
    return result


def day_in(seed: int, organisation: str, cycle: DemoCycle, first: date, last: date) -> date:
    rng = rng_for(seed, "day", organisation, cycle.name)
    span = max(0, (last - first).days)
    return first + timedelta(days=rng.randint(0, span))


_MEASURE_EASE = {
    "MFA": 0.6,
    "BACKUPS": 0.5,
    "ACCESS": 0.3,
    "KN_SUPPLIERS": 0.3,
    "KN_INVENTORY": 0.2,
    "KN_ENCRYPTION": 0.1,
    "SEGMENTATION": 0.0,
    "KN_RISK": 0.0,
    "KN_ATTACK_SURFACE": -0.1,
    "PENTEST": -0.3,
}


def measure_states(seed: int, organisation: str, maturity: float, codes: list[str], today: date) -> dict[str, tuple]:
    """Per basic measure: (state, date) for an organisation of this maturity. About one in eight
    organisations has recorded nothing yet."""
    rng = rng_for(seed, "measures", organisation)
    if rng.random() < 0.12:
        return {}
    states = {}
    for code in codes:
        chance = 0.15 + 0.22 * (maturity - 1.5) + _MEASURE_EASE.get(code, 0.0)
        draw = rng.random()
        if draw < chance:
            states[code] = (MeasureState.IN_PLACE, today - timedelta(days=rng.randint(30, 900)))
        elif draw < chance + 0.2:
            states[code] = (MeasureState.PARTIAL, today - timedelta(days=rng.randint(10, 300)))
        elif draw < chance + 0.4:
            states[code] = (MeasureState.PLANNED, today + timedelta(days=rng.randint(30, 400)))
        else:
            states[code] = (MeasureState.NOT_STARTED, None)
    return states


def soc_plan(seed: int, organisation: str, sector: str, maturity: float, today: date) -> tuple | None:
    """(status, provider, planned date, connected since), or None for nothing recorded."""
    rng = rng_for(seed, "soc", organisation)
    provider = (
        "SURFsoc" if sector in HIGHER else rng.choice(["SOC Onderwijs", "Regionaal SOC Noord", "SOC Zuid-Holland"])
    )
    draw = rng.random()
    connected = 0.1 + 0.2 * (maturity - 1.5) + (0.25 if sector in HIGHER else 0.0)
    if draw < connected:
        return SocStatus.CONNECTED, provider, None, today - timedelta(days=rng.randint(60, 1000))
    if draw < connected + 0.35:
        # Planned within the next year and a half: the sector's connection calendar.
        return SocStatus.PLANNED, provider, today + timedelta(days=rng.randint(20, 540)), None
    if draw < connected + 0.5:
        return None
    return SocStatus.NONE, "", None, None
