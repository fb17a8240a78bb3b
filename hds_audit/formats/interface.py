"""What every output format receives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from hds_audit.results.model import RunResult


# Bidirectional controls (LRM, RLM, embeddings, overrides, isolates): in an account name from the
# evidence, U+202E would show "gnp.exe" as "exe.png". Reports show them as code points instead.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_bidi(text: str) -> str:
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


_DIGITS = re.compile(r"(\d+)")


def natural_key(path: str) -> tuple:
    """Sort key comparing digit runs as numbers: CTS folders are 2026/6/ ... 2026/10/, not 2026/10/
    before 2026/6/. Text and numbers alternate, so two keys always compare like with like."""
    return tuple((int(part), part) if i % 2 else part for i, part in enumerate(_DIGITS.split(path)))


@dataclass
class RenderContext:
    result: RunResult
    signer: str | None = None  # subject of the signing certificate
    demo: bool = False  # signed with a throwaway identity
    extras: dict = field(default_factory=dict)  # comparison with a previous run, etc.


class Format(Protocol):
    FILENAME: str

    def render(self, ctx: RenderContext) -> bytes: ...
