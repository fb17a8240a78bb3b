"""`hds-audit collect traces`: copy a period's CTS files from an OBS (S3-compatible) bucket into a bundle.

CTS writes `{prefix}/CloudTraces/{region}/{YYYY}/{M}/{D}/{tracker}/{Service}/...` where the date is
the UTC day the file was written. A file is selected when that date lies in the period's days
(Europe/Paris) widened by one day on each side: a trace of 00:30 Paris lands in the previous UTC
day, and a file written just after midnight may hold the last traces of the day before.

The copy keeps the key layout under `traces/`, writes each file under a temporary name and
renames it once complete and checked against the object's size (and MD5 ETag when it has one),
so an interrupted run leaves no half file; a rerun skips files already there with the same size
and checksum. Every file copied is recorded in `traces/collection-log.jsonl` (source, key, size,
SHA-256, time) so a report's evidence can be traced back to the bucket. Credentials come from the
standard AWS_* environment variables (or the AWS configuration files), never from the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from hds_audit.calendar.instants import PARIS
from hds_audit.calendar.period import Period
from hds_audit.evidence.traces import COLLECTION_LOG, TRACE_SUFFIXES

PARTIAL_SUFFIX = ".hds-audit-partial"  # a copy in progress; never matched by the trace reader's patterns
CHUNK = 1024 * 1024
ATTEMPTS = 2  # per file; the client itself retries each request once more
MAX_CONSECUTIVE_FAILURES = 3  # then the endpoint is considered gone: stop, a rerun resumes


class CollectError(Exception):
    """The source cannot be used (unreachable, refused, not found): one line, exit 2."""


@dataclass(frozen=True)
class Source:
    url: str
    bucket: str
    prefix: str  # without leading or trailing `/`

    @property
    def base(self) -> str:
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket


@dataclass(frozen=True)
class RemoteFile:
    key: str  # the object's key in the bucket
    rel: str  # path under traces/ in the bundle
    size: int
    etag: str | None

    @property
    def md5_etag(self) -> str | None:
        """The ETag when it is the object's MD5 (not for multipart uploads, whose ETag has a `-`)."""
        return self.etag if self.etag and re.fullmatch(r"[0-9a-f]{32}", self.etag) else None


@dataclass
class Outcome:
    selected: list[RemoteFile] = field(default_factory=list)
    copied: list[RemoteFile] = field(default_factory=list)
    present: int = 0  # already in the bundle, same size and checksum
    failed: list[tuple[RemoteFile, str]] = field(default_factory=list)
    outside: int = 0  # CTS files of other days
    ignored: list[str] = field(default_factory=list)  # keys not usable as trace files
    aborted: str | None = None  # why the copy stopped early

    @property
    def bytes_copied(self) -> int:
        return sum(f.size for f in self.copied)


def parse_source(url: str) -> Source:
    match = re.fullmatch(r"(?:s3|obs)://([^/]+)/?(.*)", url.strip())
    if not match:
        raise CollectError(f"--from must read s3://BUCKET or s3://BUCKET/PREFIX, not {url!r}")
    return Source(url.strip(), match[1], match[2].strip("/"))


def day_window(period: Period) -> tuple[date, date]:
    """First and last key dates (inclusive) to collect for the period."""
    first = period.start.astimezone(PARIS).date() - timedelta(days=1)
    last = (period.end - timedelta(microseconds=1)).astimezone(PARIS).date() + timedelta(days=1)
    return first, last


def open_fs(endpoint: str | None, key: str | None = None, secret: str | None = None):
    """An S3 view of OBS; `key`/`secret` (the API collectors' access key) else the standard AWS_* variables."""
    import s3fs

    client = {"endpoint_url": endpoint} if endpoint else {}
    # bounded waiting: a closed port or a dead endpoint must end the command within seconds
    config = {"retries": {"max_attempts": 2, "mode": "standard"}, "connect_timeout": 5, "read_timeout": 60}
    keys = {"key": key, "secret": secret} if key and secret else {}
    fs = s3fs.S3FileSystem(client_kwargs=client, config_kwargs=config, skip_instance_cache=True, **keys)
    fs.retries = 2  # s3fs' own retry loop around each call (5 by default)
    return fs


