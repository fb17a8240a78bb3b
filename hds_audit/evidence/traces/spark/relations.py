"""The Spark engine of `QueryStore` (questions.py): the relations of the named queries as Spark temporary views,
the queries run by Spark SQL (sparksql.py). Nothing here touches DuckDB.

Over the persisted rows of the scan (store.py, one row per trace), `trace_rows` are the traces of the files
read (a reading id each), less the repeated traces a later file holds (repeats.py); `traces` and `details`
are views of them, `scan_groups` their groups (per file, region, account, service, OBS read and UTC hour),
persisted. Every trace is already on the cluster, so writing files out trace by trace is nothing to do:
`traces` holds every file. `period_groups` is made per period as the DuckDB store makes it. The
relations filled from Python values are small DataFrames of explicit schemas; `hits` and `gap_points` are
persisted while in use. Only the queries' answers come back to the driver.

Spark's temporary views belong to the session: a store registers its views again before it runs a query
if another store ran one since (two bundles read in one session).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from hds_audit.evidence.interface import Evidence
from hds_audit.evidence.traces import queries, repeats
from hds_audit.evidence.traces.copies import EvidenceChanged
from hds_audit.evidence.traces.interface import HOUR_US, micros
from hds_audit.evidence.traces.questions import QueryStore
from hds_audit.evidence.traces.spark import sparksql

_KEY = ("region", "user_name", "service_type", "read_name", "read_bucket")
_TRACES = ", ".join(c for c, _ in queries.RELATIONS["traces"])
_DETAILS = ", ".join(c for c, _ in queries.RELATIONS["details"])
# the columns of a trace row of the scan (scan.ROW_SCHEMA) that the views show
_OF_SCAN = ", ".join(f"t.{c}" for c in dict.fromkeys(c for c, _ in queries.RELATIONS["details"] + queries.RELATIONS["traces"])
                     if c not in ("file", "reading"))
_GROUPS = f"""SELECT reading, {', '.join(_KEY)}, time_us DIV {HOUR_US} AS hour, count(*) AS n, min(time_us) AS lo_us,
       max(time_us) AS hi_us
FROM trace_rows GROUP BY reading, {', '.join(_KEY)}, time_us DIV {HOUR_US}"""
# repeats.CANDIDATES and repeats.REPEATED in one: the ids of the traces of the files that may share one (a group of
# the same key overlapping in time), held by more than one file
_REPEATED = f"""WITH candidates AS (
    SELECT DISTINCT a.reading FROM scan_groups a JOIN scan_groups b ON a.reading <> b.reading
        AND {' AND '.join(f'a.{k} <=> b.{k}' for k in (*_KEY, 'hour'))} AND a.lo_us <= b.hi_us AND b.lo_us <= a.hi_us),
