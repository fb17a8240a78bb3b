"""Each check declares its contract (category, severity, parameters, details), and what restated it by
hand now derives from it: a misspelt binding parameter is refused, not ignored."""

from __future__ import annotations

import inspect
import re
import shutil

import pytest

from hds_audit.catalog import CatalogError, load_catalog
from hds_audit.checks.interface import CheckDetails
from hds_audit.checks.registry import all_checks
from hds_audit.evidence.tenant import Policy
from hds_audit.paths import data_dir

INTERNAL = {"control", "rule"}  # attestation.current's, set by the binding itself (attestation: true)


def test_every_check_declares_category_and_severity():
    for spec in all_checks().values():
        assert spec.category in ("configuration", "activity", "tabular", "document"), spec.id
        assert spec.severity in ("high", "medium", "low"), spec.id


def test_parameters_models_are_the_policy_fields_each_check_reads():
    declared: set[str] = set()
    for spec in all_checks().values():
        fields = spec.params.model_fields
        declared |= set(fields) - INTERNAL
        for name in set(fields) - INTERNAL:
            assert fields[name].default == Policy.model_fields[name].default, (spec.id, name)
        # what the body reads from inp.params is what it declares (the engine's "catalog" aside)
        read = set(re.findall(r"params(?:\[|\.get\()\"(\w+)\"", inspect.getsource(spec.run))) - {"catalog"}
        assert read == set(fields), (spec.id, read, set(fields))
    assert declared == set(Policy.model_fields), "every policy value is read by some check, and only those"


@pytest.fixture
def bindings(tmp_path, monkeypatch):
    """A copy of the bundled controls/ whose bindings.yaml a test rewrites: returns (path, text)."""
    folder = tmp_path / "controls"
    shutil.copytree(data_dir("controls"), folder)
    monkeypatch.setattr("hds_audit.catalog.load.data_dir", lambda name: folder if name == "controls" else data_dir(name))
    path = folder / "bindings.yaml"
    return path, path.read_text(encoding="utf-8")


def with_params(text: str, params: str, check: str = "trace.continuity") -> tuple[str, int]:
    """bindings.yaml with `params` given to the first binding of `check`; and the line of the params' key."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == f"- {check}")
    indent = lines[index][: lines[index].index("-")]
    lines[index:index + 1] = [f"{indent}- id: {check}", f"{indent}  params:", f"{indent}    {params}"]
    return "\n".join(lines) + "\n", index + 3


def test_a_misspelt_binding_parameter_is_refused_with_its_line(bindings):
    path, text = bindings
    changed, line = with_params(text, "trace_max_gap_hour: 0.01")
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog()
    assert str(caught.value) == (
        f"bindings.yaml line {line}: binding 'trace-management', check trace.continuity: unknown parameter "
        "'trace_max_gap_hour' (did you mean 'trace_max_gap_hours'?) (trace.continuity takes trace_max_gap_hours)")


def test_the_right_key_is_taken(bindings):
    path, text = bindings
    path.write_text(with_params(text, "trace_max_gap_hours: 0.01")[0], encoding="utf-8")
    [ref] = [r for r in load_catalog().bindings["trace-management"].checks if r.id == "trace.continuity"]
    assert ref.params == {"trace_max_gap_hours": 0.01}


@pytest.mark.parametrize("params, check, reason", [
    ("trace_max_gap_hours: soon", "trace.continuity", "parameter 'trace_max_gap_hours': Input should be a valid number"),
    ("trace_max_gap_hours: 0", "trace.continuity", "parameter 'trace_max_gap_hours': Input should be greater than 0"),
    ("generic_account_pattern: '('", "access.nominative_accounts", "not a regular expression"),
    ("max_days: 3", "access.mfa", "unknown parameter 'max_days' (access.mfa takes no parameter)"),
])
def test_a_mistyped_or_undeclared_parameter_is_refused(bindings, params, check, reason):
    path, text = bindings
    changed, line = with_params(text, params, check)
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogError, match=re.escape(f"bindings.yaml line {line}: ")) as caught:
        load_catalog()
    assert reason in str(caught.value)


def test_an_unknown_check_id_is_refused_when_the_catalog_loads(bindings):
    path, text = bindings
    path.write_text(text.replace("      - access.mfa\n", "      - access.mfaa\n"), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text().splitlines(), start=1) if "access.mfaa" in row)
    with pytest.raises(CatalogError, match=re.escape(
            f"bindings.yaml line {line}: binding 'stakeholder-access-to-systems': unknown check id 'access.mfaa' "
            "(did you mean 'access.mfa'?)")):
        load_catalog()


def test_a_misspelt_policy_key_in_tenant_yaml_is_named(builder):
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import TenantError, load

    builder.tenant(policy={"trace_max_gap_hour": 0.01})
    with pytest.raises(TenantError, match=re.escape(
            "tenant.yaml breaks its contract: policy.trace_max_gap_hour: unknown policy key (did you mean 'trace_max_gap_hours'?)")):
        load(Bundle(str(builder.root)))


def test_config_checks_are_the_configuration_checks_and_read_configuration_only():
    from hds_audit.workflows.baseline import CONFIG_CHECKS, CONFIG_KINDS

    specs = all_checks()
    assert set(CONFIG_CHECKS) == {s.id for s in specs.values() if s.category == "configuration"}
    assert set(CONFIG_CHECKS) >= {  # the list the gate ran before the checks declared it
        "storage.encrypted_at_rest", "transport.tls_only", "residency.resources", "residency.replication",
        "trace.tracker_enabled", "trace.retention", "residency.regions_allowed"}
    assert all(set(specs[c].needs) <= CONFIG_KINDS for c in CONFIG_CHECKS)


def test_drift_attributes_name_the_configuration_checks_that_judge_resources():
    from hds_audit.workflows.drift import AFFECTS

    specs = all_checks()
    affected = {c for checks in AFFECTS.values() for c in checks}
    assert all(c in specs and "resources" in specs[c].needs for c in affected), affected - set(specs)
    judging_resources = {s.id for s in specs.values() if s.category == "configuration" and "resources" in s.needs}
    assert judging_resources <= affected, judging_resources - affected


@pytest.mark.parametrize("sample, period", [("violations", "2026-Q3"), ("terminated", "2026-Q2")])
def test_declared_details_models_hold_the_keys_the_checks_write(run_checks_on, sample, period):
    specs = {i: s for i, s in all_checks().items() if s.details is not None}
    results = run_checks_on(data_dir("samples") / sample, *specs, period=period)
    checked = 0
    for check_id, result in results.items():
        if not result.details:
            continue  # not applicable here, or could not run
        typed = specs[check_id].read_details(result.details)
        assert isinstance(typed, specs[check_id].details)
        required = {n for n, f in specs[check_id].details.model_fields.items() if f.default is not None}
        assert required <= set(result.details), (check_id, required - set(result.details))
        checked += 1
    assert checked >= 4


def test_read_details_of_a_check_without_details_is_empty():
    spec = all_checks()["residency.resources"]
    assert spec.read_details(None).placements == []
    assert isinstance(all_checks()["access.mfa"].read_details({"x": 1}), CheckDetails)