# --- listing -----------------------------------------------------------------------------------

def list_period_files(fs, source: Source, first: date, last: date, outcome: Outcome) -> list[RemoteFile]:
    roots = _trace_roots(fs, source)
    if not roots:
        raise CollectError(f"no CloudTraces/ folder under {source.url}: give the tracker's bucket (and its file prefix)")
    files: list[RemoteFile] = []
    for root in roots:
        # keys keep their layout from the folder holding CloudTraces/ down, so the region stays in the path
        parent = posixpath.dirname(root)
        for region in _dirs(fs, root):
            for year in _numbered(fs, region):
                if not first.year <= _number(year) <= last.year:
                    continue
                for month in _numbered(fs, year):
                    y, m = _number(year), _number(month)
                    if not 1 <= m <= 12 or date(y, m, 1) > last or _month_end(y, m) < first:
                        continue
                    for day in _numbered(fs, month):
                        try:
                            when = date(y, m, _number(day))
                        except ValueError:
                            continue
                        if first <= when <= last:
                            files += _files(fs, day, parent, source, outcome)
                        else:
                            outcome.outside += 1
    return sorted(files, key=lambda f: f.key)


def _trace_roots(fs, source: Source) -> list[str]:
    base = source.base
    if posixpath.basename(base) == "CloudTraces":
        return [base]
    children = _dirs(fs, base)
    if f"{base}/CloudTraces" in children:
        return [f"{base}/CloudTraces"]
    # the tracker's file prefix is a folder above CloudTraces/: s3://BUCKET holds PREFIX/CloudTraces/
    return [f"{child}/CloudTraces" for child in children if f"{child}/CloudTraces" in _dirs(fs, child)]


def _dirs(fs, path: str) -> list[str]:
    return sorted(e["name"].rstrip("/") for e in fs.ls(path, detail=True, refresh=True) if e.get("type") == "directory")


def _numbered(fs, path: str) -> list[str]:
    return [p for p in _dirs(fs, path) if posixpath.basename(p).isdigit()]


def _number(path: str) -> int:
    return int(posixpath.basename(path))


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _files(fs, folder: str, parent: str, source: Source, outcome: Outcome) -> list[RemoteFile]:
    found = []
    for path, info in sorted(fs.find(folder, detail=True).items()):
        key = path.split("/", 1)[1]
        rel = path[len(parent) + 1:] if parent else path
        if not path.lower().endswith(TRACE_SUFFIXES) or not _safe(rel):
            outcome.ignored.append(key)
            continue
        etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower() or None
        found.append(RemoteFile(key, rel, int(info.get("size") or info.get("Size") or 0), etag))
    return found


def _safe(rel: str) -> bool:
    """A key that stays inside traces/ once written (no `..`, no absolute path)."""
    norm = posixpath.normpath(rel)
    return not (rel.startswith("/") or norm.startswith("..") or "\\" in rel or norm == ".")


# --- copying -----------------------------------------------------------------------------------

def collect_traces(fs, source: Source, bundle: Path, period: Period, endpoint: str | None = None,
                   progress: Callable[[RemoteFile, int], None] | None = None,
                   planned: Callable[[list[RemoteFile]], None] | None = None) -> Outcome:
    """Copy the period's CTS files into `bundle`/traces/; `progress(file, bytes)` follows the copy."""
    outcome = Outcome()
    first, last = day_window(period)
    try:
        outcome.selected = list_period_files(fs, source, first, last, outcome)
    except CollectError:
        raise
    except Exception as exc:  # noqa: BLE001 - every backend failure becomes one clear line
        raise CollectError(describe(exc, source, endpoint)) from None
    traces = bundle / "traces"
    traces.mkdir(parents=True, exist_ok=True)
    _sweep_partials(traces)
    log_path = bundle / COLLECTION_LOG
    logged = read_log(log_path)
    if planned:
        planned(outcome.selected)
    failures = 0
    for remote in outcome.selected:
        target = traces / Path(*remote.rel.split("/"))
        if _already_there(target, remote, logged.get(remote.key)):
            outcome.present += 1
            if remote.key not in logged:  # copied by a run stopped before it could log it
                _append_log(log_path, _entry(source, remote, _sha256(target), endpoint))
            if progress:
                progress(remote, remote.size)
            continue
        error = None
        for attempt in range(ATTEMPTS):
            try:
                digest = _fetch(fs, source, remote, target, progress)
                break
            except Exception as exc:  # noqa: BLE001
                error = describe(exc, source, endpoint)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(0.5 * (attempt + 1))
        else:
            outcome.failed.append((remote, error or "unknown error"))
            failures += 1
            if failures >= MAX_CONSECUTIVE_FAILURES:
                outcome.aborted = error
                break
            continue
        failures = 0
        _append_log(log_path, _entry(source, remote, digest, endpoint))
        outcome.copied.append(remote)
    return outcome


