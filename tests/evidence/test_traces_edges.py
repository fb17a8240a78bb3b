"""Trace files as other people write them: odd names, CTS digest files, keys without a region, endpoints in capitals,
names of accounts in the newer fields, object keys in resource ids. Both readings (DuckDB, Python) must agree."""

from __future__ import annotations

import gzip
import json

import pytest
from bundle_builder import trace

from hds_audit.evidence import traces
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.traces import files

DAY = "CloudTraces/eu-west-0/2026/7/1/system"


def load(builder):
    bundle = Bundle(str(builder.root))
    return bundle, traces.load(bundle)


def write(builder, rel: str, records, gz: bool | None = None) -> None:
    data = json.dumps(records).encode()
    builder.write(f"traces/{rel}", gzip.compress(data, mtime=0) if (rel.lower().endswith(".gz") if gz is None else gz) else data)


def events(evidence, where: str = "true") -> list[tuple]:
    evidence.data.materialize()  # every file, trace by trace
    return evidence.data.rows(f"SELECT file, record, user_name, region, read_bucket FROM traces WHERE {where} ORDER BY file, record")


def test_trace_files_are_named_in_any_case_and_gzip_files_of_any_name_are_read(builder):
    for i, rel in enumerate(["api/a.JSON", "api/b.json.GZ", "api/c.ndjson", "api/d.gz"]):
        write(builder, rel, [trace(f"u{i}", "2026-07-02T10:00:00+02:00")])
    builder.write("traces/api/README.txt", "exported by hand")
    _, evidence = load(builder)
    assert evidence.problems == []
    assert [r[:3] for r in events(evidence)] == [("traces/api/a.JSON", 0, "u0"), ("traces/api/b.json.GZ", 0, "u1"),
                                                 ("traces/api/c.ndjson", 0, "u2"), ("traces/api/d.gz", 0, "u3")]
    assert "1 file(s) not read as traces" in evidence.note and "traces/api/README.txt" in evidence.note


def test_a_gzip_file_that_holds_no_json_is_reported_not_skipped(builder):
    write(builder, f"{DAY}/ECS/good.json.gz", [trace("u1", "2026-07-02T10:00:00+02:00")])
    builder.write("traces/exports/archive.tar.gz", gzip.compress(b"\x00" * 600, mtime=0))
    _, evidence = load(builder)
    assert [p.file for p in evidence.problems] == ["traces/exports/archive.tar.gz"]
    assert [r[2] for r in events(evidence)] == ["u1"]


def test_cts_digest_files_are_kept_in_the_manifest_not_read_as_traces(builder):
    digest = {"project_id": "p1", "digest_start_time": "2026-07-01T08-00-00Z", "digest_end_time": "2026-07-01T09-00-00Z",
              "digest_bucket": "cts-bucket", "log_files": []}
    rel = "CloudTraces/eu-west-0/2026/7/1/system/Digest/ECS/cts_CloudTrace-Digest_eu-west-0_2026-07-01T09-00-00Z.json.gz"
    write(builder, rel, digest)
    write(builder, f"{DAY}/ECS/cts_CloudTrace_eu-west-0_2026-07-01T09-00-00Z_ab.json.gz", [trace("u1", "2026-07-01T10:00:00+02:00")])
    builder.write("traces/.DS_Store", b"\x00\x01")
    bundle, evidence = load(builder)
    assert evidence.problems == []
    assert evidence.data.count() == 1
    assert f"traces/{rel}" in [r.path for r in bundle.reads()]  # hashed for the manifest
    assert f"traces/{rel}" not in [f.path for f in evidence.files]  # but no trace file
    assert "1 CTS digest file(s)" in evidence.note and "1 hidden file(s)" in evidence.note


def test_only_digest_files_is_no_trace_evidence(builder):
    write(builder, "CloudTraces/eu-west-0/2026/7/1/system/Digest/ECS/x_CloudTrace-Digest_eu-west-0_2026-07-01T09-00-00Z.json.gz", {})
    _, evidence = load(builder)
    assert evidence.absent and evidence.note.startswith("no trace file under traces/")


