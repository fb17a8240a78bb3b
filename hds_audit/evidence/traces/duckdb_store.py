"""`TraceStore` (interface.py) over the DuckDB tables of the scan (sql.py), by the named queries of `queries/`.

The scan keeps groups of traces; a question first asks, by a `*_files` query, which files may hold its
answer, writes those out trace by trace (`materialize`), then runs its query over `traces`. The
relations filled from Python values (`allowed`, `cover_spans`...) are temporary tables replaced by
each question; `hits` and `gap_points` are made by one query for the next.
"""

from __future__ import annotations

import shutil
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

import duckdb

from hds_audit.evidence.traces import queries, reader, sql
from hds_audit.evidence.traces.copies import Copies
from hds_audit.evidence.traces.files import trace_ref
from hds_audit.evidence.traces.interface import (
    HOUR_US, MAX_REFS, Activity, BucketReads, Cover, Gap, LifecycleTrace, RegionCount, RegionFault, account_key, instant,
    micros,
)

# the relations filled from Python values, with their column types
_INPUTS = {
    "allowed": (("region", "VARCHAR"),),
    "buckets": (("bucket", "VARCHAR"),),
    "gap_regions": (("region", "VARCHAR"),),
    "gap_ends": (("region", "VARCHAR"), ("at_us", "BIGINT")),
    "ref_points": (("file", "VARCHAR"), ("record", "INTEGER")),
    "cover_spans": (("user_name", "VARCHAR"), ("start_us", "BIGINT"), ("stop_us", "BIGINT")),
    "cover_accounts": (("user_name", "VARCHAR"), ("first_revoked_us", "BIGINT")),
}


