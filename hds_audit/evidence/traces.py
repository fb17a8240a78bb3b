"""`traces/**`: Cloud Trace Service files as CTS writes them to OBS, in one narrow DuckDB table.

Checks query the table `traces` with SQL, so the same queries scale from a laptop to a cluster.
Columns: file, record (index in its file), trace_id, trace_name, trace_rating, trace_type,
service_type, resource_type, resource_id, resource_name, user_name (NULL when `user` is null),
time (TIMESTAMPTZ), region, code, source_ip.

Reading: each file's first bytes (gunzipped) tell its shape: a JSON array, a `{"traces": [...]}`
envelope, or objects one after the other (one trace, JSON lines). Files of one shape and one
`CloudTraces/{region}/` key region are read by one DuckDB `read_json` query with declared columns,
straight into `traces`. A query DuckDB rejects is split in halves until the bad file stands
alone; that file, and any file holding a trace that breaks the contract (`time` not epoch
milliseconds, `user` missing on a trace that is not a SystemAction), is read again in Python,
which names the file, the record and the reason and keeps the file's good traces.

`record` is exact: rows keep their file order on insertion (`preserve_insertion_order`), and a
row's index is its rowid minus the first rowid of its file. The table lives in a temporary DuckDB
file (compressed, paged in by DuckDB within MEMORY_LIMIT). Every file is hashed for the manifest
in a thread beside the scan; a bundle on S3 is first copied to a temporary folder.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
import weakref
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, FileRead, Problem
from hds_audit.timeutil import from_epoch_ms

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
_ENDPOINT_REGION = re.compile(r"[./]([a-z]{2}-[a-z0-9]+-\d+)\.")
# No trace file may expand past this (decompression bomb); see _may_be_a_bomb.
MAX_DECOMPRESSED = int(os.environ.get("HDS_AUDIT_TRACE_FILE_MAX_BYTES", 512 * 1024**2))
# DuckDB's memory budget; past it the table pages out to its temporary folder.
MEMORY_LIMIT = os.environ.get("HDS_AUDIT_DUCKDB_MEMORY", "512MB")
MIN_MS, MAX_MS = 10**11, 253402300799999  # 1973-03-03 .. 9999-12-31: below are seconds, above is nonsense
SNIFF_BYTES = 64 * 1024
_DEFLATE_MAX_RATIO = 1032  # the most deflate can expand: 258-byte matches in 2-bit codes
PROGRESS_MIN_FILES = 200

_FIELDS = {  # what read_json extracts from a trace; everything else in the file is skipped
    "trace_id": "VARCHAR", "trace_name": "VARCHAR", "trace_rating": "VARCHAR", "trace_type": "VARCHAR",
    "service_type": "VARCHAR", "resource_type": "VARCHAR", "resource_id": "VARCHAR", "resource_name": "VARCHAR",
    "user": "STRUCT(name VARCHAR)", "time": "JSON", "code": "VARCHAR", "source_ip": "VARCHAR",
}
# `time` is kept as JSON text so that a string ("1782885600000" with its quotes) does not cast to a number.
_MS_SQL = "TRY_CAST(CAST(time AS VARCHAR) AS DOUBLE)"
_BAD_ROW = "(time IS NULL OR (user_name IS NULL AND trace_type IS NOT NULL AND trace_type <> 'SystemAction'))"


@dataclass
class TraceSet:
    con: duckdb.DuckDBPyConnection
    files: int
    workdir: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.workdir:
            weakref.finalize(self, _dispose, self.con, self.workdir)

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def count(self) -> int:
        return self.rows("SELECT count(*) FROM traces")[0][0]


def _dispose(con: duckdb.DuckDBPyConnection, workdir: str) -> None:
    con.close()
    shutil.rmtree(workdir, ignore_errors=True)


COLLECTION_LOG = "traces/collection-log.jsonl"


def trace_files(bundle: Bundle) -> list[str]:
    """Every file under traces/ whose name ends like one of PATTERNS (one walk of the folder)."""
    top = posixpath.join(bundle.root, "traces")
    suffixes = tuple(p.rsplit("*", 1)[1] for p in PATTERNS)
    try:
        found = bundle.fs.find(top)
    except FileNotFoundError:
        return []
    # `hds-audit collect` records what it copied beside the traces: provenance, not traces
    return sorted(rel for rel in map(bundle.rel, found) if rel.endswith(suffixes) and rel != COLLECTION_LOG)


def region_of(key: str, endpoint: Any) -> str | None:
    if m := _KEY_REGION.search(key):
        return m[1]
    if isinstance(endpoint, str) and (m := _ENDPOINT_REGION.search(endpoint)):
        return m[1]
    return None


def connect(workdir: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB database in `workdir` holding the empty `traces` table."""
    con = duckdb.connect(os.path.join(workdir, "traces.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    spill = os.path.join(workdir, "spill").replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = true")  # `record` relies on it
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would print on stdout
    con.execute("SET enable_progress_bar_print = false")
    con.execute(SCHEMA)
    return con


def load(bundle: Bundle, tenant=None) -> Evidence[TraceSet]:
    evidence: Evidence[TraceSet] = Evidence(NAME)
    files = trace_files(bundle)
    if not files:
        evidence.note = "no trace file under traces/"
        return evidence
    workdir = tempfile.mkdtemp(prefix="hds-audit-traces-")
    try:
        con = connect(workdir)
        reader = _Reader(bundle, con, workdir, evidence)
        reader.run(files)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    evidence.data = TraceSet(con, len(files), workdir)
    if bundle.exists(COLLECTION_LOG):  # where `collect` got each file: hashed into the manifest too
        bundle.record(COLLECTION_LOG)
    return evidence


class _Reader:
    def __init__(self, bundle: Bundle, con: duckdb.DuckDBPyConnection, workdir: str, evidence: Evidence):
        self.bundle, self.con, self.evidence = bundle, con, evidence
        self.root = bundle.local_path(".") if not bundle.is_remote else os.path.join(workdir, "bundle")
        self.root = os.path.normpath(self.root).replace(os.sep, "/")
        self.python_counts: dict[str, int] = {}  # files read in Python -> number of records
        self.unread: set[str] = set()  # files no trace could be read from

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def run(self, files: list[str]) -> None:
        if self.bundle.is_remote:
            _download(self.bundle, files, self.root)
        with ThreadPoolExecutor(1, thread_name_prefix="hds-audit-hash") as pool:
            hashing = pool.submit(self._hash, files)
            groups: dict[tuple[str, str | None], list[str]] = {}
            for rel in files:
                key = m[1] if (m := _KEY_REGION.search(rel)) else None
                groups.setdefault((_sniff(self.path(rel), rel), key), []).append(rel)
            with _Progress(self.con, len(files)) as progress:
                for (shape, region), rels in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or "")):
                    with progress.group(len(rels)):
                        if shape == "python":
                            for rel in rels:
                                self._python(rel)
                        else:
                            self._duckdb(shape, region, rels)
            self._recheck_bad_rows()
            self._number_records()
            hashing.result()
        self._file_reads(files)

    def _hash(self, files: list[str]) -> None:
        for rel in files:
            if self.bundle.is_remote:
                with open(self.path(rel), "rb") as handle:
                    self.bundle.record(rel, handle.read())
            else:
                self.bundle.record(rel)

    # -- DuckDB: many files per query ----------------------------------------------------------
    def _duckdb(self, shape: str, region: str | None, rels: list[str]) -> None:
        try:
            self.con.execute(_insert_sql(shape, region, len(self.root) + 2), [[self.path(r) for r in rels]])
        except (duckdb.InterruptException, KeyboardInterrupt):
            raise
        except (duckdb.Error, UnicodeDecodeError):  # a rejected record's message may not even be UTF-8
            if len(rels) == 1:
                self._python(rels[0])
            else:  # find the file DuckDB rejects: halves, until it stands alone
                middle = len(rels) // 2
                self._duckdb(shape, region, rels[:middle])
                self._duckdb(shape, region, rels[middle:])

    def _recheck_bad_rows(self) -> None:
        """Files with a trace breaking the contract are read again in Python for exact reasons."""
        bad = [r[0] for r in self.con.execute(f"SELECT DISTINCT file FROM traces WHERE record IS NULL AND {_BAD_ROW} ORDER BY file").fetchall()]
        for rel in bad:
            self.con.execute("DELETE FROM traces WHERE file = ?", [rel])
            self._python(rel)

    def _number_records(self) -> None:
        self.con.execute(
            "UPDATE traces SET record = traces.rowid - f.first FROM "
            "(SELECT file, min(rowid) AS first FROM traces WHERE record IS NULL GROUP BY file) f "
            "WHERE traces.file = f.file AND traces.record IS NULL")

    # -- Python: one file, exact reasons ------------------------------------------------------
    def _python(self, rel: str) -> None:
        try:
            with open(self.path(rel), "rb") as handle:
                raw = handle.read()
            records = parse_file(rel, raw)
        except (OSError, ValueError) as exc:
            self.evidence.problems.append(Problem(rel, None, str(exc)))
            self.unread.add(rel)
            return
        rows = []
        for index, record in enumerate(records):
            row, reason = trace_row(rel, index, record)
            if reason:
                self.evidence.problems.append(Problem(rel, f"record {index}", reason))
            else:
                rows.append(row)
        if rows:
            self.con.executemany(f"INSERT INTO traces VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        self.python_counts[rel] = len(records)

    def _file_reads(self, files: list[str]) -> None:
        stats = {f: (n, first, last) for f, n, first, last in self.con.execute(
            "SELECT file, count(*), min(time), max(time) FROM traces GROUP BY file").fetchall()}
        for rel in files:
            if rel in self.unread:
                continue
            read: FileRead = self.bundle.record(rel)
            n, read.first, read.last = stats.get(rel, (0, None, None))
            read.records = self.python_counts.get(rel, n)
            self.evidence.files.append(read)


def _insert_sql(shape: str, region: str | None, cut: int) -> str:
    """One INSERT reading a list of files of one shape; `region` is their key region, else `endpoint` tells."""
    fields = dict(_FIELDS) if region else {**_FIELDS, "endpoint": "VARCHAR"}
    if shape == "envelope":
        struct = ", ".join(f'"{k}" {v}' for k, v in fields.items())
        names = ", ".join(f't."{k}" AS "{k}"' for k in fields)
        source = (f"(SELECT filename, {names} FROM (SELECT filename, unnest(traces) AS t FROM read_json(?, "
                  f"format='unstructured', columns={{traces: 'STRUCT({struct})[]'}}, filename=true)))")
    else:
        fmt = "array" if shape == "array" else "unstructured"
        declared = ", ".join(f"{json.dumps(k)}: '{v}'" for k, v in fields.items())
        source = f"read_json(?, format='{fmt}', columns={{{declared}}}, filename=true)"
    where = "'" + region.replace("'", "''") + "'" if region else f"nullif(regexp_extract(endpoint, '{_ENDPOINT_REGION.pattern}', 1), '')"
    # A trace without user.name gets user_name NULL here; if it is not a SystemAction the file is read again
    # in Python (_recheck_bad_rows), which also takes the newer top-level `user_name`.
    return f"""INSERT INTO traces
        SELECT substr(filename, {cut}), NULL, trace_id, trace_name, trace_rating, trace_type, service_type,
               resource_type, resource_id, resource_name, "user".name,
               CASE WHEN ms >= {MIN_MS} AND ms <= {MAX_MS} THEN make_timestamptz(CAST(ms * 1000 AS BIGINT)) END,
               {where}, code, source_ip
        FROM (SELECT *, {_MS_SQL} AS ms FROM {source})"""


def _head(path: str, rel: str, size: int) -> tuple[str, bool] | None:
    """The first `size` bytes of the file's text (gunzipped), and whether that is the whole text; None if unreadable."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(size)
            complete = len(head) < size
            if rel.endswith(".gz"):
                if _may_be_a_bomb(handle):
                    return None  # the guarded reading in Python refuses it
                inflate = zlib.decompressobj(wbits=31)
                head = inflate.decompress(head, size)
                complete = complete and inflate.eof and not inflate.unused_data
    except (OSError, zlib.error):
        return None
    return head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n"), complete


def _may_be_a_bomb(handle) -> bool:
    """Whether a gzip file expands past MAX_DECOMPRESSED, without keeping what it expands to.

    Deflate expands at most ~1032 times, so a file under MAX_DECOMPRESSED / 1032 bytes cannot;
    a larger one is inflated here, in chunks, up to the limit (its trailer's size is not trusted:
    it is the size modulo 4 GiB, and anyone can write it).
    """
    compressed = handle.seek(0, os.SEEK_END)
    if compressed * _DEFLATE_MAX_RATIO <= MAX_DECOMPRESSED:
        return False
    handle.seek(0)
    try:
        _gunzip(iter(lambda: handle.read(1024 * 1024), b""), keep=False)
    except ValueError as exc:
        return "bomb" in str(exc)
    finally:
        handle.seek(0)
    return False


def _sniff(path: str, rel: str) -> str:
    """'array', 'envelope', 'objects' (one or more objects: a single trace, JSON lines) or 'python'."""
    head = _head(path, rel, 4096)
    if head is None or not head[0].startswith(("[", "{")):
        return "python"  # unreadable, blank or not JSON: the Python reading says why
    if head[0].startswith("["):
        return "array"
    if rel.endswith((".jsonl", ".jsonl.gz")):
        return "objects"
    text, complete = head if head[1] else (_head(path, rel, SNIFF_BYTES) or ("", True))
    try:
        first, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        if not complete and re.match(r'\{\s*"traces"\s*:\s*\[', text):
            return "envelope"
        return "python"
    if isinstance(first, dict) and isinstance(first.get("traces"), list):
        return "envelope"
    return "objects"


def _download(bundle: Bundle, files: list[str], root: str) -> None:
    locals_ = [f"{root}/{rel}" for rel in files]
    for path in locals_:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    bundle.fs.get([posixpath.join(bundle.root, rel) for rel in files], locals_)


class _Progress:
    """A rich progress bar over files, on a terminal and for long scans only; it polls the running query."""

    def __init__(self, con: duckdb.DuckDBPyConnection, total: int):
        self.con, self.total, self.bar, self.done, self.size = con, total, None, 0, 0
        self.stop = threading.Event()

    def __enter__(self) -> "_Progress":
        if self.total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.con.execute("SET enable_progress_bar = true")  # lets query_progress() report
            self.bar = Progress(TextColumn("reading traces"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
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


# -- the Python reading of one file (exact reasons) ------------------------------------------
def _gunzip(chunks, keep: bool = True) -> bytes:
    """Every gzip member of `chunks` inflated; ValueError past MAX_DECOMPRESSED bytes or if not gzip."""
    out, size = [], 0
    inflate = zlib.decompressobj(wbits=31)
    try:
        for chunk in chunks:
            while chunk:
                data = inflate.decompress(chunk, MAX_DECOMPRESSED + 1 - size)
                size += len(data)
                if size > MAX_DECOMPRESSED:
                    raise ValueError(f"expands past {MAX_DECOMPRESSED} bytes; refused as a decompression bomb")
                if keep:
                    out.append(data)
                if inflate.eof and inflate.unused_data:  # another gzip member follows
                    chunk, inflate = inflate.unused_data, zlib.decompressobj(wbits=31)
                else:
                    chunk = inflate.unconsumed_tail
    except zlib.error as exc:
        raise ValueError(f"not a valid gzip file ({exc})") from exc
    if not inflate.eof:
        raise ValueError("not a valid gzip file (truncated)")
    return b"".join(out)


def parse_file(rel: str, raw: bytes) -> list:
    """The traces of one file, whatever its shape; ValueError names what is wrong with it."""
    if rel.endswith(".gz"):
        raw = _gunzip([raw])
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


def trace_row(rel: str, index: int, t: Any) -> tuple[tuple | None, str | None]:
    """The table row of one trace, or the reason it breaks the contract (same rules as the SQL path)."""
    if not isinstance(t, dict):
        return None, "a trace must be a JSON object"
    when = t.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)) or not math.isfinite(when):
        return None, f"'time' must be milliseconds since the epoch, got {when!r}"
    if when < MIN_MS:  # before 1973 in ms: these are seconds, and guessing would move events
        return None, f"'time' {when} looks like seconds, not milliseconds since the epoch"
    if when > MAX_MS:
        return None, f"'time' {when} is beyond year 9999"
    user, trace_type = t.get("user"), t.get("trace_type")
    if user is not None and not isinstance(user, dict):
        return None, "'user' must be an object or null"
    name = (user or {}).get("name")
    if name is None and trace_type not in (None, "SystemAction"):
        name = t.get("user_name")  # newer traces also carry it at the top level
    if name is None and trace_type not in (None, "SystemAction"):
        return None, f"'user' is missing on a {trace_type} trace" if user is None else "'user' has no name"
    code = t.get("code")
    return (
        rel, index, _text(t.get("trace_id")), _text(t.get("trace_name")), _text(t.get("trace_rating")),
        _text(trace_type), _text(t.get("service_type")), _text(t.get("resource_type")),
        _text(t.get("resource_id")), _text(t.get("resource_name")), _text(name),
        from_epoch_ms(when), region_of(rel, t.get("endpoint")), _text(code), _text(t.get("source_ip")),
    ), None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


