"""Small helpers shared by checks: name matching, evidence references, register intervals in SQL."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Callable

from hds_audit.checks.interface import CheckInput, Finding
from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces.files import trace_ref  # noqa: F401 - checks reference traces through it
from hds_audit.states import Status
from hds_audit.calendar.instants import iso

MAX_REFS = 5  # evidence references kept per finding; the count says how many there were


# Account names follow one rule wherever they are compared: Unicode NFC (macOS writes accents decomposed), blanks
# around trimmed, lower-cased (a register is typed by people). Python: `account_key`; SQL: `ACCOUNT_KEY_SQL`. Where
# register rows meet traces, both sides are keyed in SQL (`sql_account_keys`, `load_cover`): Python and DuckDB
# lower-case a few characters differently (İ, a final Σ), and a join must not split an account in two.
ACCOUNT_KEY_SQL = "lower(nfc_normalize(trim({})))"


def account_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower()


def sql_account_keys(con, names) -> dict[str, str]:
    """name -> its account key computed by DuckDB (ACCOUNT_KEY_SQL), for the names given (None skipped)."""
    names = sorted({n for n in names if n is not None})
    if not names:
        return {}
    return dict(con.execute(f"SELECT n, {ACCOUNT_KEY_SQL.format('n')} FROM unnest(?::VARCHAR[]) AS u(n)", [names]).fetchall())


def person_key(name: str | None) -> str:
    """Persons are only compared with one another, in Python: NFKC also folds look-alike forms people type (ligatures,
    full-width letters), blanks are collapsed, and casefold makes "STRAUSS" and "Strauß" one person."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name or "").strip()).casefold()


def row_ref(file: str, row: Row) -> str:
    return f"{file}#row {row.number}"


def undecided(findings: list[Finding], register, keys: Callable[[list[str]], dict[str, str]],
              roles: tuple[str, ...] | None = None) -> list[Finding]:
    """The failing findings about an account that an unreadable register row may authorize, made `error`.

    A row left out of the register (evidence/access_register.py `unread`) may be the very authorization a finding
    says is missing: the check cannot conclude for the account that row names, nor for any account when the row's
    account cannot be read. `keys` maps names to account keys as the check matched them; with `roles`, only rows
    of those roles (or of an unreadable role) count.
    """
    unread = [u for u in getattr(register, "unread", ()) if roles is None or u.role is None or u.role in roles]
    if not unread:
        return findings
    anonymous = [u for u in unread if u.account is None]
    key = keys(sorted({f.object for f in findings} | {u.account for u in unread if u.account is not None}))
    by_account: dict[str, list] = {}
    for u in unread:
        if u.account is not None:
            by_account.setdefault(key[u.account], []).append(u)
    out = []
    for f in findings:
        rows = sorted(by_account.get(key.get(f.object), []) + anonymous, key=lambda u: u.number)
        if f.status is not Status.FAIL or not rows:
            out.append(f)
            continue
        named = [u for u in rows if u.account is not None]
        which = "; ".join(part for part in (
            f"{_rows_label(named)} of this account" if named else "",
            f"{_rows_label(anonymous)} whose account is unreadable" if anonymous else "") if part)
        file = rows[0].ref.split("#", 1)[0]
        out.append(Finding(f.object, f"cannot conclude: {f.message}; but {file} {which} could not be read and may "
                                     "change this", f.evidence + tuple(u.ref for u in rows[:MAX_REFS]), Status.ERROR))
    return out


def _rows_label(rows) -> str:
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(str(u.number) for u in rows)


def when(instant: datetime | None) -> str:
    return iso(instant) or "—"


def no_trace_in_period(inp: CheckInput) -> Finding | None:
    """An `error` finding when trace files were read but none of their traces lies in the period.

    Checks that look for bad activity would otherwise pass on no activity at all: absent evidence is never a pass.
    """
    traces = inp["traces"]
    start, end = inp.period.start, inp.period.end
    if traces.any_in(start, end):
        return None
    return Finding("traces", f"no trace in the period {when(start)} to {when(end)}: none of the traces of the {traces.files} "
                             "trace file(s) read falls in it, so the period's activity cannot be assessed", status=Status.ERROR)


