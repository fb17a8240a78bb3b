"""What the trace tables are read from: a private copy of each trace file, made while hashing it.

DuckDB reads these copies, never the bundle's files, so that
- a finding cites traces of the very bytes whose hash the manifest holds: a file rewritten in the
  bundle after the scan changes nothing, and a copy altered on disk is caught before it is read
  again (`EvidenceChanged`, naming the file);
- a file name is never taken for a pattern: DuckDB's `read_json([...])` expands `*`, `?` and `[...]`
  in the paths it is given, so the copies are numbered (`000012.json.gz`);
- only plain files inside the bundle are read (`Bundle.open_plain`): a link out of it, a FIFO or a
  device is a problem naming the file, never read.

A file holding the same bytes as one copied before (the CloudTraces tree copied twice) is hashed
into the manifest but not read again: a problem names both files, and its traces count once.

With `lazy` (a re-run that the trace cache may serve: cache.py), a local bundle's files are only hashed
where they lie; a file is copied when first read, and its copy must hash as the file did (else
`EvidenceChanged`), so a file the cache serves whole is never copied at all.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from hds_audit.evidence.bundle import Bundle, EvidenceChanged, Unreadable, describe_error
from hds_audit.evidence.interface import Evidence, Problem

_CHUNK = 1 << 20
COPY_THREADS = min(4, os.cpu_count() or 2)


@dataclass
class Copies:
    folder: str
    hashes: dict[str, str] = field(default_factory=dict)  # bundle path -> sha256 of the bytes copied
    paths: dict[str, str] = field(default_factory=dict)  # bundle path -> its copy
    sizes: dict[str, int] = field(default_factory=dict)  # bundle path -> size of the bytes hashed (its copy's, once made)
    checked: set[str] = field(default_factory=set, repr=False)  # copies already read again: checked before
    bundle: Bundle | None = field(default=None, repr=False)  # where the files not copied yet (`pending`) are
    pending: set[str] = field(default_factory=set, repr=False)

    def path(self, rel: str) -> str:
        if rel in self.pending:
            self._copy_now(rel)
        return self.paths[rel]

    def _copy_now(self, rel: str, checked: bool = False) -> None:
        """The copy of a file hashed where it lies: its bytes must be those hashed. Handed out unchecked (`path`), it is
        checked again before it is read again, as any copy."""
        try:
            with self.bundle.open_plain(rel) as source, open(self.paths[rel], "wb") as copy:
                now, _ = _copy(source, copy)
        except OSError as exc:
            raise EvidenceChanged(rel, f"it cannot be read again since the scan hashed it ({exc.strerror or exc})") from None
        if now != self.hashes[rel]:
            os.remove(self.paths[rel])
            raise EvidenceChanged(rel, f"its bytes changed since the scan hashed them (sha256 {self.hashes[rel]} then, "
                                  f"{now} now); no trace of it is cited") from None
        self.pending.discard(rel)
        if checked:
            self.checked.add(rel)

    def check(self, rels) -> None:
        """Before a copy is read again: its bytes must still be those hashed at the scan."""
        for rel in sorted(set(rels) - self.checked):
            if rel in self.pending:  # copied now, and checked as it is
                self._copy_now(rel, checked=True)
                continue
            try:
                now = _sha256(self.paths[rel])
            except OSError as exc:
                raise EvidenceChanged(rel, f"its copy read at the scan cannot be read again ({exc.strerror})") from None
            if now != self.hashes[rel]:
                raise EvidenceChanged(rel, f"its bytes changed since the scan hashed them (sha256 {self.hashes[rel]} then, "
                                      f"{now} now); no trace of it is cited") from None
            self.checked.add(rel)


def take(bundle: Bundle, rels: list[str], folder: str, evidence: Evidence, lazy: bool = False) -> tuple[Copies, list[str]]:
    """Copies of the trace files `rels` under `folder`, and the files to read (unreadable ones and byte-for-byte
    copies of an earlier file left out, each named in `evidence.problems`); with `lazy`, a local bundle's files
    are hashed only, each copied when first read."""
    os.makedirs(folder, exist_ok=True)
    lazy = lazy and not bundle.is_remote  # a bucket's object is fetched whole anyway: the fetch is the copy
    copies = Copies(folder, bundle=bundle if lazy else None)
    targets = {rel: f"{folder}/{i:06d}{'.json.gz' if rel.lower().endswith('.gz') else '.json'}" for i, rel in enumerate(rels)}
    if bundle.is_remote:
        fetched = _fetch(bundle, targets, evidence)
    else:
        fetched = _copy_local(bundle, targets, evidence, copy=not lazy)
    first_of: dict[str, str] = {}
    kept = []
    for rel in rels:
        if rel not in fetched:
            continue
        sha, size = fetched[rel]
        bundle.remember(rel, sha, size)
        if sha in first_of:
            evidence.problems.append(Problem(rel, None, f"same bytes as {first_of[sha]} (sha256 {sha}): a copy of a file "
                                             "already read, its traces counted once"))
            if not lazy:
                os.remove(targets[rel])
            continue
        first_of[sha] = rel
        copies.hashes[rel], copies.paths[rel], copies.sizes[rel] = sha, targets[rel], size
        kept.append(rel)
    if lazy:
        copies.pending = set(kept)
    return copies, kept


def _copy_local(bundle: Bundle, targets: dict[str, str], evidence: Evidence, copy: bool = True) -> dict[str, tuple[str, int]]:
    """Each file's SHA-256 and size, hashed as it is copied to its target (with `copy`), else where it lies.

    Files are copied COPY_THREADS at a time: reading, hashing and writing release Python's lock, so the copies of a
    quarter's files take both cores instead of one; results and problems keep the order of `targets`."""

    def one(rel: str, target: str) -> tuple[str, tuple[str, int] | None, Problem | None]:
        try:
            with bundle.open_plain(rel) as source:
                if not copy:
                    return rel, _copy(source, None), None
                with open(target, "wb") as written:
                    return rel, _copy(source, written), None
        except OSError as exc:  # Unreadable, or a read error
            return rel, None, Problem(rel, None, str(exc) if isinstance(exc, Unreadable) else
                                      f"cannot be read ({exc.strerror or exc})")

    if len(targets) < 2 * COPY_THREADS:
        done = [one(rel, target) for rel, target in targets.items()]
    else:
        with ThreadPoolExecutor(COPY_THREADS, thread_name_prefix="hds-audit-copy") as pool:
            done = list(pool.map(one, targets, targets.values()))
    out = {}
    for rel, hashed, problem in done:
        if problem is not None:
            evidence.problems.append(problem)
        else:
            out[rel] = hashed
    return out


def _fetch(bundle: Bundle, targets: dict[str, str], evidence: Evidence) -> dict[str, tuple[str, int]]:
    """Downloads in one batch (s3fs fetches concurrently); if the batch fails, object by object, so that each object
    that cannot be fetched is named with its cause and the others are still read."""
    remote = {rel: posixpath.join(bundle.root, rel) for rel in targets}
    try:
        bundle.fs.get([remote[rel] for rel in targets], list(targets.values()))
        failed = {}
    except Exception:  # noqa: BLE001 - which object failed, and why, is found below
        failed = {}
        for rel, target in targets.items():
            try:
                bundle.fs.get_file(remote[rel], target)
            except Exception as exc:  # noqa: BLE001 - any backend failure names the object
                failed[rel] = exc
    out = {}
    for rel, target in targets.items():
        if rel in failed:
            evidence.problems.append(Problem(rel, None, f"cannot be fetched from the bucket: {describe_error(failed[rel])}"))
            continue
        with open(target, "rb") as handle:
            out[rel] = _copy(handle, None)
    return out


def _copy(source, copy) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy is not None:
            copy.write(chunk)
    return digest.hexdigest(), size


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return _copy(handle, None)[0]
