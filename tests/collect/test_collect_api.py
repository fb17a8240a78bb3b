"""`hds-audit collect iam|backups|inventory|all` with the real Huawei Cloud SDK clients against a fake API on the
loopback (fake_cloud.py, the tenant of fake_tenant.py) and moto's S3 server standing in for OBS."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("huaweicloudsdkcore")
moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

import fake_tenant as t  # noqa: E402
from fake_cloud import AK, SK, FakeCloud, Fault  # noqa: E402

from hds_audit.cli import cli  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "compliant"
API_SERVICES = ("iam", "ecs", "evs", "rds", "elb", "cts", "cbr", "csbs", "vbs")
PERIOD = "2026-09"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def obs_url():
    """moto's S3 server as OBS: the tenant's buckets with their settings, and the CTS files of September 2026."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    # moto keeps one in-memory backend per process: start from an empty cloud, whatever ran before
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id=AK, aws_secret_access_key=SK, region_name="eu-west-0")
    for name, (encrypted, days, _destination) in t.BUCKETS.items():
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-0"})
        if encrypted:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": t.KMS}}]})
        if days:
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
                {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tilleuls/"}, "Expiration": {"Days": days}}]})
    s3.put_bucket_versioning(Bucket="tilleuls-dossiers", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket="tilleuls-dossiers", ReplicationConfiguration={
        "Role": "arn:aws:iam::000000000000:role/obs-replication", "Rules": [
            {"ID": "all-objects", "Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::tilleuls-dossiers-copie"}}]})
    for day in range(1, 31):
        traces = [{"trace_id": f"tr-09{day:02d}-{hour:02d}", "trace_name": "createBackup", "trace_rating": "normal",
                   "trace_type": "SystemAction", "service_type": "CBR", "resource_type": "backup", "resource_id": t.VAULT_ID,
                   "resource_name": "tilleuls-vault", "user": None, "code": "200",
                   "time": int((1788220800 + (day - 1) * 86400 + hour * 3600) * 1000),
                   "record_time": int((1788220800 + (day - 1) * 86400 + hour * 3600) * 1000) + 400}
                  for hour in (6, 18)]
        key = (f"tilleuls/CloudTraces/eu-west-0/2026/9/{day}/system/CBR/"
               f"tilleuls_CloudTrace_eu-west-0_2026-09-{day:02d}T19-00-00Z_{day:016x}.json.gz")
        s3.put_object(Bucket="tilleuls-cts", Key=key, Body=gzip.compress(json.dumps(traces).encode(), mtime=0))
    yield url
    server.stop()


@pytest.fixture
def cloud():
    with FakeCloud() as fake:
        yield fake


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("AWS_", "HUAWEICLOUD_SDK_", "OS_", "HDS_AUDIT_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def new_bundle(tmp_path: Path, name: str = "bundle") -> Path:
    """tenant.yaml of the fake tenant and the hand-kept evidence (register, tickets, documents) of the sample."""
    bundle = tmp_path / name
    bundle.mkdir()
    (bundle / "tenant.yaml").write_text(yaml.safe_dump(t.TENANT_YAML), encoding="utf-8")
    for item in ("access_register.csv", "tickets.csv", "restore_tests.csv", "attestations", "provider"):
        source = SAMPLE / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, bundle / item)
    return bundle


def collect(kind: str, bundle: Path, cloud: FakeCloud, obs: str | None = None, *extra: str):
    # OBS too stays on the loopback: without moto, the fake API answers an empty bucket listing
    endpoints = [arg for s in API_SERVICES for arg in ("--endpoint", f"{s}={cloud.url}")] + ["--endpoint", f"obs={obs or cloud.url}"]
    return CliRunner().invoke(cli, ["collect", kind, "--to", str(bundle), *endpoints, "--timeout", "5", *extra])


def log_entries(bundle: Path) -> list[dict]:
    return [json.loads(line) for line in (bundle / "collection-log.jsonl").read_text().splitlines() if line.strip()]