def load_cover(traces, register: list[Row], roles: tuple[str, ...] | None = None, name: str = "auth") -> dict[str, str]:
    """Temp tables of the register per account name seen in the traces (of `roles` only, when given): `{name}_cover`
    (user_name, spans, first_revoked): the union of its authorization periods [granted_at, revoked_at) as disjoint
    spans {start, stop} (stop NULL: still authorized), and its earliest revocation (NULL if none). Returns the account key (sql_account_keys) of each account of the register.

    One row per account lets a plain hash join bring each trace its account's few spans; testing them per trace
    avoids a correlated subquery, which DuckDB runs as a DISTINCT over every trace. The tables are keyed by the
    traces' own user_name (`TraceSet.accounts()`: each distinct name with its key, computed once per run).
    """
    con = traces.con
    keys = sql_account_keys(con, (row.values["account"] for row in register))
    periods: dict[str, list] = {}
    for row in register:
        if row.values["granted_at"] is not None and (roles is None or row.values["role"] in roles):
            periods.setdefault(keys[row.values["account"]], []).append((row.values["granted_at"], row.values["revoked_at"]))
    accounts = []
    for key, spans in sorted(periods.items()):
        merged: list[list] = []
        for start, stop in sorted(spans, key=lambda s: s[0]):
            last = merged[-1] if merged else None
            if last and (last[1] is None or start <= last[1]):  # overlaps or touches the previous span: extend it
                last[1] = None if last[1] is None or stop is None else max(last[1], stop)
            else:
                merged.append([start, stop])
        stops = [stop for _, stop in spans if stop is not None]
        accounts.append((key, [{"start": start, "stop": stop} for start, stop in merged], min(stops) if stops else None))
    register_table = f"{name}_register"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {register_table} "
                "(account_key VARCHAR, spans STRUCT(start TIMESTAMPTZ, stop TIMESTAMPTZ)[], first_revoked TIMESTAMPTZ)")
    if accounts:
        con.executemany(f"INSERT INTO {register_table} VALUES (?, ?, ?)", accounts)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {name}_cover AS
        SELECT a.user_name, r.spans, r.first_revoked
        FROM {traces.accounts(ACCOUNT_KEY_SQL)} a JOIN {register_table} r USING (account_key)""")
    return keys


def uncovered_sql(alias: str = "t", cover: str = "c", lo: str | None = None, hi: str | None = None) -> str:
    """SQL condition: no single span of the account (the row `cover` of a `*_cover` table) holds [`lo`, `hi`] whole;
    by default both are the time of trace `alias`, which then falls in none of the spans."""
    lo, hi = lo or f"{alias}.time", hi or f"{alias}.time"
    return (f"({cover}.spans IS NULL OR NOT list_bool_or(list_transform({cover}.spans, lambda s: s.start <= {lo} "
            f"AND (s.stop IS NULL OR {hi} < s.stop))))")


def write_out_uncovered(traces, inp: CheckInput, cover: str, where: str = "TRUE", params: list | None = None) -> None:
    """Writes out (`TraceSet.materialize`) the trace files of the period holding a group of traces (`where`, over
    alias `p`) that no single span of its account in `cover` holds whole: only there can a trace be uncovered, and
    `uncovered_sql` then tests those traces one by one."""
    traces.materialize(f"SELECT p.reading FROM {traces.period(inp.period.start, inp.period.end)} p "
                       f"LEFT JOIN {cover} c ON c.user_name = p.user_name "
                       f"WHERE ({where}) AND {uncovered_sql(lo='p.lo', hi='p.hi')}", params)


def refs_sql(alias: str = "t") -> str:
    """SQL aggregate: {'file', 'record'} of the group's first MAX_REFS traces by (time, file, record).

    `min_by(value, key, n)` keeps only n values per group while it scans (bounded memory, however many rows the
    group has); it returns them ordered by key. `TraceSet.refs` turns them into references with trace ids.
    """
    a = alias
    return (f"min_by({{'file': {a}.file, 'record': {a}.record}}, "
            f"{{'time': {a}.time, 'file': {a}.file, 'record': {a}.record}}, {MAX_REFS})")

