"""What every output format receives, and how files are written (atomically, never half-done)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hds_audit.results.model import RunResult


@dataclass
class RenderContext:
    result: RunResult
    signer: str | None = None  # subject of the signing certificate
    demo: bool = False  # signed with a throwaway identity
    extras: dict = field(default_factory=dict)  # comparison with a previous run, etc.


class Format(Protocol):
    FILENAME: str

    def render(self, ctx: RenderContext) -> bytes: ...


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target then rename, so a failed run never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
