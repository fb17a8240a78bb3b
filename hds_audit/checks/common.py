"""Small helpers shared by checks: name matching, evidence references, register intervals in SQL."""

from __future__ import annotations

import re
from datetime import datetime

from hds_audit.checks.interface import CheckInput, Finding
from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces.files import trace_ref  # noqa: F401 - checks reference traces through it
from hds_audit.states import Status
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


def no_trace_in_period(inp: CheckInput) -> Finding | None:
    """An `error` finding when trace files were read but none of their traces lies in the period.

    Checks that look for bad activity would otherwise pass on no activity at all: absent evidence is never a pass.
    """
    traces = inp["traces"]
    start, end = inp.period.start, inp.period.end
    if traces.rows("SELECT EXISTS (SELECT 1 FROM traces WHERE time >= ? AND time < ?)", [start, end])[0][0]:
        return None
    return Finding("traces", f"no trace in the period {when(start)} to {when(end)}: none of the traces of the {traces.files} "
                             "trace file(s) read falls in it, so the period's activity cannot be assessed", status=Status.ERROR)


def load_cover(con, register: list[Row], roles: tuple[str, ...] | None = None, name: str = "auth") -> None:
    """Temp tables of the register per account (of `roles` only, when given): `{name}_cover` (account_key, spans),
    the union of its authorization periods [granted_at, revoked_at) as disjoint spans {start, stop} (stop NULL:
    still authorized), and `{name}_revoked` (account_key, first_revoked), its earliest revocation.

    One row per account lets a plain hash join bring each trace its account's few spans; testing them per trace
    avoids a correlated subquery, which DuckDB runs as a DISTINCT over every trace.
    """
    periods: dict[str, list] = {}
    for row in register:
        if row.values["granted_at"] is not None and (roles is None or row.values["role"] in roles):
            periods.setdefault(account_key(row.values["account"]), []).append((row.values["granted_at"], row.values["revoked_at"]))
    cover, revoked = [], []
    for key, spans in sorted(periods.items()):
        merged: list[list] = []
        for start, stop in sorted(spans, key=lambda s: s[0]):
            last = merged[-1] if merged else None
            if last and (last[1] is None or start <= last[1]):  # overlaps or touches the previous span: extend it
                last[1] = None if last[1] is None or stop is None else max(last[1], stop)
            else:
                merged.append([start, stop])
        cover.append((key, [{"start": start, "stop": stop} for start, stop in merged]))
        if stops := [stop for _, stop in spans if stop is not None]:
            revoked.append((key, min(stops)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_cover (account_key VARCHAR, spans STRUCT(start TIMESTAMPTZ, stop TIMESTAMPTZ)[])")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_revoked (account_key VARCHAR, first_revoked TIMESTAMPTZ)")
    if cover:
        con.executemany(f"INSERT INTO {name}_cover VALUES (?, ?)", cover)
    if revoked:
        con.executemany(f"INSERT INTO {name}_revoked VALUES (?, ?)", revoked)


def uncovered_sql(alias: str = "t", cover: str = "c") -> str:
    """SQL condition: trace `alias` falls in none of the spans of its account (the row `cover` of a `*_cover` table)."""
    return (f"({cover}.spans IS NULL OR NOT list_bool_or(list_transform({cover}.spans, lambda s: s.start <= {alias}.time "
            f"AND (s.stop IS NULL OR {alias}.time < s.stop))))")


def refs_sql(alias: str = "t") -> str:
    """SQL aggregate: {'file', 'record'} of the group's first MAX_REFS traces by (time, file, record).

    `min_by(value, key, n)` keeps only n values per group while it scans (bounded memory, however many rows the
    group has); it returns them ordered by key. `TraceSet.refs` turns them into references with trace ids.
    """
    a = alias
    return (f"min_by({{'file': {a}.file, 'record': {a}.record}}, "
            f"{{'time': {a}.time, 'file': {a}.file, 'record': {a}.record}}, {MAX_REFS})")
