"""`traces/**`: Cloud Trace Service files as CTS writes them to OBS, in DuckDB tables the checks query in SQL.

One scan of every file keeps its traces' groups (`trace_groups_live`: per file read, region, account,
service, OBS read and UTC hour, the number of traces and the first and last instant). Checks answer
from the groups what they can; for the rest they ask `TraceSet.materialize` for the files that may
hold what they look for (the groups of an account not covered by the register, of a region at
fault...), whose traces then appear in the view `traces` (file, record, time, region, user_name,
service_type, read_name, read_bucket). `TraceSet.period(start, end)` is the period's groups, exact
at its bounds.

`read_name` and `read_bucket` are the lower-cased `resource_name` and first `resource_id` segment of
OBS reads (a `trace_name` beginning with Get, List or Head), NULL on other traces. `time` is a
TIMESTAMPTZ, `user_name` is NULL when `user` is null, `region` is the key's `CloudTraces/{region}/`,
else the region named in `endpoint`, lower-cased and trimmed once here so that checks compare it as stored.

The long strings (trace ids, resource ids, names) are read on demand into `trace_details` (every
column of COLUMNS) for the files that need them: those of the evidence references of findings
(`TraceSet.refs`), or all files for the deletion checks.

The tables live in a temporary DuckDB file (paged in by DuckDB within MEMORY_LIMIT). Every file is
first copied to a temporary folder and hashed as it is copied (copies.py): every reading, the scan
and each later one, is of those hashed bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from typing import Iterable

import duckdb

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.traces import copies as copying, repeats, sql
from hds_audit.evidence.traces.copies import Copies, EvidenceChanged  # noqa: F401 - EvidenceChanged: what re-reads raise
from hds_audit.evidence.traces.files import (  # noqa: F401 - the kind's public names
    COLLECTION_LOG, COLUMNS, PATTERNS, TRACE_SUFFIXES, list_files, parse_file, region_of, trace_files, trace_ref, trace_row,
)
from hds_audit.evidence.traces.reader import Loader, materialize, read_details

__all__ = ["COLLECTION_LOG", "COLUMNS", "DESCRIPTION", "NAME", "PATTERNS", "TraceSet", "load", "parse_file", "region_of",
           "scan_started", "trace_files", "trace_ref", "trace_row"]

NAME = "traces"
DESCRIPTION = "traces/**: Cloud Trace Service files"
# Set when DuckDB begins reading trace files: other slow work (importing great-expectations) can start beside it.
scan_started = threading.Event()
# DuckDB's memory budget; past it the tables page out to their temporary folder.
MEMORY_LIMIT = os.environ.get("HDS_AUDIT_DUCKDB_MEMORY", "512MB")


@dataclass
class TraceSet:
    con: duckdb.DuckDBPyConnection
    files: int
    copies: Copies = field(default=None, repr=False)  # what the trace files are read from
    workdir: str | None = field(default=None, repr=False)
    detailed: set[str] = field(default_factory=set, repr=False)
    _periods: dict[tuple, str] = field(default_factory=dict, repr=False)
    _accounts: dict[str, str] = field(default_factory=dict, repr=False)  # key SQL -> its table (accounts)

    def __post_init__(self) -> None:
        if self.workdir:
            weakref.finalize(self, _dispose, self.con, self.workdir)

    def rows(self, query: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(query, params or []).fetchall()

    def count(self) -> int:
        return self.rows("SELECT coalesce(sum(n), 0) FROM trace_groups_live")[0][0]

    def materialize(self, readings: str | None = None, params: list | None = None) -> None:
        """Writes out, trace by trace into the view `traces`, the files of the reading ids the SQL `readings` selects
        (every file when None), those not written out yet."""
        todo = self.rows("SELECT reading, file, shape FROM trace_readings WHERE live AND NOT materialized"
                         + (f" AND reading IN ({readings})" if readings else "") + " ORDER BY reading", params)
        if todo:
            materialize(self.con, self.copies, todo)

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

    def any_in(self, start, end) -> bool:
        """Whether a trace lies in [start, end)."""
        return self.rows(f"SELECT EXISTS (SELECT 1 FROM {self.period(start, end)})")[0][0]

    def accounts(self, key_sql: str) -> str:
        """A temp table of every distinct `user_name` of the traces with its account key (`key_sql`, a format string
        of one column), made once per key: several checks join the register to it."""
        if key_sql not in self._accounts:
            table = f"trace_accounts_{len(self._accounts)}"
            self.con.execute(f"CREATE TEMP TABLE {table} AS SELECT user_name, {key_sql.format('user_name')} AS account_key "
                             "FROM (SELECT DISTINCT user_name FROM trace_groups_live WHERE user_name IS NOT NULL)")
            self._accounts[key_sql] = table
        return self._accounts[key_sql]

    def details(self, files: Iterable[str] | None = None) -> None:
        """Fills `trace_details` with every column of the traces of `files` (all files when None), once per file."""
        wanted = None if files is None else sorted(set(files) - self.detailed)
        if wanted == []:
            return
        readings = self.rows("SELECT file, shape FROM trace_readings WHERE live ORDER BY file")
        todo = [(f, s) for f, s in readings if f not in self.detailed and (wanted is None or f in wanted)]
        if todo:
            read_details(self.con, self.copies, todo)
        self.detailed.update(f for f, _ in todo)

    def refs(self, groups: Iterable[Iterable[dict] | None]) -> list[tuple[str, ...]]:
        """Evidence references ('file#trace_id=…', else 'file#record N') of groups of {'file', 'record'} structs.

        The trace ids of all groups are read in one go, from the referenced files only.
        """
        groups = [list(g or ()) for g in groups]
        pairs = sorted({(r["file"], r["record"]) for g in groups for r in g})
        ids: dict[tuple[str, int], str | None] = {}
        if pairs:
            self.details(f for f, _ in pairs)
            ids = {(f, r): t for f, r, t in self.rows(
                "SELECT d.file, d.record, d.trace_id FROM trace_details d "
                "JOIN (SELECT unnest(?::VARCHAR[]) AS file, unnest(?::INTEGER[]) AS record) p USING (file, record)",
                [[f for f, _ in pairs], [r for _, r in pairs]])}
        return [tuple(trace_ref(r["file"], ids.get((r["file"], r["record"])), r["record"]) for r in g) for g in groups]


def _dispose(con: duckdb.DuckDBPyConnection, workdir: str) -> None:
    con.close()
    shutil.rmtree(workdir, ignore_errors=True)


def connect(workdir: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB database in `workdir` holding the empty trace tables."""
    con = duckdb.connect(os.path.join(workdir, "traces.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    spill = os.path.join(workdir, "spill").replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = true")  # `record` relies on it
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would print on stdout
    con.execute("SET enable_progress_bar_print = false")
    for statement in (sql.EVENTS, sql.READINGS, sql.VIEW, sql.GROUPS, sql.GROUPS_LIVE, sql.DETAILS):
        con.execute(statement)
    return con


def load(bundle: Bundle, tenant=None) -> Evidence[TraceSet]:
    if getattr(tenant, "engine", "duckdb") == "spark":  # `--engine spark`, or `engine: spark` in tenant.yaml
        from hds_audit.evidence.traces.spark import load as load_on_spark

        return load_on_spark(bundle, tenant.spark_master, scan_started)
    evidence: Evidence[TraceSet] = Evidence(NAME)
    listing = list_files(bundle)
    _report_other_files(bundle, listing, evidence)
    if not listing.traces:
        evidence.note = "; ".join(filter(None, ["no trace file under traces/", evidence.note]))
        return evidence
    workdir = tempfile.mkdtemp(prefix="hds-audit-traces-")
    try:
        con = connect(workdir)
        copies, files = copying.take(bundle, listing.traces, os.path.join(workdir, "files").replace(os.sep, "/"), evidence)
        Loader(bundle, con, copies, evidence, scan_started).run(files)
    except duckdb.OutOfMemoryException as exc:
        # not the files' fault, and reading them again in Python would be slower still: say what to change
        shutil.rmtree(workdir, ignore_errors=True)
        evidence.files.clear()
        evidence.problems.append(Problem("traces", None, f"DuckDB ran out of memory reading the traces within its limit of "
                                         f"{MEMORY_LIMIT} (raise HDS_AUDIT_DUCKDB_MEMORY): {exc}"))
        return evidence
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    evidence.data = TraceSet(con, len(files), copies, workdir)
    repeats.count_once(evidence.data, evidence)  # the same trace in two files counts once
    if bundle.exists(COLLECTION_LOG):  # where `collect` got each file: hashed into the manifest too
        bundle.record(COLLECTION_LOG)
    return evidence


def _report_other_files(bundle: Bundle, listing, evidence: Evidence) -> None:
    """Files under traces/ that are not read as traces, said in the evidence note (results.json `evidence_notes`).

    CTS digest files are hashed into the manifest and counted; other files (a README, a PDF...) are named, hidden
    files (.DS_Store...) counted. A file that may hold traces (a gzip file, any name ending in TRACE_SUFFIXES) is
    read, and reported if it holds none.
    """
    notes = []
    for rel, target in listing.linked.items():
        evidence.problems.append(Problem(rel, None, f"is a symbolic link to a folder ({target}): not followed, its files "
                                         "are not read (put the files themselves in the bundle)"))
    if listing.unknown:
        notes.append(f"{len(listing.unknown)} file(s) not read as traces (a trace file's name ends in "
                     f"{', '.join(TRACE_SUFFIXES)}, any case): {', '.join(listing.unknown[:5])}"
                     + (" ..." if len(listing.unknown) > 5 else ""))
    if listing.digests:
        for rel in listing.digests:
            bundle.record(rel)
        notes.append(f"{len(listing.digests)} CTS digest file(s) (Digest/ folders) kept in the manifest, not read as traces")
    if listing.hidden:
        notes.append(f"{len(listing.hidden)} hidden file(s) not read: {', '.join(listing.hidden[:5])}"
                     + (" ..." if len(listing.hidden) > 5 else ""))
    evidence.note = "; ".join(notes) or None

