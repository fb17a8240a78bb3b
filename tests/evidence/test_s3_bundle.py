"""A bundle in an S3-compatible bucket (OBS): served by moto's server on the loopback, read like a folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bundle_builder import BundleBuilder, trace
from test_resources_reader import instance, tf, tfstate

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")

KEY_ID = "AKIAHDSAUDITTEST0042"
SECRET = "hdsAuditTestSecret/Only4Moto+NotARealKey00"
BUCKET = "ch-test-evidence"
PREFIX = "audits/2026-Q3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    """The process environment without any real cloud configuration, plus fake credentials."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "HDS_AUDIT_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", **extra)
    return env


def hds_audit(*args: str, env: dict, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_bundle(s3_endpoint, tmp_path_factory) -> Path:
    """The same bundle as a local folder (returned) and under s3://BUCKET/PREFIX on the server."""
    builder = BundleBuilder(tmp_path_factory.mktemp("s3") / "bundle")
    build(builder)
    upload(s3_endpoint, builder.root)
    return builder.root


def build(builder) -> None:
    builder.users({"name": "a.durand"}, {"name": "chtest", "is_domain_owner": True})
    builder.mfa("id-a.durand", "id-chtest")
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([trace("a.durand", "2026-07-01T09:00:00+02:00"), trace("x.stranger", "2026-08-01T10:00:00+02:00")])
    builder.write("resources/main.tfstate", tfstate(
        tf("flexibleengine_obs_bucket", "b", instance({"bucket": "ch-data", "region": "eu-west-0", "encryption": True, "tags": {"hds": "true"}}, "data"),
           instance({"bucket": "ch-far", "region": "eu-west-1", "tags": {"hds": "true"}}, "far")),
        tf("flexibleengine_lb_listener_v2", "web", {"id": "lst-1", "protocol": "HTTP", "region": "eu-west-0"}),
    ))


def upload(endpoint: str, root: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{path.relative_to(root).as_posix()}", Body=path.read_bytes())


def statuses(out: Path) -> dict:
    results = json.loads((out / "results.json").read_text())
    checks = {c["id"]: (c["status"], sorted((f["object"], f.get("status", "fail")) for f in c["findings"]))
              for control in results["controls"] for c in control["checks"]}
    return {"controls": {c["id"]: c["status"] for c in results["controls"]}, "checks": checks, "summary": results["summary"]}


def test_run_from_s3_matches_local_folder_and_leaks_no_secret(s3_bundle, tmp_path, s3_endpoint):
    env = clean_env()
    local = hds_audit("run", str(s3_bundle), "--period", "2026-Q3", "--out", str(tmp_path / "local"), env=env, cwd=tmp_path)
    remote = hds_audit("run", f"s3://{BUCKET}/{PREFIX}", "--period", "2026-Q3", "--out", str(tmp_path / "remote"),
                       "--s3-endpoint", s3_endpoint, env=env, cwd=tmp_path)
    assert local.returncode == 1, local.stderr  # the bundle holds failures on purpose
    assert remote.returncode == local.returncode, remote.stderr
    got, want = statuses(tmp_path / "remote"), statuses(tmp_path / "local")
    assert got == want
    assert got["checks"]["residency.resources"][0] == "fail" and ("ch-far", "fail") in got["checks"]["residency.resources"][1]
    assert got["checks"]["transport.tls_only"][0] == "fail"
    assert got["checks"]["storage.encrypted_at_rest"][1] == [("ch-far", "fail")]
    evidence = {name: [(e["path"], e["sha256"]) for e in json.loads((tmp_path / name / "manifest.json").read_text())["evidence"]]
                for name in ("local", "remote")}
    assert evidence["remote"] == evidence["local"] and ("resources/main.tfstate" in dict(evidence["remote"]))
    for text in (remote.stdout, remote.stderr):
        assert SECRET not in text and KEY_ID not in text
    for path in (tmp_path / "remote").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and KEY_ID.encode() not in data, path.name


def test_endpoint_from_environment(s3_bundle, tmp_path, s3_endpoint):
    remote = hds_audit("run", f"s3://{BUCKET}/{PREFIX}", "--period", "2026-Q3", "--out", str(tmp_path / "env"),
                       env=clean_env(AWS_ENDPOINT_URL_S3=s3_endpoint), cwd=tmp_path)
    assert remote.returncode in (0, 1), remote.stderr
    assert (tmp_path / "env" / "results.json").exists()


def test_missing_prefix_is_a_clear_error(s3_bundle, tmp_path, s3_endpoint):
    result = hds_audit("run", f"s3://{BUCKET}/no/such/prefix", "--period", "2026-Q3", "--out", str(tmp_path / "out"),
                       "--s3-endpoint", s3_endpoint, env=clean_env(), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().startswith("hds-audit:")
    assert "no such bucket, or nothing under this prefix" in result.stderr
    assert not (tmp_path / "out").exists()


def test_refused_endpoint_exits_2_fast_with_one_line(tmp_path):
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there any more
    started = time.monotonic()
    result = hds_audit("run", f"s3://{BUCKET}/{PREFIX}", "--period", "2026-Q3", "--out", str(tmp_path / "out"),
                       "--s3-endpoint", endpoint, env=clean_env(), cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hds-audit:"), result.stderr
    assert "Traceback" not in result.stderr and "cannot reach" in lines[0]
    assert SECRET not in result.stderr and KEY_ID not in result.stderr
    assert elapsed < 30, f"took {elapsed:.1f}s"
    assert not (tmp_path / "out").exists()
