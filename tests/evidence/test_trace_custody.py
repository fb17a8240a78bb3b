"""Every trace a finding cites comes from bytes that were hashed: the trace files are read from private
copies made while hashing them; links out, FIFOs and link loops are refused and named; a file name is
never a glob; the same file twice counts once."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading

import pytest
from bundle_builder import trace

from hds_audit.catalog import load_catalog
from hds_audit.pipeline.engine import run_checks
from hds_audit.evidence import traces
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load as load_tenant
from hds_audit.calendar.period import parse_period
from hds_audit.states import Status

COVERS, AFTER = "access.register_covers_activity", "access.no_activity_after_revocation"
ALICE = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}
FOLDER = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS"
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")


def stranger_bundle(builder, trace_id="t-old"):
    builder.users({"name": "a.durand"})
    builder.register(ALICE)
    builder.traces([trace("x.stranger", "2026-07-02T10:00:00+02:00", trace_id=trace_id)], name="CloudTraces/eu-west-0/2026/7/1/system/ECS/one.json")
    return f"{FOLDER}/one.json"


def run_with(bundle, evidence, *check_ids):
    result = run_checks(load_catalog(), bundle, load_tenant(bundle), parse_period("2026-Q3"), only=set(check_ids),
                        preloaded={"traces": evidence})
    return result, {r.id: r for r in result.unique_checks()}


def errors(result):
    return {f.object: f.message for f in result.findings if f.status is Status.ERROR}


# -- re-reads: what was scanned, or an error naming the file ---------------------------------------

def test_a_file_rewritten_after_the_scan_is_cited_as_it_was_hashed(builder):
    rel = stranger_bundle(builder)
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    hashed = hashlib.sha256((builder.root / rel).read_bytes()).hexdigest()
    (builder.root / rel).write_text(json.dumps([trace("x.stranger", "2026-07-02T10:00:00+02:00", trace_id="t-new")]))
    result, checks = run_with(bundle, evidence, COVERS)
    [finding] = checks[COVERS].findings
    assert finding.status is Status.FAIL and finding.evidence == (f"{rel}#trace_id=t-old",)
    assert {f.path: f.sha256 for f in result.evidence_files}[rel] == hashed


def test_a_copy_altered_after_the_scan_is_an_error_naming_the_file(builder):
    rel = stranger_bundle(builder)
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    with open(evidence.data.copies.path(rel), "w") as handle:
        json.dump([trace("x.stranger", "2026-07-02T10:00:00+02:00", trace_id="t-new")], handle)
    _, checks = run_with(bundle, evidence, COVERS)
    assert checks[COVERS].status is Status.ERROR
    [(where, message)] = errors(checks[COVERS]).items()
    assert where == rel and "changed since the scan" in message and "t-new" not in message


def test_a_file_name_with_glob_characters_is_read_literally(builder):
    """DuckDB expands `*`, `?` and `[...]` in read_json's list: a name holding them must not shift the others."""
    builder.users({"name": "a.durand"})
    builder.register(ALICE)
    names = ["a*.json", "b[1].json", "c?.json", "d.json"]
    for i, name in enumerate(names):
        builder.traces([trace(f"x.user{i}", "2026-07-02T10:00:00+02:00", trace_id=f"id-{i}")], name=f"CloudTraces/eu-west-0/2026/7/1/system/ECS/{name}")
    (builder.root / FOLDER / "a-star-decoy.json").write_text(json.dumps([trace(None, "2026-07-02T10:00:00+02:00", trace_id="sys")]))
    result = run_checks(load_catalog(), Bundle(str(builder.root)), load_tenant(Bundle(str(builder.root))),
                        parse_period("2026-Q3"), only={COVERS})
    [covers] = [r for r in result.unique_checks() if r.id == COVERS]
    cited = {f.object: f.evidence for f in covers.findings}
    assert cited == {f"x.user{i}": (f"{FOLDER}/{name}#trace_id=id-{i}",) for i, name in enumerate(names)}


# -- only plain files inside the bundle ---------------------------------------------------------

