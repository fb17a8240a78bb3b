"""Trace checks stay within DuckDB's memory limit however many traces fail: references are the first
MAX_REFS per group, kept in SQL, never a list of every failing trace. No timing is asserted."""

from bundle_builder import ms, trace

from hds_audit.checks.common import MAX_REFS
from hds_audit.states import Status

ALICE = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}
N = 50_000
START = ms("2026-07-01T00:00:00+02:00")


def _uncovered(n: int, users: tuple[str, ...]) -> list[dict]:
    """n actions of unregistered accounts, one a second from the period start, with long trace ids."""
    records = []
    for i in range(n):
        record = trace(users[i % len(users)], "2026-07-01T00:00:00+02:00", trace_id=f"{i:08d}-" + "x" * 120)
        record["time"] = START + 1000 * i
        records.append(record)
    return records


def test_register_covering_nobody_lists_five_refs_within_a_small_memory_limit(builder, run_checks_on, monkeypatch):
    import hds_audit.evidence.traces as traces

    # the checks run within 48MB once the files are read (the scan's hash aggregate takes 96MB on two threads);
    # the former list of every matching reference ran out of it
    read = traces.Loader.run

    def read_then_limit(self, files):
        read(self, files)
        self.con.execute("SET memory_limit = '48MB'")

    monkeypatch.setattr(traces.Loader, "run", read_then_limit)
    users = ("x.one", "x.two")
    records = _uncovered(N, users)
    for start in range(0, N, 5000):  # ten files
        builder.traces(records[start:start + 5000])
    builder.register(ALICE)
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    covers = results["access.register_covers_activity"]
    assert covers.status is Status.FAIL, covers.findings
    assert sorted(f.object for f in covers.findings) == list(users)
    for f in covers.findings:
        assert f.message.startswith(f"{N // len(users)} action(s) with no authorization in the register at the time, from ")
        assert len(f.evidence) == MAX_REFS
        first = users.index(f.object)  # the first actions of this account, by time
        expected_ids = [f"{i:08d}-" + "x" * 120 for i in range(first, first + 2 * MAX_REFS, 2)]
        assert [e.split("#trace_id=")[1] for e in f.evidence] == expected_ids
        assert all(e.startswith("traces/CloudTraces/eu-west-0/") for e in f.evidence)
    assert results["access.no_activity_after_revocation"].status is Status.PASS


def test_only_the_files_that_may_hold_a_finding_are_read_trace_by_trace(builder, run_checks_on, monkeypatch):
    """The scan keeps groups of traces; a file is read again trace by trace only where a finding may lie: here the
    file of the one account the register does not cover. A compliant bundle reads no file twice."""
    import hds_audit.evidence.traces.reader as traces

    written: list[str] = []
    write_out = traces.materialize

    def spy(con, root, readings):
        written.extend(rel for _, rel, _ in readings)
        write_out(con, root, readings)

    monkeypatch.setattr(traces, "materialize", spy)
    for user in ("a.durand", "b.petit", "x.unknown"):
        builder.traces([trace(user, f"2026-07-0{day}T10:00:00+02:00") for day in (1, 2, 3)])
    files = sorted(p.relative_to(builder.root).as_posix() for p in (builder.root / "traces").rglob("*.gz"))
    builder.register(ALICE, {**ALICE, "account": "b.petit", "person": "Bruno Petit"})
    checks = ("access.register_covers_activity", "access.no_activity_after_revocation", "residency.activity")
    results = run_checks_on(builder.root, *checks)
    [finding] = results["access.register_covers_activity"].findings
    assert finding.object == "x.unknown" and finding.message.startswith("3 action(s)")
    assert results["access.no_activity_after_revocation"].status is Status.PASS
    assert results["residency.activity"].status is Status.PASS
    assert written == [files[2]]

    written.clear()
    builder.register(ALICE, {**ALICE, "account": "b.petit", "person": "Bruno Petit"}, {**ALICE, "account": "x.unknown", "person": "Xavier Inconnu"})
    results = run_checks_on(builder.root, *checks)
    assert all(r.status is Status.PASS for r in results.values()), results
    assert written == []
