"""What every evidence kind produces: its data, the files it read, and what was wrong with them.

A kind never raises for bad input: each problem names the file, the record and the reason, and
the engine turns the problems into `error` findings of the checks that need that kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from hds_audit.calendar.instants import TimeParseError
from hds_audit.i18n.messages import Message, msg

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
    reason: str  # in English: a reader passes a Message (msg), kept as `template` for the reports' languages
    template: Message | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.reason, Message):
            object.__setattr__(self, "template", self.reason)
            object.__setattr__(self, "reason", str(self.reason))

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

    def text(self) -> str:
        """The reason in the language being rendered."""
        return self.template.render() if self.template is not None else self.reason

    def finding_message(self) -> Message | str:
        """`message` as a template when the reason is one (its English text is `message`, byte for byte)."""
        if self.template is None:
            return self.message
        if not self.record:
            return self.template
        return msg("{record}: {reason}", record=record_name(self.record), reason=self.template)


_RECORD = re.compile(r"(row|record|waiver) (\d+)")


def record_name(record: str) -> Message | str:
    """A record as a reason names it: `row 12`, `record 3`, `waiver 2` and `header` in the report's language; others (a JSON path,
    a Terraform address) as the file writes them."""
    if record == "header":
        return msg("header")
    found = _RECORD.fullmatch(record)
    if found is None:
        return record
    number = int(found.group(2))
    kind = found.group(1)
    if kind == "waiver":
        return msg("waiver {number}", number=number)
    return msg("row {number}", number=number) if kind == "row" else msg("record {number}", number=number)


def reason_of(exc: BaseException) -> Message | str:
    """The reason an exception carries: a message when it was raised with one (ValueError(msg(...))), else its text."""
    if exc.args and isinstance(exc.args[0], Message) and len(exc.args) == 1:
        return exc.args[0]
    if isinstance(exc, TimeParseError):  # a template of the calendar's, which cannot import messages
        return msg(exc.template, **exc.values)
    return str(exc)


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
    note: str | None = None  # why data is None when it is absent (in English; note_message in the reports' languages)
    note_message: Message | None = None
    cache_use: dict[str, Any] | None = None  # how the trace cache served the reading (results.json `tool.cache`)

    def absent_because(self, why: Message) -> None:
        self.note, self.note_message = str(why), why

    @property
    def absent(self) -> bool:
        return self.data is None and not self.problems


class EvidenceKind(Protocol):
    """One module per kind exposes NAME, DESCRIPTION and load(bundle, tenant) -> Evidence."""

    NAME: str
    DESCRIPTION: str

    def load(self, bundle: Any, tenant: Any) -> Evidence: ...
