"""The legal clocks of an incident, computed from plain values (no database).

Anchors (NIS2 Art. 23(4), GDPR Art. 33 and 34):

- NIS2 early warning: 24 hours after the institution became aware;
- NIS2 incident notification: 72 hours after becoming aware;
- NIS2 final report: one calendar month after the notification was made. When the incident is
  still going on at that moment, a progress report is due then instead, and the final report one
  month after the incident has been handled;
- AVG/GDPR: the Autoriteit Persoonsgegevens within 72 hours after becoming aware, unless the breach
  is unlikely to cause a risk; the people concerned without undue delay when the risk is high
  (no fixed number of hours, so that clock has no deadline);
- the CERT's own first response within 24 hours of the report (NIS2 Art. 23(5)).

Hours are elapsed hours: 24 hours after 23:30 on the Saturday before the clocks go forward is
00:30 on the Monday, not 23:30 on the Sunday. This is never later than a deadline counted under
Regulation 1182/71 (which starts counting at the next full hour), so meeting the clock shown here
always meets the law. A month is a calendar month in Europe/Amsterdam time, on the same wall-clock
time, moved back to the last day when the month is shorter.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from weerbaar.incidents.choices import ClockKind, DataRisk, Encryption

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

EARLY_WARNING_HOURS = 24
NOTIFICATION_HOURS = 72
AP_HOURS = 72
CERT_RESPONSE_HOURS = 24

# How long before a deadline the first reminder goes out.
REMIND_BEFORE: dict[str, timedelta] = {
    ClockKind.NIS2_EARLY_WARNING: timedelta(hours=6),
    ClockKind.NIS2_NOTIFICATION: timedelta(hours=24),
    ClockKind.AP_NOTIFICATION: timedelta(hours=24),
    ClockKind.NIS2_PROGRESS: timedelta(days=7),
    ClockKind.NIS2_FINAL: timedelta(days=7),
    ClockKind.CERT_RESPONSE: timedelta(hours=6),
}


class ClockState:
    MET = "met"
    MET_LATE = "met_late"
    OPEN = "open"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("clock arithmetic needs timezone-aware datetimes")


def add_hours(moment: datetime, hours: int) -> datetime:
    """`hours` elapsed hours after `moment`.

    Deadlines are returned in UTC: Python compares and subtracts two datetimes of the same zone
    by their wall-clock reading, which is wrong in the hour that occurs twice in October. Pages
    and documents show them in Amsterdam time."""
    _require_aware(moment)
    return moment.astimezone(UTC) + timedelta(hours=hours)


def localize(naive: datetime) -> datetime:
    """A wall-clock time in Amsterdam as an aware datetime. A time that does not exist (the hour
    skipped when the clocks go forward) becomes the earlier of its two readings; a time that
    occurs twice (when they go back) the first."""
    candidates = []
    for fold in (0, 1):
        aware = naive.replace(tzinfo=AMSTERDAM, fold=fold)
        candidates.append(aware.astimezone(UTC))
    return min(candidates).astimezone(AMSTERDAM)


def add_month(moment: datetime) -> datetime:
    """One calendar month after `moment`, on the same Amsterdam wall-clock time (in UTC)."""
    _require_aware(moment)
    local = moment.astimezone(AMSTERDAM)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return localize(local.replace(tzinfo=None, year=year, month=month, day=day)).astimezone(UTC)


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks of one incident depend on."""

    aware_at: datetime
    nis2_applies: bool
    personal_data_risk: str = ""  # a DataRisk value, or "" when no personal data are involved
    data_encrypted: str = ""  # an Encryption value
    submitted_at: datetime | None = None  # when the report reached the CERT
    resolved_at: datetime | None = None  # when the incident was handled
    first_response_at: datetime | None = None
    met: Mapping[str, datetime] = field(default_factory=dict)  # ClockKind → when it was met


@dataclass(frozen=True)
class Clock:
    kind: str
    due_at: datetime | None
    met_at: datetime | None = None
    # The deadline follows from an earlier step that has not happened yet (the final report
    # counts from the notification, which has not been made): shown as "at the latest".
    provisional: bool = False
    # The final report's deadline, before it is known whether the incident will still be going on.
    progress_if_ongoing: bool = False
    # The people concerned need not be told when the data were unreadable (GDPR Art. 34(3)(a)).
    exception_may_apply: bool = False

    def state(self, now: datetime) -> str:
        if self.met_at is not None:
            if self.due_at is not None and self.met_at > self.due_at:
                return ClockState.MET_LATE
            return ClockState.MET
        if self.due_at is None:
            return ClockState.NO_DEADLINE
        return ClockState.OVERDUE if now > self.due_at else ClockState.OPEN

    def remaining(self, now: datetime) -> timedelta | None:
        if self.due_at is None or self.met_at is not None:
            return None
        return self.due_at.astimezone(UTC) - now.astimezone(UTC)

    def remind_from(self) -> datetime | None:
        if self.due_at is None:
            return None
        return self.due_at - REMIND_BEFORE.get(self.kind, timedelta(hours=24))


