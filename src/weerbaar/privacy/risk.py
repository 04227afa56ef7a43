"""How a risk's level follows from its likelihood and impact. Pure: no database.

Each scale step counts 1 (low), 2 (medium) or 3 (high); the product of the two decides the level:
1–2 low, 3–4 medium, 6–9 high. So a low likelihood never makes a risk high on its own, and a
high impact that is merely possible is at least medium.
"""

from weerbaar.privacy.choices import RiskLevel, Scale

_STEP = {Scale.LOW: 1, Scale.MEDIUM: 2, Scale.HIGH: 3}
_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


def level(likelihood: str, impact: str) -> str:
    """The risk level for a likelihood and an impact (both low, medium or high)."""
    try:
        score = _STEP[Scale(likelihood)] * _STEP[Scale(impact)]
    except ValueError as exc:
        raise ValueError(f"unknown scale value: {likelihood!r} or {impact!r}") from exc
    if score >= 6:
        return RiskLevel.HIGH
    if score >= 3:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def higher(a: str, b: str) -> bool:
    """Whether level `a` is higher than level `b`."""
    return _ORDER[RiskLevel(a)] > _ORDER[RiskLevel(b)]
