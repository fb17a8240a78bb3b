"""`hds-audit baseline` and `gate`: new findings and configuration drift, from a state or a plan."""

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.workflows.drift import show

PLANS = Path(__file__).parents[1] / "data" / "plans"
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
        module = r["address"].split(f"{r['type']}.{r['name']}")[0].rstrip(".") if r["mode"] == "managed" else ""
        entry = entries.setdefault((module, r["mode"], r["type"], r["name"]), {
            "mode": r["mode"], "type": r["type"], "name": r["name"], "provider": f'provider["{r["provider_name"]}"]',
            "instances": [], **({"module": module} if module else {})})
        index = {"index_key": r["index"]} if "index" in r else {}
        entry["instances"].append({"schema_version": 0, "attributes": copy.deepcopy(r["values"]), **index})
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
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


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


# -- gate on the bundle's state -------------------------------------------------------------------
def test_unchanged_bundle_gates_green(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    result, verdict, junit = _gate(builder, tmp_path, _baseline(builder, tmp_path))
    assert result.exit_code == 0 and verdict["green"] and verdict["drift"] == verdict["new"] == [], result.output
    assert "PASSED" in result.output
    text = junit.read_text()
    assert "<failure" not in text and "storage.encrypted_at_rest" in text


def _red(result, verdict, address, attribute, check=None):
    assert result.exit_code == 1, result.output
    assert not verdict["green"]
    rows = [d for d in verdict["drift"] if d["address"] == address and d["attribute"] == attribute]
    assert rows, (address, attribute, verdict["drift"])
    assert address in result.output and f"{attribute}:" in result.output
    assert check is None or check in rows[0]["checks"]
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


CHANGES = {  # what changes -> (address, attribute, was, now, check affected, new finding's object or None)
    "http listener": (("flexibleengine_lb_listener_v2", "web", {"protocol": "HTTP", "protocol_port": 80, "tls_ciphers_policy": ""}),
                      ("flexibleengine_lb_listener_v2.web", "protocol", "TERMINATED_HTTPS", "HTTP", "transport.tls_only", "lst-1")),
    "region": (("flexibleengine_compute_instance_v2", "db", {"region": "ap-southeast-1", "availability_zone": "ap-southeast-1a"}),
               ("module.db.flexibleengine_compute_instance_v2.db[0]", "region", "eu-west-0", "ap-southeast-1", "residency.resources", "srv-db-0")),
    "tracker disabled": (("flexibleengine_cts_tracker_v1", "system", {"status": "disabled"}),
                         ("flexibleengine_cts_tracker_v1.system", "status", "enabled", "disabled", "trace.tracker_enabled", "eu-west-0")),
    "retention": (("flexibleengine_obs_bucket", "traces", {"lifecycle_rule": [{"name": "x", "expiration": [{"days": 90}]}]}),
                  ("flexibleengine_obs_bucket.traces", "lifecycle_expiration_days", [1095], [90], "trace.retention", "ch-test-cts-traces")),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_faulty_change_gates_red(tenant_bundle, tmp_path, change):
    builder, state = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    (rtype, name, values), (address, attribute, was, now, check, obj) = CHANGES[change]
    attributes(state, rtype, name).update(values)
    _rewrite(builder, state)
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    row = _red(result, verdict, address, attribute, check)
    assert (row["was"], row["now"], row["change"]) == (was, now, "changed")
    assert f"{attribute}: was {show(was)}, now {show(now)}" in result.output
    assert (check, obj) in {(f["check"], f["object"]) for f in verdict["new"]}


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
    attributes(state, "flexibleengine_obs_bucket", "images").update(encryption=False, kms_key_id="", sse_algorithm="")
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
    assert {d["change"] for d in verdict["drift"]} == {"removed"} and len(verdict["drift"]) == 10


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
    assert _gate(builder, tmp_path, baseline, "--plan", tmp_path / "absent.json")[0].exit_code == 2
    (tmp_path / "empty").mkdir()
    result = _cli("gate", tmp_path / "empty", "--baseline", baseline, cwd=tmp_path)
    assert result.exit_code == 2 and "tenant.yaml" in result.output
    result = _cli("baseline", tmp_path / "empty", "--out", tmp_path / "b.json", cwd=tmp_path)
    assert result.exit_code == 2 and "tenant.yaml" in result.output and not (tmp_path / "b.json").exists()


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


# -- the `terraform show -json` reader ------------------------------------------------------------
def _tenant(**overrides):
    from hds_audit.evidence.tenant import Tenant

    return Tenant.model_validate({"tenant_id": "t", "name": "n", "support_plan": "business", "allowed_regions": ["eu-west-0"],
                                  "scope": {"tag": "hds=true"}, **overrides})


def test_reader_state_modules_instances_and_defaults():
    from hds_audit.evidence.terraform_json import read_file

    doc = read_file(PLANS / "state.json", _tenant(default_region="eu-west-1"))
    by_address = {r.address: r for r in doc.inventory.resources}
    assert doc.kind == "state" and doc.problems == [] and doc.actions == {}
    assert "random_id.suffix" not in by_address and "data.flexibleengine_images_image_v2.ubuntu" not in by_address
    volume = by_address['module.db.flexibleengine_blockstorage_volume_v2.data["main"]']
    assert (volume.id, volume.in_scope, volume.ref) == ("vol-db-main", True, 'state.json#' + volume.address)
    assert by_address["module.db.module.backup.flexibleengine_cbr_policy.daily"].region == "eu-west-0"
    assert by_address["flexibleengine_vpc_v1.main"].region == "eu-west-1"  # tenant default_region
    assert by_address["flexibleengine_obs_bucket.traces"].in_scope is True  # buckets carry no tags: all in scope without scope.buckets
    assert doc.evidence().data is doc.inventory and doc.read.records == len(by_address) == 10


def test_reader_plan_actions_unknowns_and_provider_region():
    from hds_audit.evidence.terraform_json import read_file

    doc = read_file(PLANS / "plan-drift.json", _tenant())
    by_address = {r.address: r for r in doc.inventory.resources}
    assert doc.kind == "plan" and doc.terraform_version == "1.6.0"
    assert "module.db.module.backup.flexibleengine_cbr_policy.daily" not in by_address  # deleted by the plan
    assert doc.changed("module.db.module.backup.flexibleengine_cbr_policy.daily") == "delete"
    assert doc.changed("module.db.flexibleengine_compute_instance_v2.db[0]") == "replace"
    assert doc.changed("flexibleengine_obs_bucket.images") is None and "random_id.suffix" not in doc.actions
    exports = by_address["module.db.flexibleengine_obs_bucket.exports"]
    assert exports.region == "eu-west-0" and exports.id == "ch-test-exports"  # var.region; bucket name for the unknown id
    assert doc.unknown[exports.address] == {"id", "region", "bucket_domain_name"}
    assert by_address["flexibleengine_vpc_v1.main"].region is None  # no region, not one known after apply, no default


def test_reader_variants_and_refusals(tmp_path):
    from hds_audit.evidence.terraform_json import TerraformJsonError, read_document

    plan = json.loads((PLANS / "plan-drift.json").read_text())
    plan["configuration"]["provider_config"]["flexibleengine.ams"] = {
        "name": "flexibleengine", "full_name": "registry.terraform.io/flexibleenginecloud/flexibleengine", "alias": "ams",
        "expressions": {"region": {"constant_value": "eu-west-1"}}}
    resources = {r.address: r for r in read_document(plan, _tenant(default_region="eu-west-2")).inventory.resources}
    assert resources["module.db.flexibleengine_obs_bucket.exports"].region == "eu-west-2"  # two provider regions: the tenant's default
    legacy = {"format_version": "0.1", "values": {"root_module": {"resources": [
        {"address": "flexibleengine_obs_bucket.b", "mode": "managed", "type": "flexibleengine_obs_bucket", "name": "b",
         "provider_name": "flexibleengine", "values": {"bucket": "b", "region": "eu-west-0"}},
        {"address": "flexibleengine_obs_bucket.old", "mode": "managed", "type": "flexibleengine_obs_bucket", "name": "old",
         "provider_name": "flexibleengine", "deposed_key": "00ab", "values": {"bucket": "old"}},
        {"address": "flexibleengine_obs_bucket.bad", "mode": "managed", "type": "flexibleengine_obs_bucket", "name": "bad",
         "provider_name": "flexibleengine"}]}}}
    doc = read_document(legacy, _tenant())
    assert [r.address for r in doc.inventory.resources] == ["flexibleengine_obs_bucket.b", "flexibleengine_obs_bucket.old (deposed 00ab)"]
    assert doc.inventory.resources[1].region is None
    assert [(p.record, p.reason) for p in doc.problems] == [("flexibleengine_obs_bucket.bad", 'no "attributes" object')]
    assert read_document({"format_version": "1.0"}).inventory.resources == []
    incomplete = read_document({**plan, "complete": False})
    assert "incomplete" in incomplete.problems[0].reason
    for bad, words in (([1], "JSON object"), ({"version": 4, "resources": []}, "raw Terraform state"),
                       ({"hello": 1}, "no format_version"), ({**plan, "errored": True}, "errored"),
                       ({"format_version": "1.2", "planned_values": []}, "planned_values is not an object")):
        with pytest.raises(TerraformJsonError, match=words):
            read_document(bad)
