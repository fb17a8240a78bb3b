"""The same trace in two files (same `trace_id`): reported, and counted once.

Two trackers writing the same region's traces, or two exports overlapping, put one trace in two
files. A trace's id is a long string the scan does not read; but a repeated trace falls in groups
with the same key (region, account, service, OBS read, hour) and overlapping instants in both files,
so only the files with such groups have their ids read: first alone, by one narrow query per file shape, then,
if one of them is in two files, with every column (`trace_details`). A file holding a trace
that an earlier file (by path) holds is then read again from its details without those traces: its
first reading is no longer live, and the problem names both files.
"""

from __future__ import annotations

import duckdb

from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.traces import reader, sql
from hds_audit.evidence.traces.files import COLUMNS, event_row

_KEY = ("region", "user_name", "service_type", "read_name", "read_bucket", "hour")
# the files that may share a trace with another: a group of the same key overlapping in time
CANDIDATES = ("SELECT DISTINCT r.file, r.shape FROM trace_groups_live a JOIN trace_groups_live b ON a.reading <> b.reading AND "
              + " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in _KEY)
              + " AND a.lo <= b.hi AND b.lo <= a.hi JOIN trace_readings r ON r.reading = a.reading AND r.live ORDER BY r.file")
# every (trace_id, file, record) of an id in more than one file, the files in path order
REPEATED = """SELECT d.trace_id, d.file, d.record FROM trace_details d
JOIN (SELECT trace_id FROM trace_details WHERE trace_id IS NOT NULL GROUP BY trace_id HAVING count(DISTINCT file) > 1) t
USING (trace_id) ORDER BY d.trace_id, d.file, d.record"""


def count_once(traces, evidence: Evidence) -> None:
    """Reads again without its repeats each file holding a trace an earlier file holds; one problem per pair of files."""
    candidates = traces.rows(CANDIDATES)
    if not candidates or not _any_repeated(traces, candidates):
        return
    traces.details(file for file, _ in candidates)
    for file, records in sorted(report(traces.rows(REPEATED), evidence).items()):
        _read_without(traces, file, records)


def report(rows, evidence: Evidence) -> dict[str, set[int]]:
    """From (trace_id, file, record) of every id in more than one file (by id, file, record): one problem per pair of
    files, and per later file the records to leave out (the first file by path keeps the trace)."""
    first_file: dict[str, str] = {}
    repeats: dict[str, set[int]] = {}
    pairs: dict[tuple[str, str], list[str]] = {}
    for trace_id, file, record in rows:
        first = first_file.setdefault(trace_id, file)
        if file != first:
            repeats.setdefault(file, set()).add(record)
            pairs.setdefault((file, first), []).append(trace_id)
    for (file, first), ids in sorted(pairs.items()):
        evidence.problems.append(Problem(file, None, f"{len(ids)} trace(s) also in {first} (same trace_id, e.g. {ids[0]}): "
                                         "the same traces twice, counted once"))
    return repeats


def _any_repeated(traces, candidates: list[tuple[str, str]]) -> bool:
    """Whether a trace id is in two of the candidate files (file, shape). Files whose groups overlap are common
    (files mixing services, written side by side) and repeats rare: reading only their ids costs a fraction of
    every column. A file read in Python, or two files of different shapes, are left to the full reading."""
    shapes = {shape for _, shape in candidates}
    if len(shapes) > 1 or reader.PYTHON in shapes:
        return True
    files = [file for file, _ in candidates]
    traces.copies.check(files)
    try:
        return bool(traces.rows(sql.repeated_ids(shapes.pop()) + " LIMIT 1", [[traces.copies.path(f) for f in files]]))
    except duckdb.Error:  # the full reading reads file by file when a query fails, and names what is wrong
        return True


def _read_without(traces, file: str, records: set[int]) -> None:
    """A new live reading of `file`, from its details, without the traces `records`."""
    con = traces.con
    [(old, shape)] = traces.rows("SELECT reading, shape FROM trace_readings WHERE live AND file = ?", [file])
    [(reading,)] = traces.rows("SELECT coalesce(max(reading), -1) + 1 FROM trace_readings")
    con.execute("DELETE FROM trace_details WHERE file = ? AND list_contains(?::INTEGER[], record)", [file, sorted(records)])
    rows = traces.rows(f"SELECT {', '.join(COLUMNS)} FROM trace_details WHERE file = ? ORDER BY record", [file])
    con.execute("UPDATE trace_readings SET live = false WHERE reading = ?", [old])
    sql.insert_rows(con, "trace_readings", ("INTEGER", "VARCHAR", "VARCHAR", "BIGINT", "BOOLEAN", "BOOLEAN"),
                    [(reading, file, shape, None, True, True)])
    sql.insert_rows(con, "trace_events", sql.EVENT_TYPES, [event_row(reading, row) for row in rows])
    con.execute(sql.GROUPS_FROM_EVENTS, [reading])
