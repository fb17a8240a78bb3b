"""Audit periods: `YYYY-Qn`, `YYYY-MM` or explicit dates, bounded at midnight Europe/Paris.

Start inclusive, end exclusive (docs/user-guide.md "The quarterly routine").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hds_audit.calendar.instants import PARIS, UTC, at_paris_midnight, current_time


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive; while the period runs, the run's time (see as_of)
    scheduled_end: datetime | None = None  # the calendar end of a period not over yet

    @property
    def interim(self) -> bool:
        """Whether the period had not ended when it was judged: the results may still change."""
        return self.scheduled_end is not None

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    @property
    def hours(self) -> float:
        # through UTC: Python subtracts two datetimes of the same zone by their wall clocks
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600

    def to_json(self) -> dict:
        out = {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.scheduled_end is not None:  # results.json says `interim` at its top level in every run
            out["scheduled_end"] = self.scheduled_end.isoformat()
        return out


def period_from_json(document: dict) -> Period:
    """A Period from its results.json form (to_json), interim ones included."""
    from hds_audit.calendar.instants import parse_instant

    scheduled = document.get("scheduled_end")
    return Period(document["label"], parse_instant(document["start"]), parse_instant(document["end"]),
                  scheduled_end=parse_instant(scheduled) if scheduled else None)


def as_of(period: Period, now: datetime) -> Period:
    """The period as it can be judged at `now`: refused before it begins, up to `now` while it runs."""
    if now < period.start:
        raise PeriodError(f"period '{period.label}' has not begun: it starts {period.start.isoformat()}, "
                          f"it is now {now.isoformat()}; there is nothing to judge yet")
    if now < period.end:
        return Period(period.label, period.start, now.astimezone(PARIS), scheduled_end=period.end)
    return period


_QUARTER = re.compile(r"^(\d{4})-Q(\d+)$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
DATES = ("--from", "--to")  # the options that give a period by its dates, unless a command names them otherwise


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def parse_period(label: str, flags: tuple[str, str] = DATES) -> Period:
    """A quarter (`2026-Q3`) or a month (`2026-07`); `flags` name the date options in the messages."""
    text = label.strip()
    if not text:  # `--period ""` (an unset variable in a script) must not fall back to a default
        raise PeriodError("--period is empty: give YYYY-Qn or YYYY-MM, or leave the option out for the last full quarter")
    accepted = f"give YYYY-Qn (e.g. 2026-Q3), YYYY-MM (e.g. 2026-07), or {flags[0]} DATE {flags[1]} DATE"
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        if not 1 <= quarter <= 4:
            raise PeriodError(f"period '{text}': there is no quarter Q{quarter}, a quarter is Q1 to Q4; {accepted}")
        first = 3 * (quarter - 1) + 1
        return _bounded(text, year, first, first + 3, accepted)
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"period '{text}': there is no month {m[2]}, a month is 01 to 12; {accepted}")
        if len(m[2]) != 2:  # 2026-1 could be a slip for 2026-10 to 2026-12 as well as 2026-01
            raise PeriodError(f"period '{text}': write the month with two digits ({year:04d}-{month:02d}); {accepted}")
        return _bounded(text, year, month, month + 1, accepted)
    raise PeriodError(f"period '{text}' is not a period: {accepted}")


def _bounded(label: str, year: int, first: int, stop: int, accepted: str) -> Period:
    """From the first day of month `first` to that of month `stop` (which may be in the next year)."""
    try:
        return _period(label, date(year, first, 1), _month_start(year, stop))
    except (ValueError, OverflowError):  # year 0000, or a period ending after 9999
        raise PeriodError(f"period '{label}': year {year:04d} is out of range; {accepted}") from None


def _period(label: str, start: date, end: date) -> Period:
    period = Period(label, at_paris_midnight(start), at_paris_midnight(end))
    period.hours  # noqa: B018 - raises OverflowError here for bounds UTC cannot hold (0001-01-01 in Paris)
    return period


def period_between(start: date, end: date) -> Period:
    """`--from START --to END`: END is the first day no longer in the period."""
    if end <= start:
        raise PeriodError(f"--to {end} must come after --from {start}")
    try:
        return _period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    except (ValueError, OverflowError):
        raise PeriodError(f"the period {start}..{end} is out of the range of dates this tool can compute") from None


def choose_period(label: str | None, start: date | None, end: date | None,
                  flags: tuple[str, str] = ("--from", "--to")) -> Period:
    """The period of the command-line options: a label, or both dates, or else the last full quarter.

    Only an option left out takes the default: an empty label is refused.
    """
    if start or end:
        if not (start and end) or label is not None:
            raise PeriodError(f"give either --period, or both {flags[0]} and {flags[1]}")
        return period_between(start, end)
    return parse_period(label, flags) if label is not None else last_full_quarter()


def last_full_quarter(today: date | None = None) -> Period:
    """The default period: the last quarter that has ended."""
    today = today or current_time().date()
    quarter = (today.month - 1) // 3  # the current quarter, 0-based
    year = today.year
    if quarter == 0:
        year, quarter = year - 1, 4
    return parse_period(f"{year}-Q{quarter}")


def shift_days(instant: datetime, days: int) -> datetime:
    """Calendar days in Paris wall time (DST-safe)."""
    local = instant.astimezone(PARIS)
    return (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=PARIS)
