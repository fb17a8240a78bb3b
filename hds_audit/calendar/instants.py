"""Reading instants from evidence, with the conventions the checks apply
(README.md "Conventions the checks apply": Times; docs/user-guide.md "The evidence bundle": Dates).

- a date alone means 00:00 Europe/Paris that day, except `valid_until` and `expires`, which run
  to the end of their day (callers ask for that with `end_of_day=True`);
- a date-time without offset is UTC in a cloud API listing, Europe/Paris in a human register;
- CTS `time` and `record_time` are milliseconds since the epoch, UTC.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC


class TimeParseError(ValueError):
    """Why a time does not parse: its text in English, and the template and values a report translates (a gettext
    keyword, like msg(): evidence.interface.reason_of makes it a message; calendar sits below i18n)."""

    def __init__(self, template: str, **values: str):
        super().__init__(template.format(**values))
        self.template, self.values = template, values


def at_paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS)


def parse_instant(value: object, *, naive_zone=PARIS, end_of_day: bool = False) -> datetime:
    """An aware datetime from a date, datetime or ISO 8601 text."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return _from_date(value, end_of_day)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimeParseError("empty date")
        if len(text) == 10:
            try:
                return _from_date(date.fromisoformat(text), end_of_day)
            except ValueError as exc:
                raise TimeParseError("'{text}' is not a valid date (YYYY-MM-DD)", text=text) from exc
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError as exc:
            raise TimeParseError("'{text}' is not an ISO 8601 date or date-time", text=text) from exc
    else:
        raise TimeParseError("{value} is not a date", value=repr(value))
    if parsed.tzinfo is None:
        parsed = _localized(parsed, naive_zone, value)
    return parsed


def _localized(naive: datetime, zone, written: object) -> datetime:
    """`naive` as a wall time of `zone`; TimeParseError for a time the clocks skipped (Paris: 02:00-03:00 on the last
    Sunday of March), which Python would silently move by an hour, and for one they showed twice (02:00-03:00 on the
    last Sunday of October), which Python would silently place in the first of the two hours."""
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise TimeParseError("'{written}' never happened in {zone}: the clocks skipped that hour (daylight saving time); "
                                 "write the time with its offset (e.g. +01:00 or +02:00)", written=str(written), zone=str(zone))
    if aware.utcoffset() != naive.replace(tzinfo=zone, fold=1).utcoffset():
        raise TimeParseError("'{written}' happened twice in {zone}: the clocks went back an hour (end of daylight saving "
                                 "time); write the time with its offset (+02:00 for the first time, +01:00 for the second)",
                                 written=str(written), zone=str(zone))
    return aware


def parse_api_instant(value: object) -> datetime:
    """A time from a cloud API listing: no offset means UTC."""
    return parse_instant(value, naive_zone=UTC)


def from_epoch_ms(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TimeParseError("{value} is not milliseconds since the epoch", value=repr(value))
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _from_date(day: date, end_of_day: bool) -> datetime:
    return at_paris_midnight(day + timedelta(days=1)) if end_of_day else at_paris_midnight(day)


def iso(instant: datetime | None) -> str | None:
    """Written-out times: ISO 8601 with offset, in Paris time (what the readers of reports live in)."""
    return None if instant is None else instant.astimezone(PARIS).isoformat()


NOW_VARIABLE = "HDS_AUDIT_NOW"  # an ISO 8601 date-time standing for the run's time (tests, reproducing a past run)


def current_time() -> datetime:
    """The run's time in Paris, to the second: HDS_AUDIT_NOW when set (TimeParseError if it is not a date-time)."""
    fixed = os.environ.get(NOW_VARIABLE, "").strip()
    if fixed:
        try:
            return parse_instant(fixed).astimezone(PARIS).replace(microsecond=0)
        except TimeParseError as exc:
            raise TimeParseError("{variable}: {reason}", variable=NOW_VARIABLE, reason=str(exc)) from None
    return datetime.now(PARIS).replace(microsecond=0)
