"""What every output format receives."""

from __future__ import annotations

from dataclasses import dataclass, field
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
