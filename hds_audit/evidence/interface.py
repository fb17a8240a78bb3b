"""What every evidence kind produces: its data, the files it read, and what was wrong with them.

A kind never raises for bad input: each problem names the file, the record and the reason, and
the engine turns the problems into `error` findings of the checks that need that kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


def shown(value: Any) -> str:
    """A value from the evidence as a message shows it: as JSON writes it (null, true, "text"), never Python's None."""
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


@dataclass(frozen=True)
class Problem:
    file: str
    record: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} ({self.record})" if self.record else self.file
        return f"{where}: {self.reason}"

    @property
    def reference(self) -> str:
        return f"{self.file}#{self.record}" if self.record else self.file

    @property
    def message(self) -> str:
        """What a finding about the file says: the record, then the reason."""
        return f"{self.record}: {self.reason}" if self.record else self.reason


@dataclass
class FileRead:
    """Provenance of one evidence file: what the manifest and the evidence appendix show."""

    path: str
    sha256: str
    size: int
    records: int | None = None
    first: datetime | None = None
    last: datetime | None = None


@dataclass
class Evidence(Generic[T]):
    kind: str
    data: T | None = None
    files: list[FileRead] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    note: str | None = None  # why data is None when it is absent
    cache_use: dict[str, Any] | None = None  # how the trace cache served the reading (results.json `tool.cache`)

    @property
    def absent(self) -> bool:
        return self.data is None and not self.problems


class EvidenceKind(Protocol):
    """One module per kind exposes NAME, DESCRIPTION and load(bundle, tenant) -> Evidence."""

    NAME: str
    DESCRIPTION: str

    def load(self, bundle: Any, tenant: Any) -> Evidence: ...
