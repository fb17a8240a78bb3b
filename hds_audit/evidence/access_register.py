"""`access_register.csv|.xlsx`: the register of authorized persons, one row per authorization period.

A row left out as unreadable may be the one authorizing an account: the register keeps, beside its readable rows,
which account (and role) each unreadable row names as far as its cells tell, so the checks can answer `error`
(could not conclude) for that account instead of accusing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.tabular import Row, _read_cells, load_contract, read_table

NAME = "access_register"
DESCRIPTION = "access_register.csv|.xlsx: register of authorized persons"


@dataclass(frozen=True)
class UnreadRow:
    """A register row left out: its reference, and the account and role its cells name (None: unreadable)."""

    ref: str  # "file#row n"
    number: int
    account: str | None
    role: str | None  # one of the contract's roles, lower-case; None when the cell is empty or unknown


class Register(list):
    """The readable rows (a list of Row, as before) and the unreadable ones (`unread`)."""

    def __init__(self, rows=(), unread=()) -> None:
        super().__init__(rows)
        self.unread: tuple[UnreadRow, ...] = tuple(unread)


class _KeepBytes:
    """The bundle, keeping what `read_table` read: the cells of a rejected row are taken from the same bytes."""

    def __init__(self, bundle: Bundle) -> None:
        self._bundle = bundle
        self.data: dict[str, bytes] = {}

    def __getattr__(self, name):
        return getattr(self._bundle, name)

    def read_bytes(self, rel: str) -> bytes:
        self.data[rel] = data = self._bundle.read_bytes(rel)
        return data


def load(bundle: Bundle, tenant=None) -> Evidence[list[Row]]:
    source = _KeepBytes(bundle)
    evidence = read_table(source, NAME)
    if evidence.data is None:
        return evidence
    file = evidence.files[0].path
    kept, unread = [], []
    for row in evidence.data:
        v = row.values
        if v["revoked_at"] is not None and v["revoked_at"] <= v["granted_at"]:
            evidence.problems.append(Problem(file, f"row {row.number}", f"revoked_at {v['revoked_at'].isoformat()} is not after granted_at {v['granted_at'].isoformat()}"))
        elif v["role"] == "service" and not v.get("owner"):
            evidence.problems.append(Problem(file, f"row {row.number}", f"service account '{v['account']}' has no owner"))
        else:
            kept.append(row)
            continue
        unread.append(UnreadRow(f"{file}#row {row.number}", row.number, v["account"], v["role"]))
    unread += _rejected_rows(file, source.data.get(file), evidence.problems, {r.number for r in evidence.data})
    evidence.data = Register(kept, sorted(unread, key=lambda u: u.number))
    return evidence


def _rejected_rows(file: str, data: bytes | None, problems: list[Problem], typed: set[int]) -> list[UnreadRow]:
    """The rows `read_table` rejected, with the account and role their raw cells name."""
    numbers = {int(m.group(1)) for p in problems if p.record and (m := re.fullmatch(r"row (\d+)", p.record))} - typed
    if not numbers or data is None:
        return []
    _, cells, row_numbers = _read_cells(file, data)
    records = dict(zip(row_numbers, cells))
    kept = {_identity(records[n]) for n in row_numbers if n not in numbers}
    roles = set(load_contract(NAME).columns["role"].allowed or ())
    out = []
    for number in sorted(numbers):
        record = records.get(number, {})
        if _identity(record) in kept:
            continue  # an exact copy of a row that was read: it authorizes nothing more
        role = (record.get("role") or "").strip().lower()
        out.append(UnreadRow(f"{file}#row {number}", number, record.get("account") or None, role if role in roles else None))
    return out


def _identity(record: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in record.items()))
