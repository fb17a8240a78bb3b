"""The DuckDB side of the trace tables: their schemas and the INSERTs that read many files at once.

Three depths, each read only where needed:
- `trace_groups`: what one scan of every file keeps. Per file read (`reading`), region, account,
  service, OBS read and UTC hour: the number of traces and the first and last instant. A few rows
  per file: writing one row per trace cost a third of the scan again.
- `trace_events`: per trace, the same narrow columns, for the files a check must see trace by trace
  (`DuckDBTraceStore.materialize`); a trace's `file` and `record` come from its reading and its rowid,
  through the `traces` view.
- `trace_details`: every column of the traces of the files whose ids or resources a check reads.
"""

from __future__ import annotations

import json

from hds_audit.evidence.traces.files import ENDPOINT_REGION, MAX_MS, MIN_MS

EVENTS = """CREATE TABLE trace_events (
    reading INTEGER, record INTEGER, time TIMESTAMPTZ, region VARCHAR, user_name VARCHAR, service_type VARCHAR,
    read_name VARCHAR, read_bucket VARCHAR, bad BOOLEAN)"""  # bad: a trace breaking the contract, its file read again in Python
# one row per file read: `first_row` is the rowid of its first trace in trace_events, once `materialized`; `live` is
# false once the file was read again
READINGS = """CREATE TABLE trace_readings (
    reading INTEGER, file VARCHAR, shape VARCHAR, first_row BIGINT, live BOOLEAN, materialized BOOLEAN)"""
HOUR_US = 3_600_000_000
GROUPS = """CREATE TABLE trace_groups (
    reading INTEGER, region VARCHAR, user_name VARCHAR, service_type VARCHAR, read_name VARCHAR, read_bucket VARCHAR,
    hour BIGINT, n BIGINT, lo TIMESTAMPTZ, hi TIMESTAMPTZ, bad BIGINT)"""
GROUPS_LIVE = """CREATE VIEW trace_groups_live AS
SELECT g.* FROM trace_groups g JOIN trace_readings r ON r.reading = g.reading AND r.live"""
_GROUP_BY = (f"SELECT reading, region, user_name, service_type, read_name, read_bucket, epoch_us(time) // {HOUR_US}, "
             "count(*), min(time), max(time), count_if(bad) FROM ({rows}) GROUP BY ALL")
# the files with a group straddling a period's bounds (parameters: end, start, start, end)
STRADDLING = "SELECT reading FROM trace_groups_live WHERE lo < ? AND hi >= ? AND NOT (lo >= ? AND hi < ?)"
# a period's groups (DuckDBTraceStore.period), a view: those wholly inside, and the traces of the period of the straddling
# files (written out), one group each. {start}, {end}: TIMESTAMPTZ literals; {straddling}: their reading ids
PERIOD = f"""CREATE VIEW {{table}} AS
SELECT reading, region, user_name, service_type, read_name, read_bucket, hour, n, lo, hi
FROM trace_groups_live WHERE lo >= {{start}} AND hi < {{end}} AND reading NOT IN {{straddling}}
UNION ALL
SELECT e.reading, region, user_name, service_type, read_name, read_bucket, epoch_us(time) // {HOUR_US}, 1, time, time
FROM trace_events e JOIN trace_readings r ON r.reading = e.reading AND r.live
WHERE time >= {{start}} AND time < {{end}} AND e.reading IN {{straddling}}"""
# the groups of a file read in Python, from its rows in trace_events (parameter: its reading)
GROUPS_FROM_EVENTS = "INSERT INTO trace_groups " + _GROUP_BY.format(rows="SELECT * FROM trace_events WHERE reading = ?")
# once a file's traces are in trace_events: where they start, for `record`
NUMBER_EVENTS = """UPDATE trace_readings SET first_row = s.first
FROM (SELECT reading, min(rowid) AS first FROM trace_events WHERE reading IN (SELECT unnest(?::INTEGER[])) GROUP BY reading) s
WHERE trace_readings.reading = s.reading"""
# What checks query. `record` is exact: rows keep their file order on insertion (preserve_insertion_order) and
# trace_events is only ever appended to, so a trace's index is its rowid minus the first rowid of its reading.
VIEW = """CREATE VIEW traces AS
SELECT r.file, CAST(coalesce(e.record, e.rowid - r.first_row) AS INTEGER) AS record, e.time, e.region, e.user_name,
       e.service_type, e.read_name, e.read_bucket, epoch_us(e.time) AS time_us, e.reading
FROM trace_events e JOIN trace_readings r ON r.reading = e.reading AND r.live"""
DETAILS = """CREATE TABLE trace_details (
    file VARCHAR, record INTEGER, trace_id VARCHAR, trace_name VARCHAR, trace_rating VARCHAR,
    trace_type VARCHAR, service_type VARCHAR, resource_type VARCHAR, resource_id VARCHAR,
    resource_name VARCHAR, user_name VARCHAR, time TIMESTAMPTZ, region VARCHAR, code VARCHAR,
    source_ip VARCHAR)"""

