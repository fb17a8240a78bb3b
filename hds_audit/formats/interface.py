"""What every output format receives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from hds_audit.i18n.messages import Message, msg
from hds_audit.ordering import natural_key  # noqa: F401 - formats sort with it
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


def notice_messages(result: RunResult) -> list[tuple[str, Message]]:
    """(word, sentence) a reader must see before any status, in every report: a run on the bundled sample,
    a period judged before its end. The word is a gettext id; the sentence a message (dates in the locale's form)."""
    out: list[tuple[str, Message]] = []
    if result.sample:
        out.append((msg("SAMPLE").template,
                    msg("made from the bundled fictional sample, not from a tenant's evidence: not evidence for an audit")))
    if result.interim:
        out.append((msg("INTERIM").template,
                    msg("period {label} has not ended: judged up to {end}, it ends {scheduled}; the results may still change",
                        label=result.period.label, end=result.period.end, scheduled=result.period.scheduled_end)))
    return out


def notices(result: RunResult) -> list[tuple[str, str]]:
    """The notices (notice_messages) in the language being rendered."""
    from hds_audit.i18n import _

    return [(_(word), sentence.render()) for word, sentence in notice_messages(result)]


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
