"""Reading trace files into DuckDB: many files per query, the odd file in Python.

The scan of every file keeps its traces' groups (`trace_groups`: see sql.py); the traces themselves are written
out (`trace_events`) only for the files a check asks for (`materialize`), and for the files read in Python.

Files of one shape, one `CloudTraces/{region}/` key region and one kind of service folder (OBS or
other) are read by one DuckDB `read_json` query with declared columns. A query DuckDB rejects is
split in halves until the bad file stands alone; that file, and any file holding a trace that breaks
the contract (`time` not epoch milliseconds, `user` missing on a trace that is not a SystemAction),
is read again in Python, which names the file, the record and the reason and keeps the file's good
traces. A file of another service's folder, read without the OBS read's fields, that holds an OBS trace
after all is read again by DuckDB with them; and once the first files of such folders show that they mix
services, the rest are read with them at once (`Loader._other_folders`).
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable

import duckdb

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, FileRead, Problem, reason_of
from hds_audit.evidence.limits import size_text, too_large
from hds_audit.evidence.traces import files as trace_files, sql
from hds_audit.evidence.traces.copies import Copies
from hds_audit.evidence.traces.files import event_row, is_gzip, key_region, may_read_buckets, parse_file, sniff, trace_rows
from hds_audit.i18n.messages import msg

PROGRESS_MIN_FILES = 200
PYTHON = "python"  # the shape recorded for a file read in Python
# Files of other services' folders read first without the OBS read's fields: enough to tell CTS's layout (one service a
# file, none OBS) from folders of files mixing services, few enough that reading them twice costs little.
PROBE_FILES = 20


def by_query(items: list, rel: Callable[[Any], str], shape: Callable[[Any], str],
             buckets: Callable[[Any], bool] | None = None) -> list[tuple[tuple[str, str | None, bool], list]]:
    """`items` grouped by what one read_json query reads together (shape, key region, whether the OBS read's fields
    are read: by default in OBS folders and outside CTS's layout, see sql.py), in a stable order, each group in the
    items' own order."""
    buckets = buckets or (lambda item: may_read_buckets(rel(item)))
    groups: dict[tuple[str, str | None, bool], list] = {}
    for item in items:
        groups.setdefault((shape(item), key_region(rel(item)), buckets(item)), []).append(item)
    return sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or "", g[0][2]))


def in_halves(run: Callable[[list[str]], None], rels: list[str], alone: Callable[[str], None]) -> None:
    """`run` over all of `rels`; where DuckDB rejects the query, over halves, until the bad file stands alone."""
    try:
        run(rels)
    except (duckdb.InterruptException, KeyboardInterrupt):
        raise
    except (duckdb.OutOfMemoryException, duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException):
        raise  # not the files' fault (memory, or the query itself): reading them one by one in Python would not help
    except (duckdb.Error, UnicodeDecodeError):  # a rejected record's message may not even be UTF-8
        if len(rels) == 1:
            alone(rels[0])
        else:
            middle = len(rels) // 2
            in_halves(run, rels[:middle], alone)
            in_halves(run, rels[middle:], alone)


def python_records(path: str, rel: str) -> list:
    size = os.path.getsize(path)
    if not is_gzip(rel) and size > trace_files.PYTHON_MAX_BYTES:  # refused by its size, unread
        raise ValueError(trace_files.python_refusal(f"is {size_text(size)}"))
    with open(path, "rb") as handle:
        return parse_file(rel, handle.read())


def good_rows(path: str, rel: str) -> list[tuple]:
    """The full rows of the good traces of a file read once already (its breaches were reported then)."""
    try:
        return trace_rows(rel, python_records(path, rel))[0]
    except (OSError, ValueError):
        return []