ids AS (SELECT trace_id, file, record FROM trace_rows WHERE reading IN (SELECT reading FROM candidates)),
repeated AS (SELECT trace_id FROM ids WHERE trace_id IS NOT NULL GROUP BY trace_id HAVING count(DISTINCT file) > 1)
SELECT i.trace_id, i.file, i.record FROM ids i JOIN repeated r ON r.trace_id = i.trace_id
ORDER BY i.trace_id, i.file, i.record"""
# the files with a group straddling the period's bounds, as sql.STRADDLING
_STRADDLING = ("SELECT DISTINCT reading FROM scan_groups WHERE lo_us < :end AND hi_us >= :start "
               "AND NOT (lo_us >= :start AND hi_us < :end) ORDER BY reading")
# the store whose views the session shows, by a weak reference: a strong one would keep the last store, and every
# trace it persisted, cached on the cluster until the process ends (stores are released, not closed, after a run)
_ACTIVE: list = [None]


@dataclass
class SparkTraceStore(QueryStore):
    spark: object
    rows_frame: object = field(repr=False)  # the rows of the scan (scan.ROW_SCHEMA), persisted (or a union of them)
    files: int = 0
    hashes: dict[str, str] = field(default_factory=dict, repr=False)  # file -> its sha256 at the scan
    _views: dict[str, object] = field(default_factory=dict, repr=False)
    _persisted: list = field(default_factory=list, repr=False)  # what close() unpersists
    _periods: dict[tuple, object] = field(default_factory=dict, repr=False)
    _current: tuple | None = field(default=None, repr=False)
    _verified: set[str] = field(default_factory=set, repr=False)
    _accounts: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._persisted.append(self.rows_frame)
        weakref.finalize(self, _unpersist, self._persisted)

    @classmethod
    def build(cls, spark, rows, readable: list[str], hashes: dict[str, str], files: int,
              evidence: Evidence, cached: list = ()) -> SparkTraceStore:
        """The store of the files `readable` (their reading ids in that order), the repeated traces reported into
        `evidence` and counted once; `cached`, the frames the reading persisted, are unpersisted with the store's."""
        store = cls(spark, rows, files, hashes)
        store._persisted.extend(f for f in cached if f is not rows)
        readings = spark.createDataFrame(list(enumerate(readable)), "reading int, file string")
        store._view("scan_rows", rows)
        store._view("scan_readings", readings)
        store._traces(spark.sql(f"""SELECT /*+ BROADCAST(r) */ r.reading, t.rel AS file, {_OF_SCAN}
            FROM scan_rows t JOIN scan_readings r ON r.file = t.rel WHERE t.kind = 'trace'"""))
        drops = repeats.report(sparksql.run_text(spark, _REPEATED), evidence)
        if drops:
            dropped = spark.createDataFrame(sorted((f, r) for f, records in drops.items() for r in records),
                                            "file string, record int")
            store._traces(store._views["trace_rows"].join(dropped, ["file", "record"], "left_anti"))
        return store

    def _view(self, name: str, frame) -> None:
        self._views[name] = frame
        frame.createOrReplaceTempView(name)

    def _keep(self, name: str, frame) -> None:
        """`frame` persisted as the view `name`, the frame it replaces unpersisted."""
        old = self._views.get(name)
        frame = frame.persist()
        self._persisted.append(frame)
        self._view(name, frame)
        if old is not None and old is not self.rows_frame and any(f is old for f in self._persisted):
            self._persisted[:] = [f for f in self._persisted if f is not old]
            old.unpersist()

    def _traces(self, trace_rows) -> None:
        """`trace_rows`, its views `traces` and `details`, and `scan_groups` of it."""
        self._view("trace_rows", trace_rows)
        self._view("traces", self.spark.sql(f"SELECT {_TRACES} FROM trace_rows"))
        self._view("details", self.spark.sql(f"SELECT {_DETAILS} FROM trace_rows"))
        self._keep("scan_groups", self.spark.sql(_GROUPS))
        _ACTIVE[0] = weakref.ref(self)

    def _activate(self) -> None:
        if _ACTIVE[0] is None or _ACTIVE[0]() is not self:
            for name, frame in self._views.items():
                frame.createOrReplaceTempView(name)
            _ACTIVE[0] = weakref.ref(self)

    # -- QueryStore's engine ------------------------------------------------------------------------------------------
    def run(self, name: str, **values) -> list[tuple]:
        self._activate()
        return sparksql.run(self.spark, name, **values)

    def make(self, table: str, name: str, **values) -> None:
        self._activate()
        self._keep(table, sparksql.frame(self.spark, name, **values))

    def fill(self, table: str, rows: Iterable[tuple]) -> None:
        self._activate()
        self._view(table, sparksql.fill(self.spark, table, rows))

    def use_period(self, start: datetime, end: datetime) -> None:
        self._activate()
        if (start, end) not in self._periods:
            bounds = {"start": micros(start), "end": micros(end)}
            straddling = [r for (r,) in sparksql.run_text(self.spark, _STRADDLING, **bounds)]
            inside = self.spark.sql("SELECT * FROM scan_groups WHERE lo_us >= :start AND hi_us < :end", args=bounds)
            if straddling:  # their traces of the period one by one, as the DuckDB store's sql.PERIOD
                wanted = inside.sparkSession.createDataFrame([(r,) for r in straddling], "reading int")
                inside = inside.join(wanted, "reading", "left_anti").unionByName(self.spark.sql(
                    f"""SELECT reading, {', '.join(_KEY)}, time_us DIV {HOUR_US} AS hour, CAST(1 AS BIGINT) AS n,
                        time_us AS lo_us, time_us AS hi_us FROM trace_rows
                        WHERE time_us >= :start AND time_us < :end""", args=bounds).join(wanted, "reading", "left_semi"))
            self._periods[(start, end)] = inside.select(*(c for c, _ in queries.RELATIONS["period_groups"]))
        if self._current != (start, end):
            self._view("period_groups", self._periods[(start, end)])
            self._current = (start, end)

    def write_out(self, name: str, **values) -> None:
        """Nothing to do: `traces` holds every trace already (the module's docstring)."""

    def details(self, files: Iterable[str] | None = None) -> None:
        """`details` holds every file; the files asked about are checked against the scan's hashes (a lost
        partition of the persisted rows is read again by Spark: it must be the same bytes)."""
        wanted = set(self.hashes) if files is None else set(files)
        todo = sorted(wanted - self._verified)
        if todo:
            verify(self.rows_frame, self.hashes, todo)
            self._verified.update(todo)

    def close(self) -> None:
        _unpersist(self._persisted)


def verify(rows, hashes: dict[str, str], rels: list[str]) -> None:
    """EvidenceChanged unless the file rows of `rels` carry the hashes of the scan."""
    from pyspark.sql import functions as F

    wanted = rows.sparkSession.createDataFrame([(r,) for r in rels], "rel string")
    found = rows.filter("kind = 'file'").join(F.broadcast(wanted), "rel", "left_semi").select("rel", "sha256").collect()
    for r in found:
        if r["sha256"] != hashes[r["rel"]]:
            raise EvidenceChanged(r["rel"], f"its bytes changed since the scan hashed them (sha256 {hashes[r['rel']]} "
                                  f"then, {r['sha256']} now); no trace of it is cited")


def _unpersist(frames: list) -> None:
    for frame in frames:
        try:
            frame.unpersist()
        except Exception:  # noqa: BLE001 - the session may be gone at exit
            pass
    frames.clear()
