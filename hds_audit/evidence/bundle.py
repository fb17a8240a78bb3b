"""An evidence bundle: a local folder or an S3-compatible prefix (OBS), read through fsspec.

Every file read is hashed once and remembered, so the manifest can list exactly what was read.

An entry that stands where an evidence file is expected but is not a readable file (a directory,
a broken symbolic link) exists: `exists`, `first_of` and `glob` show it, and reading it raises
`Unreadable` saying why, so the readers report the file and the reason instead of "absent".

Evidence is read only from plain files inside the bundle: a symbolic link that leads out of it
(to a credentials file, say), a named pipe (FIFO, which would block the run forever) or a device
is refused the same way, never read and never copied into a snapshot.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from dataclasses import dataclass, field
from functools import cached_property

from hds_audit.evidence.interface import FileRead
from hds_audit.i18n.messages import Message, msg


# How long a bucket may keep one request waiting (docs/user-guide.md "Reading the bundle from OBS"): botocore tries
# each request S3_ATTEMPTS times, each attempt giving up after S3_CONNECT_TIMEOUT s to connect and S3_READ_TIMEOUT s
# without data, with its own backoff (under 2 s a retry) between; s3fs's own retry loop, which would multiply that,
# is cut to one pass. At most about a minute per object, then the object is named with the cause.
S3_ATTEMPTS, S3_CONNECT_TIMEOUT, S3_READ_TIMEOUT = 3, 5, 15


def s3_config() -> dict:
    """botocore's Config for a bundle's client (a new dict each time: botocore rewrites `retries` in place)."""
    return {"retries": {"max_attempts": S3_ATTEMPTS, "mode": "standard"},
            "connect_timeout": S3_CONNECT_TIMEOUT, "read_timeout": S3_READ_TIMEOUT}


class BundleError(Exception):
    """The bundle itself cannot be opened (missing folder, unreachable bucket)."""


class EvidenceChanged(RuntimeError):
    """A file no longer has the bytes hashed when it was read: nothing may be taken from it."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path


class Unreadable(OSError, ValueError):
    """An entry is there but is not a readable file; an OSError and a ValueError, so every reader names it."""


class TooLarge(Unreadable):
    """A file past its size limit (hds_audit/evidence/limits.py): refused before it is read."""


