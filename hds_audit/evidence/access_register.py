"""`access_register.csv|.xlsx`: the register of authorized persons, one row per authorization period.

A row left out as unreadable may be the one authorizing an account: the register keeps, beside its readable rows,
which account (and role) each unreadable row names as far as its cells tell, so the checks can answer `error`
(could not conclude) for that account instead of accusing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.tabular import Row, load_contract, read_table
from hds_audit.i18n.messages import msg

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


def load(bundle: Bundle, tenant=None) -> Evidence[list[Row]]:
    rejected: list[tuple[int, dict]] = []
    evidence = read_table(bundle, NAME, rejected)
    if evidence.data is None:
        return evidence
    file = evidence.files[0].path
    kept, unread = [], []
    for row in evidence.data:
        v = row.values
        if v["revoked_at"] is not None and v["revoked_at"] <= v["granted_at"]:
            evidence.problems.append(Problem(file, f"row {row.number}", msg("revoked_at {revoked} is not after granted_at {granted}",
                                                                            revoked=v["revoked_at"].isoformat(), granted=v["granted_at"].isoformat())))
        elif v["role"] == "service" and not v.get("owner"):
            evidence.problems.append(Problem(file, f"row {row.number}", msg("service account '{account}' has no owner", account=v["account"])))
        else:
            kept.append(row)
            continue
        unread.append(UnreadRow(f"{file}#row {row.number}", row.number, v["account"], v["role"]))
    roles = set(load_contract(NAME).columns["role"].allowed or ())
    for number, record in rejected:  # with the account and role their raw cells name
        role = (record.get("role") or "").strip().lower()
        unread.append(UnreadRow(f"{file}#row {number}", number, record.get("account") or None, role if role in roles else None))
    evidence.data = Register(kept, sorted(unread, key=lambda u: u.number))
    return evidence
