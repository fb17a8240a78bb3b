"""The French working calendar the provider's commitments are counted in.

Service Description §7.2: "Working Hours are between 9.00 and 19.00 (French time), Monday to
Friday, excluding French public holidays". French time is Europe/Paris; public holidays are the
metropolitan ones of the `holidays` package (Alsace-Moselle's Good Friday and 26 December are not
included; Whit Monday is).

Two ways of counting live here, because the Service Description uses two kinds of objective:

* Working time (response-time objectives, §7.3.1). §7.2 defines Response Time as "the time
  elapsed between a ticket's opening and notification [...] minus the periods during which the
  Provider's engagements do not apply", so an objective is a *duration* on the working-hours clock:
  `working_time_between` measures it and `add_working_hours` gives the instant it runs out.
  "1 working day" in that table is one full Working Hours day, i.e. ``WORKING_DAY`` = 10 working
  hours (09:00-19:00). That keeps every objective of the table a duration measured the way §7.2
  says, and it is the stricter of the usual readings (the other, "end of the next working day",
  allows anywhere from 10 to 20 working hours depending on when the ticket was opened).

* Working days (request processing times, §7.7.6.1, e.g. tenant deletion in 10 working days).
  Counted like a French legal time limit (Code de procédure civile, art. 641-642): the day of the
  request is day 0 and does not count, whatever the hour and whether or not it is a working day;
  day 1 is the first working day strictly after it, day N the N-th; the limit expires at the end
  of day N, 24:00 Europe/Paris (= 00:00 of the next calendar day). A request made on Saturday, or
  on Friday at 18:30, therefore counts from Monday (if Monday is a working day).
  `add_working_days` gives that instant; `working_days_between` says how many working days an
  action took on the same scale.

Every function takes aware datetimes in any zone and refuses naive ones (which zone they mean is
the loader's business). All arithmetic and comparisons go through UTC: Python compares and
subtracts two datetimes sharing a tzinfo on their wall clocks, which is wrong across the DST
changes (2026-03-29: 23-hour day; 2026-10-25: 25-hour day with 02:00-03:00 twice). Instants are
returned in Europe/Paris. 00:00, 09:00 and 19:00 never fall in a DST gap or fold in France, so the
local times built here are always unambiguous.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
OPENING = time(9, 0)
CLOSING = time(19, 0)
WORKING_DAY = timedelta(hours=10)  # one Working Hours day, 09:00-19:00

_UTC = UTC
_ONE_DAY = timedelta(days=1)
_EPSILON = timedelta(microseconds=1)

__all__ = [
    "PARIS",
    "OPENING",
    "CLOSING",
    "WORKING_DAY",
    "public_holidays",
    "is_public_holiday",
    "is_working_day",
    "is_working_time",
    "working_time_between",
    "add_working_hours",
    "add_working_days",
    "working_days_between",
]


@cache
def public_holidays(year: int) -> frozenset[date]:
    """French (metropolitan) public holidays of `year`, computed once per year."""
    import holidays  # here, not at import: loading its countries takes a while and only the deadlines need it

    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_public_holiday(day: date | datetime) -> bool:
    """Whether `day` (a date, or the Paris date of an aware datetime) is a public holiday."""
    day = _paris_date(day)
    return day in public_holidays(day.year)


def is_working_day(day: date | datetime) -> bool:
    """Monday to Friday and not a French public holiday.

    A datetime is judged by its date in Europe/Paris (Sunday 23:30 UTC in summer is Monday).
    """
    day = _paris_date(day)
    return day.weekday() < 5 and day not in public_holidays(day.year)


def is_working_time(instant: datetime) -> bool:
    """Whether `instant` lies in Working Hours: 09:00 <= Paris time < 19:00 on a working day."""
    local = _utc(instant).astimezone(PARIS)
    return is_working_day(local.date()) and OPENING <= local.time() < CLOSING


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Working time elapsed from `start` to `end`: the part of [start, end] lying in Working Hours.

    Zero if end <= start. Additive: for a <= b <= c, (a, c) = (a, b) + (b, c).
    """
    start_utc, end_utc = _utc(start), _utc(end)
    total = timedelta(0)
    if end_utc <= start_utc:
        return total
    day, last = _paris_date(start_utc), _paris_date(end_utc)
    while day <= last:
        if is_working_day(day):
            opening, closing = _window(day)
            low, high = max(start_utc, opening), min(end_utc, closing)
            if high > low:
                total += high - low
        day += _ONE_DAY
    return total


