"""Trace files one at a time: where they are, what shape they have, and their exact reading in Python.

DuckDB reads the files in bulk (reader.py); this module sniffs each file's shape for it, guards
against decompression bombs, and reads in Python the files DuckDB cannot, naming the record and
the reason for every trace that breaks the contract.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import shown
from hds_audit.evidence.limits import size_text
from hds_audit.evidence.records import strict_loads
from hds_audit.calendar.instants import from_epoch_ms
from hds_audit.i18n.messages import msg

PATTERNS = ("traces/**/*.json.gz", "traces/**/*.json", "traces/**/*.jsonl", "traces/**/*.jsonl.gz")
# what a trace file's name ends in, in any case: PATTERNS, `.ndjson` for JSON lines, and any gzip file (what it
# holds is read as traces, and a file that holds none is reported)
TRACE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz")
LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
COLLECTION_LOG = "traces/collection-log.jsonl"
# CTS's digest files (trace file integrity verification): hashes of the trace files of an hour, not traces.
# They sit in a `Digest/` folder under the tracker and are named `{prefix}_CloudTrace-Digest_{region}_{time}.json.gz`.
DIGEST = re.compile(r"(?:^|/)CloudTraces/[^/]*/\d{4}/\d{1,2}/\d{1,2}/[^/]+/Digest/|_CloudTrace-Digest_", re.IGNORECASE)
# the columns of one trace, in the order of trace_row (and of the `trace_details` table)
COLUMNS = (
    "file", "record", "trace_id", "trace_name", "trace_rating", "trace_type", "service_type",
    "resource_type", "resource_id", "resource_name", "user_name", "time", "region", "code", "source_ip",
)

# CloudTraces/{region}/ and, in CTS's full layout, the service folder: .../{YYYY}/{M}/{D}/{tracker}/{Service}/{file}
# The region segment starts with a letter: in `CloudTraces/2026/8/6/...` (no region) the year is no region.
CTS_KEY = re.compile(r"(?:^|/)CloudTraces/([A-Za-z][^/]*)/(?:\d{4}/\d{1,2}/\d{1,2}/[^/]+/([^/]+)/[^/]+$)?")
# A region named in a lower-cased `endpoint` (`https://ecs.eu-west-0.prod-cloud-ocb.orange-business.com`, or the
# bare region); RE2 has no look-ahead, so the character after the region is matched, not only looked at.
ENDPOINT_REGION = re.compile(r"(?:^|[./:])([a-z]{2}-[a-z0-9]+-\d+)(?:[./:]|$)")
OBS_READ = re.compile(r"(get|list|head)", re.IGNORECASE)  # docs/user-guide.md, trace.access_entitlement: a read of a bucket
# No trace file may expand past this (decompression bomb); see _may_be_a_bomb.
MAX_DECOMPRESSED = int(os.environ.get("HDS_AUDIT_TRACE_FILE_MAX_BYTES", 512 * 1024**2))
# No trace file is read whole in Python past this (decompressed): parsed, it takes several times its size in memory.
# DuckDB reads larger files within its own memory limit; one it cannot read, or holding a bad trace, is refused.
PYTHON_MAX_BYTES = int(os.environ.get("HDS_AUDIT_TRACE_PYTHON_MAX_BYTES", 64 * 1024**2))
MIN_MS, MAX_MS = 10**11, 253402300799999  # 1973-03-03 .. 9999-12-31: below are seconds, above is nonsense
SNIFF_BYTES = 64 * 1024
_DEFLATE_MAX_RATIO = 1032  # the most deflate can expand: 258-byte matches in 2-bit codes


@dataclass(frozen=True)
class Listing:
    """The files under traces/, sorted: trace files, CTS digest files, and files that are neither."""

    traces: list[str]
    digests: list[str]
    unknown: list[str]  # README.txt, a PDF export...: named in the evidence note, not read
    hidden: list[str]  # names starting with a dot (.DS_Store and the like): counted in the note, not read
    # folders that are symbolic links, not followed (`ln -s . again` would read every file 40 times): -> where to
    linked: dict[str, str] = field(default_factory=dict)


def list_files(bundle: Bundle) -> Listing:
    """Every file under traces/ (one walk of the folder), by what it is."""
    top = posixpath.join(bundle.root, "traces")
    if bundle.is_remote:
        try:
            found = bundle.fs.find(top)
        except FileNotFoundError:
            found = []
    else:  # os.walk: fsspec's local find stats every entry (0.5 s for 10,000 files)
        found, linked = _walk(bundle.local_path("traces"))
    out: dict = {"traces": [], "digests": [], "unknown": [], "hidden": [],
                 "linked": {} if bundle.is_remote else {bundle.rel(k): v for k, v in linked.items()}}
    for rel in sorted(map(bundle.rel, found)):
        if rel == COLLECTION_LOG:  # `hds-audit collect` records what it copied beside the traces: provenance
            continue
        if posixpath.basename(rel).startswith(".") or "/." in rel[len("traces"):]:
            out["hidden"].append(rel)
        elif DIGEST.search(rel):
            out["digests"].append(rel)
        elif rel.lower().endswith(TRACE_SUFFIXES):
            out["traces"].append(rel)
        else:
            out["unknown"].append(rel)
    return Listing(**out)


def _walk(top: str) -> tuple[list[str], dict[str, str]]:
    """Every entry under `top` that is not a folder (links and FIFOs too: the copy names them), and the folders that
    are symbolic links (not followed) with their target."""
    found, linked = [], {}
    for folder, dirs, names in os.walk(top):
        folder = folder.replace(os.sep, "/")
        found += [f"{folder}/{name}" for name in names]
        linked.update({f"{folder}/{d}": os.readlink(os.path.join(folder, d)) for d in dirs if os.path.islink(os.path.join(folder, d))})
    return found, linked


def trace_files(bundle: Bundle) -> list[str]:
    """Every trace file under traces/ (see list_files)."""
    return list_files(bundle).traces


def is_gzip(rel: str) -> bool:
    return rel.lower().endswith(".gz")


def key_region(key: str) -> str | None:
    return m[1].strip().lower() if (m := CTS_KEY.search(key)) else None


def may_read_buckets(key: str) -> bool:
    """Whether the file may hold OBS traces: CTS writes each service into its own folder
    (`CloudTraces/{region}/{YYYY}/{M}/{D}/{tracker}/{Service}/`); a file outside that layout may hold any."""
    service = m[2] if (m := CTS_KEY.search(key)) else None
    return service is None or service.upper() == "OBS"


def region_of(key: str, endpoint: Any) -> str | None:
    if region := key_region(key):
        return region
    if isinstance(endpoint, str) and (m := ENDPOINT_REGION.search(endpoint.lower())):
        return m[1]
    return None


# -- shape -------------------------------------------------------------------------------------
def _head(path: str, rel: str, size: int, guard: bool = False) -> tuple[str, bool] | None:
    """The first `size` bytes of the file's text (gunzipped), and whether that is the whole text; None if unreadable
    (or, with `guard`, a decompression bomb: checked on the first look only, it may inflate the whole file)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(size)
            complete = len(head) < size
            if is_gzip(rel):
                if guard and _may_be_a_bomb(handle):
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
        gunzip(iter(lambda: handle.read(1024 * 1024), b""), keep=False)
    except ValueError as exc:
        return "bomb" in str(exc)
    finally:
        handle.seek(0)
    return False


