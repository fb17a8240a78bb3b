"""What each Spark executor does with one trace file: hds-audit's own reading of it, in the same pass as its hash.

`binaryFile` hands each task whole files (path, bytes); `read_batches` (the `mapInArrow` function) runs on
the executors and turns each file into rows of one flat schema (ROW_SCHEMA): one `file` row (its SHA-256 and
size, the number of records, its first and last instant, or why it cannot be read), one `refused` row per
trace breaking the contract (record index and reason), and one `trace` row per good trace. The reading is
files.parse_file and files.trace_row, the very code the DuckDB store uses for the files it reads in Python,
so the reasons, the decompression-bomb guard and the record indexes (`file#record n`) are the same words.

Nothing here imports pyspark: the functions take and give pyarrow batches, and are tested without a cluster.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

from hds_audit.evidence.limits import too_large
from hds_audit.evidence.traces import files as trace_files
from hds_audit.evidence.traces import stream
from hds_audit.evidence.traces.files import TooLargeForPython, event_row, parse_file, sniff, trace_row, trace_rows
from hds_audit.i18n.messages import kept, msg

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# the trace columns after `file` (files.COLUMNS), `time` as integer microseconds: Spark's timestamps come back
# naive in the driver's zone, integers come back as they are
TRACE_FIELDS = ("trace_id", "trace_name", "trace_rating", "trace_type", "service_type", "resource_type", "resource_id",
                "resource_name", "user_name", "region", "code", "source_ip", "read_name", "read_bucket")
ROW_SCHEMA = ("kind string, rel string, sha256 string, size long, records long, first_us long, last_us long, "
              "problem string, phase string, shape string, record int, reason string, time_us long, "
              + ", ".join(f"{name} string" for name in TRACE_FIELDS))
_COLUMNS = [part.split()[0] for part in ROW_SCHEMA.split(", ")]
# where a file's problem falls in the DuckDB store's order of problems (reader.Loader.run): refused by its size
# first, then in the order of its read_json query (a file DuckDB rejects, or of no shape it reads), then the
# files DuckDB read whole but that hold a trace breaking the contract, by path
TOO_LARGE, REJECTED, BAD_TRACES = "1-size", "2-query", "3-traces"
BATCH_ROWS = 10_000


def micros(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(microseconds=1)


def instant(us: int | None) -> datetime | None:
    return None if us is None else EPOCH + timedelta(microseconds=us)


def relative(path: str, root: str, known: set[str]) -> str | None:
    """The bundle path of a file Spark names `path` (`file:/...`, `obs://bucket/...`), or None if not listed.

    Spark writes some paths percent-encoded and others not, and `url_decode` would turn a `+` into a space: the
    name is taken as given when listed, else percent-decoded (never `+` as a space).
    """
    for candidate in (path, unquote(path)):
        for prefix in (root, unquote(root)):
            if candidate.startswith(prefix):
                rel = candidate[len(prefix):].lstrip("/")
                if rel in known:
                    return rel
    return None


def read_file(rel: str, raw: bytes) -> Iterable[dict]:
    """The rows of one trace file (see the module's docstring): its `file` row first, but for a file past
    files.PYTHON_MAX_BYTES, read as a stream (see _streamed), whose `file` row comes last."""
    file = {"kind": "file", "rel": rel, "sha256": hashlib.sha256(raw).hexdigest(), "size": len(raw)}
    if not trace_files.is_gzip(rel):
        # reader.Loader._too_large: a plain file past the limit of one trace file is refused unread
        reason = too_large(len(raw), trace_files.MAX_DECOMPRESSED, "HDS_AUDIT_TRACE_FILE_MAX_BYTES", what="one trace file")
        if reason:
            return [file | {"problem": kept(msg("{reason}; CTS writes files of a few megabytes: split it", reason=reason)),
                            "phase": TOO_LARGE}]
    try:
        records = parse_file(rel, raw)
    except TooLargeForPython as exc:
        return _streamed(rel, raw, file, kept(_reason(exc)))
    except ValueError as exc:
        return [file | {"problem": kept(_reason(exc)), "phase": REJECTED, "shape": _shape(rel, raw)}]
    rows, refused = trace_rows(rel, records)
    times = [micros(row[11]) for row in rows]
    file |= {"records": len(records), "first_us": min(times, default=None), "last_us": max(times, default=None)}
    if refused:
        # DuckDB rejects a file holding a record that is no object; it reads the others and judges each trace
        rejected = any(not isinstance(r, dict) for r in records)
        file |= {"phase": REJECTED if rejected else BAD_TRACES, "shape": _shape(rel, raw)}
    out = [file]
    out += [{"kind": "refused", "rel": rel, "record": index, "reason": kept(reason)} for index, reason in refused]  # Spark rows hold text: kept keeps the template
    out += [trace_dict(row) for row in rows]
    return out


def _streamed(rel: str, raw: bytes, file: dict, refusal: str) -> Iterator[dict]:
    """The rows of a file too large to be read whole in Python, one trace in memory at a time (stream.py).

    DuckDB reads such a file within its memory limit; one it cannot read whole, or holding a trace that breaks the
    contract, it sends to the Python reading, which refuses it whole (`refusal`): so does this, in its words and
    at the same place in the order of problems. Trace rows already given for a file refused are never read: only
    the files without a problem are (store.py)."""
    count, first, last, breaks, rejected = 0, None, None, False, False
    try:
        for index, record in enumerate(stream.records(rel, raw)):
            count += 1
            rejected = rejected or not isinstance(record, dict)  # DuckDB rejects the file: its query order
            if breaks:
                continue
            row, reason = trace_row(rel, index, record)
            if reason:
                breaks = True
                continue
            us = micros(row[11])
            first, last = us if first is None else min(first, us), us if last is None else max(last, us)
            yield trace_dict(row)
    except ValueError:
        rejected = breaks = True
    if breaks:
        yield file | {"problem": refusal, "phase": REJECTED if rejected else BAD_TRACES, "shape": _shape(rel, raw)}
    else:
        yield file | {"records": count, "first_us": first, "last_us": last}


def trace_dict(row: tuple) -> dict:
    """The `trace` row of a full row (files.trace_row), with the OBS read fields as the DuckDB store computes them."""
    event = event_row(0, row)
    values = dict(zip(("rel", "record", *TRACE_FIELDS[:8]), row[:10]))
    values |= {"user_name": row[10], "time_us": micros(row[11]), "region": row[12], "code": row[13], "source_ip": row[14],
               "read_name": event[6], "read_bucket": event[7]}
    return {"kind": "trace", **values}


def _shape(rel: str, raw: bytes) -> str:
    """The shape the DuckDB store gives the file (files.sniff), which orders its problems; only for files with one."""
    with tempfile.NamedTemporaryFile(suffix=".json.gz" if trace_files.is_gzip(rel) else ".json") as handle:
        handle.write(raw)
        handle.flush()
        return sniff(handle.name, rel)


def read_batches(batches: Iterable, root: str, known: set[str]) -> Iterator:
    """The `mapInArrow` function: batches of binaryFile rows (path, content, ...) -> batches of ROW_SCHEMA."""

    schema = arrow_schema()
    for batch in batches:
        rows: list[dict] = []
        for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
            rel = relative(path, root, known)
            if rel is None:  # a file not listed (one put there after the listing) is not read
                continue
            for row in read_file(rel, content):
                rows.append(row)
                if len(rows) == BATCH_ROWS:  # a large file's rows leave in batches, not all at once
                    yield _batch(rows, schema)
                    rows = []
        if rows:
            yield _batch(rows, schema)


def _batch(rows: list[dict], schema):
    import pyarrow as pa

    return pa.RecordBatch.from_pydict({c: [r.get(c) for r in rows] for c in _COLUMNS}, schema=schema)


def arrow_schema():
    import pyarrow as pa

    types = {"string": pa.string(), "long": pa.int64(), "int": pa.int32()}
    return pa.schema([(name, types[kind]) for name, kind in (part.split() for part in ROW_SCHEMA.split(", "))])


def escape_glob(path: str) -> str:
    """A path Hadoop takes literally: its glob characters escaped (a file may be named `[1].json`)."""
    return "".join("\\" + c if c in "\\[]{}*?" else c for c in path)


def local_uri(path: str) -> str:
    return "file:" + os.path.abspath(path)


def _reason(exc: ValueError):
    """The reader's reason as it raised it: a Message keeps its template (the DuckDB store's problems do)."""
    return exc.args[0] if len(exc.args) == 1 else str(exc)
