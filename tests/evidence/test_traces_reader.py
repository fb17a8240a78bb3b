"""The trace engine: every file shape, gz or plain, bad files among good ones, exact reasons and records."""

from __future__ import annotations

import gzip
import json

import pytest
from bundle_builder import ms, trace

from hds_audit.evidence import traces as reader
from hds_audit.evidence.traces import files as trace_files
from hds_audit.evidence.traces import reader as bulk_reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

KEY = "CloudTraces/eu-west-0/2026/7/1/system/ECS/cts_CloudTrace_eu-west-0_2026-07-01T00-00-00Z_{}.json"


def load(builder):
    evidence = reader.load(Bundle(str(builder.root)))
    return evidence


def rows(evidence, sql="SELECT file, record, trace_id, user_name, region, code FROM trace_details ORDER BY file, record"):
    """Every column of every trace (the details table, filled for every file first)."""
    evidence.data.details()
    return evidence.data.rows(sql)


def batch(n: int, prefix: str = "t", user: str | None = "a.durand", day: str = "2026-07-01") -> list[dict]:
    return [trace(user, f"{day}T{8 + i // 60:02d}:{i % 60:02d}:00+02:00", trace_id=f"{prefix}{i}") for i in range(n)]


def write_raw(builder, rel: str, payload: bytes, gz: bool) -> None:
    builder.write(f"traces/{rel}", gzip.compress(payload, mtime=0) if gz else payload)


# -- shapes ----------------------------------------------------------------------------------

SHAPES = ["array", "envelope", "object", "lines"]


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gz_and_plain(builder, shape, gz):
    records = batch(1 if shape == "object" else 4)
    ext = ".jsonl" if shape == "lines" else ".json"
    name = KEY.format("0001").replace(".json", ext) + (".gz" if gz else "")
    builder.traces(records, name=name, shape=shape)
    evidence = load(builder)
    assert evidence.problems == []
    got = rows(evidence)
    assert [(r[1], r[2]) for r in got] == [(i, f"t{i}") for i in range(len(records))]
    assert {r[0] for r in got} == {f"traces/{name}"}
    assert {(r[3], r[4], r[5]) for r in got} == {("a.durand", "eu-west-0", "200")}
    read = evidence.files[0]
    assert (read.path, read.records) == (f"traces/{name}", len(records))
    assert read.first.timestamp() * 1000 == ms("2026-07-01T08:00:00+02:00")


def test_all_shapes_in_one_bundle_with_exact_records(builder):
    builder.traces(batch(3, "a"), name=KEY.format("a") + ".gz")
    builder.traces(batch(3, "e"), name="api/cts-list-eu-west-0.json", shape="envelope")
    builder.traces(batch(1, "o"), name=KEY.format("o"), shape="object")
    builder.traces(batch(3, "l"), name=KEY.format("l").replace(".json", ".jsonl.gz"), shape="lines")
    pretty = json.dumps({"meta_data": {"count": 2}, "traces": batch(2, "p")}, indent=2).encode()
    write_raw(builder, "api/pretty.json", pretty, gz=False)
    builder.write("traces/README.txt", "not a trace file")
    evidence = load(builder)
    assert evidence.problems == []
    assert evidence.data.count() == 12
    assert evidence.data.files == 5
    for prefix, n in (("a", 3), ("e", 3), ("o", 1), ("l", 3), ("p", 2)):
        got = rows(evidence, f"SELECT record, trace_id FROM trace_details WHERE trace_id LIKE '{prefix}%' ORDER BY record")
        assert got == [(i, f"{prefix}{i}") for i in range(n)]
    per_file = {f.path.rsplit("/", 1)[-1]: f.records for f in evidence.files}
    assert per_file == {"cts-list-eu-west-0.json": 3, "pretty.json": 2, KEY.format("a").rsplit("/", 1)[-1] + ".gz": 3,
                        KEY.format("o").rsplit("/", 1)[-1]: 1, KEY.format("l").rsplit("/", 1)[-1].replace(".json", ".jsonl.gz"): 3}


