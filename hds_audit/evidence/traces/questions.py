"""`TraceStore` (interface.py) answered once, by the named queries of `queries/`, for every engine.

`QueryStore` holds what a question means: which relations it fills from Python values, which files it
writes out trace by trace, which named queries it runs and how their rows become the interface's values
(instants, evidence references, at most MAX_REFS per row). An engine (the DuckDB store, the Spark store)
only provides the relations and runs the queries: the abstract methods below are the whole seam.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Iterable, Sequence

from hds_audit.evidence.traces.files import trace_ref
from hds_audit.evidence.traces.interface import (
    HOUR_US, MAX_REFS, Activity, BucketReads, Cover, Gap, LifecycleTrace, RegionCount, RegionFault, account_key, instant,
    micros,
)


class QueryStore(ABC):
    """TraceStore's semantics over an engine's relations (queries/__init__.py describes them)."""

    _accounts: list[str] | None = None  # the traces' account names (`trace_accounts`), asked once

    # -- the engine's side ----------------------------------------------------------------------------------------
    @abstractmethod
    def run(self, name: str, **values) -> list[tuple]:
        """The rows of the named query `name`, its parameters taken from `values` (queries.bind)."""

    @abstractmethod
    def make(self, table: str, name: str, **values) -> None:
        """The relation `table` (`hits`, `gap_points`) of the rows of the named query `name`, for the next queries."""

    @abstractmethod
    def fill(self, table: str, rows: Iterable[tuple]) -> None:
        """The relation `table` of queries.INPUTS, of exactly `rows` (none: an empty relation)."""

    @abstractmethod
    def use_period(self, start: datetime, end: datetime) -> None:
        """Points `period_groups` at the groups of the traces in [start, end)."""

    @abstractmethod
    def write_out(self, name: str, **values) -> None:
        """Makes `traces` hold, trace by trace, at least the files whose reading ids the named query `name` selects."""

    @abstractmethod
    def details(self, files: Iterable[str] | None = None) -> None:
        """Makes `details` hold every column of the traces of `files` (every file when None), checked against the
        hashes of the scan (EvidenceChanged otherwise)."""

    # -- shared steps -------------------------------------------------------------------------------------------------
    def _period(self, start: datetime, end: datetime) -> dict:
        """`period_groups` of [start, end); its bounds as the queries' parameters."""
        self.use_period(start, end)
        return {"start": micros(start), "end": micros(end)}

    def refs(self, groups: Iterable[Iterable[tuple[str, int]] | None]) -> list[tuple[str, ...]]:
        """Evidence references ('file#trace_id=…', else 'file#record N') of groups of (file, record) pairs.

        The trace ids of all groups are read in one go, from the referenced files only (checked against their hash).
        """
        groups = [list(g or ()) for g in groups]
        pairs = sorted({p for g in groups for p in g})
        ids: dict[tuple[str, int], str | None] = {}
        if pairs:
            self.details(f for f, _ in pairs)
            self.fill("ref_points", pairs)
            ids = {(f, r): t for f, r, t in self.run("trace_ids")}
        return [tuple(trace_ref(f, ids.get((f, r)), r) for f, r in g) for g in groups]

    def _cover(self, cover: Cover) -> None:
        """`cover_spans` and `cover_accounts` of `cover`, keyed by the traces' own account names (their account key
        computed here, in Python, as the register's was)."""
        if self._accounts is None:
            self._accounts = [name for (name,) in self.run("trace_accounts")]
        spans, revoked = [], []
        for name in self._accounts:
            key = account_key(name)
            spans += [(name, micros(s.start), None if s.stop is None else micros(s.stop)) for s in cover.spans.get(key, ())]
            if cover.first_revoked.get(key) is not None:
                revoked.append((name, micros(cover.first_revoked[key])))
        self.fill("cover_spans", spans)
        self.fill("cover_accounts", revoked)

    def _hits(self) -> list[Activity]:
        """Per key of `hits`: count, first and last instant, and the references of its first MAX_REFS."""
        counts = self.run("hit_counts")
        firsts: dict[str | None, list[tuple[str, int]]] = {}
        for key, file, record in self.run("hit_refs", max_refs=MAX_REFS):
            firsts.setdefault(key, []).append((file, record))
        refs = self.refs(firsts.get(key) for key, *_ in counts)
        return [Activity(key, n, instant(lo), instant(hi), r) for (key, n, lo, hi), r in zip(counts, refs)]

    # -- TraceStore ---------------------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.run("trace_count")[0][0]

    def any_in(self, start: datetime, end: datetime) -> bool:
        self._period(start, end)
        return self.run("any_in")[0][0] > 0

    def summary(self, start: datetime, end: datetime) -> tuple[int, datetime | None, datetime | None]:
        self._period(start, end)
        n, first, last = self.run("summary")[0]
        return n, instant(first), instant(last)

    def regions(self, start: datetime, end: datetime) -> list[RegionCount]:
        self._period(start, end)
        return [RegionCount(region, n, instant(lo), instant(hi)) for region, n, lo, hi in self.run("regions")]

    def regions_outside(self, start: datetime, end: datetime, allowed: Sequence[str]) -> list[RegionFault]:
        bounds = self._period(start, end)
        self.fill("allowed", ((r,) for r in sorted(set(allowed))))
        accounts = dict(self.run("outside_accounts"))
        services: dict[str | None, list[str]] = {}
        for region, service in self.run("outside_services"):
            services.setdefault(region, []).append(service)
        self.write_out("outside_files", max_refs=MAX_REFS)
        self.make("hits", "outside_traces", **bounds)
        return [RegionFault(a.key, a.n, a.first, a.last, a.refs, tuple(services.get(a.key, ())), accounts.get(a.key, 0))
                for a in self._hits()]

    def hourly(self, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        self._period(start, end)
        return [tuple(r) for r in self.run("hourly")]

    def gaps(self, start: datetime, end: datetime, regions: Sequence[str], limit_us: int) -> list[Gap]:
        bounds = self._period(start, end)
        if limit_us >= HOUR_US:  # buckets of an hour: the groups' own hours, no trace read one by one
            width = HOUR_US
            self.make("gap_points", "gap_points_hourly")
        else:
            width = max(1, limit_us)
            self.write_out("period_files")
            self.make("gap_points", "gap_points_traces", width=width, **bounds)
        self.fill("gap_regions", ((r,) for r in sorted(set(regions))))
        return [Gap(region, instant(lo), instant(hi), us)
                for region, lo, hi, us in self.run("gaps", width=width, limit=limit_us, **bounds)]

    def traces_at(self, points: Sequence[tuple[str, datetime]]) -> dict[tuple[str, datetime], str]:
        if not points:
            return {}
        by_us = {(region, micros(at)): (region, at) for region, at in points}
        self.fill("gap_ends", sorted(by_us))
        self.write_out("gap_end_files")
        found = self.run("gap_end_traces")
        refs = self.refs([(file, record)] for _, _, file, record in found)
        return {by_us[(region, at)]: ref for (region, at, _, _), (ref,) in zip(found, refs)}

    def uncovered(self, start: datetime, end: datetime, cover: Cover, after_revocation: bool = False) -> list[Activity]:
        bounds = self._period(start, end)
        self._cover(cover)
        self.write_out("uncovered_files", after_revocation=int(after_revocation), max_refs=MAX_REFS)
        self.make("hits", "uncovered_traces", after_revocation=int(after_revocation), **bounds)
        return self._hits()

    def bucket_reads(self, start: datetime, end: datetime, cover: Cover, buckets: Sequence[str]) -> list[BucketReads]:
        bounds = self._period(start, end)
        self._cover(cover)
        self.fill("buckets", ((b,) for b in sorted(set(buckets))))
        self.write_out("bucket_read_files", max_refs=MAX_REFS)
        self.make("hits", "bucket_read_traces", **bounds)
        read: dict[str | None, list[str]] = {}
        for key, bucket in self.run("hit_buckets"):
            read.setdefault(key, []).append(bucket)
        return [BucketReads(a.key, a.n, a.first, a.last, a.refs, tuple(read.get(a.key, ()))) for a in self._hits()]

    def lifecycle_traces(self) -> list[LifecycleTrace]:
        self.details()  # resource ids, ratings and trace ids of every trace
        return [LifecycleTrace(*row[:8], instant(row[8]), *row[9:]) for row in self.run("lifecycle_traces")]
