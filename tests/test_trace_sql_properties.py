"""The trace checks' set-based SQL against the obvious per-trace computation, on random traces.

`trace.continuity` finds gaps from per-bucket first/last traces instead of sorting every trace, and the
access checks test each trace against its account's merged authorization periods instead of a
correlated subquery: both must give exactly what checking trace by trace gives.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hds_audit.checks import trace as trace_checks
from hds_audit.checks.access import _uncovered_sql
from hds_audit.checks.common import load_cover
from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces import TraceSet

PROPERTY = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 7, 1, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
minutes = st.integers(min_value=-30, max_value=600)  # some before the period (it starts at T0)


def table(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE traces (file VARCHAR, record INTEGER, time TIMESTAMPTZ, region VARCHAR, user_name VARCHAR)")
    if rows:
        con.executemany("INSERT INTO traces VALUES (?, ?, ?, ?, ?)", rows)
    return con


@PROPERTY
@given(times=st.lists(st.tuples(st.sampled_from(["eu-west-0", "EU-West-0 ", "eu-west-1"]), minutes), max_size=40),
       limit=st.integers(min_value=0, max_value=120))
def test_gaps_from_buckets_are_the_gaps_between_consecutive_traces(times, limit):
    start, end = T0, T0 + 480 * MINUTE
    con = table([("f", i, T0 + m * MINUTE, region, "u") for i, (region, m) in enumerate(times)])
    limit_us = limit * 60_000_000
    query = trace_checks._GAPS_SQL.replace("$bucket", str(max(1, limit_us))).replace("$limit", str(limit_us))
    got = con.execute(query, [["eu-west-0", "eu-west-1"], start, end, start, end]).fetchall()
    expected = []
    for region in ("eu-west-0", "eu-west-1"):
        instants = sorted({start, end} | {T0 + m * MINUTE for r, m in times if r.strip().lower() == region and start <= T0 + m * MINUTE < end})
        expected += [(region, a, b, int((b - a) / timedelta(microseconds=1))) for a, b in zip(instants, instants[1:]) if b - a > limit * MINUTE]
    assert sorted(got) == sorted(expected)


few = st.integers(min_value=-5, max_value=40)  # few instants: actions often fall exactly on a grant or a revocation
period = st.tuples(few, st.one_of(st.none(), few))


@PROPERTY
@example(actions=[("a.durand", 10), ("a.durand", 20)], grants=[("a.durand", (0, 10)), ("a.durand", (10, 20))])  # touching periods
@given(actions=st.lists(st.tuples(st.sampled_from(["a.durand", "A.Durand", "b.petit", "c.roux"]), few), max_size=30),
       grants=st.lists(st.tuples(st.sampled_from(["a.durand", "b.petit"]), period), max_size=5))
def test_uncovered_actions_are_those_no_authorization_period_covers(actions, grants):
    start, end = T0, T0 + 480 * MINUTE
    at = lambda m: None if m is None else T0 + m * MINUTE  # noqa: E731
    register = [Row(i + 2, {"account": account, "granted_at": at(g), "revoked_at": at(r), "role": "admin"})
                for i, (account, (g, r)) in enumerate(grants)]
    con = table([("f", i, at(m), "eu-west-0", user) for i, (user, m) in enumerate(actions)])
    load_cover(TraceSet(con, 1), register)

    def covered(user: str, when: datetime) -> bool:
        return any(row.values["account"] == user.lower() and row.values["granted_at"] <= when
                   and (row.values["revoked_at"] is None or when < row.values["revoked_at"]) for row in register)

    def revoked_before(user: str, when: datetime) -> bool:
        return any(row.values["account"] == user.lower() and row.values["revoked_at"] is not None
                   and row.values["revoked_at"] <= when for row in register)

    for after_revocation in (False, True):
        got = {(u, n, lo, hi, tuple(r["record"] for r in refs)) for u, n, lo, hi, refs in con.execute(_uncovered_sql(after_revocation), [start, end]).fetchall()}
        expected = {}
        for i, (user, m) in enumerate(actions):
            when = at(m)
            if start <= when < end and not covered(user, when) and (not after_revocation or revoked_before(user, when)):
                expected.setdefault(user, []).append((when, i))
        assert got == {(u, len(v), min(v)[0], max(v)[0], tuple(i for _, i in sorted(v)[:5])) for u, v in expected.items()}