class Loader:
    """Reads every trace file once into `trace_groups` and `trace_readings`; reports into `evidence`."""

    def __init__(self, bundle: Bundle, con: duckdb.DuckDBPyConnection, copies: Copies, evidence: Evidence,
                 started: threading.Event | None = None, cache=None):
        self.bundle, self.con, self.copies, self.evidence = bundle, con, copies, evidence
        self.started = started
        self.cache = cache  # a cache.TraceCache: what earlier runs derived from files of the same bytes
        self.shapes: dict[str, str] = {}  # file -> its shape as sniffed
        self.next_reading = 0
        self.python_counts: dict[str, int] = {}  # files read in Python -> number of records
        self.unread: set[str] = set()  # files no trace could be read from
        self.without_buckets: list[int] = []  # readings by DuckDB without the OBS read's fields

    def path(self, rel: str) -> str:
        return self.copies.path(rel)

    def run(self, files: list[str]) -> None:
        """Reads the copies of `files` (hashed as they were copied: see copies.py)."""
        readable = [rel for rel in files if not self._too_large(rel)]
        first_problem = len(self.evidence.problems)
        to_read = self.cache.replay(self, readable) if self.cache else readable
        queries = by_query(to_read, str, self._sniff)
        with Progress(self.con, len(to_read)) as progress:
            for (shape, region, buckets), rels in queries:
                with progress.group(len(rels)):
                    if shape == PYTHON:
                        for rel in rels:
                            self._python(rel)
                    elif buckets:
                        self._scan(shape, region, True, rels)
                    else:
                        self._other_folders(shape, region, rels)
        self._read_obs_files_again()
        self._read_bad_files_again()
        if self.cache:
            self.cache.keep(self, readable, to_read, first_problem)
        self._file_reads(files, self._statistics())

    def _sniff(self, rel: str) -> str:
        self.shapes[rel] = sniff(self.path(rel), rel)
        return self.shapes[rel]

    def _too_large(self, rel: str) -> bool:
        """A plain trace file past the limit of one trace file is refused unread, as a gzip one expanding past it is:
        read whole (in Python) it would take several times its size in memory."""
        if is_gzip(rel):
            return False  # the bomb guard inflates it in chunks up to the limit
        size = self.copies.sizes.get(rel)  # as hashed: a file the cache serves is then never copied
        if size is None:
            return False  # the reading names what is wrong
        reason = too_large(size, trace_files.MAX_DECOMPRESSED, "HDS_AUDIT_TRACE_FILE_MAX_BYTES", what="one trace file")
        if reason:
            self.evidence.problems.append(Problem(rel, None, msg("{reason}; CTS writes files of a few megabytes: split it", reason=reason)))
            self.unread.add(rel)
        return bool(reason)

    def _readings(self, rels: list[str], shape: str) -> int:
        first = self.next_reading
        self.next_reading += len(rels)
        sql.insert_rows(self.con, "trace_readings", ("INTEGER", "VARCHAR", "VARCHAR", "BIGINT", "BOOLEAN", "BOOLEAN"),
                        [(first + i, rel, shape, None, True, shape == PYTHON) for i, rel in enumerate(rels)])
        return first

    def _scan(self, shape: str, region: str | None, buckets: bool, rels: list[str]) -> None:
        in_halves(lambda part: self._duckdb(shape, region, buckets, part), rels, self._python)

    def _other_folders(self, shape: str, region: str | None, rels: list[str]) -> None:
        """Files of CTS service folders other than OBS/. CTS writes one service a file, so they need no OBS read's
        fields; but if one of the first PROBE_FILES holds an OBS trace, these folders hold files mixing services
        (valid, unusual) and the rest are read with the fields, rather than most of them read twice."""
        first = self.next_reading
        self._scan(shape, region, False, rels[:PROBE_FILES])
        mixed = bool(self.con.execute(sql.HOLDING_OBS, [list(range(first, self.next_reading))]).fetchall())
        if rels[PROBE_FILES:]:
            self._scan(shape, region, mixed, rels[PROBE_FILES:])

    def _duckdb(self, shape: str, region: str | None, buckets: bool, rels: list[str]) -> None:
        if self.started is not None:
            self.started.set()
        self.con.execute(sql.insert_groups(shape, region, buckets), [self.next_reading, [self.path(r) for r in rels]])
        first = self._readings(rels, shape)  # numbered from next_reading, as the query numbered them
        if not buckets:
            self.without_buckets += range(first, first + len(rels))

    def _python(self, rel: str) -> None:
        try:
            records = python_records(self.path(rel), rel)
        except (OSError, ValueError) as exc:
            self.evidence.problems.append(Problem(rel, None, reason_of(exc)))
            self.unread.add(rel)
            return
        reading = self._readings([rel], PYTHON)
        rows, refused = trace_rows(rel, records)
        self.evidence.problems += [Problem(rel, f"record {index}", reason) for index, reason in refused]
        sql.insert_rows(self.con, "trace_events", sql.EVENT_TYPES, [event_row(reading, row) for row in rows])
        self.con.execute(sql.GROUPS_FROM_EVENTS, [reading])
        self.python_counts[rel] = len(records)

    def _read_obs_files_again(self) -> None:
        """Files read without the OBS read's fields that hold an OBS trace after all are read again by DuckDB, with them.

        Their first reading stays in trace_groups but is no longer live.
        """
        holding = [r for (r,) in self.con.execute(sql.HOLDING_OBS, [self.without_buckets]).fetchall()]
        again = self.con.execute("SELECT reading, file, shape FROM trace_readings WHERE live AND reading IN "
                                 "(SELECT unnest(?::INTEGER[])) ORDER BY reading", [holding]).fetchall()
        if again:
            self.con.execute("UPDATE trace_readings SET live = false WHERE reading IN (SELECT unnest(?::INTEGER[]))", [holding])
        for (shape, region, _), items in by_query(again, lambda r: r[1], lambda r: r[2]):
            self._scan(shape, region, True, [rel for _, rel, _ in items])

    def _read_bad_files_again(self) -> None:
        """Files with a trace breaking the contract are read again in Python, for exact reasons.

        Their first reading stays in trace_groups but is no longer live.
        """
        bad = self.con.execute("SELECT DISTINCT r.reading, r.file FROM trace_groups g JOIN trace_readings r USING (reading) "
                               "WHERE r.live AND g.bad > 0 ORDER BY r.file").fetchall()
        for reading, rel in bad:
            self.con.execute("UPDATE trace_readings SET live = false WHERE reading = ?", [reading])
            self._python(rel)

    def _statistics(self) -> dict[str, tuple]:
        """file -> (traces, first time, last time)."""
        return {f: (n, lo, hi) for f, n, lo, hi in self.con.execute(
            "SELECT r.file, sum(g.n), min(g.lo), max(g.hi) FROM trace_readings r JOIN trace_groups g USING (reading) "
            "WHERE r.live GROUP BY r.file").fetchall()}

    def _file_reads(self, files: list[str], stats: dict[str, tuple]) -> None:
        for rel in files:
            if rel in self.unread:
                continue
            read: FileRead = self.bundle.record(rel)
            n, read.first, read.last = stats.get(rel, (0, None, None))
            read.records = self.python_counts.get(rel, n)
            self.evidence.files.append(read)