def _fetch(fs, source: Source, remote: RemoteFile, target: Path, progress) -> str:
    """Download to a temporary name, check it, then rename: the target is whole or absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + PARTIAL_SUFFIX)
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    try:
        with fs.open(f"{source.bucket}/{remote.key}", "rb", block_size=CHUNK) as src, open(temp, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
                sha.update(chunk)
                md5.update(chunk)
                size += len(chunk)
                if progress:
                    progress(remote, len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if size != remote.size:
            raise OSError(f"received {size} bytes of {remote.size}")
        if remote.md5_etag and md5.hexdigest() != remote.md5_etag:
            raise OSError("the copy's MD5 differs from the object's ETag")
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
    return sha.hexdigest()


def _already_there(target: Path, remote: RemoteFile, entry: dict | None) -> bool:
    try:
        if target.stat().st_size != remote.size:
            return False
    except OSError:
        return False
    # the log's SHA-256 vouches for the copy as long as the object has not changed since
    if entry and entry.get("size") == remote.size and entry.get("etag") == remote.etag and entry.get("sha256"):
        return _sha256(target) == entry["sha256"]
    if remote.md5_etag:
        return _hash(target, hashlib.md5(usedforsecurity=False)) == remote.md5_etag
    return False  # a multipart object never logged: copy it again rather than trust the size alone


def _sha256(path: Path) -> str:
    return _hash(path, hashlib.sha256())


def _hash(path: Path, digest) -> str:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sweep_partials(traces: Path) -> None:
    for leftover in traces.rglob("*" + PARTIAL_SUFFIX):
        leftover.unlink(missing_ok=True)


# --- the collection log ----------------------------------------------------------------------------

def _entry(source: Source, remote: RemoteFile, sha256: str, endpoint: str | None) -> dict:
    entry = {
        "source": f"s3://{source.bucket}/{remote.key}", "key": remote.key, "path": f"traces/{remote.rel}",
        "size": remote.size, "sha256": sha256, "etag": remote.etag,
        "collected_at": datetime.now(PARIS).replace(microsecond=0).isoformat(),
    }
    if endpoint:
        entry["endpoint"] = re.sub(r"//[^/@]*@", "//", endpoint)  # never a user:password written out
    return entry


def read_log(path: Path) -> dict[str, dict]:
    """The latest entry per key; a line cut short by an interruption is ignored."""
    entries: dict[str, dict] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return entries
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            entries[entry["key"]] = entry
    return entries


def _append_log(path: Path, entry: dict) -> None:
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell():
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":  # an earlier run stopped mid-line: start a fresh one
                line = "\n" + line
        handle.write(line.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


# --- errors ----------------------------------------------------------------------------------------

def describe(exc: BaseException, source: Source, endpoint: str | None) -> str:
    """One line for the user, without credentials or a traceback."""
    where = endpoint or "the default S3 endpoint"
    name = type(exc).__name__
    text = (str(exc).splitlines() or [name])[0][:200]
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (an access key allowed to read the bucket)"
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError", "ReadTimeoutError") \
            or isinstance(exc, (ConnectionError, TimeoutError)) or "Could not connect" in text:
        reason = "connection failed" if "Could not connect" in text else text  # the URL it tried adds nothing
        return f"cannot reach {where}: {reason}"
    if isinstance(exc, PermissionError):
        return f"access to {source.url} refused: check the access key and its rights on the bucket ({text})"
    if isinstance(exc, FileNotFoundError):
        return f"{source.url} not found at {where}"
    return f"cannot read {source.url} at {where}: {name}: {text}"