def sniff(path: str, rel: str) -> str:
    """'array', 'envelope', 'objects' (one or more objects: a single trace, JSON lines) or 'python'."""
    head = _head(path, rel, 512, guard=True)  # a JSON array says so in its first byte; the rest needs more
    if head is None:
        return "python"  # unreadable or a bomb: the Python reading says why
    if head[0].startswith("["):
        return "array"
    head = _head(path, rel, 4096)
    if head is None or not head[0].startswith(("[", "{")):
        return "python"  # unreadable, blank or not JSON: the Python reading says why
    if head[0].startswith("["):
        return "array"
    if rel.lower().endswith(LINES_SUFFIXES):
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


# -- the Python reading of one file (exact reasons) ------------------------------------------
class TooLargeForPython(ValueError):
    """A trace file past PYTHON_MAX_BYTES: not read whole in Python (the Spark store reads it as a stream, stream.py)."""


def gunzip(chunks, keep: bool = True, limit: int | None = None) -> bytes:
    """Every gzip member of `chunks` inflated; ValueError past MAX_DECOMPRESSED bytes (or a lower `limit`) or if not gzip."""
    out = inflated(chunks, limit)
    if keep:
        return b"".join(out)
    for _ in out:  # inflated and dropped: only whether it reads counts
        pass
    return b""


def inflated(chunks, limit: int | None = None):
    """gunzip's inflated chunks, one per chunk read (none kept here): the same errors, raised when met."""
    size = 0
    bound = MAX_DECOMPRESSED if limit is None else min(limit, MAX_DECOMPRESSED)
    inflate = zlib.decompressobj(wbits=31)
    try:
        for chunk in chunks:
            while chunk:
                data = inflate.decompress(chunk, bound + 1 - size)
                size += len(data)
                if size > bound:
                    if bound < MAX_DECOMPRESSED:
                        raise TooLargeForPython(python_refusal(f"expands past {size_text(bound)}"))
                    raise ValueError(msg("expands past {limit} bytes; refused as a decompression bomb", limit=str(MAX_DECOMPRESSED)))
                yield data
                if inflate.eof and inflate.unused_data:  # another gzip member follows
                    chunk, inflate = inflate.unused_data, zlib.decompressobj(wbits=31)
                else:
                    chunk = inflate.unconsumed_tail
    except zlib.error as exc:
        raise ValueError(msg("not a valid gzip file ({error})", error=str(exc))) from exc
    if not inflate.eof:
        raise ValueError(msg("not a valid gzip file (truncated)"))


