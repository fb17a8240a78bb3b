"""Writing output folders: whole or not at all.

Every file is written beside its target then renamed; a folder of reports is built in a staging
folder next to `--out` and swapped in only when complete, so a failed run never leaves a
half-written report over a previous good one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


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


@contextmanager
def staged(out: Path, label: str = "staging") -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds it becomes `out` (replacing it)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.{label}-"))
    os.chmod(staging, 0o777 & ~UMASK)
    try:
        yield staging
        _swap_in(staging, out)
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
