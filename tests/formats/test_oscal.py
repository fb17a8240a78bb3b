"""oscal-assessment-results.json: valid OSCAL (compliance-trestle's models), one finding per control,
observations pointing at the evidence hashes, deterministic UUIDs."""

from __future__ import annotations

import json
import uuid

import pytest
from report_fixtures import RUN_ID, sample_result

from hds_audit.formats import oscal
from hds_audit.formats.interface import RenderContext

trestle = pytest.importorskip("trestle.oscal.assessment_results", reason="compliance-trestle is a test dependency")


@pytest.fixture(scope="module")
def result():
    return sample_result()


@pytest.fixture(scope="module")
def doc(result):
    return json.loads(oscal.render(RenderContext(result, demo=True)))


def test_validates_against_trestle_models(doc):
    model = trestle.AssessmentResults.model_validate(doc["assessment-results"])
    assert len(model.results) == 1
    assert doc["assessment-results"]["metadata"]["oscal-version"].startswith("1.1")


def test_one_finding_per_control_with_status(doc, result):
    findings = doc["assessment-results"]["results"][0]["findings"]
    assert [f["target"]["target-id"] for f in findings] == [c.control.id for c in result.controls]
    by_id = {f["target"]["target-id"]: f for f in findings}
    assert by_id["identifiers-and-authorizations"]["target"]["status"] == {
        "state": "not-satisfied", "reason": "fail", "remarks": "a check failed"}
    passing = next(c.control.id for c in result.controls if c.status.value == "pass")
    assert by_id[passing]["target"]["status"]["state"] == "satisfied"
    assert all(f["target"]["type"] == "objective-id" for f in findings)
    selected = doc["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert len(selected) == len(result.controls)


def test_observations_point_at_evidence_hashes(doc):
    result = doc["assessment-results"]["results"][0]
    observations = {o["uuid"]: o for o in result["observations"]}
    finding = next(f for f in result["findings"] if f["target"]["target-id"] == "trace-management")
    related = [observations[r["observation-uuid"]] for r in finding["related-observations"]]
    continuity = next(o for o in related if o["title"] == "trace.continuity")
    evidence = continuity["relevant-evidence"][0]
    assert evidence["href"] == "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/a.json.gz"
    assert {"name": "sha256", "ns": oscal.NS, "value": "a" * 64} in evidence["props"]
    resources = doc["assessment-results"]["back-matter"]["resources"]
    assert {"algorithm": "SHA-256", "value": "a" * 64} in resources[0]["rlinks"][0]["hashes"]


def test_uuids_are_deterministic_and_tied_to_the_run(result):
    first = oscal.render(RenderContext(result))
    assert first == oscal.render(RenderContext(result))
    doc = json.loads(first)["assessment-results"]
    finding = doc["results"][0]["findings"][0]
    assert finding["uuid"] == str(uuid.uuid5(oscal._NAMESPACE, f"{RUN_ID}\0control\0{finding['target']['target-id']}"))
    other = sample_result()
    other.run_id = "ffffffffffffffffffff"
    assert json.loads(oscal.render(RenderContext(other)))["assessment-results"]["uuid"] != doc["uuid"]


def test_review_travels_as_prop_and_remark():
    result = sample_result()
    result.controls[0].review = {"verdict": "accepted", "comment": "seen", "reviewer": "A. Auditrice", "reviewed_at": "2026-10-05T00:00:00+02:00"}
    doc = json.loads(oscal.render(RenderContext(result)))
    trestle.AssessmentResults.model_validate(doc["assessment-results"])
    finding = doc["assessment-results"]["results"][0]["findings"][0]
    assert {"name": "auditor-verdict", "ns": oscal.NS, "value": "accepted"} in finding["props"]
    assert "A. Auditrice" in finding["target"]["status"]["remarks"]