def findings_by_check(bundle: Path) -> dict[str, tuple]:
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.checks.registry import all_checks
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    # the checks that read resources: what the inventory replaces (iam/ and backups/ are the same files in both)
    only = {s.id for s in all_checks().values() if "resources" in s.needs + s.optional}
    where = Bundle(str(bundle))
    result = run_checks(load_catalog(), where, load(where), parse_period(PERIOD), only=only)
    return {r.id: (r.status.value, sorted((f.object, f.status.value) for f in r.findings)) for r in result.unique_checks()}


# -- the whole routine ----------------------------------------------------------------------------------
def test_collect_all_is_ready_and_judged_like_the_terraform_state(tmp_path, cloud, obs_url):
    bundle = new_bundle(tmp_path)
    result = collect("all", bundle, cloud, obs_url, "--period", PERIOD)
    assert result.exit_code == 0, result.output
    written = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*.json") if "attestations" not in p.parts}
    assert {"iam/users.json", "iam/virtual-mfa-devices.json", "iam/login-protects.json", "backups/cbr-eu-west-0.json",
            "inventory/ecs-eu-west-0.json", "inventory/evs-eu-west-0.json", "inventory/obs.json", "inventory/rds-eu-west-0.json",
            "inventory/elb-eu-west-0.json", "inventory/elb-v2-eu-west-0.json", "inventory/elb-security-policies-eu-west-0.json",
            "inventory/cts-eu-west-0.json", "inventory/cbr-vaults-eu-west-0.json",
            "inventory/cbr-policies-eu-west-0.json"} <= written
    assert len(list((bundle / "traces").rglob("*.json.gz"))) == 30
    logged = [p for p in bundle.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl")]
    assert all(SK not in p.read_text(encoding="utf-8") and AK not in p.read_text(encoding="utf-8") for p in logged)
    assert SK not in result.output and AK not in result.output

    doctor = CliRunner().invoke(cli, ["doctor", str(bundle), "--period", PERIOD, "--json"])
    assert json.loads(doctor.output)["ready"] is True, doctor.output

    terraform = tmp_path / "terraform"
    shutil.copytree(bundle, terraform, ignore=shutil.ignore_patterns("inventory", "collection-log.jsonl"))
    (terraform / "resources").mkdir()
    (terraform / "resources" / "main.tfstate").write_text(json.dumps(t.terraform_state()), encoding="utf-8")
    from_api, from_state = findings_by_check(bundle), findings_by_check(terraform)
    assert from_api == from_state
    # the comparison is not between two empty runs: the tenant's faults are found from the APIs
    assert ("a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a5b", "fail") in from_api["storage.encrypted_at_rest"][1]
    assert from_api["transport.tls_only"][1] == [("0b1c2d3e-bbbb-4f5a-8b9c-0d1e2f3a4b5c", "fail")]
    assert ("a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a5b", "fail") in from_api["backup.coverage"][1]
    assert len(from_api) >= 10
    assert from_api["trace.tracker_enabled"][0] == "pass" and from_api["trace.retention"][0] == "pass"


def test_every_request_is_a_signed_get(tmp_path, cloud):
    result = collect("inventory", new_bundle(tmp_path), cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 0, result.output
    assert {r["method"] for r in cloud.requests} == {"GET"}
    assert all(r["signed"] for r in cloud.requests)
    sdk = [r for r in cloud.requests if not r.get("s3")]
    assert len(sdk) >= 10 and all(r["headers"]["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=") for r in sdk)


def test_every_operation_the_collector_may_call_is_a_get():
    from importlib import import_module

    from hds_audit.collect.api import SDK, request_class
    from hds_audit.collect.interface import OBS_OPERATIONS, READ_ONLY_OPERATIONS
    from hds_audit.collect.rest import PATHS

    for service, operations in READ_ONLY_OPERATIONS.items():
        if service in PATHS:  # no SDK package: the client only ever sends GET (RestClient.get)
            assert set(operations) == set(PATHS[service]), service
            continue
        module_name, client_name = SDK[service]
        module = import_module(module_name)
        for operation in operations:
            info = getattr(getattr(module, client_name), f"_{operation}_http_info")(getattr(module, request_class(operation))())
            assert info["method"] == "GET", (service, operation)
    assert all(op.startswith(("list_", "get_")) for op in OBS_OPERATIONS)


def test_an_operation_outside_the_read_only_list_is_refused(tmp_path):
    from hds_audit.collect.api import Api, Credentials, endpoints

    api = Api(Credentials(AK, SK, "d", "p"), endpoints([]), lambda entry: None)
    with pytest.raises(ValueError, match="not a read-only operation"):
        api.call("ecs", "eu-west-0", "delete_servers", servers=[])


# -- credentials -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("names", [("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"), ("OS_ACCESS_KEY", "OS_SECRET_KEY")])
def test_credentials_come_from_the_environment_and_are_never_written(tmp_path, cloud, monkeypatch, names):
    monkeypatch.delenv("HUAWEICLOUD_SDK_AK")
    monkeypatch.delenv("HUAWEICLOUD_SDK_SK")
    monkeypatch.setenv(names[0], AK)
    monkeypatch.setenv(names[1], SK)
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/cloudvolumes/", status=403, times=1))  # an error path is printed too
    result = collect("inventory", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 1 and cloud.requests
    assert all(r["signed"] for r in cloud.requests)
    for text in [result.output] + [p.read_text(encoding="utf-8") for p in bundle.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl")]:
        assert SK not in text and AK not in text


def test_no_credentials_cannot_start(tmp_path, cloud, monkeypatch):
    monkeypatch.delenv("HUAWEICLOUD_SDK_AK")
    result = collect("iam", new_bundle(tmp_path), cloud)
    assert result.exit_code == 2
    assert "no credentials" in result.output and SK not in result.output
    assert not cloud.requests


def test_no_region_cannot_start(tmp_path, cloud):
    bundle = tmp_path / "empty"
    bundle.mkdir()
    result = collect("backups", bundle, cloud)
    assert result.exit_code == 2 and "--region" in result.output


# -- paging and faults -------------------------------------------------------------------------------------
def test_pages_are_merged_whole(tmp_path, cloud, monkeypatch):
    import hds_audit.collect.api as api

    monkeypatch.setattr(api, "PAGE", 1)  # one record a page: every listing pages
    bundle = new_bundle(tmp_path)
    result = collect("inventory", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 0, result.output
    answer = lambda name: json.loads((bundle / "inventory" / name).read_text())["answer"]  # noqa: E731
    assert [s["id"] for s in answer("ecs-eu-west-0.json")["servers"]] == [s[0] for s in t.SERVERS]
    assert [v["id"] for v in answer("evs-eu-west-0.json")["volumes"]] == [v[0] for v in t.VOLUMES]
    assert [x["id"] for x in answer("elb-eu-west-0.json")["listeners"]] == [x["id"] for x in t.LISTENERS]
    ecs = [r["query"].get("offset") for r in cloud.requests if r["path"].endswith("/cloudservers/detail")]
    assert ecs == ["1", "2", "3"]  # page numbers, the last page empty
    markers = [r["query"].get("marker") for r in cloud.requests if r["path"] == f"/v3/{t.P}/elb/listeners"]
    assert markers == [None, t.LISTENERS[0]["id"], t.LISTENERS[1]["id"]]


def test_backups_page_by_offset_and_keep_every_record(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    assert collect("backups", bundle, cloud).exit_code == 0
    listing = json.loads((bundle / "backups" / "cbr-eu-west-0.json").read_text())
    ids = [b["id"] for b in listing["backups"]]
    assert len(ids) == len(set(ids)) == len(t.cbr_backups())
    offsets = [r["query"]["offset"] for r in cloud.requests if r["path"].endswith("/backups")]
    assert offsets == ["0", "100"]


def vbs_backup(n: int) -> dict:
    """A record of VBS "Querying Backup Details" (GET /v2/{project_id}/backups/detail), as its API reference shows one."""
    return {"id": f"5a1c9e2b-0000-4c3d-8e7f-{n:012d}", "name": f"autobk-{n}", "status": "available", "description": None,
            "availability_zone": "eu-west-0a", "volume_id": t.VOL_APP_DATA, "size": 40, "object_count": 0,
            "container": f"5a1c9e2b-0000-4c3d-8e7f-{n:012d}", "fail_reason": None, "snapshot_id": None,
            "created_at": f"2026-09-{1 + n % 28:02d}T02:00:00.000000", "updated_at": f"2026-09-{1 + n % 28:02d}T02:10:00.000000",
            "links": [{"href": "https://vbs.example/v2/backups", "rel": "self"}], "has_dependent_backups": False}


def test_vbs_backups_are_collected_through_the_signed_core_client_page_by_page(tmp_path, cloud):
    cloud.vbs = [vbs_backup(n) for n in range(130)]
    bundle = new_bundle(tmp_path)
    result = collect("backups", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 0, result.output
    listing = json.loads((bundle / "backups" / "vbs-eu-west-0.json").read_text())
    assert [b["id"] for b in listing["backups"]] == [b["id"] for b in cloud.vbs]  # every page, nothing dropped
    calls = [r for r in cloud.requests if r["path"] == f"/v2/{t.P}/backups/detail"]
    assert [r["query"]["offset"] for r in calls] == ["0", "100"] and all(r["signed"] and r["method"] == "GET" for r in calls)
    # read back as VBS evidence: the backups reader knows the listing by its fields
    from hds_audit.evidence import backups as reader
    from hds_audit.evidence.bundle import Bundle

    evidence = reader.load(Bundle(str(bundle)))
    assert not [p for p in evidence.problems if "vbs" in p.file], evidence.problems
    assert sum(1 for b in evidence.data if b.source == "vbs") == 130


def test_csbs_and_vbs_absent_write_no_file_and_say_why(tmp_path, cloud):
    cloud.faults.append(Fault(r"/checkpoint_items$", status=404))  # CSBS not offered; VBS answers an empty listing
    bundle = new_bundle(tmp_path)
    result = collect("backups", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 0, result.output
    assert not (bundle / "backups" / "csbs-eu-west-0.json").exists() and not (bundle / "backups" / "vbs-eu-west-0.json").exists()
    assert "none: backups/csbs-eu-west-0.json not written: csbs eu-west-0: the service answers 404" in result.output
    assert "none: backups/vbs-eu-west-0.json not written: vbs eu-west-0: no backups" in result.output
    assert {e["none"] for e in log_entries(bundle) if "none" in e} == {"backups/csbs-eu-west-0.json", "backups/vbs-eu-west-0.json"}


def test_a_csbs_refusal_is_a_failure_not_an_absence(tmp_path, cloud):
    cloud.faults.append(Fault(r"/checkpoint_items$", status=403))
    bundle = new_bundle(tmp_path)
    result = collect("backups", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 1
    assert "missing: backups/csbs-eu-west-0.json: csbs eu-west-0: access refused (403" in result.output
    assert (bundle / "backups" / "cbr-eu-west-0.json").exists()


def test_throttling_is_retried_within_bounds(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/cloudservers/detail", status=429, times=2, headers={"Retry-After": "0"}))
    result = collect("inventory", bundle, cloud, None, "--region", "eu-west-0")
    assert (bundle / "inventory" / "ecs-eu-west-0.json").exists(), result.output
    statuses = [e["status"] for e in log_entries(bundle) if e.get("operation") == "list_servers_details"]
    assert statuses == [429, 429, 200]


def test_throttling_beyond_the_retries_names_what_is_missing(tmp_path, cloud):
    from hds_audit.collect.api import RETRIES

    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/cloudservers/detail", status=429, headers={"Retry-After": "0"}))
    result = collect("inventory", bundle, cloud, None, "--region", "eu-west-0")
    assert result.exit_code == 1
    assert "missing: inventory/ecs-eu-west-0.json: ecs eu-west-0: still throttled (429)" in result.output
    assert sum(1 for r in cloud.requests if r["path"].endswith("/cloudservers/detail")) == RETRIES + 1
    assert not (bundle / "inventory" / "ecs-eu-west-0.json").exists()
    assert (bundle / "inventory" / "evs-eu-west-0.json").exists()  # the rest is still collected


def test_a_refused_region_is_named_and_the_others_collected(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(t.PROJECTS["eu-west-1"], status=403))
    result = collect("backups", bundle, cloud, None, "--region", "eu-west-1")
    assert result.exit_code == 1
    assert "missing: backups/cbr-eu-west-1.json: cbr eu-west-1: access refused (403" in result.output
    assert (bundle / "backups" / "cbr-eu-west-0.json").exists()


def test_a_region_without_a_project_is_named(tmp_path, cloud):
    result = collect("backups", new_bundle(tmp_path), cloud, None, "--region", "eu-west-2")
    assert result.exit_code == 1
    assert "region eu-west-2: the access key has no project there" in result.output


def test_a_timeout_is_named(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/trackers", status=0, delay=1.5, times=1))
    endpoints = [arg for s in (*API_SERVICES, "obs") for arg in ("--endpoint", f"{s}={cloud.url}")]
    result = CliRunner().invoke(cli, ["collect", "inventory", "--to", str(bundle), *endpoints, "--timeout", "0.5"])
    assert result.exit_code == 1
    assert "missing: inventory/cts-eu-west-0.json: cts eu-west-0: no answer within 0.5 s" in result.output


def test_a_rerun_resumes_with_what_is_missing(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/offsite-policy", status=500))
    first = collect("inventory", bundle, cloud, None)
    assert first.exit_code == 1 and "missing: inventory/rds-eu-west-0.json" in first.output
    cloud.faults.clear()
    cloud.requests.clear()
    second = collect("inventory", bundle, cloud, None)
    assert "missing: inventory/rds-eu-west-0.json" not in second.output
    assert (bundle / "inventory" / "rds-eu-west-0.json").exists()
    regional = {r["path"].split("/")[3] for r in cloud.requests if r["path"].startswith("/v3/" + t.P)}
    assert regional == {"instances"}  # only the missing file was asked again
    assert "already collected: inventory/ecs-eu-west-0.json" in second.output
    assert second.exit_code == 0, second.output
    # once complete, the next run (next quarter) collects everything again: nothing stale is kept
    third = collect("inventory", bundle, cloud, None)
    assert "already collected:" not in third.output and "collected: inventory/ecs-eu-west-0.json" in third.output


def test_fresh_collects_again_what_a_failed_run_left(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.faults.append(Fault(r"/offsite-policy", status=500))
    assert collect("inventory", bundle, cloud, None).exit_code == 1
    cloud.faults.clear()
    fresh = collect("inventory", bundle, cloud, None, "--fresh")
    assert fresh.exit_code == 0 and "already collected:" not in fresh.output


def test_quiet_lines_off_a_terminal(tmp_path, cloud):
    result = collect("iam", new_bundle(tmp_path), cloud)
    assert result.exit_code == 0, result.output
    assert "collected: iam/users.json" in result.output
    assert "3 file(s) collected, 0 already collected, 0 failed" in result.output


def test_an_answer_of_an_unforeseen_shape_fails_its_file_only(tmp_path, cloud):
    bundle = new_bundle(tmp_path)
    cloud.routes.insert(0, (__import__("re").compile(rf"/v3/{t.P}/trackers$"), lambda m, q: {"trackers": "not a list"}))
    result = collect("inventory", bundle, cloud)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "missing: inventory/cts-eu-west-0.json: cts eu-west-0: the list_trackers answer has no 'trackers' list" in result.output
    assert (bundle / "inventory" / "ecs-eu-west-0.json").exists()
