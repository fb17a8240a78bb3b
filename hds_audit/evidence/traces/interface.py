"""What a check may ask of the traces: `TraceStore`, the one seam between the trace checks and any engine.

A check receives a `TraceStore` as `inp["traces"]` and asks it questions in its own terms: the period's
regions and hourly counts, the gaps in a region's traces, the actions no register span covers, the
reads of a bucket by accounts without a role, the create and delete traces of resources. It never sees
a connection, a table name or SQL. Every answer is made of Python values: instants are aware UTC
`datetime`s (the queries work in integer microseconds since the epoch, `micros`/`instant` convert),
evidence references are the `file#trace_id=…` (else `file#record N`) strings findings cite, at most
`MAX_REFS` per answer row, the first by (time, file, record).

An engine (the DuckDB store, `duckdb_store.py`) implements the protocol by running the named, portable
queries of `queries/` (`queries.QUERIES` lists them with their parameters and the relations they read)
over relations of the columns described there. Account keys are computed in Python only
(`account_key`): a store keys the traces' accounts with it before it joins them to a `Cover`.

Whatever a store reads again after its scan (the traces of the files a finding cites) must be the
bytes hashed at the scan: a store raises `EvidenceChanged` naming the file otherwise, and the engine
makes the check `error`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol, Sequence, runtime_checkable

MAX_REFS = 5  # evidence references kept per finding; the count says how many there were
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HOUR_US = 3_600_000_000


def account_key(name: str) -> str:
    """The one rule for comparing account names wherever they meet (register, IAM, traces): Unicode NFC (macOS
    writes accents decomposed), blanks around trimmed, lower-cased (a register is typed by people)."""
    return unicodedata.normalize("NFC", name).strip().lower()


def micros(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly (no float on the way)."""
    return (instant - EPOCH) // timedelta(microseconds=1)


def instant(us: int | None) -> datetime | None:
    """The aware UTC datetime of microseconds since the epoch (None stays None)."""
    return None if us is None else EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class Span:
    """An authorization period [start, stop); stop None: still authorized."""
    start: datetime
    stop: datetime | None


@dataclass(frozen=True)
class Cover:
    """The register as one question reads it, by account key (`account_key` of the register's account): the
    account's authorization periods merged into disjoint spans (so a trace lies in at most one), and its earliest
    revocation. An account without an entry has no authorization at all."""
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    first_revoked: dict[str, datetime | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Activity:
    """Traces of one account (or region) that a question selects: how many, the first and last instant, and the
    references of the first MAX_REFS."""
    key: str | None
    n: int
    first: datetime
    last: datetime
    refs: tuple[str, ...]


@dataclass(frozen=True)
class BucketReads(Activity):
    """Reads of tracker buckets by one account (key None: traces without a user), and which buckets."""
    buckets: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionCount:
    """The period's traces of one region (None: of no known region)."""
    region: str | None
    n: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class RegionFault(Activity):
    """The period's traces of a region outside the allowed ones: its services and its number of accounts."""
    services: tuple[str, ...] = ()
    accounts: int = 0


@dataclass(frozen=True)
class Gap:
    """No trace of `region` strictly between `start` and `end` (the period's bounds count as traces)."""
    region: str
    start: datetime
    end: datetime
    micros: int


@dataclass(frozen=True)
class LifecycleTrace:
    """A trace whose name begins with create or delete (any case) about a resource id: what the deletion checks read.
    Text fields are lower-cased where said; `time` None when the trace's time is unreadable."""
    resource_id: str
    action: str  # "create" or "delete"
    rating: str  # lower-cased trace_rating, "" when absent
    resource_type: str  # lower-cased, "" when absent
    service: str  # lower-cased service_type, "" when absent
    resource_name: str | None
    trace_id: str | None
    trace_name: str
    time: datetime | None
    file: str
    record: int


@runtime_checkable
class TraceStore(Protocol):
    """The traces of a bundle as the checks question them. `start`/`end` are a period's aware bounds, [start, end)."""

    files: int  # trace files read

    def count(self) -> int:
        """Traces read, every file and instant."""

    def any_in(self, start: datetime, end: datetime) -> bool:
        """Whether a trace lies in [start, end)."""

    def summary(self, start: datetime, end: datetime) -> tuple[int, datetime | None, datetime | None]:
        """The number of traces in [start, end), the first and the last instant (None, None when there is none)."""

    def regions(self, start: datetime, end: datetime) -> list[RegionCount]:
        """Per region of the period's traces (None first, then by name): count, first and last instant."""

    def regions_outside(self, start: datetime, end: datetime, allowed: Sequence[str]) -> list[RegionFault]:
        """The period's traces of a region not in `allowed` (or of none), per region (None first): count, first, last,
        references, distinct services (sorted) and number of distinct accounts."""

    def hourly(self, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        """(region, UTC hour as hours since the epoch, traces) of the period's traces of a known region."""

    def gaps(self, start: datetime, end: datetime, regions: Sequence[str], limit_us: int) -> list[Gap]:
        """Per region of `regions`, every stretch of [start, end] without a trace lasting strictly more than
        `limit_us` microseconds, counting from `start` to the first trace and from the last to `end`; by region, then
        start."""

    def traces_at(self, points: Sequence[tuple[str, datetime]]) -> dict[tuple[str, datetime], str]:
        """The reference of a trace of `region` at exactly `instant`, per (region, instant) point that has one (the
        first by file and record when several share it): the traces at a gap's ends."""

    def uncovered(self, start: datetime, end: datetime, cover: Cover, after_revocation: bool = False) -> list[Activity]:
        """Per account (by name, as the traces write it), the period's actions that no span of `cover` holds (an
        account absent from `cover`: all of them); with `after_revocation`, only those at or after the account's
        first revocation. Traces without a user are not actions of an account and are left out."""

    def bucket_reads(self, start: datetime, end: datetime, cover: Cover, buckets: Sequence[str]) -> list[BucketReads]:
        """Per account (None first: traces without a user, then by name), the period's OBS reads (read_name or
        read_bucket in `buckets`, lower-cased names) that no span of `cover` holds, with the buckets read."""

    def lifecycle_traces(self) -> list[LifecycleTrace]:
        """Every create or delete trace about a resource id, of every file, ordered by time (unreadable last), file,
        record."""
