"""The trace checks' set-based SQL against the obvious per-trace computation, on random traces.

The traces are written to files and read as a run reads them: the scan keeps per-file, per-hour groups, and the
checks write out, trace by trace, only the files that may hold a finding. `trace.continuity` finds gaps from
per-bucket first/last traces instead of sorting every trace, and the access checks test each trace against its
account's merged authorization periods instead of a correlated subquery: both must give exactly what checking
trace by trace gives, whatever the period's bounds (on the hour or not) and the limit (under an hour or not).
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hds_audit.checks.common import register_cover
from hds_audit.evidence import traces
from hds_audit.evidence.traces.files import trace_ref
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tabular import Row

PROPERTY = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 7, 1, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
minutes = st.integers(min_value=-30, max_value=600)  # some before the period (it starts at T0 or a few minutes after)
offsets = st.sampled_from([0, 7, 59, 60, 90])  # where the period starts after T0, in minutes


def load(folder: str, traces_: list[tuple[str, str, datetime]]):
    """A TraceSet read from files of (region, user, instant): two files per region and account, so that a file
    holding a finding never holds another account's traces (which would write it out anyway)."""
    files: dict[str, list] = {}
    for i, (region, user, instant) in enumerate(traces_):
        rel = f"traces/CloudTraces/{region}/2026/7/1/system/ECS/{user.lower()}{i // 2 % 2}_CloudTrace_{region}_x.json"
        files.setdefault(rel, []).append({"trace_id": f"t{i}", "trace_name": "updateServer", "trace_type": "ApiCall",
                                          "service_type": "ECS", "user": {"name": user},
                                          "time": int(instant.timestamp() * 1000)})
    for rel, records in files.items():
        path = Path(folder) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(records))
    Path(folder, "traces").mkdir(exist_ok=True)
    evidence = traces.load(Bundle(folder))
    assert not evidence.problems
    return evidence.data, {rel: [r["trace_id"] for r in records] for rel, records in files.items()}


@PROPERTY
@example(times=[("eu-west-0", 1), ("eu-west-0", 50)], limit=40, offset=0)  # a gap over the limit within one hour
@given(times=st.lists(st.tuples(st.sampled_from(["eu-west-0", "EU-West-0", "eu-west-1"]), minutes), max_size=40),
       limit=st.integers(min_value=0, max_value=150), offset=offsets)
def test_gaps_from_buckets_are_the_gaps_between_consecutive_traces(times, limit, offset):
    start = T0 + offset * MINUTE
    end = start + 480 * MINUTE
    with tempfile.TemporaryDirectory() as folder:
        data, _ = load(folder, [(region, "u", T0 + m * MINUTE) for region, m in times])
        found = data.gaps(start, end, ["eu-west-0", "eu-west-1"], limit * 60_000_000) if times else []
        got = [(g.region, g.start, g.end, g.micros) for g in found]
    expected = []
    for region in ("eu-west-0", "eu-west-1"):
        instants = sorted({start, end} | {T0 + m * MINUTE for r, m in times if r.strip().lower() == region and start <= T0 + m * MINUTE < end})
        expected += [(region, a, b, int((b - a) / timedelta(microseconds=1))) for a, b in zip(instants, instants[1:]) if b - a > limit * MINUTE]
    if times:
        assert sorted(got) == sorted(expected)


few = st.integers(min_value=-5, max_value=40)  # few instants: actions often fall exactly on a grant or a revocation
period = st.tuples(few, st.one_of(st.none(), few))


@PROPERTY
@example(actions=[("a.durand", 10), ("a.durand", 20)], grants=[("a.durand", (0, 10)), ("a.durand", (10, 20))], offset=0)  # touching
@example(actions=[("a.durand", 10), ("a.durand", 30)], grants=[("a.durand", (0, 20))], offset=0)  # one file, one hour
@given(actions=st.lists(st.tuples(st.sampled_from(["a.durand", "A.Durand", "b.petit", "c.roux"]), few), max_size=30),
       grants=st.lists(st.tuples(st.sampled_from(["a.durand", "b.petit"]), period), max_size=5), offset=offsets)
def test_uncovered_actions_are_those_no_authorization_period_covers(actions, grants, offset):
    start = T0 + offset * MINUTE
    end = start + 480 * MINUTE
    at = lambda m: None if m is None else T0 + m * MINUTE  # noqa: E731
    register = [Row(i + 2, {"account": account, "granted_at": at(g), "revoked_at": at(r), "role": "admin"})
                for i, (account, (g, r)) in enumerate(grants)]

    def covered(user: str, when: datetime) -> bool:
        return any(row.values["account"] == user.lower() and row.values["granted_at"] <= when
                   and (row.values["revoked_at"] is None or when < row.values["revoked_at"]) for row in register)

    def revoked_before(user: str, when: datetime) -> bool:
        return any(row.values["account"] == user.lower() and row.values["revoked_at"] is not None
                   and row.values["revoked_at"] <= when for row in register)

    if not actions:
        return
    with tempfile.TemporaryDirectory() as folder:
        data, ids = load(folder, [("eu-west-0", user, at(m)) for user, m in actions])
        found = {after: data.uncovered(start, end, register_cover(register), after) for after in (False, True)}
    where = {f"t{i}": (rel, n) for rel, trace_ids in ids.items() for n, i in enumerate(int(t[1:]) for t in trace_ids)}
    cited = lambda i: trace_ref(where[f"t{i}"][0], f"t{i}", where[f"t{i}"][1])  # noqa: E731
    for after_revocation in (False, True):
        got = {(a.key, a.n, a.first, a.last, a.refs) for a in found[after_revocation]}
        expected = {}
        for i, (user, m) in enumerate(actions):
            when = at(m)
            if start <= when < end and not covered(user, when) and (not after_revocation or revoked_before(user, when)):
                expected.setdefault(user, []).append((when, *where[f"t{i}"], i))
        assert got == {(u, len(v), min(v)[0], max(v)[0], tuple(cited(i) for *_, i in sorted(v)[:5])) for u, v in expected.items()}