@dataclass
class DuckDBTraceStore:
    con: duckdb.DuckDBPyConnection
    files: int
    copies: Copies = field(default=None, repr=False)  # what the trace files are read from
    workdir: str | None = field(default=None, repr=False)
    detailed: set[str] = field(default_factory=set, repr=False)
    _periods: dict[tuple, str] = field(default_factory=dict, repr=False)
    _current: tuple | None = field(default=None, repr=False)  # the period `period_groups` shows
    _accounts: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.workdir:
            weakref.finalize(self, _dispose, self.con, self.workdir)

    # -- the engine's own reading (the scan, tests, the repeats) -----------------------------------------------------
    def rows(self, query: str, params: list | dict | None = None) -> list[tuple]:
        return self.con.execute(query, params or []).fetchall()

    def run(self, name: str, **values) -> list[tuple]:
        """The rows of the named query `name` (queries/), its parameters taken from `values`."""
        params = queries.bind(name, values)
        return self.con.execute(queries.text(name), params or None).fetchall()

    def _make(self, table: str, name: str, **values) -> None:
        """The temporary table `table` of the rows of the named query `name`."""
        params = queries.bind(name, values)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS\n{queries.text(name)}", params or None)

    def _fill(self, table: str, rows: Iterable[tuple]) -> None:
        columns = _INPUTS[table]
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
        sql.insert_rows(self.con, table, tuple(t for _, t in columns), list(rows))

    def materialize(self, readings: str | None = None, params: list | None = None) -> None:
        """Writes out, trace by trace into the view `traces`, the files of the reading ids the SQL `readings` selects
        (every file when None), those not written out yet."""
        todo = self.rows("SELECT reading, file, shape FROM trace_readings WHERE live AND NOT materialized"
                         + (f" AND reading IN ({readings})" if readings else "") + " ORDER BY reading", params)
        if todo:
            reader.materialize(self.con, self.copies, todo)

    def _write_out(self, name: str, **values) -> None:
        """Writes out the files the named query `name` selects (reading ids)."""
        wanted = sorted({r for (r,) in self.run(name, **values)})
        if wanted:
            self.materialize("SELECT unnest(?::INTEGER[])", [wanted])

    def period(self, start, end) -> str:
        """The name of a view of the groups of the traces in [start, end): (reading, region, user_name, service_type,
        read_name, read_bucket, hour, n, lo, hi), made once per period.

        A group lies wholly inside or outside unless it straddles a bound (the contract's periods start and end on
        whole UTC hours, so it never does); a file with a straddling group is written out and contributes its traces
        of the period one by one instead (n = 1, lo = hi = time).
        """
        if (start, end) not in self._periods:
            table = f"trace_period_{len(self._periods)}"
            straddling = [r for (r,) in self.rows(sql.STRADDLING, [end, start, start, end])]
            if straddling:
                self.materialize("SELECT unnest(?::INTEGER[])", [straddling])
            # a view, cheaper than a table over a few thousand groups; DDL takes no parameters, hence the literals
            literal = lambda instant: f"'{instant.isoformat()}'::TIMESTAMPTZ"  # noqa: E731 - a datetime's own text
            self.con.execute(sql.PERIOD.format(table=table, start=literal(start), end=literal(end),
                                               straddling="(" + ", ".join(map(str, straddling or [-1])) + ")"))
            self._periods[(start, end)] = table
        return self._periods[(start, end)]

    def _use(self, start, end) -> dict:
        """Points `period_groups` at the period [start, end); its bounds as query parameters."""
        table = self.period(start, end)
        if self._current != (start, end):
            self.con.execute(sql.PERIOD_GROUPS.format(table=table))
            self._current = (start, end)
        return {"start": micros(start), "end": micros(end)}

    def details(self, files: Iterable[str] | None = None) -> None:
        """Fills `trace_details` with every column of the traces of `files` (all files when None), once per file."""
        wanted = None if files is None else sorted(set(files) - self.detailed)
        if wanted == []:
            return
        readings = self.rows("SELECT file, shape FROM trace_readings WHERE live ORDER BY file")
        todo = [(f, s) for f, s in readings if f not in self.detailed and (wanted is None or f in wanted)]
        if todo:
            reader.read_details(self.con, self.copies, todo)
        self.detailed.update(f for f, _ in todo)

    def refs(self, groups: Iterable[Iterable[tuple[str, int]] | None]) -> list[tuple[str, ...]]:
        """Evidence references ('file#trace_id=…', else 'file#record N') of groups of (file, record) pairs.

        The trace ids of all groups are read in one go, from the referenced files only (checked against their hash).
        """
        groups = [list(g or ()) for g in groups]
        pairs = sorted({p for g in groups for p in g})
        ids: dict[tuple[str, int], str | None] = {}
        if pairs:
            self.details(f for f, _ in pairs)
            self._fill("ref_points", pairs)
            ids = {(f, r): t for f, r, t in self.run("trace_ids")}
        return [tuple(trace_ref(f, ids.get((f, r)), r) for f, r in g) for g in groups]

    # -- TraceStore ---------------------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.rows("SELECT coalesce(sum(n), 0) FROM trace_groups_live")[0][0]

    def any_in(self, start: datetime, end: datetime) -> bool:
        self._use(start, end)
        return self.run("any_in")[0][0] > 0

    def summary(self, start: datetime, end: datetime) -> tuple[int, datetime | None, datetime | None]:
        self._use(start, end)
        n, first, last = self.run("summary")[0]
        return n, instant(first), instant(last)

    def regions(self, start: datetime, end: datetime) -> list[RegionCount]:
        self._use(start, end)
        return [RegionCount(region, n, instant(lo), instant(hi)) for region, n, lo, hi in self.run("regions")]

    def regions_outside(self, start: datetime, end: datetime, allowed: Sequence[str]) -> list[RegionFault]:
        bounds = self._use(start, end)
        self._fill("allowed", ((r,) for r in sorted(set(allowed))))
        accounts = dict(self.run("outside_accounts"))
        services: dict[str | None, list[str]] = {}
        for region, service in self.run("outside_services"):
            services.setdefault(region, []).append(service)
        self._write_out("outside_files")
        self._make("hits", "outside_traces", **bounds)
        return [RegionFault(a.key, a.n, a.first, a.last, a.refs, tuple(services.get(a.key, ())), accounts.get(a.key, 0))
                for a in self._hits()]

    def hourly(self, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        self._use(start, end)
        return [tuple(r) for r in self.run("hourly")]

    def gaps(self, start: datetime, end: datetime, regions: Sequence[str], limit_us: int) -> list[Gap]:
        bounds = self._use(start, end)
        if limit_us >= HOUR_US:  # buckets of an hour: the groups' own hours, no trace read one by one
            width = HOUR_US
            self._make("gap_points", "gap_points_hourly")
        else:
            width = max(1, limit_us)
            self._write_out("period_files")
            self._make("gap_points", "gap_points_traces", width=width, **bounds)
        self._fill("gap_regions", ((r,) for r in sorted(set(regions))))
        return [Gap(region, instant(lo), instant(hi), us)
                for region, lo, hi, us in self.run("gaps", width=width, limit=limit_us, **bounds)]

    def traces_at(self, points: Sequence[tuple[str, datetime]]) -> dict[tuple[str, datetime], str]:
        if not points:
            return {}
        by_us = {(region, micros(at)): (region, at) for region, at in points}
        self._fill("gap_ends", sorted(by_us))
        self._write_out("gap_end_files")
        found = self.run("gap_end_traces")
        refs = self.refs([(file, record)] for _, _, file, record in found)
        return {by_us[(region, at)]: ref for (region, at, _, _), (ref,) in zip(found, refs)}

    def uncovered(self, start: datetime, end: datetime, cover: Cover, after_revocation: bool = False) -> list[Activity]:
        bounds = self._use(start, end)
        self._cover(cover)
        self._write_out("uncovered_files")
        self._make("hits", "uncovered_traces", after_revocation=int(after_revocation), **bounds)
        return self._hits()

    def bucket_reads(self, start: datetime, end: datetime, cover: Cover, buckets: Sequence[str]) -> list[BucketReads]:
        bounds = self._use(start, end)
        self._cover(cover)
        self._fill("buckets", ((b,) for b in sorted(set(buckets))))
        self._write_out("bucket_read_files")
        self._make("hits", "bucket_read_traces", **bounds)
        read: dict[str | None, list[str]] = {}
        for key, bucket in self.run("hit_buckets"):
            read.setdefault(key, []).append(bucket)
        return [BucketReads(a.key, a.n, a.first, a.last, a.refs, tuple(read.get(a.key, ()))) for a in self._hits()]

    def lifecycle_traces(self) -> list[LifecycleTrace]:
        self.details()  # resource ids, ratings and trace ids of every trace
        return [LifecycleTrace(*row[:8], instant(row[8]), *row[9:]) for row in self.run("lifecycle_traces")]

    # -- shared steps -------------------------------------------------------------------------------------------------
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
        self._fill("cover_spans", spans)
        self._fill("cover_accounts", revoked)

    def _hits(self) -> list[Activity]:
        """Per key of `hits`: count, first and last instant, and the references of its first MAX_REFS."""
        counts = self.run("hit_counts")
        firsts: dict[str | None, list[tuple[str, int]]] = {}
        for key, file, record in self.run("hit_refs", max_refs=MAX_REFS):
            firsts.setdefault(key, []).append((file, record))
        refs = self.refs(firsts.get(key) for key, *_ in counts)
        return [Activity(key, n, instant(lo), instant(hi), r) for (key, n, lo, hi), r in zip(counts, refs)]


def _dispose(con: duckdb.DuckDBPyConnection, workdir: str) -> None:
    con.close()
    shutil.rmtree(workdir, ignore_errors=True)