def legal_clocks(facts: ClockFacts, now: datetime) -> list[Clock]:
    """Every clock that runs for the incident, in the order the duties fall due."""
    _require_aware(facts.aware_at)
    met = facts.met
    clocks: list[Clock] = []
    if facts.nis2_applies:
        clocks.append(
            Clock(
                ClockKind.NIS2_EARLY_WARNING,
                add_hours(facts.aware_at, EARLY_WARNING_HOURS),
                met.get(ClockKind.NIS2_EARLY_WARNING),
            )
        )
        notification_due = add_hours(facts.aware_at, NOTIFICATION_HOURS)
        notified_at = met.get(ClockKind.NIS2_NOTIFICATION)
        clocks.append(Clock(ClockKind.NIS2_NOTIFICATION, notification_due, notified_at))
        clocks.extend(_final_clocks(facts, notified_at or notification_due, notified_at is None, now))
    if facts.personal_data_risk in (DataRisk.RISK, DataRisk.HIGH):
        clocks.append(
            Clock(
                ClockKind.AP_NOTIFICATION,
                add_hours(facts.aware_at, AP_HOURS),
                met.get(ClockKind.AP_NOTIFICATION),
            )
        )
    if facts.personal_data_risk == DataRisk.HIGH:
        clocks.append(
            Clock(
                ClockKind.DATA_SUBJECTS,
                None,
                met.get(ClockKind.DATA_SUBJECTS),
                exception_may_apply=facts.data_encrypted == Encryption.YES,
            )
        )
    if facts.submitted_at is not None:
        clocks.append(
            Clock(
                ClockKind.CERT_RESPONSE,
                add_hours(facts.submitted_at, CERT_RESPONSE_HOURS),
                facts.first_response_at,
            )
        )
    return sorted(clocks, key=lambda c: (c.due_at is None, c.due_at or facts.aware_at))


def _final_clocks(facts: ClockFacts, notified: datetime, provisional: bool, now: datetime) -> list[Clock]:
    first_due = add_month(notified)
    handled = facts.resolved_at
    progress_met = facts.met.get(ClockKind.NIS2_PROGRESS)
    final_met = facts.met.get(ClockKind.NIS2_FINAL)
    ongoing_at_first_due = (
        progress_met is not None
        or (handled is None and now > first_due)
        or (handled is not None and handled > first_due)
    )
    if final_met is not None and not progress_met and (handled is None or handled <= first_due):
        return [Clock(ClockKind.NIS2_FINAL, first_due, final_met, provisional)]
    if not ongoing_at_first_due:
        return [
            Clock(
                ClockKind.NIS2_FINAL,
                first_due,
                final_met,
                provisional,
                progress_if_ongoing=handled is None,
            )
        ]
    final_due = add_month(handled) if handled is not None else None
    return [
        Clock(ClockKind.NIS2_PROGRESS, first_due, progress_met, provisional),
        Clock(ClockKind.NIS2_FINAL, final_due, final_met),
    ]


def validate_times(
    *,
    detected_at: datetime | None,
    aware_at: datetime | None,
    started_at: datetime | None,
    now: datetime,
    required: bool,
) -> dict[str, str]:
    """Problems with the times of a report, by field, as plain English keys for the service to
    translate: "missing", "future", "aware_before_detected", "started_after_detected"."""
    problems: dict[str, str] = {}
    times = {"detected_at": detected_at, "aware_at": aware_at, "started_at": started_at}
    for name, value in times.items():
        if value is None:
            if required and name != "started_at":
                problems[name] = "missing"
            continue
        _require_aware(value)
        # In UTC, so that the hour that occurs twice in October compares correctly.
        value = times[name] = value.astimezone(UTC)
        # A minute of slack for clocks that run a little ahead of the server's.
        if value > now + timedelta(minutes=1):
            problems[name] = "future"
    detected_at, aware_at, started_at = times["detected_at"], times["aware_at"], times["started_at"]
    clean = not ({"aware_at", "detected_at"} & set(problems))
    if detected_at and aware_at and clean and aware_at < detected_at:
        problems["aware_at"] = "aware_before_detected"
    clean = not ({"started_at", "detected_at"} & set(problems))
    if started_at and detected_at and clean and started_at > detected_at:
        problems["started_at"] = "started_after_detected"
    return problems
