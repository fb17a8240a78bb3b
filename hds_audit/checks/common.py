"""Small helpers shared by checks: name matching, evidence references, register intervals in SQL."""

from __future__ import annotations

import re
from datetime import datetime

from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces.files import trace_ref  # noqa: F401 - checks reference traces through it
from hds_audit.timeutil import iso

MAX_REFS = 5  # evidence references kept per finding; the count says how many there were


def account_key(name: str) -> str:
    """IAM names are matched case-insensitively: a register is typed by people."""
    return name.strip().casefold()


def person_key(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "").strip()).casefold()


def row_ref(file: str, row: Row) -> str:
    return f"{file}#row {row.number}"




def when(instant: datetime | None) -> str:
    return iso(instant) or "—"


def load_authorizations(con, register: list[Row], table: str = "auth") -> None:
    """The register's authorization periods as a DuckDB table (account_key, granted_at, revoked_at, role)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (account_key VARCHAR, granted_at TIMESTAMPTZ, revoked_at TIMESTAMPTZ, role VARCHAR)")
    rows = [(account_key(r.values["account"]), r.values["granted_at"], r.values["revoked_at"], r.values["role"]) for r in register]
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)


def refs_sql(alias: str = "t") -> str:
    """SQL aggregate: {'file', 'record'} of the group's first MAX_REFS traces by (time, file, record).

    `min_by(value, key, n)` keeps only n values per group while it scans (bounded memory, however many rows the
    group has); it returns them ordered by key. `TraceSet.refs` turns them into references with trace ids.
    """
    a = alias
    return (f"min_by({{'file': {a}.file, 'record': {a}.record}}, "
            f"{{'time': {a}.time, 'file': {a}.file, 'record': {a}.record}}, {MAX_REFS})")
