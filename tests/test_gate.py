"""`hds-audit baseline` and `gate`: new findings and configuration drift, from a state or a plan."""

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hds_audit.cli import cli

PLANS = Path(__file__).parent / "data" / "plans"
PROVIDER = 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]'
SHOW_STATE = json.loads((PLANS / "state.json").read_text())


def _walk(module):
    for resource in module.get("resources", []):
        yield resource
    for child in module.get("child_modules", []):
        yield from _walk(child)


def tfstate_from_show(values: dict) -> dict:
    """The Terraform state v4 holding the same resources as a `terraform show -json` state."""
    entries: dict[tuple, dict] = {}
    for r in _walk(values["root_module"]):
        module = r["address"].split(f"{r['type']}.{r['name']}")[0].rstrip(".") or None
        if r["mode"] == "data":
            module = None
        provider = f'provider["{r["provider_name"]}"]'
        entry = entries.setdefault((module, r["mode"], r["type"], r["name"]), {
            "mode": r["mode"], "type": r["type"], "name": r["name"], "provider": provider, "instances": []})
        if module:
            entry["module"] = module
        instance = {"schema_version": 0, "attributes": copy.deepcopy(r["values"])}
        if "index" in r:
            instance["index_key"] = r["index"]
        entry["instances"].append(instance)
    return {"version": 4, "terraform_version": "1.6.0", "serial": 1, "lineage": "x", "outputs": {}, "resources": list(entries.values())}


def resource(rtype: str, name: str, **attributes) -> dict:
    return {"mode": "managed", "type": rtype, "name": name, "provider": PROVIDER,
            "instances": [{"schema_version": 0, "attributes": attributes}]}


def attributes(state: dict, rtype: str, name: str) -> dict:
    entry = next(e for e in state["resources"] if e["type"] == rtype and e["name"] == name)
    return entry["instances"][0]["attributes"]


@pytest.fixture
def tenant_bundle(builder):
    builder.tenant(default_region="eu-west-0")
    state = tfstate_from_show(SHOW_STATE["values"])
    builder.write("resources/main.tfstate", json.dumps(state))
    return builder, state


