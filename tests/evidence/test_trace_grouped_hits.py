"""The findings counted from groups (a file's group no span intersects, a group outside the allowed regions) against
the obvious trace-by-trace computation, on random bundles whose files mix accounts, buckets and hours.

A store writes out only the files that may hold a partly covered group or one of a key's first MAX_REFS traces,
and counts the other files' groups whole: the counts, first and last instants and references must be exactly those
of reading every trace, whatever another question wrote out before (a file read both ways would count twice).
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
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tabular import Row
from hds_audit.evidence.traces.files import trace_ref
from hds_audit.evidence.traces.interface import MAX_REFS

PROPERTY = settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
T0 = datetime(2026, 7, 1, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
REGIONS = ("eu-west-0", "eu-west-1", "eu-west-2")
ALLOWED = ["eu-west-0"]
BUCKETS = ["ch-cts"]
USERS = ("a.durand", "A.Durand", "b.petit", "o.perator", None)  # None: a SystemAction without a user
START, END = T0 + 7 * MINUTE, T0 + 247 * MINUTE  # not on the hour: the groups straddling a bound are split

# a trace: (file index, minute after T0, user, what: "ecs" | "read" (of ch-cts) | "other" (a read of another bucket))
trace = st.tuples(st.integers(0, 5), st.sampled_from([-3, 0, 7, 8, 30, 59, 60, 61, 120, 121, 200, 246, 247, 300]),
                  st.sampled_from(USERS), st.sampled_from(["ecs", "read", "other"]))
grant = st.tuples(st.sampled_from(["a.durand", "b.petit"]), st.sampled_from([-10, 0, 8, 30, 60, 61, 150]),
                  st.one_of(st.none(), st.sampled_from([0, 8, 30, 60, 61, 121, 200])))
before = st.sampled_from(["nothing", "traces_at", "short_gaps"])  # what another question wrote out first


def _record(i: int, minute: int, user: str | None, what: str) -> dict:
    record = {"trace_id": f"t{i}", "trace_name": "updateServer", "trace_type": "ApiCall" if user else "SystemAction",
              "service_type": "ECS", "time": int((T0 + minute * MINUTE).timestamp() * 1000)}
    if user:
        record["user"] = {"name": user}
    if what != "ecs":
        bucket = "ch-cts" if what == "read" else "other-bucket"
        record |= {"service_type": "OBS", "trace_name": "GetObject", "resource_name": bucket.upper(),
                   "resource_id": f"{bucket}/CloudTraces/x.json.gz"}
    return record


def _file(index: int) -> str:
    """Six files in three regions, outside CTS's service folders: each may mix services and accounts."""
    region = REGIONS[index % 3]
    return f"traces/CloudTraces/{region}/2026/7/1/f{index}_CloudTrace_{region}.json"


def _load(folder: str, rows: list[tuple]):
    """The store of a bundle of `rows` (written once into `folder`) and where each trace lies."""
    files: dict[str, list] = {}
    for i, (index, minute, user, what) in enumerate(rows):
        files.setdefault(_file(index), []).append(_record(i, minute, user, what))
    for rel, records in files.items():
        path = Path(folder) / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(records))
    Path(folder, "traces").mkdir(exist_ok=True)
    evidence = traces.load(Bundle(folder))
    assert not evidence.problems
    where = {}  # trace id -> (file, record, region)
    for rel, records in files.items():
        for n, record in enumerate(records):
            where[record["trace_id"]] = (rel, n, rel.split("/")[2])
    return evidence.data, where


def _expected(rows, where, keep, key) -> set:
    """Per key of the traces `keep` selects: (key, n, first, last, first MAX_REFS references by time, file, record)."""
    found: dict = {}
    for i, (index, minute, user, what) in enumerate(rows):
        at = T0 + minute * MINUTE
        if START <= at < END and keep(user, what, at, where[f"t{i}"][2]):
            file, record, region = where[f"t{i}"]
            found.setdefault(key(user, region), []).append((at, file, record, f"t{i}"))
    return {(k, len(v), min(v)[0], max(v)[0], tuple(trace_ref(f, t, r) for _, f, r, t in sorted(v)[:MAX_REFS]))
            for k, v in found.items()}


def _ask_before(data, rows, before_: str) -> None:
    if before_ == "traces_at" and rows:  # writes out the files holding a trace of that region at that instant
        index, minute, _, _ = rows[0]
        data.traces_at([(REGIONS[index % 3], T0 + minute * MINUTE)])
    elif before_ == "short_gaps":  # a limit under an hour writes out every file of the period
        data.gaps(START, END, list(REGIONS), 20 * 60_000_000)


