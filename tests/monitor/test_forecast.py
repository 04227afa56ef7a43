from datetime import date

import pytest

from weerbaar.monitor.forecast import Outlook, forecast

TODAY = date(2026, 11, 23)
DEADLINE = date(2030, 12, 31)


def test_no_history_is_unknown():
    assert forecast([], 3.0, DEADLINE, TODAY).outlook == Outlook.UNKNOWN


def test_already_at_ambition_is_on_track():
    result = forecast([(date(2025, 1, 1), 3.2)], 3.0, DEADLINE, TODAY)
    assert (result.outlook, result.reason) == (Outlook.ON_TRACK, "already_there")


def test_single_measurement_below_is_at_risk():
    assert forecast([(date(2025, 1, 1), 2.0)], 3.0, DEADLINE, TODAY).outlook == Outlook.AT_RISK


def test_trend_hand_computed():
    # 2.0 on 2024-01-01 and 2.5 on 2025-01-01 (366 days): slope 0.5 per 366 days.
    # Deadline 2030-12-31 is 2556 days after the first point: 2.0 + 0.5 * 2556/366 = 5.49 → capped 5.
    result = forecast([(date(2024, 1, 1), 2.0), (date(2025, 1, 1), 2.5)], 3.0, DEADLINE, TODAY)
    assert result.outlook == Outlook.ON_TRACK
    assert result.slope_per_year == pytest.approx(0.5 * 365.25 / 366)
    assert result.expected_at_deadline == 5.0


def test_flat_trend_is_off_track_and_slow_trend_close_is_at_risk():
    flat = forecast([(date(2024, 1, 1), 2.0), (date(2025, 1, 1), 2.0)], 3.0, DEADLINE, TODAY)
    assert (flat.outlook, flat.reason) == (Outlook.OFF_TRACK, "trend_short")
    # Slow growth: 2.0 → 2.1 over a year, deadline 8 years on: about 2.8 expected (within 0.3).
    slow = forecast([(date(2022, 1, 1), 2.0), (date(2023, 1, 1), 2.1)], 3.0, date(2030, 1, 1), date(2023, 6, 1))
    assert slow.outlook == Outlook.AT_RISK
    assert 2.7 <= slow.expected_at_deadline < 3.0


def test_passed_deadline_below_ambition_is_off_track():
    result = forecast([(date(2023, 1, 1), 2.4), (date(2024, 1, 1), 2.8)], 3.0, date(2023, 12, 31), TODAY)
    assert (result.outlook, result.reason) == (Outlook.OFF_TRACK, "deadline_passed")