def _cli(*args, cwd: Path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=cwd):
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def _baseline(builder, tmp_path, *extra) -> Path:
    out = tmp_path / "baseline.json"
    result = _cli("baseline", builder.root, "--period", "2026-Q3", "--config-only", "--out", out, *extra, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return out


def _gate(builder, tmp_path, baseline, *extra):
    junit = tmp_path / "junit.xml"
    verdict = tmp_path / "verdict.json"
    result = _cli("gate", builder.root, "--period", "2026-Q3", "--baseline", baseline, "--config-only",
                  "--junit", junit, "--json", verdict, *extra, cwd=tmp_path)
    return result, (json.loads(verdict.read_text()) if verdict.exists() else None), junit


def _rewrite(builder, state):
    builder.write("resources/main.tfstate", json.dumps(state))


# -- baseline -----------------------------------------------------------------------------------------
def test_baseline_records_findings_and_fingerprints(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    doc = json.loads(_baseline(builder, tmp_path).read_text())
    assert doc["schema"] == "hds-audit/baseline/v1"
    assert doc["tenant"]["id"] == "7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7"
    assert doc["created_at"][-6] in "+-"
    resources = doc["resources"]
    assert "random_id.suffix" not in resources and not any(a.startswith("data.") for a in resources)
    assert resources["flexibleengine_obs_bucket.images"] == {
        "type": "flexibleengine_obs_bucket", "region": "eu-west-0", "availability_zone": None, "in_scope": True,
        "scope_tags": {"hds": "true"}, "encryption": True, "sse_algorithm": "kms", "kms_key_id": "kms-1",
        "lifecycle_expiration_days": None,
    }
    assert resources["flexibleengine_obs_bucket.traces"]["lifecycle_expiration_days"] == [1095]  # a tracker's bucket, out of scope
    assert resources["flexibleengine_lb_listener_v2.web"]["protocol"] == "TERMINATED_HTTPS"
    assert resources["flexibleengine_cts_tracker_v1.system"]["status"] == "enabled"
    assert resources["flexibleengine_obs_bucket_replication.images"]["target_region"] == "eu-west-0"
    assert resources['module.db.flexibleengine_blockstorage_volume_v2.data["main"]']["encrypted"] == "1"
    assert resources["flexibleengine_vpc_v1.main"]["region"] == "eu-west-0"  # default_region
    assert all(f["status"] != "fail" for f in doc["findings"])


def test_baseline_cannot_run_without_tenant(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _cli("baseline", tmp_path / "empty", "--out", tmp_path / "b.json", cwd=tmp_path)
    assert result.exit_code == 2 and "tenant.yaml" in result.output
    assert not (tmp_path / "b.json").exists()


# -- gate on the bundle's state -------------------------------------------------------------------
def test_unchanged_bundle_gates_green(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    result, verdict, junit = _gate(builder, tmp_path, _baseline(builder, tmp_path))
    assert result.exit_code == 0, result.output
    assert verdict["green"] and verdict["drift"] == [] and verdict["new"] == []
    assert "PASSED" in result.output
    text = junit.read_text()
    assert "<failure" not in text and "storage.encrypted_at_rest" in text


def _red(result, verdict, address, attribute, check=None):
    assert result.exit_code == 1, result.output
    assert not verdict["green"]
    rows = [d for d in verdict["drift"] if d["address"] == address and d["attribute"] == attribute]
    assert rows, (address, attribute, verdict["drift"])
    assert address in result.output and f"{attribute}:" in result.output
    if check:
        assert check in rows[0]["checks"]
    return rows[0]


def test_unencrypted_bucket_added_gates_red(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    state["resources"].append(resource("flexibleengine_obs_bucket", "exports", id="ch-test-exports", bucket="ch-test-exports",
                                       region="eu-west-0", encryption=False, kms_key_id="", tags={"hds": "true"}))
    _rewrite(builder, state)
    result, verdict, junit = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, "flexibleengine_obs_bucket.exports", "encryption", "storage.encrypted_at_rest")
    assert row["change"] == "added" and row["now"] is False
    assert [(f["check"], f["object"]) for f in verdict["new"]] == [("storage.encrypted_at_rest", "ch-test-exports")]
    text = junit.read_text()
    assert "flexibleengine_obs_bucket.exports" in text and "ch-test-exports" in text and "<failure" in text


def test_http_listener_gates_red(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    attributes(state, "flexibleengine_lb_listener_v2", "web").update(protocol="HTTP", protocol_port=80, tls_ciphers_policy="")
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, "flexibleengine_lb_listener_v2.web", "protocol", "transport.tls_only")
    assert (row["was"], row["now"]) == ("TERMINATED_HTTPS", "HTTP")
    assert "was TERMINATED_HTTPS, now HTTP" in result.output
    assert ("transport.tls_only", "lst-1") in {(f["check"], f["object"]) for f in verdict["new"]}


def test_resource_moved_to_a_region_not_allowed_gates_red(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    attributes(state, "flexibleengine_compute_instance_v2", "db").update(region="ap-southeast-1", availability_zone="ap-southeast-1a")
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, "module.db.flexibleengine_compute_instance_v2.db[0]", "region", "residency.resources")
    assert (row["was"], row["now"]) == ("eu-west-0", "ap-southeast-1")
    _red(result, verdict, "module.db.flexibleengine_compute_instance_v2.db[0]", "availability_zone")
    assert ("residency.resources", "srv-db-0") in {(f["check"], f["object"]) for f in verdict["new"]}


def test_tracker_disabled_gates_red(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    attributes(state, "flexibleengine_cts_tracker_v1", "system")["status"] = "disabled"
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, "flexibleengine_cts_tracker_v1.system", "status", "trace.tracker_enabled")
    assert (row["was"], row["now"]) == ("enabled", "disabled")


@pytest.mark.parametrize("how", ["bucket", "cbr"])
def test_replication_to_a_region_not_allowed_gates_red(tenant_bundle, tmp_path, how):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    if how == "bucket":
        attributes(state, "flexibleengine_obs_bucket", "replica")["region"] = "eu-west-1"
        address, attribute = "flexibleengine_obs_bucket_replication.images", "target_region"
    else:
        attributes(state, "flexibleengine_cbr_policy", "daily").update(type="replication", destination_region="eu-west-1")
        address, attribute = "module.db.module.backup.flexibleengine_cbr_policy.daily", "destination_region"
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, address, attribute, "residency.replication")
    assert row["now"] == "eu-west-1"
    assert any(f["check"] == "residency.replication" for f in verdict["new"])


def test_untracked_attribute_change_gates_green(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    attributes(state, "flexibleengine_compute_instance_v2", "db")["flavor_id"] = "s6.xlarge.2"
    attributes(state, "flexibleengine_lb_listener_v2", "web")["description"] = "patient portal"
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 0 and verdict["green"], result.output


def test_scope_tag_removed_is_drift_not_removal(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    attributes(state, "flexibleengine_compute_instance_v2", "db")["tags"] = {}
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, "module.db.flexibleengine_compute_instance_v2.db[0]", "in_scope")
    assert (row["was"], row["now"], row["change"]) == (True, False, "changed")


# -- accepted findings ----------------------------------------------------------------------------
def test_accepted_finding_passes_and_a_new_one_fails(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    attributes(state, "flexibleengine_lb_listener_v2", "web").update(protocol="HTTP", protocol_port=80)
    builder.tenant(default_region="eu-west-0", allowed_regions=["eu-west-0", "eu-west-1"])
    attributes(state, "flexibleengine_cbr_policy", "daily").update(type="replication", destination_region="eu-west-1")
    _rewrite(builder, state)
    baseline = _baseline(builder, tmp_path)
    accepted = json.loads(baseline.read_text())["findings"]
    assert [(f["check"], f["object"]) for f in accepted if f["status"] == "fail"] == [("transport.tls_only", "lst-1")]
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 0, result.output
    assert "lst-1" in [f["object"] for f in verdict["accepted"]] and "finding(s) accepted" in result.output
    # the same configuration, but eu-west-1 is no longer allowed: a new finding, no drift
    builder.tenant(default_region="eu-west-0")
    result, verdict, junit = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 1 and verdict["drift"] == []
    assert [(f["check"], f["object"]) for f in verdict["new"]] == [("residency.replication", "pol-1")]
    assert "residency.replication  pol-1" in result.output
    assert "<failure" in junit.read_text()


def test_finding_dropped_from_the_baseline_is_new(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    attributes(state, "flexibleengine_obs_bucket", "images")["encryption"] = False
    attributes(state, "flexibleengine_obs_bucket", "images")["kms_key_id"] = ""
    attributes(state, "flexibleengine_obs_bucket", "images")["sse_algorithm"] = ""
    _rewrite(builder, state)
    baseline = _baseline(builder, tmp_path)
    assert _gate(builder, tmp_path, baseline)[0].exit_code == 0
    doc = json.loads(baseline.read_text())
    doc["findings"] = [f for f in doc["findings"] if f["object"] != "ch-test-imagerie"]
    baseline.write_text(json.dumps(doc))
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 1 and [f["object"] for f in verdict["new"]] == ["ch-test-imagerie"]


def test_error_findings_are_new_problems(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    builder.write("resources/main.tfstate", "{not json")
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 1
    assert any(f["status"] == "error" and f["object"] == "resources/main.tfstate" for f in verdict["new"])


def test_expired_waiver_is_not_accepted(tenant_bundle, tmp_path):
    builder, state = tenant_bundle
    attributes(state, "flexibleengine_lb_listener_v2", "web")["protocol"] = "HTTP"
    _rewrite(builder, state)
    builder.write("waivers.yaml", "- {check: transport.tls_only, object: lst-1, justification: legacy, approved_by: RSSI, expires: 2027-12-31}\n")
    baseline = _baseline(builder, tmp_path)
    assert ("lst-1", "waived") in [(f["object"], f["status"]) for f in json.loads(baseline.read_text())["findings"]]
    assert _gate(builder, tmp_path, baseline)[0].exit_code == 0
    builder.write("waivers.yaml", "- {check: transport.tls_only, object: lst-1, justification: legacy, approved_by: RSSI, expires: 2026-07-15}\n")
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 1 and [f["object"] for f in verdict["new"]] == ["lst-1"]


# -- gate on a plan -------------------------------------------------------------------------------
def test_plan_changing_only_untracked_attributes_gates_green(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    result, verdict, _ = _gate(builder, tmp_path, baseline, "--plan", PLANS / "plan-untracked.json")
    assert result.exit_code == 0 and verdict["green"], result.output
    assert "plan plan-untracked.json" in result.output


def test_plan_with_faults_gates_red(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    result, verdict, junit = _gate(builder, tmp_path, baseline, "--plan", PLANS / "plan-drift.json")
    assert result.exit_code == 1
    drift = {(d["address"], d["attribute"]): d for d in verdict["drift"]}
    bucket = drift[("module.db.flexibleengine_obs_bucket.exports", "encryption")]
    assert (bucket["change"], bucket["now"], bucket["planned"]) == ("added", False, "create")
    assert drift[("module.db.flexibleengine_obs_bucket.exports", "region")]["now"] == "eu-west-0"  # the provider's region
    assert drift[("flexibleengine_lb_listener_v2.web", "protocol")]["planned"] == "update"
    assert drift[("flexibleengine_cts_tracker_v1.system", "status")]["now"] == "disabled"
    server = drift[("module.db.flexibleengine_compute_instance_v2.db[0]", "region")]
    assert (server["now"], server["planned"]) == ("ap-southeast-1", "replace")
    removed = drift[("module.db.module.backup.flexibleengine_cbr_policy.daily", "(resource)")]
    assert (removed["change"], removed["planned"]) == ("removed", "delete")
    new = {(f["check"], f["object"]) for f in verdict["new"]}
    assert ("storage.encrypted_at_rest", "ch-test-exports") in new
    assert ("transport.tls_only", "lst-1") in new
    assert ("residency.resources", "module.db.flexibleengine_compute_instance_v2.db[0]") in new  # id known after apply
    assert "plan: replace" in result.output and "plan-drift.json" in junit.read_text()


# -- cannot run -----------------------------------------------------------------------------------
def test_gate_cannot_run(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    missing = tmp_path / "nope.json"
    result, _, _ = _gate(builder, tmp_path, missing)
    assert result.exit_code == 2 and "does not exist" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert _gate(builder, tmp_path, bad)[0].exit_code == 2
    bad.write_text(json.dumps({"schema": "hds-audit/baseline/v1", "tenant": {}, "findings": "x", "resources": []}))
    result = _gate(builder, tmp_path, bad)[0]
    assert result.exit_code == 2 and "tenant.id" in result.output and "findings" in result.output
    baseline = _baseline(builder, tmp_path)
    other = json.loads(baseline.read_text())
    other["tenant"]["id"] = "another"
    bad.write_text(json.dumps(other))
    result = _gate(builder, tmp_path, bad)[0]
    assert result.exit_code == 2 and "another" in result.output
    plan = tmp_path / "plan.bin"
    plan.write_bytes(b"PK\x03\x04\xff\xfe binary plan")
    result = _gate(builder, tmp_path, baseline, "--plan", plan)[0]
    assert result.exit_code == 2 and "terraform show -json" in result.output
    result = _gate(builder, tmp_path, baseline, "--plan", tmp_path / "absent.json")[0]
    assert result.exit_code == 2
    (tmp_path / "empty").mkdir()
    result = _cli("gate", tmp_path / "empty", "--baseline", baseline, cwd=tmp_path)
    assert result.exit_code == 2 and "tenant.yaml" in result.output


def test_config_only_reads_no_traces_and_writes_junit_in_cwd(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    builder.traces([])
    baseline = _baseline(builder, tmp_path)
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path) as cwd:
        result = runner.invoke(cli, ["gate", str(builder.root), "--baseline", str(baseline), "--config-only", "--period", "2026-Q3"])
        assert result.exit_code == 0, result.output
        text = (Path(cwd) / "junit.xml").read_text()
    assert "access.mfa" not in text and "trace.continuity" not in text
    assert "transport.tls_only" in text and "residency.regions_allowed" in text
