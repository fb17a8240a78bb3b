"""The French working calendar: expected values are counted by hand on the 2026 calendar.

2026 holidays used here: Fri 1 May, Fri 8 May, Thu 14 May (Ascension), Mon 25 May (Whit Monday),
Fri 25 Dec. DST: Sun 29 Mar (02:00 -> 03:00), Sun 25 Oct (03:00 -> 02:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hds_audit.calendar.working_days import (
    PARIS,
    WORKING_DAY,
    add_working_days,
    add_working_hours,
    is_public_holiday,
    is_working_day,
    is_working_time,
    public_holidays,
    working_days_between,
    working_time_between,
)

UTC = UTC
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- days -------------------------------------------------------------------------------


def test_2026_metropolitan_holidays():
    days = public_holidays(2026)
    for day in (date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14), date(2026, 5, 25), date(2026, 12, 25)):
        assert day in days
    # Alsace-Moselle only: not holidays of the metropolitan calendar
    assert date(2026, 4, 3) not in days  # Good Friday
    assert date(2026, 12, 26) not in days
    assert is_public_holiday(date(2026, 7, 14))


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 5, 1), False),  # Labour Day, a Friday
        (date(2026, 5, 7), True),
        (date(2026, 5, 8), False),  # Victory Day, a Friday
        (date(2026, 5, 14), False),  # Ascension
        (date(2026, 5, 15), True),  # the "bridge" Friday is still a working day
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2026, 5, 30), False),  # Saturday
        (date(2026, 5, 31), False),  # Sunday
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2026, 12, 28), True),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_a_datetime_is_judged_on_its_paris_date():
    # Sunday 22:30 UTC in May is Monday 00:30 in Paris
    assert is_working_day(datetime(2026, 5, 10, 22, 30, tzinfo=UTC))
    assert not is_working_day(datetime(2026, 5, 10, 21, 30, tzinfo=UTC))


def test_working_time_bounds():
    assert is_working_time(paris(2026, 5, 4, 9))
    assert is_working_time(paris(2026, 5, 4, 18, 59, 59))
    assert not is_working_time(paris(2026, 5, 4, 19))
    assert not is_working_time(paris(2026, 5, 4, 8, 59))
    assert not is_working_time(paris(2026, 5, 8, 10))  # holiday
    assert is_working_time(datetime(2026, 1, 5, 8, tzinfo=UTC))  # 09:00 CET


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        working_time_between(datetime(2026, 5, 4, 9), paris(2026, 5, 4, 10))


# --- working time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (paris(2026, 5, 4, 9), paris(2026, 5, 4, 19), 10 * H),
        (paris(2026, 4, 30, 18), paris(2026, 5, 4, 10), 2 * H),  # over Fri 1 May + weekend
        (paris(2026, 5, 7, 18, 30), paris(2026, 5, 11, 9, 30), 1 * H),  # over Fri 8 May
        (paris(2026, 5, 13, 18), paris(2026, 5, 15, 10), 2 * H),  # over Ascension
        (paris(2026, 5, 22, 18), paris(2026, 5, 26, 10), 2 * H),  # over Whit Monday
        (paris(2026, 12, 24, 18), paris(2026, 12, 28, 10), 2 * H),  # over Christmas
        (paris(2026, 5, 30, 10), paris(2026, 5, 31, 18), timedelta(0)),  # a weekend
        (paris(2026, 5, 29, 19), paris(2026, 6, 1, 9), timedelta(0)),  # closing to opening
        (paris(2026, 5, 4, 10), paris(2026, 5, 4, 9), timedelta(0)),  # end before start
        (paris(2026, 5, 4, 7), paris(2026, 5, 4, 21), 10 * H),
    ],
)
def test_working_time_between(start, end, expected):
    assert working_time_between(start, end) == expected


def test_working_time_across_dst_changes():
    # spring: the weekend loses an hour of real time, the working time is unchanged
    start, end = paris(2026, 3, 27, 18), paris(2026, 3, 30, 10)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 63 * H
    assert working_time_between(start, end) == 2 * H
    # autumn: the weekend gains an hour
    start, end = paris(2026, 10, 23, 18), paris(2026, 10, 26, 10)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 65 * H
    assert working_time_between(start, end) == 2 * H
    # Monday after the change: 09:00-19:00 is 10 real hours in both offsets
    assert working_time_between(paris(2026, 3, 30, 0), paris(2026, 3, 31, 0)) == WORKING_DAY
    assert working_time_between(paris(2026, 10, 26, 0), paris(2026, 10, 27, 0)) == WORKING_DAY


def test_working_time_with_utc_inputs():
    # 07:00-17:00 UTC is 09:00-19:00 CEST; 08:00-18:00 UTC is 09:00-19:00 CET
    assert working_time_between(datetime(2026, 5, 4, 7, tzinfo=UTC), datetime(2026, 5, 4, 17, tzinfo=UTC)) == 10 * H
    assert working_time_between(datetime(2026, 1, 5, 7, tzinfo=UTC), datetime(2026, 1, 5, 17, tzinfo=UTC)) == 9 * H


# --- adding working hours ---------------------------------------------------------------


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (paris(2026, 5, 4, 9), 10, paris(2026, 5, 4, 19)),  # runs out at closing, not next opening
        (paris(2026, 5, 4, 14), 10, paris(2026, 5, 5, 14)),
        (paris(2026, 5, 22, 18, 30), 1, paris(2026, 5, 26, 9, 30)),  # Fri 18:30, Whit Monday
        (paris(2026, 5, 29, 19), 1, paris(2026, 6, 1, 10)),  # exactly 19:00 Friday
        (paris(2026, 6, 6, 10), 10, paris(2026, 6, 8, 19)),  # Saturday start
        (paris(2026, 5, 13, 14), 10, paris(2026, 5, 15, 14)),  # over Ascension
        (paris(2026, 4, 30, 17), 3, paris(2026, 5, 4, 10)),  # over Fri 1 May
        (paris(2026, 5, 7, 18), 2, paris(2026, 5, 11, 10)),  # over Fri 8 May
        (paris(2026, 12, 24, 17), 12, paris(2026, 12, 28, 19)),  # over Christmas
        (paris(2026, 5, 4, 6), 0, paris(2026, 5, 4, 9)),  # zero from outside: next opening
        (paris(2026, 5, 4, 11), 0, paris(2026, 5, 4, 11)),
    ],
)
def test_add_working_hours(start, hours, expected):
    result = add_working_hours(start, hours)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_add_working_hours_across_dst():
    result = add_working_hours(paris(2026, 3, 27, 18), 2)
    assert result.isoformat() == "2026-03-30T10:00:00+02:00"
    result = add_working_hours(paris(2026, 10, 23, 18), timedelta(hours=2))
    assert result.isoformat() == "2026-10-26T10:00:00+01:00"


def test_add_working_hours_refuses_negative():
    with pytest.raises(ValueError):
        add_working_hours(paris(2026, 5, 4, 9), -1)


# --- working days -----------------------------------------------------------------------


def test_tenant_deletion_example():
    # requested Mon 4 May 09:00; days 1..10: 5, 6, 7, (8 hol) 11, 12, 13, (14 hol) 15, 18, 19, 20
    requested = paris(2026, 5, 4, 9)
    deadline = add_working_days(requested, 10)
    assert deadline.isoformat() == "2026-05-21T00:00:00+02:00"
    assert working_days_between(requested, paris(2026, 5, 19, 17)) == 9
    assert working_days_between(requested, paris(2026, 5, 20, 23, 59)) == 10
    assert working_days_between(requested, deadline) == 10  # exactly at the deadline: in time
    assert working_days_between(requested, deadline + timedelta(seconds=1)) == 11
    assert working_days_between(requested, paris(2026, 5, 21, 10)) == 11


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # Saturday request: day 0 is Saturday, day 1 Monday 4 May, day 10 Tuesday 19 May
        (paris(2026, 5, 2, 11), 10, "2026-05-20T00:00:00+02:00"),
        # Friday 18:30 request: Friday is day 0 whatever the hour; Mon 25 is Whit Monday
        (paris(2026, 5, 22, 18, 30), 1, "2026-05-27T00:00:00+02:00"),
        # Monday before opening: the request day still does not count
        (paris(2026, 5, 4, 7), 1, "2026-05-06T00:00:00+02:00"),
        # Christmas Eve: day 1 is Monday 28
        (paris(2026, 12, 24, 10), 1, "2026-12-29T00:00:00+01:00"),
        # across both DST changes
        (paris(2026, 3, 27, 12), 1, "2026-03-31T00:00:00+02:00"),
        (paris(2026, 10, 23, 12), 1, "2026-10-27T00:00:00+01:00"),
        (paris(2026, 3, 20, 12), 10, "2026-04-04T00:00:00+02:00"),  # Fri 3 Apr is day 10
        (paris(2026, 5, 4, 9), 0, "2026-05-05T00:00:00+02:00"),  # end of the request's day
        # 23:30 UTC Sunday is Monday 01:30 in Paris: day 0 is Monday
        (datetime(2026, 5, 10, 23, 30, tzinfo=UTC), 1, "2026-05-13T00:00:00+02:00"),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n).isoformat() == expected


def test_working_days_between_weekend_and_same_day():
    requested = paris(2026, 6, 1, 9)  # Monday; Friday 5 June is day 4
    assert working_days_between(requested, paris(2026, 6, 1, 18)) == 0
    assert working_days_between(requested, paris(2026, 6, 5, 23)) == 4
    assert working_days_between(requested, paris(2026, 6, 6, 0)) == 4  # 24:00 Friday
    assert working_days_between(requested, paris(2026, 6, 6, 10)) == 5  # Saturday counts as Monday
    assert working_days_between(requested, paris(2026, 5, 30, 10)) == 0  # before the request


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        add_working_days(paris(2026, 5, 4, 9), -1)


# --- properties -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2027, 1, 31),
    timezones=st.sampled_from([UTC, PARIS]),
    allow_imaginary=False,
)


def _sorted(*values: datetime) -> list[datetime]:
    return sorted(values, key=lambda v: v.astimezone(UTC))


@given(instants, instants)
def test_working_time_is_non_negative_and_bounded(a, b):
    elapsed = working_time_between(a, b)
    assert timedelta(0) <= elapsed <= max(b.astimezone(UTC) - a.astimezone(UTC), timedelta(0))


@given(instants, instants, instants)
def test_working_time_is_additive(a, b, c):
    a, b, c = _sorted(a, b, c)
    assert working_time_between(a, c) == working_time_between(a, b) + working_time_between(b, c)


@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300)))
def test_add_then_measure_gives_back_the_hours(start, hours):
    deadline = add_working_hours(start, hours)
    assert deadline.astimezone(UTC) >= start.astimezone(UTC)
    assert working_time_between(start, deadline) == hours


@settings(max_examples=50)
@given(instants, st.integers(min_value=0, max_value=30))
def test_working_days_deadline_and_count_agree(start, n):
    deadline = add_working_days(start, n)
    assert deadline.hour == 0 and deadline.minute == 0 and deadline.tzinfo is PARIS
    assert is_working_day(deadline.date() - timedelta(days=1)) or n == 0
    assert working_days_between(start, deadline) == n
    assert working_days_between(start, deadline + timedelta(microseconds=1)) == n + 1


@settings(max_examples=100)
@given(instants, instants)
def test_working_days_between_is_the_smallest_limit_met(start, end):
    n = working_days_between(start, end)
    assert end.astimezone(UTC) <= add_working_days(start, n).astimezone(UTC)
    if n > 0:
        assert end.astimezone(UTC) > add_working_days(start, n - 1).astimezone(UTC)
