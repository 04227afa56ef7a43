"""Will an organisation reach the sector's ambition (mean maturity 3) by the deadline?

The forecast uses only the organisation's own history of final assessments:

- With no scored assessment: *unknown*.
- Already at or above the ambition: *on track*.
- With one assessment below the ambition: *at risk*, since there is no trend yet.
- With two or more: a straight line through the scores against time (least squares). The
  expected score at the deadline decides: at or above the ambition *on track*; at most
  `AT_RISK_MARGIN` below it *at risk*; further below, or a deadline already passed without
  reaching it, *off track*.

Each forecast carries its reasoning as values, which the page turns into a sentence.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

AT_RISK_MARGIN = 0.3
DAYS_PER_YEAR = 365.25


class Outlook(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Forecast:
    outlook: Outlook
    reason: str  # a code for the sentence shown: see REASONS in the view
    latest: float | None = None  # the last overall score
    slope_per_year: float | None = None
    expected_at_deadline: float | None = None
    points: int = 0


def _trend(points: Sequence[tuple[date, float]]) -> tuple[float, float]:
    """Least-squares line: (slope per day, intercept at day 0 of the first point)."""
    origin = points[0][0]
    xs = [(d - origin).days for d, _ in points]
    ys = [v for _, v in points]
    n = len(points)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x


def forecast(history: Sequence[tuple[date, float]], ambition: float, deadline: date, today: date) -> Forecast:
    points = sorted(history)
    if not points:
        return Forecast(Outlook.UNKNOWN, "no_history")
    latest = points[-1][1]
    if latest >= ambition:
        return Forecast(Outlook.ON_TRACK, "already_there", latest=latest, points=len(points))
    if deadline < today:
        return Forecast(Outlook.OFF_TRACK, "deadline_passed", latest=latest, points=len(points))
    if len(points) == 1:
        return Forecast(Outlook.AT_RISK, "one_measurement", latest=latest, points=1)
    slope, intercept = _trend(points)
    expected = intercept + slope * (deadline - points[0][0]).days
    slope_year = slope * DAYS_PER_YEAR
    if expected >= ambition:
        outlook, reason = Outlook.ON_TRACK, "trend_reaches"
    elif expected >= ambition - AT_RISK_MARGIN:
        outlook, reason = Outlook.AT_RISK, "trend_close"
    else:
        outlook, reason = Outlook.OFF_TRACK, "trend_short"
    return Forecast(
        outlook,
        reason,
        latest=latest,
        slope_per_year=slope_year,
        expected_at_deadline=min(5.0, max(1.0, expected)),
        points=len(points),
    )