def test_every_trace_file_is_hashed_for_the_manifest(builder):
    builder.traces(batch(2), name=KEY.format("good") + ".gz")
    write_raw(builder, KEY.format("bad") + ".gz", b"not gzip at all", gz=False)
    bundle = Bundle(str(builder.root))
    evidence = reader.load(bundle)
    hashed = {r.path: r for r in bundle.reads()}
    assert set(hashed) == {f"traces/{KEY.format('good')}.gz", f"traces/{KEY.format('bad')}.gz"}
    assert all(len(r.sha256) == 64 and r.size > 0 for r in hashed.values())
    assert [f.path for f in evidence.files] == [f"traces/{KEY.format('good')}.gz"]


def test_records_keep_file_order_across_many_files(builder):
    for f in range(12):
        builder.traces(batch(30, f"f{f}-"), name=KEY.format(f"{f:04d}") + ".gz")
    evidence = load(builder)
    got = rows(evidence, "SELECT trace_id, record FROM trace_details")
    assert len(got) == 360
    assert all(trace_id.endswith(f"-{record}") for trace_id, record in got)


# -- bad files among good ones ---------------------------------------------------------------

def test_corrupt_gz_among_good_files(builder):
    for f in range(5):
        builder.traces(batch(3, f"g{f}-"), name=KEY.format(f"good{f}") + ".gz")
    whole = gzip.compress(json.dumps(batch(200, "x")).encode(), mtime=0)
    builder.write(f"traces/{KEY.format('truncated')}.gz", whole[: len(whole) // 2])  # sniffs as an array, fails in DuckDB
    builder.write(f"traces/{KEY.format('garbage')}.gz", b"\x1f\x8b\x08\x00" + b"\x00garbage" * 10)
    evidence = load(builder)
    assert evidence.data.count() == 15
    bad = {p.file: p for p in evidence.problems}
    assert set(bad) == {f"traces/{KEY.format('truncated')}.gz", f"traces/{KEY.format('garbage')}.gz"}
    assert all("gzip" in p.reason for p in bad.values())
    assert not any(f.path in bad for f in evidence.files)


def test_gzip_of_non_json_is_reported(builder):
    builder.traces(batch(2), name=KEY.format("good") + ".gz")
    write_raw(builder, KEY.format("text") + ".gz", b"hello, this is not JSON\n", gz=True)
    evidence = load(builder)
    [problem] = evidence.problems
    assert problem.file == f"traces/{KEY.format('text')}.gz" and "not JSON" in problem.reason
    assert evidence.data.count() == 2


def test_plain_file_named_gz_and_empty_file(builder):
    write_raw(builder, KEY.format("plain") + ".gz", json.dumps(batch(1)).encode(), gz=False)
    write_raw(builder, KEY.format("empty"), b"  \n", gz=False)
    evidence = load(builder)
    reasons = {p.file.rsplit("_", 1)[-1]: p.reason for p in evidence.problems}
    assert "gzip" in reasons["plain.json.gz"]
    assert reasons["empty.json"] == "empty file"
    assert evidence.data.count() == 0


def test_non_object_trace_is_reported_and_the_rest_kept(builder):
    write_raw(builder, KEY.format("mixed"), json.dumps([1, *batch(2)]).encode(), gz=False)
    evidence = load(builder)
    assert [(p.record, p.reason) for p in evidence.problems] == [("record 0", "a trace must be a JSON object")]
    assert [(r[1], r[2]) for r in rows(evidence)] == [(1, "t0"), (2, "t1")]
    assert evidence.files[0].records == 3


@pytest.mark.parametrize("bad_time, reason", [
    ("2026-07-01T08:00:00Z", "must be milliseconds"),
    ("1782885600000", "must be milliseconds"),  # a number in a string: DuckDB would cast it silently
    (1782885600, "looks like seconds"),
    (None, "must be milliseconds"),
])
def test_time_not_epoch_ms_is_reported_with_its_record(builder, bad_time, reason):
    records = batch(4)
    records[2]["time"] = bad_time
    builder.traces(batch(3, "other"), name=KEY.format("other") + ".gz")
    builder.traces(records, name=KEY.format("bad") + ".gz")
    evidence = load(builder)
    [problem] = evidence.problems
    assert (problem.file, problem.record) == (f"traces/{KEY.format('bad')}.gz", "record 2")
    assert reason in problem.reason
    got = rows(evidence, "SELECT trace_id, record FROM trace_details WHERE file LIKE '%bad%' ORDER BY record")
    assert got == [("t0", 0), ("t1", 1), ("t3", 3)]
    assert evidence.data.count() == 6


def test_system_action_without_user_is_kept(builder):
    builder.traces([trace(None, "2026-07-01T08:00:00+02:00", "createCheckpoint", trace_id="sys"),
                    trace("a.durand", "2026-07-01T09:00:00+02:00", trace_id="human")], name=KEY.format("s") + ".gz")
    evidence = load(builder)
    assert evidence.problems == []
    assert rows(evidence, "SELECT trace_id, trace_type, user_name FROM trace_details ORDER BY record") == [
        ("sys", "SystemAction", None), ("human", "ConsoleAction", "a.durand")]


def test_missing_user_on_a_console_action_is_reported(builder):
    records = batch(2)
    records[1]["user"] = None
    newer = trace(None, "2026-07-01T10:00:00+02:00", trace_id="newer", trace_type="ApiCall", user_name="b.petit")
    builder.traces(records + [newer], name=KEY.format("u") + ".gz")
    evidence = load(builder)
    assert [(p.record, p.reason) for p in evidence.problems] == [("record 1", "'user' is missing on a ConsoleAction trace")]
    assert rows(evidence, "SELECT trace_id, user_name FROM trace_details ORDER BY record") == [("t0", "a.durand"), ("newer", "b.petit")]


def test_code_as_int_or_string_and_request_as_object_or_string(builder):
    records = batch(3)
    records[0]["code"], records[1]["code"], records[2]["code"] = 403, "200", None
    records[0]["request"], records[1]["response"] = {"a": [1, 2]}, "plain text"
    builder.traces(records, name=KEY.format("c") + ".gz")
    evidence = load(builder)
    assert evidence.problems == []
    assert [r[0] for r in rows(evidence, "SELECT code FROM trace_details ORDER BY record")] == ["403", "200", None]


# -- regions ---------------------------------------------------------------------------------

def test_region_from_key_else_endpoint(builder):
    west1 = "https://ecs.eu-west-1.prod-cloud-ocb.orange-business.com"
    builder.traces([trace("a", "2026-07-01T08:00:00+02:00", trace_id="key", endpoint=west1)], name=KEY.format("k") + ".gz")
    builder.traces([trace("a", "2026-07-01T08:00:00+02:00", trace_id="endpoint", endpoint=west1),
                    trace("a", "2026-07-01T08:01:00+02:00", trace_id="none", endpoint="https://example.org/api")],
                   name="api/listing.json", shape="envelope")
    evidence = load(builder)
    assert dict(rows(evidence, "SELECT trace_id, region FROM trace_details")) == {"key": "eu-west-0", "endpoint": "eu-west-1", "none": None}
    assert reader.region_of("traces/CloudTraces/eu-west-0/2026/x.json", west1) == "eu-west-0"
    assert reader.region_of("traces/api/x.json", west1) == "eu-west-1"


# -- the two reading paths agree -------------------------------------------------------------

def test_duckdb_rows_equal_the_python_reading(builder):
    records = batch(5)
    records[1]["code"] = 500
    records[2].update(user=None, trace_type="SystemAction")
    records[3]["time"] = records[3]["time"] + 0.5
    builder.traces(records, name=KEY.format("p") + ".gz")
    # the same traces under ids of their own (one trace in two files counts once: repeats.py)
    builder.traces([{**r, "trace_id": f"e{i}"} for i, r in enumerate(records)], name="api/e.json", shape="envelope")
    evidence = load(builder)
    evidence.data.details()
    got = sorted(evidence.data.rows("SELECT * FROM trace_details"), key=lambda r: (r[0], r[1]))
    expected = []
    for rel in ("traces/api/e.json", f"traces/{KEY.format('p')}.gz"):
        raw = (builder.root / rel).read_bytes()
        expected += [reader.trace_row(rel, i, t)[0] for i, t in enumerate(reader.parse_file(rel, raw))]
    assert got == sorted(expected, key=lambda r: (r[0], r[1]))


def _odd_traces(prefix: str) -> list:
    """Traces an envelope's route could take otherwise than read_json does, none with a bad `time` (which alone
    would send the file to the Python reading)."""
    records = batch(6, prefix)
    records[1].update(user="oops", trace_type="SystemAction")  # not an object: refused
    records[2].update(user=json.dumps({"name": "svc"}), trace_type="SystemAction")  # the object as a JSON string
    records[3].update(user=5, trace_type="SystemAction")
    records[4]["user"] = {"name": {"first": "a"}}  # a name that is no string is kept as its JSON text
    records[5] = {"time": records[5]["time"], "user": {"name": "bare"}}  # nothing else
    return records


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_odd_traces_of_an_envelope_are_judged_as_in_an_array(builder, gz):
    """Envelopes are read by another DuckDB route (sql._envelope): it must refuse and keep exactly what arrays do."""
    suffix = ".gz" if gz else ""
    builder.traces(_odd_traces("a"), name=f"api/array.json{suffix}")  # its own ids: the same trace twice counts once
    builder.traces(_odd_traces("e"), name=f"api/envelope.json{suffix}", shape="envelope")
    evidence = load(builder)
    by_file = {}
    for p in evidence.problems:
        by_file.setdefault(p.file.rsplit("/", 1)[-1].split(".")[0], []).append((p.record, p.reason))
    assert by_file["array"] == by_file["envelope"] and [r for r, _ in by_file["array"]] == ["record 1", "record 3"]
    details = rows(evidence, "SELECT file, record, trace_id[2:], user_name, time FROM trace_details ORDER BY file, record")
    kept = {f: [r[1:] for r in details if r[0].endswith(f)] for f in (f"array.json{suffix}", f"envelope.json{suffix}")}
    assert kept[f"array.json{suffix}"] == kept[f"envelope.json{suffix}"]
    assert [r[2] for r in kept[f"array.json{suffix}"]] == ["a.durand", "svc", '{"first":"a"}', "bare"]


# -- limits and absence ----------------------------------------------------------------------

def test_decompression_bomb_guard_in_the_python_reading(builder, monkeypatch):
    monkeypatch.setattr(trace_files, "MAX_DECOMPRESSED", 2000)
    builder.traces(batch(40), name=KEY.format("big") + ".gz")
    builder.traces(batch(1, "small"), name=KEY.format("small") + ".gz")
    evidence = load(builder)
    [problem] = evidence.problems
    assert problem.file.endswith("big.json.gz") and "decompression bomb" in problem.reason
    assert evidence.data.count() == 1


def test_empty_traces_folder_is_absent_evidence(builder, run_checks_on):
    (builder.root / "traces").mkdir()
    evidence = load(builder)
    assert evidence.data is None and evidence.absent and "no trace file" in evidence.note
    ids = ("trace.continuity", "trace.access_entitlement", "residency.activity", "access.register_covers_activity")
    results = run_checks_on(builder.root, *ids)
    for check_id in ids:
        assert results[check_id].status is Status.ERROR, check_id
        assert any(f.object == "traces" and "absent" in f.message for f in results[check_id].findings)


def test_bad_trace_file_makes_trace_checks_error_naming_file_and_record(builder, run_checks_on):
    records = batch(2)
    records[1]["time"] = "yesterday"
    builder.traces(records, name=KEY.format("bad") + ".gz")
    result = run_checks_on(builder.root, "residency.activity")["residency.activity"]
    assert result.status is Status.ERROR
    [finding] = [f for f in result.findings if f.status is Status.ERROR]
    assert finding.object == f"traces/{KEY.format('bad')}.gz" and finding.evidence == (f"traces/{KEY.format('bad')}.gz#record 1",)


def test_progress_bar_only_on_a_terminal(builder, monkeypatch, capsys):
    for f in range(3):
        builder.traces(batch(2, f"p{f}-"), name=KEY.format(f"{f:04d}") + ".gz")
    monkeypatch.setattr(bulk_reader, "PROGRESS_MIN_FILES", 1)
    evidence = load(builder)  # stderr is not a terminal under pytest
    assert evidence.data.count() == 6
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    progress = bulk_reader.Progress(evidence.data.con, 1000)
    with progress:
        assert progress.bar is None


def test_bomb_with_a_lying_gzip_trailer_is_refused(builder, monkeypatch):
    """The trailer's size is the size modulo 4 GiB and anyone can write it: it is not trusted."""
    monkeypatch.setattr(trace_files, "MAX_DECOMPRESSED", 100_000)
    bomb = gzip.compress(b"[" + b" " * 1_000_000 + b"]", compresslevel=9, mtime=0)
    bomb = bomb[:-4] + (100).to_bytes(4, "little")
    builder.write(f"traces/{KEY.format('bomb')}.gz", bomb)
    builder.traces(batch(2), name=KEY.format("good") + ".gz")
    evidence = load(builder)
    [problem] = evidence.problems
    assert problem.file.endswith("bomb.json.gz") and "decompression bomb" in problem.reason
    assert evidence.data.count() == 2


def test_multi_member_gzip_is_read_whole(builder):
    records = batch(4)
    half = json.dumps(records)
    cut = half.index("}, {") + 2
    builder.write(f"traces/{KEY.format('members')}.gz", gzip.compress(half[:cut].encode(), mtime=0) + gzip.compress(half[cut:].encode(), mtime=0))
    lines = [json.dumps(r) + "\n" for r in batch(3, "l")]
    builder.write("traces/api/members.jsonl.gz", b"".join(gzip.compress(line.encode(), mtime=0) for line in lines))
    evidence = load(builder)
    assert evidence.problems == []
    assert evidence.data.count() == 7
    assert rows(evidence, "SELECT trace_id FROM trace_details WHERE file LIKE '%CloudTraces%' ORDER BY record") == [(f"t{i}",) for i in range(4)]


# -- the narrow table and the details read on demand ---------------------------------------------

@pytest.mark.parametrize("folder", ["OBS", "ECS"])
def test_narrow_view_agrees_with_the_details_of_every_trace(builder, folder):
    """`traces` (kept for every trace) and `trace_details` (read on demand) say the same of each trace,
    whichever way its file was read: DuckDB, Python for a file with a bad record, regions from key or endpoint.
    OBS reads in another service's folder (where DuckDB first skips the resource fields) are read again by DuckDB."""
    records = batch(4)
    records[1].update(user=None, trace_type="SystemAction")
    records[2].update(service_type="OBS", trace_name="GetObject", resource_name="CTS-Bucket", resource_id="cts-bucket/a/b.json.gz")
    records[3].update(service_type="obs", trace_name="headBucket", resource_name="", resource_id="Other/x")
    bad = batch(3, "b")
    bad[1]["time"] = "yesterday"  # this file is read again in Python
    api = batch(2, "e")
    api[0]["endpoint"] = "https://ecs.eu-west-1.prod-cloud-ocb.orange-business.com"
    builder.traces(records, name=KEY.replace("/ECS/", f"/{folder}/").format("good") + ".gz")
    builder.traces(bad, name=KEY.format("bad") + ".gz")
    builder.traces(api, name="api/e.json", shape="envelope")
    evidence = load(builder)
    shapes = {f.rsplit("_", 1)[-1].split(".")[0]: s for f, s in evidence.data.rows("SELECT file, shape FROM trace_readings WHERE live")}
    assert shapes == {"good": "array", "bad": "python", "traces/api/e": "envelope"}
    assert not evidence.problems[1:] and "yesterday" in evidence.problems[0].reason
    evidence.data.materialize()
    narrow = evidence.data.rows("SELECT file, record, time, region, user_name, service_type, read_name, read_bucket FROM traces ORDER BY file, record")
    evidence.data.details()
    wide = evidence.data.rows(
        "SELECT file, record, time, region, user_name, service_type, "
        "CASE WHEN upper(service_type) = 'OBS' AND regexp_matches(trace_name, '^(get|list|head)', 'i') THEN lower(resource_name) END, "
        "CASE WHEN upper(service_type) = 'OBS' AND regexp_matches(trace_name, '^(get|list|head)', 'i') THEN lower(split_part(resource_id, '/', 1)) END "
        "FROM trace_details ORDER BY file, record")
    assert narrow == wide and len(narrow) == 4 + 2 + 2
    reads = {r[1]: (r[6], r[7]) for r in narrow if "good" in r[0]}
    assert reads == {0: (None, None), 1: (None, None), 2: ("cts-bucket", "cts-bucket"), 3: ("", "other")}
    assert [r[1] for r in narrow if "bad" in r[0]] == [0, 2]  # the record numbers of the file's own order


def test_only_obs_service_folders_and_files_outside_the_cts_layout_may_hold_bucket_reads():
    cts = "traces/CloudTraces/eu-west-0/2026/7/1/system/{}/cts_CloudTrace_eu-west-0_2026-07-01T00-00-00Z_a.json.gz"
    assert trace_files.may_read_buckets(cts.format("OBS")) and trace_files.may_read_buckets(cts.format("obs"))
    assert not trace_files.may_read_buckets(cts.format("ECS")) and not trace_files.may_read_buckets(cts.format("IAM"))
    assert trace_files.may_read_buckets("traces/api/page-1.json")
    assert trace_files.may_read_buckets("traces/CloudTraces/eu-west-0/2026/7/1/x.json.gz")  # no service folder
    assert trace_files.may_read_buckets("traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/sub/x.json")  # deeper: not CTS's


def test_ecs_folder_without_obs_traces_stays_in_duckdb_with_no_bucket_reads(builder):
    builder.traces(batch(3), name=KEY.format("ecs") + ".gz")
    evidence = load(builder)
    assert evidence.data.rows("SELECT shape FROM trace_readings WHERE live") == [("array",)]
    evidence.data.materialize()
    assert evidence.data.rows("SELECT count(*), count(read_name), count(read_bucket) FROM traces") == [(3, 0, 0)]
    assert not evidence.problems


def _obs_read(record: dict, bucket: str = "cts-bucket") -> dict:
    return record | {"service_type": "OBS", "trace_name": "GetObject", "resource_name": bucket.upper(),
                     "resource_id": f"{bucket}/a/b.json.gz"}


def _not_live(evidence) -> int:
    return evidence.data.rows("SELECT count(*) FROM trace_readings WHERE NOT live")[0][0]


def test_obs_trace_in_another_service_folder_is_read_again_by_duckdb_not_python(builder, monkeypatch):
    records = batch(3, "m")
    records[1] = _obs_read(records[1])
    builder.traces(records, name=KEY.format("mixed") + ".gz")
    builder.traces(batch(2, "e"), name=KEY.format("ecs") + ".gz")
    monkeypatch.setattr(bulk_reader.Loader, "_python", lambda self, rel: pytest.fail(f"{rel} read in Python"))
    evidence = load(builder)
    assert not evidence.problems and _not_live(evidence) == 1  # the mixed file only, read twice
    assert evidence.data.rows("SELECT DISTINCT shape FROM trace_readings") == [("array",)]
    buckets = evidence.data.rows("SELECT read_bucket, read_name, n FROM trace_groups_live WHERE read_bucket IS NOT NULL")
    assert buckets == [("cts-bucket", "cts-bucket", 1)]
    evidence.data.materialize()
    assert evidence.data.rows("SELECT file, record, read_bucket FROM traces WHERE read_bucket IS NOT NULL") == [
        (f"traces/{KEY.format('mixed')}.gz", 1, "cts-bucket")]
    assert [(f.path.rsplit("_", 1)[-1], f.records) for f in evidence.files] == [("ecs.json.gz", 2), ("mixed.json.gz", 3)]


def test_mixed_file_in_another_service_folder_with_a_breach_is_read_in_python_for_its_reason(builder):
    records = batch(3, "m")
    records[0] = _obs_read(records[0])
    records[2]["time"] = "yesterday"
    builder.traces(records, name=KEY.format("mixed") + ".gz")
    evidence = load(builder)
    [problem] = evidence.problems
    assert (problem.record, "yesterday" in problem.reason) == ("record 2", True)
    assert evidence.data.rows("SELECT shape FROM trace_readings WHERE live") == [("python",)]
    evidence.data.materialize()
    assert evidence.data.rows("SELECT record, read_bucket FROM traces ORDER BY record") == [(0, "cts-bucket"), (1, None)]


@pytest.mark.parametrize("mixed", [True, False], ids=["mixing-services", "one-service-a-file"])
def test_other_service_folders_read_twice_at_most_their_first_files(builder, monkeypatch, mixed):
    """Once the first files of other services' folders show OBS traces, the rest are read with the OBS fields
    at once; in CTS's own layout (no OBS trace there) no file is read twice."""
    monkeypatch.setattr(bulk_reader, "PROBE_FILES", 2)
    for f in range(6):
        records = batch(2, f"f{f}-", day=f"2026-07-0{f + 1}")
        if mixed:
            records[0] = _obs_read(records[0], bucket=f"bucket-{f}")
        builder.traces(records, name=KEY.format(f"{f:04d}") + ".gz")
    evidence = load(builder)
    assert not evidence.problems and _not_live(evidence) == (2 if mixed else 0)
    reads = evidence.data.rows("SELECT read_bucket FROM trace_groups_live WHERE read_bucket IS NOT NULL ORDER BY 1")
    assert reads == ([(f"bucket-{f}",) for f in range(6)] if mixed else [])


def test_references_read_details_of_the_referenced_files_only(builder):
    for f in range(4):
        # a day each: files of one account overlapping in time have their ids read at the scan (repeats.py)
        builder.traces(batch(3, f"f{f}-", day=f"2026-07-0{f + 1}"), name=KEY.format(f"{f:04d}") + ".gz")
    evidence = load(builder)
    first = f"traces/{KEY.format('0002')}.gz"
    [refs, none, by_record] = evidence.data.refs([[(first, 1), (first, 0)], None, [(first, 7)]])
    assert refs == (f"{first}#trace_id=f2-1", f"{first}#trace_id=f2-0") and none == ()
    assert by_record == (f"{first}#record 7",)  # no such trace: the reference still names the file and record
    assert evidence.data.rows("SELECT DISTINCT file FROM trace_details") == [(first,)]


def test_duckdb_out_of_memory_is_an_error_not_a_slow_fallback(builder, monkeypatch, run_checks_on):
    builder.traces(batch(3), name=KEY.format("a") + ".gz")

    def out_of_memory(self, shape, region, buckets, rels):
        import duckdb

        raise duckdb.OutOfMemoryException("could not allocate block")

    monkeypatch.setattr(bulk_reader.Loader, "_duckdb", out_of_memory)
    monkeypatch.setattr(bulk_reader.Loader, "_python", lambda self, rel: pytest.fail("read in Python after running out of memory"))
    evidence = load(builder)
    [problem] = evidence.problems
    assert evidence.data is None and "ran out of memory" in problem.reason and "HDS_AUDIT_DUCKDB_MEMORY" in problem.reason
    result = run_checks_on(builder.root, "residency.activity")["residency.activity"]
    assert result.status is Status.ERROR and any("ran out of memory" in f.message for f in result.findings)


def test_great_expectations_import_waits_for_the_trace_scan(builder, monkeypatch):
    """The import holds Python's lock: it starts once DuckDB scans, not while Python lists and sniffs files."""
    import threading

    from hds_audit.evidence import tabular

    builder.traces(batch(2), name=KEY.format("a") + ".gz")
    order: list[str] = []
    monkeypatch.setattr(tabular, "_validator", lambda *_: order.append("import"))
    real = bulk_reader.Loader._duckdb

    def scanning(self, shape, region, buckets, rels):
        order.append("scan")
        return real(self, shape, region, buckets, rels)

    monkeypatch.setattr(bulk_reader.Loader, "_duckdb", scanning)
    started = threading.Event()
    thread = tabular.warm_up(after=started)
    thread.join(0.2)
    assert order == [] and thread.is_alive()
    monkeypatch.setattr(reader, "scan_started", started)  # what load() hands its loader to set
    loaded = reader.load(Bundle(str(builder.root)))
    thread.join(5)
    assert loaded.data.count() == 2 and order[0] == "scan" and "import" in order


def test_references_into_a_file_read_in_python_carry_trace_ids(builder):
    records = batch(3, "p")
    records[1]["time"] = "yesterday"  # the file is read again in Python; its other traces keep their ids
    builder.traces(records, name=KEY.format("py") + ".gz")
    evidence = load(builder)
    rel = f"traces/{KEY.format('py')}.gz"
    evidence.data.materialize()
    assert evidence.data.rows("SELECT record FROM traces ORDER BY record") == [(0,), (2,)]
    [refs] = evidence.data.refs([[(rel, 2), (rel, 0)]])
    assert refs == (f"{rel}#trace_id=p2", f"{rel}#trace_id=p0")



@pytest.mark.parametrize("shape", ["array", "envelope", "lines"])
def test_files_read_trace_by_trace_are_read_by_duckdb_numbered_by_position(builder, shape):
    """TraceSet.materialize reads the files DuckDB scanned with DuckDB again (Python only reads the files DuckDB
    rejects: a query error is not the files' fault and must surface, not fall back to Python silently)."""
    for name in ("a", "b"):
        builder.traces(batch(3, name), name=KEY.format(name) + ".gz", shape=shape)  # not the same bytes: a copy counts once
    evidence = load(builder)
    assert evidence.data.rows("SELECT count(*) FROM trace_events") == [(0,)]  # the scan keeps groups only
    evidence.data.materialize(f"SELECT reading FROM trace_readings WHERE file LIKE '%{KEY.format('b')}.gz'")
    assert evidence.data.rows("SELECT count(*), count(record) FROM trace_events") == [(3, 0)]  # no Python rows
    assert evidence.data.rows("SELECT file, record FROM traces ORDER BY record") == [(f"traces/{KEY.format('b')}.gz", i) for i in range(3)]
    evidence.data.materialize()
    assert evidence.data.rows("SELECT count(*), count(record) FROM trace_events") == [(6, 0)]


def test_a_query_error_is_raised_not_taken_for_a_bad_file(monkeypatch):
    import duckdb

    def broken(rels):
        raise duckdb.BinderException("no function matches")

    with pytest.raises(duckdb.BinderException):
        bulk_reader.in_halves(broken, ["a", "b"], lambda rel: pytest.fail(f"{rel} read in Python"))
