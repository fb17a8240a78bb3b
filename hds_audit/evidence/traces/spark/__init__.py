"""`traces/**` read on Apache Spark (`hds-audit run --engine spark`, or `engine: spark` in tenant.yaml).

The checks receive the same TraceSet as with the DuckDB store: the cluster does the reading, hashing and
grouping of every trace (store.py), the small tables the checks query stay on the driver. Needs the
`hds-audit[spark]` extra (pyspark) and Java.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Iterable

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence
from hds_audit.evidence.traces import TraceSet, connect, listed, repeats
from hds_audit.evidence.traces.files import COLLECTION_LOG, list_files
from hds_audit.evidence.traces.spark import store
from hds_audit.evidence.traces.spark.session import DEFAULT_MASTER, SparkUnavailable  # noqa: F401 - the CLI's names

ENGINES = ("duckdb", "spark")


@dataclass
class SparkTraceSet(TraceSet):
    rows_frame: object = field(default=None, repr=False)  # the persisted Spark table of store.read
    hashes: dict[str, str] = field(default_factory=dict, repr=False)  # file -> its sha256 at the scan

    def __post_init__(self) -> None:
        if self.workdir:
            weakref.finalize(self, _close, self.con, self.rows_frame, self.workdir)

    def materialize(self, readings: str | None = None, params: list | None = None) -> None:
        todo = self.rows("SELECT reading, file FROM trace_readings WHERE live AND NOT materialized"
                         + (f" AND reading IN ({readings})" if readings else "") + " ORDER BY reading", params)
        if not todo:
            return
        arrow = store.pull(self.con, self.rows_frame, self.hashes, [f for _, f in todo], store._EVENT_COLUMNS)
        self.con.register("spark_events", arrow)
        try:
            self.con.execute("""INSERT INTO trace_events
                SELECT p.reading, e.record, make_timestamptz(e.time_us), e.region, e.user_name, e.service_type,
                       e.read_name, e.read_bucket, false
                FROM spark_events e JOIN (SELECT unnest(?::INTEGER[]) AS reading, unnest(?::VARCHAR[]) AS file) p
                ON p.file = e.rel""", [[r for r, _ in todo], [f for _, f in todo]])
        finally:
            self.con.unregister("spark_events")
        self.con.execute("UPDATE trace_readings SET materialized = true WHERE reading IN (SELECT unnest(?::INTEGER[]))",
                         [[r for r, _ in todo]])

    def details(self, files: Iterable[str] | None = None) -> None:
        wanted = None if files is None else sorted(set(files) - self.detailed)
        if wanted == []:
            return
        live = [f for (f,) in self.rows("SELECT file FROM trace_readings WHERE live ORDER BY file")]
        todo = [f for f in live if f not in self.detailed and (wanted is None or f in wanted)]
        if todo:
            arrow = store.pull(self.con, self.rows_frame, self.hashes, todo, store._PULL)
            self.con.register("spark_details", arrow)
            try:
                self.con.execute("""INSERT INTO trace_details
                    SELECT rel, record, trace_id, trace_name, trace_rating, trace_type, service_type, resource_type,
                           resource_id, resource_name, user_name, make_timestamptz(time_us), region, code, source_ip
                    FROM spark_details""")
            finally:
                self.con.unregister("spark_details")
        self.detailed.update(todo)


def _close(con, rows, workdir: str) -> None:
    con.close()
    store.dispose(rows, workdir)


def load(bundle: Bundle, master: str | None = None, started=None) -> Evidence[TraceSet]:
    from hds_audit.evidence.traces import NAME

    evidence: Evidence[TraceSet] = Evidence(NAME)
    listing = listed(bundle, evidence)
    if listing is None:
        return evidence
    try:
        spark, rows, readable, found = store.read(bundle, listing.traces, evidence, master, started)
    except SparkUnavailable as exc:
        evidence.files.clear()
        evidence.problems.append(_problem(str(exc)))
        return evidence
    workdir = store.workdir()
    con = connect(workdir)
    store.fill_groups(con, rows, readable)
    hashes = {rel: found.files[rel]["sha256"] for rel in readable}
    evidence.data = SparkTraceSet(con, len(found.kept), None, workdir, rows_frame=rows, hashes=hashes)
    repeats.count_once(evidence.data, evidence)
    if bundle.exists(COLLECTION_LOG):
        bundle.record(COLLECTION_LOG)
    return evidence


def _problem(reason: str):
    from hds_audit.evidence.interface import Problem

    return Problem("traces", None, reason)
