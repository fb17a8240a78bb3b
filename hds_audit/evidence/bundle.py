"""An evidence bundle: a local folder or an S3-compatible prefix (OBS), read through fsspec.

Every file read is hashed once and remembered, so the manifest can list exactly what was read.

An entry that stands where an evidence file is expected but is not a readable file (a directory,
a broken symbolic link) exists: `exists`, `first_of` and `glob` show it, and reading it raises
`Unreadable` saying why, so the readers report the file and the reason instead of "absent".
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass, field

import fsspec

from hds_audit.evidence.interface import FileRead


class BundleError(Exception):
    """The bundle itself cannot be opened (missing folder, unreachable bucket)."""


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
        try:
            self.fs, root = fsspec.core.url_to_fs(self.url, **self.storage_options)
        except Exception as exc:  # noqa: BLE001 - any backend failure is a bundle error
            raise BundleError(f"cannot open bundle {self.url}: {exc}") from exc
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
        """Why the entry at `rel` is not a readable file (a directory, a broken link), or None."""
        path = self._abs(rel)
        if not self.is_remote and os.path.islink(path) and not os.path.exists(path):
            return f"is a broken symbolic link (to {os.readlink(path)}), not a readable file"
        if self.fs.isdir(path):
            return "is a directory, not a readable file"
        return None

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
        try:
            return self.fs.cat_file(self._abs(rel))
        except OSError:
            reason = self.unreadable(rel)
            if reason:
                raise Unreadable(reason) from None
            raise

    def record(self, rel: str, data: bytes | None = None) -> FileRead:
        """Remember that `rel` was read (hashing it if the caller does not pass its bytes).

        An entry that is not a readable file is not remembered (nothing of it was read): the
        FileRead returned has no hash, and the reader that tries to read it names the reason.
        """
        if rel not in self._reads:
            if data is None:  # in chunks: a file of gigabytes is hashed without being held
                try:
                    with self.fs.open(self._abs(rel), "rb") as handle:
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


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