# The relations the named queries read (queries/__init__.py) that the tables above do not give as such: instants in
# microseconds since the epoch.
_GROUP_COLUMNS = "reading, region, user_name, service_type, read_name, read_bucket, hour, n, epoch_us(lo) AS lo_us, epoch_us(hi) AS hi_us"
SCAN_GROUPS = f"CREATE VIEW scan_groups AS SELECT {_GROUP_COLUMNS} FROM trace_groups_live"
PERIOD_GROUPS = "CREATE OR REPLACE TEMP VIEW period_groups AS SELECT " + _GROUP_COLUMNS + " FROM {table}"
DETAILS_VIEW = """CREATE VIEW details AS
SELECT file, record, trace_id, trace_name, trace_rating, trace_type, service_type, resource_type, resource_id,
       resource_name, user_name, epoch_us(time) AS time_us, region, code, source_ip
FROM trace_details"""

FIELDS = {  # what read_json extracts from a trace; everything else in the file is skipped
    "trace_id": "VARCHAR", "trace_name": "VARCHAR", "trace_rating": "VARCHAR", "trace_type": "VARCHAR",
    "service_type": "VARCHAR", "resource_type": "VARCHAR", "resource_id": "VARCHAR", "resource_name": "VARCHAR",
    "user": "STRUCT(name VARCHAR)", "time": "JSON", "code": "VARCHAR", "source_ip": "VARCHAR",
}
# `time` is kept as JSON text so that a string ("1782885600000" with its quotes) does not cast to a number.
_TIME = (f"CASE WHEN ms >= {MIN_MS} AND ms <= {MAX_MS} THEN make_timestamptz(CAST(ms * 1000 AS BIGINT)) END")
# A trace without user.name (or with a blank one) gets user_name NULL here; if it is not a SystemAction its file is
# read again in Python (`bad`), which also takes the newer `user_name` and names the record and the reason.
_USER = "CASE WHEN trim(\"user\".name) <> '' THEN \"user\".name END"
_BAD = f"(ms IS NULL OR ms < {MIN_MS} OR ms > {MAX_MS} OR ({_USER} IS NULL AND trace_type IS NOT NULL AND trace_type <> 'SystemAction'))"
_OBS = "upper(service_type) = 'OBS'"
# the readings, among a list (the parameter), of files holding an OBS trace: only these need the OBS read's fields
HOLDING_OBS = ("SELECT DISTINCT reading FROM trace_groups WHERE upper(service_type) = 'OBS' "
               "AND reading IN (SELECT unnest(?::INTEGER[]))")
_OBS_READ = f"({_OBS} AND regexp_matches(trace_name, '^(get|list|head)', 'i'))"


def _source(shape: str, fields: dict[str, str], src: str) -> str:
    """A relation over a list of files (the query's parameter) of one shape: column `src` (file_index or
    filename), then the declared fields."""
    if shape == "envelope":
        return _envelope(fields, src)
    fmt = "array" if shape == "array" else "unstructured"
    declared = ", ".join(f"{json.dumps(k)}: '{v}'" for k, v in fields.items())
    # one declared column alone, with records left to 'auto', made read_json (DuckDB 2.0) about 20 times slower
    records = ", records=true" if len(fields) == 1 else ""
    return f"(SELECT {src} AS src, * FROM read_json(?, format='{fmt}', columns={{{declared}}}, filename=true{records}))"


def _envelope(fields: dict[str, str], src: str) -> str:
    """The traces of `{"traces": [...]}` files. read_json turns a file's one large object into rows at a twentieth of
    the speed of an array's traces, so each file is read as one JSON value and its list transformed. That transform
    gives NULL where read_json fails: a `user` that is not an object (nor null) makes `time` NULL, so that the file
    is read again in Python (`bad`), which says why."""
    structure = json.dumps([{k: "JSON" if k == "user" else v for k, v in fields.items()}])
    names = [f't."{k}" AS "{k}"' for k in fields if k not in ("user", "time")]
    if "user" in fields:
        names += ["CASE WHEN json_type(t.\"user\") = 'OBJECT' THEN from_json(t.\"user\", '{\"name\": \"VARCHAR\"}') END AS \"user\"",
                  "CASE WHEN coalesce(json_type(t.\"user\"), 'NULL') IN ('OBJECT', 'NULL') THEN t.\"time\" END AS \"time\""]
    return f"""(SELECT src, {', '.join(names)}
        FROM (SELECT {src} AS src, unnest(from_json(json->'traces', '{structure}')) AS t
              FROM read_json_objects(?, format='unstructured', filename=true)))"""


