"""Small helpers shared by checks: name matching, evidence references, the register as authorization spans."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from hds_audit.calendar.instants import iso
from hds_audit.checks.interface import CheckInput, Finding
from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces.files import trace_ref  # noqa: F401 - checks reference traces through it
from hds_audit.evidence.traces.interface import MAX_REFS, Cover, Span, account_key  # noqa: F401 - the checks' names
from hds_audit.i18n.messages import msg, nmsg, semicolons
from hds_audit.states import Status

# Account names follow one rule wherever they are compared (register, IAM, traces): `account_key`, computed in Python
# only; a trace store keys the traces' accounts with it too, so that a join never splits an account in two.


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
        parts = [nmsg("row {rows} of this account", "rows {rows} of this account", n=len(named), rows=_numbers(named))] if named else []
        if anonymous:
            parts.append(nmsg("row {rows} whose account is unreadable", "rows {rows} whose account is unreadable",
                              n=len(anonymous), rows=_numbers(anonymous)))
        file = rows[0].ref.split("#", 1)[0]
        out.append(Finding(f.object, msg("cannot conclude: {finding}; but {file} {rows} could not be read and may change this",
                                         finding=f.template or f.message, file=file, rows=semicolons(parts)),
                           f.evidence + tuple(u.ref for u in rows[:MAX_REFS]), Status.ERROR))
    return out


def _numbers(rows) -> tuple[str, ...]:
    return tuple(str(u.number) for u in rows)  # record numbers, as the file counts them: not figures to localise


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
    return Finding("traces", nmsg("no trace in the period {start} to {end}: none of the traces of the {n} trace file(s) read falls "
                                  "in it, so the period's activity cannot be assessed",
                                  "no trace in the period {start} to {end}: none of the traces of the {n} trace file(s) read falls "
                                  "in it, so the period's activity cannot be assessed", n=traces.files, start=start, end=end),
                   status=Status.ERROR)


def register_cover(register: list[Row], roles: tuple[str, ...] | None = None) -> Cover:
    """The register's authorization periods [granted_at, revoked_at) per account key (of `roles` only, when given),
    merged into disjoint spans, and each account's earliest revocation: what a trace store tests traces against."""
    periods: dict[str, list] = {}
    for row in register:
        if row.values["granted_at"] is not None and (roles is None or row.values["role"] in roles):
            periods.setdefault(account_key(row.values["account"]), []).append((row.values["granted_at"], row.values["revoked_at"]))
    spans, first_revoked = {}, {}
    for key, periods_of in sorted(periods.items()):
        merged: list[list] = []
        for start, stop in sorted(periods_of, key=lambda s: s[0]):
            last = merged[-1] if merged else None
            if last and (last[1] is None or start <= last[1]):  # overlaps or touches the previous span: extend it
                last[1] = None if last[1] is None or stop is None else max(last[1], stop)
            else:
                merged.append([start, stop])
        stops = [stop for _, stop in periods_of if stop is not None]
        spans[key] = tuple(Span(start, stop) for start, stop in merged)
        first_revoked[key] = min(stops) if stops else None
    return Cover(spans, first_revoked)