def add_working_hours(start: datetime, hours: float | timedelta) -> datetime:
    """The instant at which `hours` of working time have elapsed since `start` (Paris time).

    Counting runs from `start` if it lies in Working Hours, otherwise from the next opening
    (09:00 of the next working day); the clock stops at 19:00 and over non-working days.
    The result is the earliest such instant, so an objective that runs out exactly at closing
    gives 19:00 of that day, not 09:00 of the next working day. `hours` == 0 gives `start`
    itself in Working Hours, else the next opening. Always
    ``working_time_between(start, add_working_hours(start, h)) == h``.
    """
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if remaining < timedelta(0):
        raise ValueError(f"working hours to add must not be negative, got {hours!r}")
    start_utc = _utc(start)
    day = _paris_date(start_utc)
    while True:
        if is_working_day(day):
            opening, closing = _window(day)
            low = max(start_utc, opening)
            if low < closing:
                available = closing - low
                if remaining <= available:
                    return (low + remaining).astimezone(PARIS)
                remaining -= available
        day += _ONE_DAY


def add_working_days(start: datetime, n: int) -> datetime:
    """The instant a limit of `n` working days from a request made at `start` expires.

    Day 0 is `start`'s Paris date (it never counts, working day or not, whatever the hour);
    day k is the k-th working day strictly after it. The limit expires at the end of day n,
    24:00 Paris, returned as 00:00 Europe/Paris of the following calendar day. An action at
    exactly that instant is in time. `n` == 0 means the end of the request's own day.

    Example: requested Monday 2026-05-04 09:00, n = 10 -> days 1..10 are 5, 6, 7, 11, 12, 13,
    15, 18, 19, 20 May (8 May and 14 May are holidays) -> 2026-05-21T00:00:00+02:00.
    """
    if n < 0:
        raise ValueError(f"number of working days must not be negative, got {n!r}")
    day = _paris_date(_utc(start))
    counted = 0
    while counted < n:
        day += _ONE_DAY
        if is_working_day(day):
            counted += 1
    return _at(day + _ONE_DAY, time(0, 0))


def working_days_between(start: datetime, end: datetime) -> int:
    """How many working days an action at `end` took after a request at `start`.

    The smallest n >= 0 such that ``end <= add_working_days(start, n)``, so a limit of N
    working days is met exactly when ``working_days_between(start, end) <= N``. Concretely:
    the working days strictly after start's Paris date up to end's Paris date (an end at
    exactly 00:00 belongs to the day it closes), plus one if end's day is not a working day,
    since an action on Saturday comes after the end of Friday and counts on the next working
    day. Zero if end falls on the request's own day or before.
    """
    start_utc, end_utc = _utc(start), _utc(end)
    first = _paris_date(start_utc)
    last = _paris_date(end_utc - _EPSILON)  # 24:00 is still the day that ends there
    if end_utc <= start_utc or last <= first:
        return 0
    count = 0
    day = first + _ONE_DAY
    while day <= last:
        count += is_working_day(day)
        day += _ONE_DAY
    return count if is_working_day(last) else count + 1


def _utc(instant: datetime) -> datetime:
    if not isinstance(instant, datetime):
        raise TypeError(f"expected a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give it a time zone")
    return instant.astimezone(_UTC)


def _paris_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return _utc(value).astimezone(PARIS).date()
    return value


def _at(day: date, clock: time) -> datetime:
    """`clock` Paris time on `day` (only called with unambiguous times, see module docstring)."""
    return datetime.combine(day, clock, tzinfo=PARIS)


def _window(day: date) -> tuple[datetime, datetime]:
    """Opening and closing of `day`, as UTC instants."""
    return (
        datetime.combine(day, OPENING, tzinfo=PARIS).astimezone(_UTC),
        datetime.combine(day, CLOSING, tzinfo=PARIS).astimezone(_UTC),
    )
