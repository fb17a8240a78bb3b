"""Instants as the evidence writes them: Paris wall times, epoch milliseconds, the cloud APIs' UTC texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC


def at(day: date | int, *rest: int) -> datetime:
    """Europe/Paris wall time: at(date, h, m) or at(y, mo, d, h, m, s)."""
    if isinstance(day, date):
        return datetime(day.year, day.month, day.day, *rest, tzinfo=PARIS)
    return datetime(day, *rest, tzinfo=PARIS)


def epoch_ms(when: datetime | str) -> int:
    """Milliseconds since the epoch (CTS's `time`) of an aware datetime or an ISO 8601 text with offset."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return int(when.timestamp()) * 1000 + when.microsecond // 1000


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def api_utc(dt: datetime) -> str:
    """Cloud API style: UTC without offset, microseconds."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def iam_time(dt: datetime) -> str:
    """IAM listing style: UTC without offset."""
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.0")


def iso(dt: datetime) -> str:
    return dt.astimezone(PARIS).isoformat()


def days(start: date, end: date):
    """start .. end inclusive."""
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)
