"""Stable finding ids, severities and root causes (contract §5): every finding that needs action
belongs to exactly one root cause; a shared check, a server and its backups, an unreadable file are
one cause each; ids do not depend on messages or order of runs."""

from __future__ import annotations

import json

import pytest
from report_fixtures import sample_result, tenant

from hds_audit.calendar.period import parse_period
from hds_audit.catalog.models import Control
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import Problem
from hds_audit.results.ids import finding_id, finding_ids
from hds_audit.results.model import CheckResult, ControlResult, RunResult
from hds_audit.results.severity import FALLBACK, LEVELS, severity_of
from hds_audit.states import Status
from hds_audit.workflows.review import load_result

PERIOD = parse_period("2026-Q3")


@pytest.fixture(scope="module")
def violations_result():
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.paths import data_dir
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(data_dir("samples") / "violations"))
    return run_checks(load_catalog(), bundle, load(bundle), PERIOD).to_json()


def control(cid: str, responsibility: str = "customer") -> Control:
    return Control.model_validate({"id": cid, "domain": "Domain", "rule": f"Rule {cid}", "detail": "", "responsibility": responsibility,
                                   "section": "9.1", "source": "matrix", "customer_responsibility": "", "provider_responsibility": ""})


def run(*controls: ControlResult, problems=None) -> RunResult:
    return RunResult(tenant(), PERIOD, list(controls), [], {}, run_id="r1", evidence_problems=problems or {})


def test_finding_id_depends_on_check_and_object_not_message():
    assert finding_id("access.mfa", "e.garnier") == finding_id("access.mfa", "e.garnier")
    assert finding_id("access.mfa", "e.garnier") != finding_id("access.mfa", "j.martin")
    assert finding_id("access.mfa", "e.garnier") != finding_id("backup.encrypted", "e.garnier")
    first = CheckResult("access.mfa", Status.FAIL, [Finding("e.garnier", "no MFA on 2026-07-01")])
    later = CheckResult("access.mfa", Status.FAIL, [Finding("e.garnier", "no MFA on 2026-10-01")])
    assert first.finding_ids() == later.finding_ids()


def test_two_findings_on_one_object_get_distinct_ids():
    ids = finding_ids("access.provider_support_removed", ["ob-1", "ob-1", "ob-2"])
    assert len(set(ids)) == 3 and ids[1] == ids[0] + "~2"


def test_every_finding_in_results_json_has_an_id_and_a_severity():
    document = sample_result().to_json()
    findings = [f for c in document["controls"] for k in c["checks"] for f in k["findings"]]
    assert findings and all(f["severity"] in LEVELS and f["id"].startswith(tuple(FALLBACK)) for f in findings)


def test_severity_has_one_source_with_a_fallback():
    assert severity_of("residency.resources") == "high" and severity_of("support.response_times") == "low"
    assert severity_of("no.such.check") == "medium"


def test_a_shared_check_is_one_cause_behind_every_control():
    cert = CheckResult("provider.certificates_valid", Status.FAIL, [Finding("iso27001_certificate", "expired on 2026-09-01")])
    controls = [ControlResult(control(f"c{i}", "provider"), Status.FAIL, [cert]) for i in range(17)]
    result = run(*controls)
    (cause,) = result.root_causes()
    assert cause.controls == [f"c{i}" for i in range(17)] and len(cause.findings) == 1  # counted once, not 17 times
    assert cause.severity == "high" and cause.status is Status.FAIL


def test_a_server_and_its_backups_are_one_cause():
    findings = [Finding("srv-9", "server lies in ap-southeast-1")]
    findings += [Finding(f"bkp-{i:03d}", "backup of srv-9 lies in ap-southeast-1", cause="srv-9") for i in range(186)]
    check = CheckResult("residency.resources", Status.FAIL, findings)
    result = run(*(ControlResult(control(c), Status.FAIL, [check]) for c in ("a", "b", "c")))
    causes = result.root_causes()
    assert len(causes) == 1 and len(causes[0].findings) == 187 and causes[0].related == 186
    assert causes[0].head.object == "srv-9" and causes[0].controls == ["a", "b", "c"]
    assert "srv-9" in causes[0].summary() and "186 related" in causes[0].summary()


def test_an_unreadable_file_is_one_cause_across_checks():
    problem = Problem("iam/users.json", "line 3", "not JSON")
    checks = [CheckResult(cid, Status.ERROR, [Finding("iam/users.json", problem.message, (problem.reference,), Status.ERROR)])
              for cid in ("access.mfa", "access.nominative_accounts")]
    result = run(ControlResult(control("x"), Status.ERROR, checks[:1]), ControlResult(control("y"), Status.ERROR, checks[1:]),
                 problems={"iam_users": [problem]})
    (cause,) = result.root_causes()
    assert cause.scope == "evidence" and cause.controls == ["x", "y"] and len(cause.findings) == 2


def test_waived_and_passing_findings_are_no_cause_and_nothing_is_counted_twice():
    check = CheckResult("transport.tls_only", Status.WAIVED, [Finding("lst-1", "HTTP", status=Status.WAIVED, waiver="accepted")])
    assert run(ControlResult(control("t"), Status.WAIVED, [check])).root_causes() == []
    result = sample_result()
    needing = {(id(k), i) for c in result.controls for k in c.checks for i, f in enumerate(k.findings)
               if f.status in (Status.FAIL, Status.ERROR, Status.MANUAL)}
    placed = [(id(k), i) for cause in result.root_causes() for fid, f in cause.findings
              for c in result.controls for k in c.checks for i, g in enumerate(k.findings) if g is f]
    assert set(placed) == needing and len({fid for cause in result.root_causes() for fid, _ in cause.findings}) == len(needing)


def test_root_causes_in_results_json_follow_the_contract_and_survive_a_reload():
    document = json.loads(json.dumps(sample_result().to_json()))
    causes = document["root_causes"]
    assert causes and all({"id", "summary", "finding_ids", "controls"} <= set(c) for c in causes)
    every_id = {f["id"] for c in document["controls"] for k in c["checks"] for f in k["findings"]}
    assert all(set(c["finding_ids"]) <= every_id for c in causes)
    reloaded, _ = load_result(document)
    assert reloaded.to_json()["root_causes"] == causes


def test_the_violations_sample_groups_its_faults(violations_result):
    causes = violations_result["root_causes"]
    by_object = {c["object"]: c for c in causes}
    cert = by_object["iso27001_certificate"]
    assert len(cert["controls"]) > 10 and len(cert["finding_ids"]) == 1
    server = max(causes, key=lambda c: len(c["finding_ids"]))
    assert server["checks"] == ["residency.resources"] and len(server["finding_ids"]) > 150 and len(server["controls"]) == 3
    placed = [fid for c in causes for fid in c["finding_ids"]]
    assert len(placed) == len(set(placed))  # a finding belongs to one cause only
