"""Deadline arithmetic: elapsed hours across the daylight-saving switches, awareness late at night,
calendar months, the final/progress report rule, the GDPR clocks and contradictory times."""

from datetime import UTC, datetime, timedelta

import pytest

from weerbaar.incidents.choices import ClockKind
from weerbaar.incidents.clocks import (
    AMSTERDAM,
    ClockFacts,
    ClockState,
    add_hours,
    add_month,
    legal_clocks,
    validate_times,
)


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def clocks(**facts) -> dict[str, object]:
    now = facts.pop("now", ams(2026, 6, 1, 12, 0))
    return {c.kind: c for c in legal_clocks(ClockFacts(**facts), now)}


def test_24_hours_across_the_march_switch_are_25_on_the_wall_clock():
    # Saturday 28 March 2026, 23:30 CET; the clocks go forward that night.
    aware = ams(2026, 3, 28, 23, 30)

    early_warning = add_hours(aware, 24)

    local = early_warning.astimezone(AMSTERDAM)
    assert early_warning == datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    assert (local.day, local.hour, local.minute) == (30, 0, 30)
    assert local.utcoffset() == timedelta(hours=2)
    assert early_warning - aware.astimezone(UTC) == timedelta(hours=24)


def test_72_hours_across_the_march_switch():
    notification = add_hours(ams(2026, 3, 28, 23, 30), 72).astimezone(AMSTERDAM)

    assert notification.strftime("%Y-%m-%d %H:%M %z") == "2026-04-01 00:30 +0200"


def test_24_hours_across_the_october_switch_are_23_on_the_wall_clock():
    # Saturday 24 October 2026, 23:30 CEST; the clocks go back that night.
    aware = ams(2026, 10, 24, 23, 30)

    early_warning = add_hours(aware, 24)

    assert early_warning.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M %z") == "2026-10-25 22:30 +0100"
    assert early_warning - aware.astimezone(UTC) == timedelta(hours=24)


def test_awareness_in_the_repeated_october_hour_counts_from_the_moment_itself():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=0)  # 02:30 CEST
    second = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=1)  # 02:30 CET, an hour later

    assert add_hours(second, 24) - add_hours(first, 24) == timedelta(hours=1)
    assert add_hours(first, 24).astimezone(AMSTERDAM).strftime("%d %H:%M") == "26 01:30"
    assert add_hours(second, 24).astimezone(AMSTERDAM).strftime("%d %H:%M") == "26 02:30"


def test_awareness_late_at_night_moves_to_the_next_evening():
    aware = ams(2026, 5, 12, 23, 59)

    facts = clocks(aware_at=aware, nis2_applies=True, personal_data_risk="risk", now=ams(2026, 5, 13, 1, 0))

    assert facts[ClockKind.NIS2_EARLY_WARNING].due_at == ams(2026, 5, 13, 23, 59)
    assert facts[ClockKind.NIS2_NOTIFICATION].due_at == ams(2026, 5, 15, 23, 59)
    assert facts[ClockKind.AP_NOTIFICATION].due_at == ams(2026, 5, 15, 23, 59)


def test_awareness_given_in_utc_reads_as_amsterdam_time():
    early_warning = add_hours(datetime(2026, 1, 5, 23, 15, tzinfo=UTC), 24)

    assert early_warning.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") == "2026-01-07 00:15"


def test_a_month_keeps_the_wall_clock_across_daylight_saving():
    def local(moment):
        return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M %z")

    assert local(add_month(ams(2026, 3, 10, 10, 0))) == "2026-04-10 10:00 +0200"
    assert local(add_month(ams(2026, 10, 10, 10, 0))) == "2026-11-10 10:00 +0100"


def test_a_month_ends_on_the_last_day_of_a_shorter_month_and_rolls_over_the_year():
    assert add_month(ams(2026, 1, 31, 9, 0)) == ams(2026, 2, 28, 9, 0)
    assert add_month(ams(2028, 1, 31, 9, 0)) == ams(2028, 2, 29, 9, 0)
    assert add_month(ams(2026, 12, 15, 9, 0)) == ams(2027, 1, 15, 9, 0)


def test_a_month_landing_in_the_skipped_hour_takes_the_earlier_reading():
    # 28 March 2027 is the last Sunday of March: 02:30 does not exist that night.
    due = add_month(ams(2027, 2, 28, 2, 30))

    assert due == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert due.astimezone(AMSTERDAM).strftime("%H:%M %z") == "01:30 +0100"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_hours(datetime(2026, 1, 1, 12, 0), 24)  # noqa: DTZ001


def test_the_final_report_counts_from_the_notification_when_it_was_made():
    aware = ams(2026, 3, 2, 9, 0)
    notified = ams(2026, 3, 4, 17, 45)

    facts = clocks(
        aware_at=aware,
        nis2_applies=True,
        met={ClockKind.NIS2_NOTIFICATION: notified},
        resolved_at=ams(2026, 3, 20, 12, 0),
        now=ams(2026, 3, 21, 9, 0),
    )

    final = facts[ClockKind.NIS2_FINAL]
    assert final.due_at == ams(2026, 4, 4, 17, 45)
    assert not final.provisional
    assert ClockKind.NIS2_PROGRESS not in facts


def test_before_the_notification_the_final_deadline_is_at_the_latest():
    aware = ams(2026, 3, 2, 9, 0)

    facts = clocks(aware_at=aware, nis2_applies=True, now=ams(2026, 3, 3, 9, 0))

    final = facts[ClockKind.NIS2_FINAL]
    assert final.provisional
    assert final.progress_if_ongoing
    assert final.due_at == ams(2026, 4, 5, 9, 0)  # one month after the 72-hour deadline


