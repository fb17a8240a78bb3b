"""`TraceStore` (interface.py) over the DuckDB tables of the scan (sql.py): the DuckDB engine of `QueryStore`
(questions.py), which runs the named queries of `queries/`.

The scan keeps groups of traces; a question first asks, by a `*_files` query, which files may hold its
answer, writes those out trace by trace (`materialize`), then runs its query over `traces`. The
relations filled from Python values (`allowed`, `cover_spans`...) are temporary tables replaced by
each question; `hits` and `gap_points` are made by one query for the next.
"""

from __future__ import annotations

import shutil
import threading
import weakref
from dataclasses import dataclass, field
from typing import Iterable

import duckdb

from hds_audit.evidence.traces import queries, reader, sql
from hds_audit.evidence.traces.copies import Copies
from hds_audit.evidence.traces.questions import QueryStore


@dataclass
class DuckDBTraceStore(QueryStore):
    con: duckdb.DuckDBPyConnection
    files: int
    copies: Copies = field(default=None, repr=False)  # what the trace files are read from
    workdir: str | None = field(default=None, repr=False)
    detailed: set[str] = field(default_factory=set, repr=False)
    _periods: dict[tuple, str] = field(default_factory=dict, repr=False)
    _current: tuple | None = field(default=None, repr=False)  # the period `period_groups` shows
    _accounts: list[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, _dispose, self.con, self.workdir) if self.workdir else None

    def release(self) -> None:
        """No question will be asked any more (the checks are done): close the database and remove its folder (the
        copies of every trace file, the DuckDB file) in a thread, beside the rendering of the reports, instead of
        at exit after them; the process still waits for it before it ends."""
        if self._finalizer is not None and self._finalizer.detach():
            threading.Thread(target=_dispose, args=(self.con, self.workdir), name="hds-audit-traces-cleanup").start()

    # -- the engine's own reading (the scan, tests, the repeats) -----------------------------------------------------
    def rows(self, query: str, params: list | dict | None = None) -> list[tuple]:
        return self.con.execute(query, params or []).fetchall()

    def run(self, name: str, **values) -> list[tuple]:
        """The rows of the named query `name` (queries/), its parameters taken from `values`."""
        params = queries.bind(name, values)
        return self.con.execute(queries.text(name), params or None).fetchall()

    def make(self, table: str, name: str, **values) -> None:
        """The temporary table `table` of the rows of the named query `name`."""
        params = queries.bind(name, values)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS\n{queries.text(name)}", params or None)

    def fill(self, table: str, rows: Iterable[tuple]) -> None:
        columns = queries.RELATIONS[table]
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
        sql.insert_rows(self.con, table, tuple(t for _, t in columns), list(rows))

    def materialize(self, readings: str | None = None, params: list | None = None) -> None:
        """Writes out, trace by trace into the view `traces`, the files of the reading ids the SQL `readings` selects
        (every file when None), those not written out yet."""
        todo = self.rows("SELECT reading, file, shape FROM trace_readings WHERE live AND NOT materialized"
                         + (f" AND reading IN ({readings})" if readings else "") + " ORDER BY reading", params)
        if todo:
            reader.materialize(self.con, self.copies, todo)

    def write_out(self, name: str, **values) -> None:
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

    def use_period(self, start, end) -> None:
        table = self.period(start, end)
        if self._current != (start, end):
            self.con.execute(sql.PERIOD_GROUPS.format(table=table))
            self._current = (start, end)

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

    def close(self) -> None:
        self.con.close()


def _dispose(con: duckdb.DuckDBPyConnection, workdir: str) -> None:
    con.close()
    shutil.rmtree(workdir, ignore_errors=True)
