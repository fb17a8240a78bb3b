"""Periods in Europe/Paris and the order of result states."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from hds_audit.period import PeriodError, last_full_quarter, parse_period, period_between
from hds_audit.states import Status, worst


def test_quarter_bounds_in_paris():
    p = parse_period("2026-Q3")
    assert p.start.isoformat() == "2026-07-01T00:00:00+02:00"
    assert p.end.isoformat() == "2026-10-01T00:00:00+02:00"
    q4 = parse_period("2026-Q4")
    assert q4.start.isoformat() == "2026-10-01T00:00:00+02:00" and q4.end.isoformat() == "2027-01-01T00:00:00+01:00"


def test_month_across_dst_has_one_more_hour():
    october = parse_period("2026-10")
    assert october.hours == 31 * 24 + 1
    assert parse_period("2026-03").hours == 31 * 24 - 1


def test_start_inclusive_end_exclusive():
    p = parse_period("2026-07")
    assert p.contains(p.start) and not p.contains(p.end)


def test_explicit_dates_and_errors():
    p = period_between(date(2026, 5, 4), date(2026, 5, 19))
    assert p.label == "2026-05-04..2026-05-19"
    with pytest.raises(PeriodError):
        period_between(date(2026, 5, 4), date(2026, 5, 4))
    for bad in ("2026-Q5", "2026-13", "Q3-2026", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_default_period_is_last_full_quarter():
    assert last_full_quarter(date(2026, 11, 26)).label == "2026-Q3"
    assert last_full_quarter(date(2026, 1, 2)).label == "2025-Q4"


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_quarters_tile_the_year(year, quarter):
    p = parse_period(f"{year}-Q{quarter}")
    following = parse_period(f"{year + (quarter == 4)}-Q{quarter % 4 + 1}")
    assert p.end == following.start and p.start < p.end


def test_worst_follows_contract_order():
    assert worst([Status.PASS, Status.FAIL, Status.ERROR]) is Status.FAIL
    assert worst([Status.PASS, Status.ERROR, Status.MANUAL]) is Status.ERROR
    assert worst([Status.WAIVED, Status.MANUAL]) is Status.MANUAL
    assert worst([Status.PASS, Status.WAIVED]) is Status.WAIVED
    assert worst([Status.NOT_APPLICABLE, Status.PASS]) is Status.PASS
    assert worst([]) is Status.NOT_APPLICABLE


@given(st.lists(st.sampled_from(list(Status)), min_size=1))
def test_worst_is_one_of_its_inputs_and_order_free(statuses):
    assert worst(statuses) in statuses
    assert worst(statuses) is worst(list(reversed(statuses)))
