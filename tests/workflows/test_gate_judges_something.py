"""The gate and the baseline never pass on nothing: no configuration is a refusal; `baseline --plan`; no phantom lines."""

from __future__ import annotations

import json

from test_gate import PLANS, _baseline, _cli, _gate, tenant_bundle  # noqa: F401 - the fixture is used by name


def test_baseline_without_any_terraform_state_is_refused_and_writes_nothing(builder, tmp_path):
    builder.tenant(default_region="eu-west-0")
    out = tmp_path / "baseline.json"
    result = _cli("baseline", builder.root, "--period", "2026-Q3", "--config-only", "--out", out, cwd=tmp_path)
    assert result.exit_code == 2, result.output
    assert "no configuration to judge in the bundle" in result.output and "resources/*.tfstate" in result.output
    assert not out.exists()


def test_baseline_of_an_empty_state_is_refused(builder, tmp_path):
    builder.tenant(default_region="eu-west-0")
    builder.write("resources/main.tfstate", json.dumps({"version": 4, "terraform_version": "1.6.0", "serial": 1,
                                                         "lineage": "x", "outputs": {}, "resources": []}))
    result = _cli("baseline", builder.root, "--period", "2026-Q3", "--out", tmp_path / "b.json", cwd=tmp_path)
    assert result.exit_code == 2 and "holds no Flexible Engine resource" in result.output, result.output


def test_gate_without_configuration_fails_even_against_a_baseline_of_nothing(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    baseline = _baseline(builder, tmp_path)
    document = json.loads(baseline.read_text())
    document["resources"], document["findings"] = {}, [
        {"check": c, "object": o, "status": "error", "message": "accepted"} for c, o in
        [("storage.encrypted_at_rest", "resources"), ("transport.tls_only", "resources")]]
    baseline.write_text(json.dumps(document))
    (builder.root / "resources" / "main.tfstate").unlink()
    result, verdict, junit = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 1, result.output
    assert "Gate: PASSED" not in result.output
    assert "Gate: FAILED - no configuration to judge in the bundle" in result.output
    assert verdict["green"] is False and verdict["no_configuration"].startswith("no configuration to judge")
    assert 'type="no-configuration"' in junit.read_text()


def test_baseline_of_a_plan_records_the_planned_configuration_and_the_same_plan_gates_green(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    baseline = _baseline(builder, tmp_path, "--plan", PLANS / "plan-drift.json")
    document = json.loads(baseline.read_text())
    assert document["configuration_from"] == ["plan-drift.json"]
    assert "module.db.flexibleengine_obs_bucket.exports" in document["resources"]  # created by the plan
    result, verdict, _ = _gate(builder, tmp_path, baseline, "--plan", PLANS / "plan-drift.json")
    assert result.exit_code == 0 and verdict["green"], result.output


def test_config_only_places_the_backups_instead_of_calling_them_absent(tenant_bundle, tmp_path):
    builder, _ = tenant_bundle
    builder.write("backups/cbr.json", json.dumps({"backups": []}))
    baseline = _baseline(builder, tmp_path)
    assert "backup evidence is absent" not in baseline.read_text()
    result, verdict, _ = _gate(builder, tmp_path, baseline)
    assert result.exit_code == 0, result.output
    assert "backup evidence is absent" not in result.output + json.dumps(verdict)