@dataclass
class Bundle:
    url: str
    storage_options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.is_remote = "://" in self.url and not self.url.startswith("file://")
        options = dict(self.storage_options)
        if self.url.startswith("s3://"):
            options["config_kwargs"] = {**s3_config(), **options.get("config_kwargs", {})}
        try:
            import fsspec  # here, not at import: `controls list` and the checks need no file system

            self.fs, root = fsspec.core.url_to_fs(self.url, **options)
        except Exception as exc:  # noqa: BLE001 - any backend failure is a bundle error
            raise BundleError(f"cannot open bundle {self.url}: {exc}") from exc
        if hasattr(self.fs, "retries"):
            self.fs.retries = 1  # botocore retries already (s3_config)
        self.root = root.rstrip("/")
        self._reads: dict[str, FileRead] = {}
        try:
            ok = self.fs.isdir(self.root)
        except Exception as exc:  # noqa: BLE001
            raise BundleError(f"cannot reach bundle {self.url}: {_short(exc)}") from exc
        if not ok:
            what = "no such bucket, or nothing under this prefix" if self.is_remote else "not a folder"
            raise BundleError(f"bundle {self.url}: {what}")

    # -- listing -----------------------------------------------------------------------------
    def _abs(self, rel: str) -> str:
        return posixpath.join(self.root, rel)

    def rel(self, absolute: str) -> str:
        prefix = self.root + "/"  # cutting it off is 20 times cheaper than posixpath.relpath on 10,000 files
        return absolute[len(prefix):] if absolute.startswith(prefix) else posixpath.relpath(absolute, self.root)

    def exists(self, rel: str) -> bool:
        """Whether something is at `rel`: a file, or an entry in its place that `read_bytes` will name."""
        return self.fs.isfile(self._abs(rel)) or self.unreadable(rel) is not None

    def unreadable(self, rel: str) -> str | None:
        """Why the entry at `rel` is not a readable file (a directory, a broken link, a link out of the
        bundle, a FIFO, a device), or None."""
        reason = self._unreadable(rel)
        return None if reason is None else str(reason)

    def _unreadable(self, rel: str) -> Message | None:
        path = self._abs(rel)
        if not self.is_remote:
            return _not_plain(path, self._real_root)
        if self.fs.isdir(path):
            return msg("is a directory, not a readable file")
        return None

    @cached_property
    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def first_of(self, *candidates: str) -> str | None:
        return next((c for c in candidates if self.exists(c)), None)

    def glob(self, pattern: str) -> list[str]:
        """Relative paths matching `pattern` (unreadable entries too), sorted so runs do not depend on listing order."""
        return sorted(self.rel(p) for p in self.fs.glob(self._abs(pattern))
                      if self.fs.isfile(p) or self.unreadable(self.rel(p)) is not None)

    def local_path(self, rel: str) -> str | None:
        """A path on disk when the bundle is local (DuckDB then reads files itself)."""
        if self.is_remote:
            return None
        return os.path.join(self.root, *rel.split("/"))

    # -- reading -----------------------------------------------------------------------------
    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        """The whole file; `TooLarge` past `limit` bytes (default: limits.FILE_MAX_BYTES), before reading any."""
        from hds_audit.evidence import limits

        limit = limits.FILE_MAX_BYTES if limit is None else limit
        reason = self.too_large(rel, limit)
        if reason:
            self.record(rel)  # hashed in chunks: the manifest names what was refused
            raise TooLarge(reason)
        data = self._cat(rel)
        self.record(rel, data)
        return data

    def too_large(self, rel: str, limit: int, variable: str = "HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES") -> str | None:
        """Why the file at `rel` is too large to read whole, or None (also when its size cannot be told)."""
        from hds_audit.evidence.limits import too_large

        try:
            size = self.fs.size(self._abs(rel))
        except (OSError, ValueError):
            return None  # the reading names what is wrong
        return too_large(size, limit, variable) if isinstance(size, int) else None

    def _cat(self, rel: str) -> bytes:
        if not self.is_remote:
            with self.open_plain(rel) as handle:
                return handle.read()
        try:
            return self.fs.cat_file(self._abs(rel))
        except OSError:
            reason = self._unreadable(rel)
            if reason:
                raise Unreadable(reason) from None
            raise

    def open_plain(self, rel: str):
        """A local file opened for reading, if it is a plain file inside the bundle; else `Unreadable` says why.

        Opened without blocking and checked again once open, so a FIFO put in its place meanwhile does not hang.
        """
        path = self._abs(rel)
        reason = _not_plain(path, self._real_root)
        if reason:
            raise Unreadable(reason)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise Unreadable(msg("is not a plain file (it was replaced while being read)"))
        return os.fdopen(fd, "rb")

    def record(self, rel: str, data: bytes | None = None) -> FileRead:
        """Remember that `rel` was read (hashing it if the caller does not pass its bytes).

        An entry that is not a readable file is not remembered (nothing of it was read): the
        FileRead returned has no hash, and the reader that tries to read it names the reason.
        """
        if rel not in self._reads:
            if data is None:  # in chunks: a file of gigabytes is hashed without being held
                try:
                    with (self.fs.open(self._abs(rel), "rb") if self.is_remote else self.open_plain(rel)) as handle:
                        digest = hashlib.file_digest(handle, "sha256")
                        size = handle.tell()
                except OSError:
                    if self.unreadable(rel):
                        return FileRead(rel, "", 0)
                    raise
                self._reads[rel] = FileRead(rel, digest.hexdigest(), size)
            else:
                self._reads[rel] = FileRead(rel, hashlib.sha256(data).hexdigest(), len(data))
        return self._reads[rel]

    def read_again(self, read: FileRead) -> bytes:
        """The bytes of a file read before (for the snapshot), which must be those hashed then: else EvidenceChanged."""
        try:
            data = self._cat(read.path)
        except OSError as exc:
            raise EvidenceChanged(read.path, f"cannot be read again ({describe_error(exc)})") from None
        now = hashlib.sha256(data).hexdigest()
        if now != read.sha256:
            raise EvidenceChanged(read.path, f"changed since it was read (sha256 {read.sha256} then, {now} now)")
        return data

    def remember(self, rel: str, sha256: str, size: int) -> FileRead:
        """Remember a read whose bytes the caller hashed itself (while copying them)."""
        return self._reads.setdefault(rel, FileRead(rel, sha256, size))

    def reads(self) -> list[FileRead]:
        return [self._reads[k] for k in sorted(self._reads)]

    def contains(self, rel: str) -> bool:
        """Whether `rel` stays inside the bundle (no `..`, no absolute path, no link out)."""
        if not rel or rel.startswith(("/", "\\")) or "\\" in rel or "\0" in rel or ":" in rel.split("/")[0]:
            return False  # a NUL names no file (and os.path.realpath raises on it)
        norm = posixpath.normpath(rel)
        if norm.startswith("..") or norm == ".":
            return False
        local = self.local_path(norm)
        if local is not None:
            real_root = os.path.realpath(self.local_path(".") or "")
            return os.path.realpath(local).startswith(real_root + os.sep)
        return True


_KINDS = ((stat.S_ISDIR, msg("is a directory, not a readable file")),
          (stat.S_ISFIFO, msg("is a named pipe (FIFO), not a plain file: refused")),
          (stat.S_ISCHR, msg("is a device, not a plain file: refused")), (stat.S_ISBLK, msg("is a device, not a plain file: refused")),
          (stat.S_ISSOCK, msg("is a socket, not a plain file: refused")))


def not_plain(path: str, real_root: str) -> str | None:
    """Why the local entry at `path` is not a plain file inside `real_root`, or None (a plain file, or nothing there)."""
    reason = _not_plain(path, real_root)
    return None if reason is None else str(reason)


def _not_plain(path: str, real_root: str) -> Message | None:
    """not_plain's reason as a message: an Unreadable raised with it is named in the report's language."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # nothing there (or not even listable): the read says so
    real = os.path.realpath(path)
    if not (real + os.sep).startswith(real_root + os.sep) or real == real_root:
        target = os.readlink(path) if stat.S_ISLNK(mode) else real
        return msg("is a symbolic link out of the bundle (to {target}): refused, not read", target=target)
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return msg("is a broken symbolic link (to {target}), not a readable file", target=os.readlink(path))
    return next((reason for test, reason in _KINDS if test(mode)), None)


def describe_error(exc: BaseException) -> str:
    """What went wrong fetching an object, in words (s3fs turns HTTP statuses into these OSErrors)."""
    if isinstance(exc, FileNotFoundError):
        return f"not found (listed, then gone: HTTP 404) ({_short(exc)})"
    if isinstance(exc, PermissionError):
        return f"access denied (HTTP 403) ({_short(exc)})"
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return f"timed out ({_short(exc)})"
    return f"{type(exc).__name__}: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