def materialize(con: duckdb.DuckDBPyConnection, copies: Copies, readings: list[tuple[int, str, str]]) -> None:
    """The traces of the files of `readings` (reading, file, shape; files read once already by DuckDB) into
    trace_events, one query per kind of file, each trace under its file's reading."""
    copies.check(rel for _, rel, _ in readings)

    def python(item: tuple[int, str, str]) -> None:  # DuckDB rejects it now: keep what can be read
        reading, rel, _ = item
        rows = good_rows(copies.path(rel), rel)
        sql.insert_rows(con, "trace_events", sql.EVENT_TYPES, [event_row(reading, row) for row in rows])

    # the OBS read's fields are read only from the files holding an OBS trace, whatever their folder
    obs = {r for (r,) in con.execute(sql.HOLDING_OBS, [[r for r, _, _ in readings]]).fetchall()}
    for (shape, region, buckets), items in by_query(readings, lambda r: r[1], lambda r: r[2], lambda r: r[0] in obs):
        query = sql.insert_events(shape, region, buckets)
        in_halves(lambda part, q=query: con.execute(q, [[r for r, _, _ in part], [copies.path(rel) for _, rel, _ in part]]),
                  items, python)
    con.execute(sql.NUMBER_EVENTS, [[r for r, _, _ in readings]])
    # a file without traces has no row to number
    con.execute("UPDATE trace_readings SET materialized = true WHERE reading IN (SELECT unnest(?::INTEGER[]))", [[r for r, _, _ in readings]])


def read_details(con: duckdb.DuckDBPyConnection, copies: Copies, files: list[tuple[str, str]]) -> None:
    """Every column of the traces of `files` (file, shape of its live reading) into `trace_details`.

    The files were read once already: the contract breaches were reported then, so the Python reading
    here only keeps the good traces.
    """
    copies.check(rel for rel, _ in files)

    def python(rel: str) -> None:
        sql.insert_rows(con, "trace_details", sql.DETAIL_TYPES, good_rows(copies.path(rel), rel))

    for (shape, region, _), items in by_query(files, lambda f: f[0], lambda f: f[1]):
        rels = [rel for rel, _ in items]
        if shape == PYTHON:
            for rel in rels:
                python(rel)
        else:
            query = sql.insert_details(shape, region)
            in_halves(lambda part, q=query: con.execute(q, [part, [copies.path(r) for r in part]]), rels, python)
    con.execute(sql.NUMBER_DETAILS)


class Progress:
    """A rich progress bar over files, on a terminal and for long scans only; it polls the running query."""

    def __init__(self, con: duckdb.DuckDBPyConnection, total: int):
        self.con, self.total, self.bar, self.done, self.size = con, total, None, 0, 0
        self.stop = threading.Event()

    def __enter__(self) -> "Progress":
        if self.total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

            self.con.execute("SET enable_progress_bar = true")  # lets query_progress() report
            self.bar = Bar(TextColumn("reading traces"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("traces", total=self.total)
            self.poller = threading.Thread(target=self._poll, daemon=True)
            self.poller.start()
        return self

    def _poll(self) -> None:
        while not self.stop.wait(0.25):
            self.bar.update(self.task, completed=self.done + int(max(0.0, self.con.query_progress()) / 100 * self.size))

    @contextmanager
    def group(self, size: int):
        self.size = size
        yield
        self.done, self.size = self.done + size, 0

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.stop.set()
            self.poller.join()
            self.bar.stop()
            self.con.execute("SET enable_progress_bar = false")