def _answers(rows, grants, before_):
    register = [Row(i + 2, {"account": a, "granted_at": T0 + g * MINUTE, "revoked_at": None if r is None else T0 + r * MINUTE,
                            "role": "admin"}) for i, (a, g, r) in enumerate(grants)]
    cover = register_cover(register)

    def covered(user, at):
        return any(row.values["account"] == (user or "").lower() and row.values["granted_at"] <= at
                   and (row.values["revoked_at"] is None or at < row.values["revoked_at"]) for row in register)

    def revoked_before(user, at):
        return any(row.values["account"] == (user or "").lower() and row.values["revoked_at"] is not None
                   and row.values["revoked_at"] <= at for row in register)

    questions = {
        "uncovered": lambda data: data.uncovered(START, END, cover),
        "after_revocation": lambda data: data.uncovered(START, END, cover, True),
        "bucket_reads": lambda data: data.bucket_reads(START, END, cover, BUCKETS),
        "outside": lambda data: data.regions_outside(START, END, ALLOWED),
    }
    got = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, question in questions.items():  # each on its own store: one question writes out files for the next
            data, where = _load(folder, rows)
            _ask_before(data, rows, before_)
            got[name] = question(data)
    by_user = lambda user, region: user  # noqa: E731
    expected = {
        "uncovered": _expected(rows, where, lambda u, w, at, r: u is not None and not covered(u, at), by_user),
        "after_revocation": _expected(rows, where, lambda u, w, at, r: u is not None and not covered(u, at)
                                      and revoked_before(u, at), by_user),
        "bucket_reads": _expected(rows, where, lambda u, w, at, r: w == "read" and not covered(u, at), by_user),
        "outside": _expected(rows, where, lambda u, w, at, r: r not in ALLOWED, lambda user, region: region),
    }
    buckets = {a.key: a.buckets for a in got["bucket_reads"]}
    return {k: {(a.key, a.n, a.first, a.last, a.refs) for a in v} for k, v in got.items()}, expected, buckets


many = [(i % 6, 8 + 20 * (i // 6), "o.perator", "ecs") for i in range(24)]  # an account with no span, in every file


@PROPERTY
@example(rows=many, grants=[], before_="nothing")
@example(rows=[(i, 30, "o.perator", "read") for i in (4, 1, 5, 2, 3)] * 3, grants=[], before_="nothing")  # ties: 5th by file
@example(rows=[(0, m, "a.durand", "ecs") for m in (8, 30, 59)] + [(1, m, "a.durand", "ecs") for m in (61, 120)],
         grants=[("a.durand", 0, 30)], before_="nothing")  # a span covering part of one group, none of another
@example(rows=[(i % 3, m, "b.petit", "read") for i, m in enumerate((8, 30, 59, 60, 61, 120, 121, 200))],
         grants=[("b.petit", -10, 30), ("b.petit", 60, 61)], before_="nothing")  # revoked inside groups
@example(rows=[(0, m, "a.durand", "ecs") for m in (8, 30, 35)], grants=[("a.durand", 60, 30)],
         before_="nothing")  # revoked before granted: a revocation inside a group no span intersects
@example(rows=many, grants=[], before_="traces_at")  # a file written out before: counted once
@example(rows=many + [(3, 8, None, "read")], grants=[("b.petit", 0, None)], before_="short_gaps")
@given(rows=st.lists(trace, min_size=1, max_size=60), grants=st.lists(grant, max_size=4), before_=before)
def test_findings_from_groups_are_those_of_every_trace(rows, grants, before_):
    got, expected, buckets = _answers(rows, grants, before_)
    assert got == expected
    reads = {k for k, *_ in expected["bucket_reads"]}
    assert buckets == {k: ("ch-cts",) for k in reads}


def _written(rows, question) -> int:
    with tempfile.TemporaryDirectory() as folder:
        data, _ = _load(folder, rows)
        question(data)
        return data.rows("SELECT count(*) FROM trace_readings WHERE live AND materialized")[0][0]


def test_groups_no_span_intersects_are_counted_without_reading_their_files():
    # o.perator, in no register, acts in every file, each file an hour later than the one before: two files hold
    # its first five actions, the others are counted from their groups
    rows = [(index, 8 + 60 * index + k, "o.perator", "ecs") for index in range(4) for k in range(3)]
    assert _written(rows, lambda data: data.uncovered(START, END, register_cover([]))) == 2
    # reads of the trace bucket likewise; outside the allowed regions, files 1 and 2, each its region's only three
    assert _written(rows, lambda data: data.bucket_reads(START, END, register_cover([]), BUCKETS)) == 0
    reads = [(i, m, u, "read") for i, m, u, _ in rows]
    assert _written(reads, lambda data: data.bucket_reads(START, END, register_cover([]), BUCKETS)) == 2
    assert _written(rows, lambda data: data.regions_outside(START, END, ALLOWED)) == 2


def test_a_span_covering_part_of_a_group_reads_its_file():
    rows = [(0, m, "a.durand", "ecs") for m in (8, 30)] + [(3, m, "a.durand", "ecs") for m in (8, 9, 10, 11, 12, 13)]
    cover = register_cover([Row(2, {"account": "a.durand", "granted_at": T0 + 20 * MINUTE, "revoked_at": None, "role": "a"})])
    # file 3 (six actions before the grant) holds the first five; file 0 is covered in part: both read
    assert _written(rows, lambda data: data.uncovered(START, END, cover)) == 2
    [found] = _answers(rows, [("a.durand", 20, None)], "nothing")[0]["uncovered"]
    assert found[1] == 7  # file 0's first action and file 3's six