def _region(region: str | None) -> str:
    """SQL for the region: the files' key region, else the region named in `endpoint`."""
    if region:
        return "'" + region.replace("'", "''") + "'"
    return f"nullif(regexp_extract(lower(endpoint), '{ENDPOINT_REGION.pattern}', 1), '')"


def _fields(region: str | None, names: tuple[str, ...]) -> dict[str, str]:
    fields = {k: FIELDS[k] for k in names}
    return fields if region else {**fields, "endpoint": "VARCHAR"}


def insert_groups(shape: str, region: str | None, buckets: bool = True) -> str:
    """INSERT into trace_groups of the traces of a list of files; parameters: the reading id of the first file (the
    next ones follow), then the files."""
    return "INSERT INTO trace_groups " + _GROUP_BY.format(rows=_rows(shape, region, buckets, "? + src"))


def insert_events(shape: str, region: str | None, buckets: bool = True) -> str:
    """INSERT into trace_events of the traces of a list of files; parameters: the reading id of each file, the files."""
    return "INSERT INTO trace_events " + _rows(shape, region, buckets, "(?::INTEGER[])[CAST(src AS BIGINT) + 1]", judge=False)


def _rows(shape: str, region: str | None, buckets: bool, reading: str, judge: bool = True) -> str:
    """The trace_events rows of the traces of a list of files (`reading`: SQL of a file's reading from its index `src`).

    With `buckets` false (files of a CTS service folder other than OBS) the resource fields of OBS reads are not
    extracted, which saves reading two long strings per trace; an OBS trace found there anyway (its group's
    `service_type`) sends its file to a second DuckDB reading with them (reader.py). Without `judge` (files the scan
    already judged, written out trace by trace) `bad` is false and `trace_type`, which only it reads, is not extracted.
    """
    judged = ("trace_type",) if judge else ()
    if not buckets:
        fields = _fields(region, (*judged, "service_type", "user", "time"))
        read_name = read_bucket = "NULL"
        bad = _BAD
    else:
        fields = _fields(region, ("trace_name", *judged, "service_type", "resource_id", "resource_name", "user", "time"))
        read_name = f"CASE WHEN {_OBS_READ} THEN lower(resource_name) END"
        read_bucket = f"CASE WHEN {_OBS_READ} THEN lower(split_part(ltrim(resource_id, '/'), '/', 1)) END"
        bad = _BAD
    if not judge:
        bad = "false"
    return f"""SELECT {reading} AS reading, NULL AS record, {_TIME} AS time, {_region(region)} AS region,
               {_USER} AS user_name, service_type, {read_name} AS read_name, {read_bucket} AS read_bucket, {bad} AS bad
        FROM (SELECT *, TRY_CAST(CAST(time AS VARCHAR) AS DOUBLE) AS ms FROM {_source(shape, fields, 'file_index')})"""


def insert_details(shape: str, region: str | None) -> str:
    """INSERT of every column of the traces of a list of files (their record numbered afterwards); parameters: the
    files' names in the bundle, then the files read (their copies), in the same order."""
    fields = _fields(region, tuple(FIELDS))
    return f"""INSERT INTO trace_details
        SELECT (?::VARCHAR[])[CAST(src AS BIGINT) + 1], NULL, trace_id, trace_name, trace_rating, trace_type, service_type,
               resource_type, resource_id, resource_name, {_USER}, {_TIME}, {_region(region)}, code, source_ip
        FROM (SELECT *, TRY_CAST(CAST(time AS VARCHAR) AS DOUBLE) AS ms FROM {_source(shape, fields, 'file_index')})"""


def repeated_ids(shape: str) -> str:
    """The trace ids found in more than one of a list of files (the parameter) of one shape: one narrow reading."""
    return f"""SELECT trace_id FROM {_source(shape, {"trace_id": "VARCHAR"}, 'file_index')}
        WHERE trace_id IS NOT NULL GROUP BY trace_id HAVING min(src) <> max(src)"""


def insert_rows(con, table: str, types: tuple[str, ...], rows: list[tuple]) -> None:
    """Appends Python rows to `table` in one statement, a list per column (executemany goes row by row)."""
    if rows:
        columns = ", ".join(f"unnest(?::{t}[])" for t in types)
        con.execute(f"INSERT INTO {table} SELECT {columns}", [list(c) for c in zip(*rows)])


EVENT_TYPES = ("INTEGER", "INTEGER", "TIMESTAMPTZ", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN")
DETAIL_TYPES = ("VARCHAR", "INTEGER", *("VARCHAR",) * 9, "TIMESTAMPTZ", "VARCHAR", "VARCHAR", "VARCHAR")
NUMBER_DETAILS = """UPDATE trace_details SET record = trace_details.rowid - f.first FROM
    (SELECT file, min(rowid) AS first FROM trace_details WHERE record IS NULL GROUP BY file) f
    WHERE trace_details.file = f.file AND trace_details.record IS NULL"""
