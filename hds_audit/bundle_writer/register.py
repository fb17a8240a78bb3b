"""The register of authorized persons: rows, and who held an authorization when."""

from __future__ import annotations

from datetime import date, datetime

from hds_audit.bundle_writer.clock import at
from hds_audit.bundle_writer.files import REGISTER_COLUMNS


def parse_when(text: str | None) -> datetime | None:
    if not text:
        return None
    if len(text) == 10:
        return at(date.fromisoformat(text), 0, 0)
    return datetime.fromisoformat(text)


def reg(account, person, email, role, granted, revoked=None, approved_by=None, ticket=None, owner=None) -> dict:
    return dict(account=account, person=person, email=email, role=role, granted_at=granted,
                revoked_at=revoked, approved_by=approved_by, ticket=ticket, owner=owner)


class Register:
    """Rows of the register, and the story's own view of them (to check that a story acts as it claims)."""

    columns = REGISTER_COLUMNS

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def periods(self, account: str):
        for r in self.rows:
            if r["account"] == account:
                yield parse_when(r["granted_at"]), parse_when(r.get("revoked_at")), r

    def ok(self, account: str, t: datetime) -> bool:
        return any(s <= t and (e is None or t < e) for s, e, _ in self.periods(account))

    def roles(self, account: str, t: datetime) -> set[str]:
        return {r["role"] for s, e, r in self.periods(account) if s <= t and (e is None or t < e)}