@posix_only
def test_a_fifo_under_traces_is_refused_and_does_not_hang(builder):
    stranger_bundle(builder)
    os.mkfifo(builder.root / FOLDER / "pipe.json")
    done = {}
    reader = threading.Thread(target=lambda: done.setdefault("evidence", traces.load(Bundle(str(builder.root)))), daemon=True)
    reader.start()
    reader.join(60)
    assert "evidence" in done, "reading traces hung on a FIFO"
    problems = {p.file: p.reason for p in done["evidence"].problems}
    assert "named pipe (FIFO)" in problems[f"{FOLDER}/pipe.json"]
    assert [f.path for f in done["evidence"].files] == [f"{FOLDER}/one.json"]


@posix_only
def test_a_link_out_of_the_bundle_is_refused_and_never_read(builder, tmp_path):
    stranger_bundle(builder)
    secret = tmp_path / "credentials.json"
    secret.write_text(json.dumps([trace("root", "2026-07-02T10:00:00+02:00", trace_id="secret")]))
    os.symlink(secret, builder.root / "traces" / "notes.json")
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    assert "symbolic link out of the bundle" in {p.file: p.reason for p in evidence.problems}["traces/notes.json"]
    assert "traces/notes.json" not in {r.path for r in bundle.reads()}
    assert evidence.data.count() == 1


@posix_only
def test_a_link_loop_is_named_and_reads_each_file_once(builder):
    stranger_bundle(builder)
    os.symlink(".", builder.root / "traces" / "again")
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    assert [r.path for r in bundle.reads()] == [f"{FOLDER}/one.json"]
    assert evidence.data.count() == 1
    assert "symbolic link to a folder" in {p.file: p.reason for p in evidence.problems}["traces/again"]


@posix_only
def test_a_link_inside_the_bundle_to_another_trace_file_counts_once(builder):
    rel = stranger_bundle(builder)
    os.symlink("one.json", builder.root / FOLDER / "two.json")
    evidence = traces.load(Bundle(str(builder.root)))
    assert evidence.data.count() == 1
    assert f"same bytes as {rel}" in {p.file: p.reason for p in evidence.problems}[f"{FOLDER}/two.json"]


# -- the same file twice ------------------------------------------------------------------------

def test_the_cloudtraces_tree_copied_twice_counts_once_and_says_so(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "b.petit"})
    builder.register(ALICE, {"account": "b.petit", "person": "Bruno Petit", "role": "operator", "granted_at": "2026-01-05",
                             "revoked_at": "2026-08-14T18:00:00+02:00"})
    builder.traces([trace("b.petit", f"2026-08-20T0{h}:00:00+02:00") for h in (1, 2, 3)])
    original = builder.root / "traces" / "CloudTraces"
    for path in sorted(original.rglob("*.gz")):
        copy = builder.root / "traces" / "copy" / path.relative_to(builder.root / "traces")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
    after = run_checks_on(builder.root, AFTER)[AFTER]
    [fail] = [f for f in after.findings if f.status is Status.FAIL]
    assert fail.message.startswith("3 action(s)")
    [duplicate] = errors(after).values()
    assert "same bytes as traces/CloudTraces/" in duplicate and "counted once" in duplicate


def test_the_same_traces_gzipped_and_not_are_told_apart_by_their_ids(builder):
    """Same traces, different bytes (one gzipped): not a byte-for-byte copy, but the same trace ids."""
    records = [trace("a.durand", "2026-07-02T10:00:00+02:00")]
    builder.write(f"{FOLDER}/plain.json", json.dumps(records).encode())
    builder.write(f"{FOLDER}/packed.json.gz", gzip.compress(json.dumps(records).encode(), mtime=0))
    evidence = traces.load(Bundle(str(builder.root)))
    assert not [p for p in evidence.problems if "same bytes" in p.reason]
    assert [p.file for p in evidence.problems if "same trace_id" in p.reason] == [f"{FOLDER}/plain.json"]
    assert evidence.data.count() == 1