def test_an_incident_still_going_on_a_month_after_the_notification_gets_a_progress_report():
    aware = ams(2026, 3, 2, 9, 0)
    notified = ams(2026, 3, 4, 9, 0)

    ongoing = clocks(
        aware_at=aware,
        nis2_applies=True,
        met={ClockKind.NIS2_NOTIFICATION: notified},
        now=ams(2026, 4, 6, 9, 0),
    )
    assert ongoing[ClockKind.NIS2_PROGRESS].due_at == ams(2026, 4, 4, 9, 0)
    assert ongoing[ClockKind.NIS2_FINAL].due_at is None  # one month after it is handled
    assert ongoing[ClockKind.NIS2_PROGRESS].state(ams(2026, 4, 6, 9, 0)) == ClockState.OVERDUE

    handled = clocks(
        aware_at=aware,
        nis2_applies=True,
        met={ClockKind.NIS2_NOTIFICATION: notified},
        resolved_at=ams(2026, 5, 10, 16, 0),
        now=ams(2026, 5, 11, 9, 0),
    )
    assert handled[ClockKind.NIS2_PROGRESS].due_at == ams(2026, 4, 4, 9, 0)
    assert handled[ClockKind.NIS2_FINAL].due_at == ams(2026, 6, 10, 16, 0)


def test_without_nis2_only_the_gdpr_and_cert_clocks_run():
    facts = clocks(
        aware_at=ams(2026, 5, 1, 8, 0),
        nis2_applies=False,
        personal_data_risk="high",
        data_encrypted="yes",
        submitted_at=ams(2026, 5, 1, 10, 0),
    )

    assert set(facts) == {
        ClockKind.AP_NOTIFICATION,
        ClockKind.DATA_SUBJECTS,
        ClockKind.CERT_RESPONSE,
    }
    assert facts[ClockKind.DATA_SUBJECTS].due_at is None
    assert facts[ClockKind.DATA_SUBJECTS].exception_may_apply
    assert facts[ClockKind.CERT_RESPONSE].due_at == ams(2026, 5, 2, 10, 0)


def test_a_breach_unlikely_to_cause_a_risk_needs_no_notification_to_the_ap():
    facts = clocks(aware_at=ams(2026, 5, 1, 8, 0), nis2_applies=False, personal_data_risk="unlikely")

    assert ClockKind.AP_NOTIFICATION not in facts
    assert ClockKind.DATA_SUBJECTS not in facts


def test_states_met_in_time_late_open_and_overdue():
    aware = ams(2026, 5, 1, 8, 0)
    due = ams(2026, 5, 4, 8, 0)

    in_time = clocks(
        aware_at=aware,
        nis2_applies=False,
        personal_data_risk="risk",
        met={ClockKind.AP_NOTIFICATION: due - timedelta(minutes=1)},
    )[ClockKind.AP_NOTIFICATION]
    late = clocks(
        aware_at=aware,
        nis2_applies=False,
        personal_data_risk="risk",
        met={ClockKind.AP_NOTIFICATION: due + timedelta(minutes=1)},
    )[ClockKind.AP_NOTIFICATION]
    pending = clocks(aware_at=aware, nis2_applies=False, personal_data_risk="risk")[ClockKind.AP_NOTIFICATION]

    assert in_time.state(due + timedelta(days=9)) == ClockState.MET
    assert late.state(due + timedelta(days=9)) == ClockState.MET_LATE
    assert pending.state(due - timedelta(seconds=1)) == ClockState.OPEN
    assert pending.remaining(due - timedelta(hours=2)) == timedelta(hours=2)
    assert pending.state(due + timedelta(seconds=1)) == ClockState.OVERDUE


def test_contradictory_and_future_times_are_named():
    now = ams(2026, 5, 10, 12, 0)

    assert validate_times(
        detected_at=ams(2026, 5, 10, 9, 0),
        aware_at=ams(2026, 5, 10, 8, 0),
        started_at=None,
        now=now,
        required=True,
    ) == {"aware_at": "aware_before_detected"}
    assert validate_times(
        detected_at=ams(2026, 5, 10, 9, 0),
        aware_at=ams(2026, 5, 11, 8, 0),
        started_at=None,
        now=now,
        required=True,
    ) == {"aware_at": "future"}
    assert validate_times(
        detected_at=ams(2026, 5, 10, 9, 0),
        aware_at=ams(2026, 5, 10, 9, 0),
        started_at=ams(2026, 5, 10, 10, 0),
        now=now,
        required=True,
    ) == {"started_at": "started_after_detected"}
    assert validate_times(detected_at=None, aware_at=None, started_at=None, now=now, required=True) == {
        "detected_at": "missing",
        "aware_at": "missing",
    }
    assert validate_times(detected_at=None, aware_at=None, started_at=None, now=now, required=False) == {}


def test_times_in_the_repeated_october_hour_are_compared_as_moments():
    noticed = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=0)  # 00:30 UTC
    aware = datetime(2026, 10, 25, 2, 10, tzinfo=AMSTERDAM, fold=1)  # 01:10 UTC: later, though it reads earlier

    assert (
        validate_times(
            detected_at=noticed,
            aware_at=aware,
            started_at=None,
            now=ams(2026, 10, 26, 9, 0),
            required=True,
        )
        == {}
    )
    assert validate_times(
        detected_at=aware,
        aware_at=noticed,
        started_at=None,
        now=ams(2026, 10, 26, 9, 0),
        required=True,
    ) == {"aware_at": "aware_before_detected"}
