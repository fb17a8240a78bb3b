"""`traces/**`: Cloud Trace Service files as CTS writes them to OBS, in one narrow DuckDB table.

Checks query the table `traces` with SQL, so the same queries scale from a laptop to a cluster.
Columns: file, record (index in its file), trace_id, trace_name, trace_rating, trace_type,
service_type, resource_type, resource_id, resource_name, user_name (NULL when `user` is null),
time (TIMESTAMPTZ), region, code, source_ip.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

import duckdb

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem

NAME = "traces"
DESCRIPTION = "traces/**: Cloud Trace Service files"
PATTERNS = ("traces/**/*.json.gz", "traces/**/*.json", "traces/**/*.jsonl", "traces/**/*.jsonl.gz")
COLUMNS = (
    "file", "record", "trace_id", "trace_name", "trace_rating", "trace_type", "service_type",
    "resource_type", "resource_id", "resource_name", "user_name", "time", "region", "code", "source_ip",
)
SCHEMA = """CREATE TABLE traces (
    file VARCHAR, record INTEGER, trace_id VARCHAR, trace_name VARCHAR, trace_rating VARCHAR,
    trace_type VARCHAR, service_type VARCHAR, resource_type VARCHAR, resource_id VARCHAR,
    resource_name VARCHAR, user_name VARCHAR, time TIMESTAMPTZ, region VARCHAR, code VARCHAR,
    source_ip VARCHAR)"""

_KEY_REGION = re.compile(r"(?:^|/)CloudTraces/([^/]+)/")
_ENDPOINT_REGION = re.compile(r"\.([a-z]{2}-[a-z0-9]+-\d+)\.")
MAX_DECOMPRESSED = 2 * 1024**3  # refuse a gz that expands past this (decompression bomb)


@dataclass
class TraceSet:
    con: duckdb.DuckDBPyConnection
    files: int

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def count(self) -> int:
        return self.rows("SELECT count(*) FROM traces")[0][0]


def trace_files(bundle: Bundle) -> list[str]:
    found: set[str] = set()
    for pattern in PATTERNS:
        found.update(bundle.glob(pattern))
    return sorted(found)


def region_of(key: str, endpoint: Any) -> str | None:
    if m := _KEY_REGION.search(key):
        return m[1]
    if isinstance(endpoint, str) and (m := _ENDPOINT_REGION.search(endpoint)):
        return m[1]
    return None


def load(bundle: Bundle, tenant=None) -> Evidence[TraceSet]:
    evidence: Evidence[TraceSet] = Evidence(NAME)
    files = trace_files(bundle)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(SCHEMA)
    if not files:
        evidence.note = "no trace file under traces/"
        evidence.data = None
        return evidence
    for rel in files:
        raw = bundle.read_bytes(rel)
        read = bundle.record(rel, raw)
        try:
            records = _records(rel, raw)
        except ValueError as exc:
            evidence.problems.append(Problem(rel, None, str(exc)))
            continue
        rows = []
        for index, record in enumerate(records):
            row, reason = _row(rel, index, record)
            if reason:
                evidence.problems.append(Problem(rel, f"record {index}", reason))
            else:
                rows.append(row)
        if rows:
            con.executemany(f"INSERT INTO traces VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        read.records = len(records)
        evidence.files.append(read)
    evidence.data = TraceSet(con, len(files))
    return evidence


def _records(rel: str, raw: bytes) -> list:
    if rel.endswith(".gz"):
        try:
            d = zlib.decompressobj(wbits=31)
            raw = d.decompress(raw, MAX_DECOMPRESSED)
            if d.unconsumed_tail:
                raise ValueError(f"expands past {MAX_DECOMPRESSED} bytes; refused as a decompression bomb")
        except zlib.error as exc:
            raise ValueError(f"not a valid gzip file ({exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from exc
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty file")
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        return _json_lines(stripped)
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if isinstance(document.get("traces"), list):
            return document["traces"]
        return [document]
    raise ValueError("JSON document is neither a trace, a list of traces nor a {\"traces\": [...]} envelope")


def _json_lines(text: str) -> list:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"not JSON (line {number}: {exc.msg})") from exc
    return records


def _row(rel: str, index: int, t: Any) -> tuple[tuple | None, str | None]:
    if not isinstance(t, dict):
        return None, "a trace must be a JSON object"
    when = t.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)):
        return None, f"'time' must be milliseconds since the epoch, got {when!r}"
    if when < 10**11:  # before 1973 in ms: these are seconds, and guessing would move events
        return None, f"'time' {when} looks like seconds, not milliseconds since the epoch"
    user = t.get("user")
    trace_type = t.get("trace_type")
    if user is None and trace_type not in (None, "SystemAction"):
        if t.get("user_name"):
            user = {"name": t["user_name"]}
        else:
            return None, f"'user' is missing on a {trace_type} trace"
    if user is not None and not (isinstance(user, dict) and isinstance(user.get("name"), str)):
        return None, "'user' has no name"
    code = t.get("code")
    return (
        rel, index, _text(t.get("trace_id")), _text(t.get("trace_name")), _text(t.get("trace_rating")),
        _text(trace_type), _text(t.get("service_type")), _text(t.get("resource_type")),
        _text(t.get("resource_id")), _text(t.get("resource_name")),
        user["name"] if user else None,
        _utc(when), region_of(rel, t.get("endpoint")), None if code is None else str(code), _text(t.get("source_ip")),
    ), None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _utc(ms: float):
    from hds_audit.timeutil import from_epoch_ms

    return from_epoch_ms(ms)
