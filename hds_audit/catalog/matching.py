"""Which rule of a replaced matrix each binding of controls/bindings.yaml evidences.

A binding is keyed by a control id. A matrix row takes its id from the file's `id` column; a row
without one takes the id of the bundled rule whose wording it matches, ignoring case, spaces,
punctuation and accents ("Identifiers and authorizations" = "identifiers & AUTHORIZATIONS").
A binding left without a rule is an error of the run unless it is dropped on purpose, either by
`--drop-binding ID` or by a matrix row that names the rule with `dropped: yes`; dropped checks are
listed in every report.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

DROP_FLAG = "--drop-binding"
YES = frozenset({"yes", "y", "true", "1", "x"})
NO = frozenset({"", "no", "n", "false", "0"})
CLOSE_ENOUGH = 0.5  # difflib ratio under which no rule is named as the closest


def rule_key(text: str) -> str:
    """The wording of a rule with case, spaces, punctuation and accents left out."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c)).casefold()


def ascii_fold(text: str) -> str:
    """Accented letters as their base letter, so "Sécurité" gives the id "securite", not "s-curit"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class RowMatch:
    """How one matrix row got its control id."""

    control: str
    row: int
    how: str  # "id" (the file's id column), "text" (a bundled rule's wording), "new" (a rule the bundle has not)


@dataclass(frozen=True)
class DroppedBinding:
    binding: str  # the control id bindings.yaml names
    rule: str  # the bundled rule's wording, for the reader
    checks: tuple[str, ...]  # every check the binding would have run
    by: str  # where the user said so: "--drop-binding" or "FILE row N"

    def to_json(self) -> dict:
        return {"binding": self.binding, "rule": self.rule, "checks": list(self.checks), "dropped_by": self.by}


@dataclass(frozen=True)
class UnmatchedBinding:
    binding: str
    rule: str
    checks: tuple[str, ...]
    closest: str | None  # the closest rule of the matrix in use, with its row
    closest_id: str | None = None

    def message(self, matrix_name: str) -> str:
        near = f"; the closest rule is {self.closest}" if self.closest else "; no rule of it is close"
        return (f"bindings.yaml binding '{self.binding}' ({', '.join(self.checks)}) matches no rule of {matrix_name}"
                f"{near}")


def closest_rule(binding: str, rule: str, candidates: list[tuple[str, str, int]]) -> tuple[str, str] | None:
    """The candidate (id, rule, row) most like the binding's id or bundled wording: (its description, its id)."""
    def likeness(candidate: tuple[str, str, int]) -> float:
        cid, text, _ = candidate
        return max(SequenceMatcher(None, rule_key(rule), rule_key(text)).ratio(), SequenceMatcher(None, binding, cid).ratio())

    best = max(candidates, key=likeness, default=None)
    if best is None or likeness(best) < CLOSE_ENOUGH:
        return None  # naming an unrelated rule as "closest" would mislead more than it helps
    return f"'{best[1]}' (row {best[2]}, id '{best[0]}')", best[0]


def flag(value: str, where: str) -> bool:
    """A yes/no cell; anything else is a mistake worth naming rather than guessing."""
    word = value.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(f"{where}: dropped must be yes or no, not '{value}'")
