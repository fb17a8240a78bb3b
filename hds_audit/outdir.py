"""Writing output folders: whole or not at all, and never over what is not ours.

Every file is written beside its target then renamed; a folder of reports is built in a staging
folder next to `--out` and swapped in only when complete, so a failed run never leaves a
half-written report over a previous good one.

The swap deletes the folder it replaces, so `--out` must be one of: a missing path, an empty
folder, or a folder hds-audit wrote. hds-audit recognises its own folders by their
`manifest.json` (schema `hds-audit/manifest/v1`), which lists every file a run or proof wrote:
a folder holding any file the manifest does not list (a user's notes, a link) is not replaced.
Only the metadata file browsers drop (`.DS_Store`, `Thumbs.db`, `desktop.ini`) is ignored.

One process at a time writes a given `--out`: `locked` holds an advisory lock on `.OUT.lock` beside
it (POSIX flock, released by the system when the process ends, even by kill -9; the file is removed
when the lock is released, and only a killed process leaves it, for the next one to reuse). Whoever
holds the lock knows that any `.OUT.staging-*`, `.OUT.review-*` or `.OUT.old-*` folder is what a
killed process left behind, and removes it.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


class OutDirError(OSError):
    """`--out` names something hds-audit must not replace; the message says what and why."""


# How a folder hds-audit wrote is known: its manifest (hds_audit/signing/manifest.py writes it; the
# names live here, below signing, so that writing folders never depends on signing them).
MANIFEST_SCHEMA = "hds-audit/manifest/v1"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.sig"
UNLISTED = frozenset({MANIFEST_NAME, SIGNATURE_NAME})  # they cannot list themselves

# written by file browsers, not by users: no reason to refuse a report folder for them
BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
SHOWN = 3  # names quoted in a refusal; the count says how many there were


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _current_umask()


def temp_file(directory: Path, name: str, data: bytes) -> Path:
    """A complete, synced temporary file in `directory`, with the usual permissions (not 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~UMASK)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = temp_file(path.parent, path.name, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_out(out: Path, keep: Mapping[str, Path] | None = None) -> Path:
    """`out`, resolved, if it may be replaced; else OutDirError naming it and why (one line).

    `keep` names folders (label -> path) that `out` must neither be, nor lie inside, nor contain.
    """
    resolved = Path(out).resolve()
    for label, folder in (keep or {}).items():
        folder = Path(folder).resolve()
        if resolved == folder:
            relation = f"is {label}"
        elif folder in resolved.parents:
            relation = f"is inside {label} ({folder})"
        elif resolved in folder.parents:
            relation = f"contains {label} ({folder})"
        else:
            continue
        raise OutDirError(f"--out {resolved} {relation}: choose a folder outside it")
    if not resolved.exists():
        return resolved
    if not resolved.is_dir():
        raise OutDirError(f"--out {resolved} is a file, not a folder: refusing to replace it; choose a folder")
    foreign = _not_ours(resolved)
    if foreign:
        raise OutDirError(f"--out {resolved} {foreign}: refusing to replace it (give a missing or empty folder, "
                          "or a folder a previous hds-audit run wrote)")
    return resolved


def _not_ours(folder: Path) -> str | None:
    """Why `folder` is not an empty folder nor one hds-audit wrote, or None."""
    present = _entries(folder)
    if not present:
        return None
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        listed = {str(f["path"]) for f in manifest["files"]} if manifest.get("schema") == MANIFEST_SCHEMA else None
    except FileNotFoundError:
        return f"is not empty and holds no hds-audit {MANIFEST_NAME} ({_some(present)})"
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
        listed = None
    if listed is None:
        return f"holds a {MANIFEST_NAME} that is not an hds-audit manifest"
    extra = sorted(p for p in present - listed - UNLISTED if p.rsplit("/", 1)[-1] not in BROWSER_FILES)
    if extra:
        return f"holds {len(extra)} file(s) hds-audit did not write ({_some(extra)})"
    return None


def _entries(folder: Path) -> set[str]:
    """Every file under `folder`, hidden ones too, as POSIX paths; a link to a folder is one entry."""
    found = set()
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        found.update((base / name).as_posix() for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))])
    return found


def _some(names) -> str:
    names = sorted(names)
    return ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


_HELD: dict[Path, int] = {}  # --out folders this process holds the lock of -> the lock file's descriptor
_LEFTOVERS = ("staging", "review", "old")  # the labels of the folders `staged` and `_swap_in` make


@contextmanager
def locked(out: Path) -> Iterator[Path]:
    """Hold the lock on `out` for the block (re-entrant within this process), else OutDirError.

    `run` takes it before reading any evidence, so a second run into the same folder is refused at
    once instead of both writing and both saying so.
    """
    out = Path(out).resolve()
    if out in _HELD:
        yield out
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    fd = _acquire(lock_path, out)
    _HELD[out] = fd
    try:
        _remove_leftovers(out)
        yield out
    finally:
        del _HELD[out]
        lock_path.unlink(missing_ok=True)  # still held: whoever opens the path next makes a new lock file
        os.close(fd)


def _acquire(lock_path: Path, out: Path) -> int:
    """The locked descriptor of `lock_path`; the holder removes the file when done, so a lock taken on
    a file just removed is retried on the new one."""
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666 & ~UMASK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutDirError(f"--out {out} is being written by another hds-audit process (it holds {lock_path}): "
                              "wait for it to end, or choose another folder") from None
        try:
            if os.stat(lock_path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _remove_leftovers(out: Path) -> None:
    """Staging and old folders a killed process left beside `out` (the lock says no live one owns them)."""
    for label in _LEFTOVERS:
        for leftover in out.parent.glob(f".{glob.escape(out.name)}.{label}-*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def staged(out: Path, label: str = "staging") -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds it becomes `out` (replacing it).

    `out` is checked before anything is written and again just before the swap, under its lock.
    """
    out = check_out(out)
    with locked(out):
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.{label}-"))
        os.chmod(staging, 0o777 & ~UMASK)
        try:
            yield staging
            _swap_in(staging, check_out(out))
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        os.rmdir(old)
        os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        if old is not None:  # the new folder could not go in: the previous one goes back
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
