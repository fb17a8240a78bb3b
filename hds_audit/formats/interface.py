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


# a date-time written with a fraction of a second (trace times are in milliseconds)
_FRACTION = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})[.,]\d+")


def to_seconds(text):
    """Times in a message, as people read them: 21:14:26.526000+02:00 -> 21:14:26+02:00 (the
    fraction is cut, not rounded, so a time never moves past the event). results.json keeps it."""
    return _FRACTION.sub(r"\1", text) if isinstance(text, str) else text


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
    snapshot: bool = False  # the evidence is copied beside the reports (evidence/): reports link to it


class Format(Protocol):
    FILENAME: str

    def render(self, ctx: RenderContext) -> bytes: ...
