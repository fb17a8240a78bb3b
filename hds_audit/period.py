"""Audit periods: `YYYY-Qn`, `YYYY-MM` or explicit dates, bounded at midnight Europe/Paris.

Start inclusive, end exclusive (CONTRACT.md §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hds_audit.timeutil import PARIS, UTC, at_paris_midnight


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    @property
    def hours(self) -> float:
        # through UTC: Python subtracts two datetimes of the same zone by their wall clocks
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600

    def to_json(self) -> dict:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def parse_period(label: str) -> Period:
    """A quarter (`2026-Q3`) or a month (`2026-07`)."""
    text = label.strip()
    if not text:  # `--period ""` (an unset variable in a script) must not fall back to a default
        raise PeriodError("--period is empty: give YYYY-Qn or YYYY-MM, or leave the option out for the last full quarter")
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * (quarter - 1) + 1
        return Period(text, at_paris_midnight(date(year, first, 1)), at_paris_midnight(_month_start(year, first + 3)))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        return Period(text, at_paris_midnight(date(year, month, 1)), at_paris_midnight(_month_start(year, month + 1)))
    raise PeriodError(f"period '{label}' is neither YYYY-Qn nor YYYY-MM")


def period_between(start: date, end: date) -> Period:
    """`--from START --to END`: END is the first day no longer in the period."""
    if end <= start:
        raise PeriodError(f"--to {end} must come after --from {start}")
    return Period(f"{start.isoformat()}..{end.isoformat()}", at_paris_midnight(start), at_paris_midnight(end))


def choose_period(label: str | None, start: date | None, end: date | None,
                  flags: tuple[str, str] = ("--from", "--to")) -> Period:
    """The period of the command-line options: a label, or both dates, or else the last full quarter.

    Only an option left out takes the default: an empty label is refused.
    """
    if start or end:
        if not (start and end) or label is not None:
            raise PeriodError(f"give either --period, or both {flags[0]} and {flags[1]}")
        return period_between(start, end)
    return parse_period(label) if label is not None else last_full_quarter()


def last_full_quarter(today: date | None = None) -> Period:
    """The default period: the last quarter that has ended."""
    today = today or datetime.now(PARIS).date()
    quarter = (today.month - 1) // 3  # the current quarter, 0-based
    year = today.year
    if quarter == 0:
        year, quarter = year - 1, 4
    return parse_period(f"{year}-Q{quarter}")


def shift_days(instant: datetime, days: int) -> datetime:
    """Calendar days in Paris wall time (DST-safe)."""
    local = instant.astimezone(PARIS)
    return (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=PARIS)
