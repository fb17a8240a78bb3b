"""`hds-audit collect traces` against moto's S3 server on the loopback: selection by key date,
resumption, provenance log, unreachable endpoint."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")

from hds_audit.calendar.period import parse_period  # noqa: E402
from hds_audit.cli import cli  # noqa: E402
from hds_audit.collect import COLLECTION_LOG, PARTIAL_SUFFIX, day_window, read_log  # noqa: E402

KEY_ID = "AKIAHDSAUDITCOLLECT1"
SECRET = "collectTestSecret/Only4Moto+NotARealKey0"
BUCKET = "ch-test-cts"
TRACES = "CloudTraces/{region}/{day}/system/{service}/chtest_CloudTrace_{region}_{stamp}_{hex}.json.gz"

# (region, Y/M/D in the key, expected to be collected for 2026-Q3)
LAYOUT = [
    ("eu-west-0", "2026/7/15", True),
    ("eu-west-0", "2026/8/1", True),
    ("eu-west-1", "2026/9/30", True),
    ("eu-west-0", "2026/6/30", True),    # margin before: 00:00-02:00 Paris on 1 July is 30 June UTC
    ("eu-west-0", "2026/10/1", True),    # margin after: written just after midnight UTC
    ("eu-west-0", "2026/6/29", False),
    ("eu-west-0", "2026/10/2", False),
    ("eu-west-0", "2025/7/15", False),
    ("eu-west-1", "2026/12/1", False),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def key_for(region: str, day: str, service: str = "ECS", prefix: str = "") -> str:
    y, m, d = day.split("/")
    stamp = f"{y}-{int(m):02d}-{int(d):02d}T10-00-00Z"
    hexpart = hashlib.sha256(f"{region}{day}{service}".encode()).hexdigest()[:16]
    return prefix + TRACES.format(region=region, day=day, service=service, stamp=stamp, hex=hexpart)


def payload(key: str) -> bytes:
    trace = {"trace_id": key, "trace_name": "updateServer", "trace_rating": "normal", "trace_type": "SystemAction",
             "service_type": "ECS", "resource_type": "server", "resource_id": "srv-1", "resource_name": "srv-1",
             "user": None, "time": 1783850400000, "record_time": 1783850400500, "code": "200"}
    return gzip.compress(json.dumps([trace]).encode(), mtime=0)


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto keeps one in-memory backend per process: start from an empty cloud, whatever ran before
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("AWS_", "HDS_AUDIT_")) or name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def s3(endpoint):
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    for region, day, _ in LAYOUT:
        for service in ("ECS", "IAM"):
            key = key_for(region, day, service)
            client.put_object(Bucket=BUCKET, Key=key, Body=payload(key))
    # not a trace file, although in a day folder of the period
    client.put_object(Bucket=BUCKET, Key="CloudTraces/eu-west-0/2026/7/15/system/ECS/notes.txt", Body=b"x")
    # the same layout under a tracker's file prefix, in a second bucket
    client.create_bucket(Bucket="ch-prefixed")
    for region, day, _ in LAYOUT[:2]:
        key = key_for(region, day, prefix="hds/")
        client.put_object(Bucket="ch-prefixed", Key=key, Body=payload(key))
    return client


def expected_keys(prefix: str = "") -> set[str]:
    return {key_for(r, d, s, prefix) for r, d, inside in LAYOUT if inside for s in ("ECS", "IAM")}


def collect(bundle: Path, endpoint: str, *extra: str, source: str = f"s3://{BUCKET}"):
    args = ["collect", "traces", "--from", source, "--to", str(bundle), "--s3-endpoint", endpoint, *extra]
    return CliRunner().invoke(cli, args if "--from-date" in extra else [*args, "--period", "2026-Q3"])


def files_under(bundle: Path) -> set[str]:
    traces = bundle / "traces"
    return {p.relative_to(traces).as_posix() for p in traces.rglob("*.json.gz")}


def test_window_has_one_day_of_margin_around_the_paris_days():
    first, last = day_window(parse_period("2026-Q3"))
    assert (first.isoformat(), last.isoformat()) == ("2026-06-30", "2026-10-01")
    first, last = day_window(parse_period("2026-02"))
    assert (first.isoformat(), last.isoformat()) == ("2026-01-31", "2026-03-01")


def test_copies_exactly_the_period_and_logs_provenance(tmp_path, s3, endpoint):
    bundle = tmp_path / "bundle"
    result = collect(bundle, endpoint)
    assert result.exit_code == 0, result.output
    assert files_under(bundle) == expected_keys()
    assert "10 file(s) copied" in result.output
    log = [json.loads(line) for line in (bundle / COLLECTION_LOG).read_text().splitlines()]
    assert {e["key"] for e in log} == expected_keys()
    for entry in log:
        data = (bundle / entry["path"]).read_bytes()
        assert entry["source"] == f"s3://{BUCKET}/{entry['key']}"
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        assert entry["collected_at"][-6] in "+-"  # ISO 8601 with its offset
    text = (bundle / COLLECTION_LOG).read_text() + result.output
    assert SECRET not in text and KEY_ID not in text


def test_second_run_copies_nothing(tmp_path, s3, endpoint):
    bundle = tmp_path / "bundle"
    assert collect(bundle, endpoint).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (bundle / "traces").rglob("*.json.gz")}
    log_lines = len((bundle / COLLECTION_LOG).read_text().splitlines())
    result = collect(bundle, endpoint)
    assert result.exit_code == 0, result.output
    assert "0 file(s) copied" in result.output and "10 already in the bundle" in result.output
    assert {p: p.stat().st_mtime_ns for p in (bundle / "traces").rglob("*.json.gz")} == before
    assert len((bundle / COLLECTION_LOG).read_text().splitlines()) == log_lines


def test_interrupted_run_resumes_with_only_the_damaged_files(tmp_path, s3, endpoint):
    bundle = tmp_path / "bundle"
    assert collect(bundle, endpoint).exit_code == 0
    deleted, truncated = sorted((bundle / "traces").rglob("*.json.gz"))[:2]
    deleted.unlink()
    truncated.write_bytes(truncated.read_bytes()[:10])
    # a copy in progress when the run was stopped
    (truncated.parent / (truncated.name + PARTIAL_SUFFIX)).write_bytes(b"half")
    result = collect(bundle, endpoint)
    assert result.exit_code == 0, result.output
    assert "2 file(s) copied" in result.output and "8 already in the bundle" in result.output
    assert files_under(bundle) == expected_keys()
    assert not list((bundle / "traces").rglob("*" + PARTIAL_SUFFIX))
    latest = read_log(bundle / COLLECTION_LOG)
    assert hashlib.sha256(truncated.read_bytes()).hexdigest() == latest[truncated.relative_to(bundle / "traces").as_posix()]["sha256"]


def test_run_stopped_midway_resumes(tmp_path, s3, endpoint, monkeypatch):
    import hds_audit.collect.traces as module

    bundle = tmp_path / "bundle"
    real, calls = module._fetch, []

    def stop_after_three(*args, **kwargs):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(args[2].key)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "_fetch", stop_after_three)
    collect(bundle, endpoint)  # the interruption ends the command
    assert len(files_under(bundle)) == 3
    monkeypatch.setattr(module, "_fetch", real)
    result = collect(bundle, endpoint)
    assert result.exit_code == 0, result.output
    assert "7 file(s) copied" in result.output and "3 already in the bundle" in result.output
    assert files_under(bundle) == expected_keys()


def test_explicit_days_and_file_prefix(tmp_path, s3, endpoint):
    bundle = tmp_path / "bundle"
    result = collect(bundle, endpoint, "--from-date", "2026-07-15", "--to-date", "2026-07-16")
    assert result.exit_code == 0, result.output
    assert files_under(bundle) == {key_for("eu-west-0", "2026/7/15", s) for s in ("ECS", "IAM")}
    for source in ("s3://ch-prefixed", "s3://ch-prefixed/hds", "s3://ch-prefixed/hds/CloudTraces"):
        other = tmp_path / source.replace("/", "_").replace(":", "")
        result = collect(other, endpoint, source=source)
        assert result.exit_code == 0, result.output
        # keys keep the layout from the folder holding CloudTraces/ down: the region stays in the path
        assert all(p.split("/CloudTraces/")[0] in ("", "hds") or p.startswith("CloudTraces/") for p in files_under(other))
        assert len(files_under(other)) == 2


def test_multipart_object_is_copied_then_recognised_by_its_logged_hash(tmp_path, s3, endpoint):
    key = key_for("eu-west-0", "2026/8/20", "OBS")
    part = os.urandom(5 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)
    etags = [s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"], PartNumber=n, Body=body)["ETag"]
             for n, body in ((1, part), (2, b"tail"))]
    s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, 1)]})
    try:
        bundle = tmp_path / "bundle"
        assert collect(bundle, endpoint).exit_code == 0
        assert (bundle / "traces" / key).read_bytes() == part + b"tail"
        result = collect(bundle, endpoint)
        assert "0 file(s) copied" in result.output, result.output
    finally:
        s3.delete_object(Bucket=BUCKET, Key=key)


def test_missing_bucket_is_exit_2(tmp_path, s3, endpoint):
    result = collect(tmp_path / "b", endpoint, source="s3://no-such-bucket")
    assert result.exit_code == 2
    assert "not found" in result.output


def test_no_file_for_the_period_is_exit_1(tmp_path, s3, endpoint):
    result = collect(tmp_path / "b", endpoint, "--from-date", "2024-01-01", "--to-date", "2024-02-01")
    assert result.exit_code == 1
    assert "No CTS file" in result.output


def test_unreachable_endpoint_is_exit_2_fast_and_clear(tmp_path):
    env = {k: v for k, v in os.environ.items()}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "hds_audit", "collect", "traces", "--from", f"s3://{BUCKET}", "--to", str(tmp_path / "b"),
         "--period", "2026-Q3", "--s3-endpoint", f"http://127.0.0.1:{free_port()}"],
        env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert "cannot reach" in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("hds-audit:")]) == 1
    assert elapsed < 30


def test_collected_traces_are_read_by_the_bundle_and_the_log_is_not_a_trace(tmp_path, s3, endpoint):
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.traces import load, trace_files

    bundle = tmp_path / "bundle"
    assert collect(bundle, endpoint).exit_code == 0
    assert COLLECTION_LOG not in trace_files(Bundle(str(bundle)))
    source = Bundle(str(bundle))
    evidence = load(source)
    assert not evidence.problems, evidence.problems
    assert evidence.data.count() == 10
    assert COLLECTION_LOG in [read.path for read in source.reads()]  # provenance reaches the manifest