@pytest.mark.parametrize("python", [False, True], ids=["duckdb", "python"])
def test_a_key_without_region_takes_the_endpoint_region(builder, python):
    extra = {"time": "bad"} if python else {}  # one broken trace sends the file to the Python reading
    records = [trace("u1", "2026-07-02T10:00:00+02:00", endpoint="https://ecs.eu-west-1.prod-cloud-ocb.orange-business.com"),
               trace("u2", "2026-07-02T10:00:00+02:00", **extra)]
    write(builder, "CloudTraces/2026/7/2/system/ECS/x_CloudTrace_2026-07-02T10-00-00Z_ab.json.gz", records)
    _, evidence = load(builder)
    assert events(evidence)[0][3] == "eu-west-1"  # not "2026"
    assert len(evidence.problems) == (1 if python else 0)


@pytest.mark.parametrize("python", [False, True], ids=["duckdb", "python"])
@pytest.mark.parametrize("endpoint, region", [
    ("https://ECS.EU-WEST-1.prod-cloud-ocb.orange-business.com", "eu-west-1"),
    ("eu-west-1", "eu-west-1"),
    ("https://iam.eu-west-0:443/v3", "eu-west-0"),
    ("https://iam.myhuaweicloud.com", None),
    ("https://ecs.prod-cloud-ocb.orange-business.com", None),
])
def test_the_region_named_in_an_endpoint(builder, endpoint, region, python):
    records = [trace("u1", "2026-07-02T10:00:00+02:00", endpoint=endpoint)]
    if python:
        records.append(trace("u2", "2026-07-02T10:00:00+02:00", time=True))
    write(builder, "api/export.json", records)
    _, evidence = load(builder)
    assert events(evidence, "user_name = 'u1'")[0][3] == region
    assert files.region_of("traces/api/export.json", endpoint) == region


def test_account_names_in_the_newer_fields_and_blank_names(builder):
    user_only = trace("u1", "2026-07-02T10:00:00+02:00")
    user_only["user"] = {"id": "id-x", "user_name": "c.newer", "domain": {"id": "d1", "name": "chtest"}}
    blank = trace("u2", "2026-07-02T10:00:00+02:00")
    blank["user"]["name"] = "  "
    system_blank = trace(None, "2026-07-02T10:00:00+02:00")
    system_blank["user"] = {"id": "sys", "name": ""}
    write(builder, f"{DAY}/ECS/x_CloudTrace_eu-west-0_2026-07-01T09-00-00Z_ab.json.gz", [user_only, blank, system_blank])
    _, evidence = load(builder)
    assert [(p.record, p.reason) for p in evidence.problems] == [("record 1", "'user' has no name")]
    assert [r[1:3] for r in events(evidence)] == [(0, "c.newer"), (2, None)]


@pytest.mark.parametrize("folder", ["OBS", "ECS"])
def test_a_bucket_read_whose_resource_id_starts_with_a_slash(builder, folder):
    read = trace("r1", "2026-07-02T10:00:00+02:00", name="GetObject", service="OBS",
                 resource_id="/cts-bucket/CloudTraces/eu-west-0/2026/7/1/x.json.gz", resource_name=None)
    write(builder, f"{DAY}/{folder}/x_CloudTrace_eu-west-0_2026-07-01T09-00-00Z_ab.json.gz", [read])
    _, evidence = load(builder)
    assert events(evidence)[0][4] == "cts-bucket"


def test_uppercase_key_region_is_stored_lower_case(builder):
    write(builder, "CloudTraces/EU-WEST-0/2026/7/1/system/ECS/x_CloudTrace_EU-WEST-0_2026-07-01T09-00-00Z_ab.json.gz",
          [trace("u1", "2026-07-02T10:00:00+02:00")])
    _, evidence = load(builder)
    assert events(evidence)[0][3] == "eu-west-0"