def parse_file(rel: str, raw: bytes) -> list:
    """The traces of one file, whatever its shape; ValueError names what is wrong with it."""
    if is_gzip(rel):
        raw = gunzip([raw], limit=PYTHON_MAX_BYTES)
    elif len(raw) > PYTHON_MAX_BYTES:
        raise TooLargeForPython(python_refusal(f"is {size_text(len(raw))}"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(msg("not UTF-8 text (byte {byte})", byte=exc.start)) from exc
    stripped = text.strip()
    if not stripped:
        raise ValueError(msg("empty file"))
    try:
        document = strict_loads(stripped)
    except json.JSONDecodeError:
        return _json_lines(stripped)
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if isinstance(document.get("traces"), list):
            return document["traces"]
        return [document]
    raise ValueError(msg("JSON document is neither a trace, a list of traces nor a {envelope} envelope", envelope='{"traces": [...]}'))


def python_refusal(size: str) -> str:
    return (f"cannot be read exactly: it {size}, past the limit of {size_text(PYTHON_MAX_BYTES)} for reading one trace "
            "file in Python (raise HDS_AUDIT_TRACE_PYTHON_MAX_BYTES), and DuckDB could not read it as a whole or it holds "
            "a trace breaking the contract; split it")


def _json_lines(text: str) -> list:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(strict_loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(msg("not JSON (line {line}: {error})", line=number, error=exc.msg)) from exc
    return records


def trace_row(rel: str, index: int, t: Any) -> tuple[tuple | None, str | None]:
    """The full row of one trace (COLUMNS), or the reason it breaks the contract (same rules as the SQL path)."""
    if not isinstance(t, dict):
        return None, msg("a trace must be a JSON object")
    when = t.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)) or not math.isfinite(when):
        return None, msg("'time' must be milliseconds since the epoch, got {value}", value=shown(when) if "time" in t else msg("no time at all"))
    if when < MIN_MS:  # before 1973 in ms: these are seconds, and guessing would move events
        return None, msg("'time' {value} looks like seconds, not milliseconds since the epoch", value=str(when))
    if when > MAX_MS:
        return None, msg("'time' {value} is beyond year 9999", value=str(when))
    user, trace_type = t.get("user"), t.get("trace_type")
    if isinstance(user, str):
        user = _json_object(user)  # older CTS APIs store `user` serialised as a JSON string, like request/response
        if user is None:
            return None, msg("'user' is a string that is not a JSON object")
    if user is not None and not isinstance(user, dict):
        return None, msg("'user' must be an object, the same object as a JSON string, or null")
    # A blank name names no one. Other than on a SystemAction (whose account is `user.name` or none, as in the SQL
    # path), newer traces also carry `user_name`, inside `user` or at the top level.
    system = trace_type in (None, "SystemAction")
    names = ((user or {}).get("name"),) if system else ((user or {}).get("name"), (user or {}).get("user_name"), t.get("user_name"))
    name = next((n for n in names if n is not None and not (isinstance(n, str) and not n.strip())), None)
    if name is None and not system:
        return None, msg("'user' is missing on a {type} trace", type=str(trace_type)) if user is None else msg("'user' has no name")
    code = t.get("code")
    return (
        rel, index, _text(t.get("trace_id")), _text(t.get("trace_name")), _text(t.get("trace_rating")),
        _text(trace_type), _text(t.get("service_type")), _text(t.get("resource_type")),
        _text(t.get("resource_id")), _text(t.get("resource_name")), _text(name),
        from_epoch_ms(when), region_of(rel, t.get("endpoint")), _text(code), _text(t.get("source_ip")),
    ), None


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def trace_rows(rel: str, records: list) -> tuple[list[tuple], list[tuple[int, str]]]:
    """The full rows of a file's good traces, and (index, reason) of each trace breaking the contract."""
    rows, refused = [], []
    for index, record in enumerate(records):
        row, reason = trace_row(rel, index, record)
        if reason:
            refused.append((index, reason))
        else:
            rows.append(row)
    return rows, refused


def event_row(reading: int, row: tuple) -> tuple:
    """The `trace_events` row of a full row (trace_row), as the SQL path computes it."""
    _, record, _, name, _, _, service, _, resource_id, resource_name, user_name, time, region, _, _ = row
    read = (service or "").upper() == "OBS" and bool(name and OBS_READ.match(name))
    return (reading, record, time, region, user_name, service,
            (resource_name.lower() if resource_name is not None else None) if read else None,
            resource_id.lstrip("/").split("/", 1)[0].lower() if read and resource_id is not None else None, False)


def trace_ref(file: str, trace_id: str | None, record: int) -> str:
    """An evidence reference to one trace: by its trace_id, else by its index in the file."""
    return f"{file}#trace_id={trace_id}" if trace_id else f"{file}#record {record}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