def test_the_same_trace_id_in_two_files_is_reported_and_counted_once(builder, run_checks_on):
    """Two trackers (system, data) holding one trace: different files, different bytes, one action."""
    builder.users({"name": "a.durand"}, {"name": "b.petit"})
    builder.register(ALICE, {"account": "b.petit", "person": "Bruno Petit", "role": "operator", "granted_at": "2026-01-05",
                             "revoked_at": "2026-08-14T18:00:00+02:00"})
    shared = [trace("b.petit", f"2026-08-20T0{h}:00:00+02:00", trace_id=f"shared-{h}") for h in (1, 2, 3)]
    own = trace("b.petit", "2026-08-20T02:30:00+02:00", trace_id="only-in-data")
    builder.traces(shared, name="CloudTraces/eu-west-0/2026/8/20/system/ECS/a.json.gz")
    builder.traces([shared[0], own, shared[1], shared[2]], name="CloudTraces/eu-west-0/2026/8/20/data/ECS/b.json.gz")
    after = run_checks_on(builder.root, AFTER)[AFTER]
    [fail] = [f for f in after.findings if f.status is Status.FAIL]
    assert fail.message.startswith("4 action(s)"), fail.message
    # the first file by path keeps them: data/ before system/
    repeated = errors(after)["traces/CloudTraces/eu-west-0/2026/8/20/system/ECS/a.json.gz"]
    assert "3 trace(s) also in traces/CloudTraces/eu-west-0/2026/8/20/data/ECS/b.json.gz" in repeated
    assert "counted once" in repeated


def test_traces_alike_with_their_own_ids_are_all_counted(builder):
    records = [trace("a.durand", "2026-07-02T10:00:00+02:00", trace_id=f"id-{i}") for i in range(2)]
    builder.traces(records[:1], name="CloudTraces/eu-west-0/2026/7/2/system/ECS/a.json")
    builder.traces(records[1:], name="CloudTraces/eu-west-0/2026/7/2/data/ECS/b.json")
    evidence = traces.load(Bundle(str(builder.root)))
    assert evidence.data.count() == 2 and not evidence.problems


@posix_only
def test_a_fifo_in_place_of_any_evidence_file_is_named_and_never_opened(builder):
    builder.root.mkdir(parents=True, exist_ok=True)
    os.mkfifo(builder.root / "tickets.csv")
    bundle = Bundle(str(builder.root))
    assert bundle.exists("tickets.csv") and "named pipe (FIFO)" in bundle.unreadable("tickets.csv")
    with pytest.raises(OSError, match="named pipe"):
        bundle.read_bytes("tickets.csv")
    assert bundle.record("tickets.csv").sha256 == "" and bundle.reads() == []


@posix_only
def test_files_copied_side_by_side_keep_their_hashes_and_the_order_of_their_problems(builder, tmp_path):
    """The copies are made several at a time: each file still gets its own hash and copy, and the problems of
    unreadable files come in the order of the files, whatever thread met them."""
    from hds_audit.evidence.traces import copies

    names = [f"f{i:02d}.json" for i in range(3 * copies.COPY_THREADS + 2)]
    for i, name in enumerate(names):
        builder.traces([trace("a.durand", f"2026-07-01T10:{i:02d}:00+02:00", trace_id=f"t{i}")],
                       name=f"CloudTraces/eu-west-0/2026/7/1/system/ECS/{name}")
    secret = tmp_path / "outside.json"
    secret.write_text("[]")
    for bad in ("b-link.json", "d-link.json"):
        os.symlink(secret, builder.root / FOLDER / bad)
    os.mkfifo(builder.root / FOLDER / "c-pipe.json")
    evidence = traces.load(Bundle(str(builder.root)))
    assert [p.file.rsplit("/", 1)[-1] for p in evidence.problems] == ["b-link.json", "c-pipe.json", "d-link.json"]
    hashed = {f.path: f.sha256 for f in evidence.files}
    assert hashed == {f"{FOLDER}/{n}": hashlib.sha256((builder.root / FOLDER / n).read_bytes()).hexdigest() for n in names}
    assert evidence.data.count() == len(names)
    copied = evidence.data.copies
    assert all(open(copied.paths[rel], "rb").read() == (builder.root / rel).read_bytes() for rel in hashed)
