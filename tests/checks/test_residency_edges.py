"""Residency when evidence is missing: no backup evidence, a CBR replication policy without its destination region;
and the residency proof that follows from them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_resources_reader import instance, tf, tfstate

from hds_audit.states import Status

RR, RP = "residency.resources", "residency.replication"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "compliant"
VOLUME = tf("flexibleengine_blockstorage_volume_v2", "v", {"id": "vol-1", "region": "eu-west-0"})


def by_status(result, status):
    return sorted(f.object for f in result.findings if f.status is status)


# -- no backup evidence ----------------------------------------------------------------------------
@pytest.mark.parametrize("check_id", [RR, RP])
def test_no_backup_evidence_is_error_not_pass(builder, run_checks_on, check_id):
    builder.write("resources/main.tfstate", tfstate(VOLUME))
    (builder.root / "backups").mkdir()  # an empty folder is no evidence either
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.ERROR and by_status(result, Status.ERROR) == ["backups"]
    assert "backup evidence is absent" in result.findings[0].message


def test_no_backup_evidence_still_places_and_faults_the_resources(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(VOLUME, tf("flexibleengine_compute_instance_v2", "s", {"id": "srv-far", "region": "eu-west-1"})))
    result = run_checks_on(builder.root, RR)[RR]
    assert result.status is Status.FAIL  # a fault found is still reported: fail is worse than error
    assert by_status(result, Status.FAIL) == ["srv-far"] and by_status(result, Status.ERROR) == ["backups"]
    assert [p["object"] for p in result.details["placements"]] == ["srv-far", "vol-1"]


def test_unreadable_backup_listing_is_error_too(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(VOLUME))
    builder.write("backups/cbr.json", "{not json")
    result = run_checks_on(builder.root, RR, RP)
    for check_id in (RR, RP):
        assert result[check_id].status is Status.ERROR
        assert by_status(result[check_id], Status.ERROR) == ["backups", "backups/cbr.json"]


def test_an_empty_listing_is_evidence_of_no_backup(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(VOLUME))
    builder.write("backups/cbr.json", json.dumps({"backups": []}))
    results = run_checks_on(builder.root, RR, RP)
    assert results[RR].status is Status.PASS and results[RP].status is Status.PASS


def test_residency_proof_of_the_sample_without_backups_is_not_proven(tmp_path):
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks
    from hds_audit.workflows.proofs import assess, kind

    def proof(root):
        bundle = Bundle(str(root))
        proof_kind = kind("residency")
        return assess(proof_kind, run_checks(load_catalog(), bundle, load(bundle), parse_period("2026-Q3"), only=set(proof_kind.checks)))

    copy = tmp_path / "bundle"
    shutil.copytree(SAMPLE, copy)
    assert proof(copy).proven
    for listing in (copy / "backups").iterdir():
        listing.unlink()
    without = proof(copy)
    assert not without.proven and without.document["verdict"] == "not proven"
    assert set(without.reasons) == {"residency.resources is error (1 finding(s))", "residency.replication is error (1 finding(s))"}


# -- CBR replication policy without a destination region -------------------------------------------
@pytest.mark.parametrize("destination", [None, "", "  "])
def test_cbr_replication_policy_without_destination_is_error(builder, run_checks_on, destination):
    attributes = {"id": "pol-rep", "name": "daily-copy", "type": "replication", "region": "eu-west-0"}
    if destination is not None:
        attributes["destination_region"] = destination
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_policy", "p", attributes),
                                                    tf("flexibleengine_cbr_policy", "b", {"id": "pol-bk", "type": "backup"})))
    builder.write("backups/cbr.json", json.dumps({"backups": []}))
    result = run_checks_on(builder.root, RP)[RP]
    assert result.status is Status.ERROR and by_status(result, Status.ERROR) == ["pol-rep"]
    message = result.findings[0].message
    assert "destination region unknown" in message and "flexibleengine_cbr_policy.p" in message and "daily-copy" in message
    assert result.findings[0].evidence == ("resources/main.tfstate#flexibleengine_cbr_policy.p",)
    assert [r["object"] for r in result.details["replications"]] == ["pol-rep"]  # a backup policy copies nothing


def test_cbr_replication_type_in_any_case(builder, run_checks_on):
    builder.write("resources/main.tfstate", tfstate(tf("flexibleengine_cbr_policy", "p", instance({"id": "pol-x", "type": " Replication "}, 0))))
    builder.write("backups/cbr.json", json.dumps({"backups": []}))
    assert by_status(run_checks_on(builder.root, RP)[RP], Status.ERROR) == ["pol-x"]
