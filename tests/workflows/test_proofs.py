"""Customer proofs: residency and deletion. Verdicts from constructed results, signed folders that
`verify` accepts, and the commands' exit codes."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from report_fixtures import MARKUP, plain, sample_result

from hds_audit.checks.interface import Finding
from hds_audit.signing.identity import init_identity
from hds_audit.signing.verify import verify_report_dir
from hds_audit.states import Status
from hds_audit.workflows.proofs import assess, kind, write_proof
from hds_audit.workflows.proofs import deletion as deletion_proof
from hds_audit.workflows.proofs import residency as residency_proof

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=300)


def set_check(result, check_id, status, findings=(), details=None):
    for check in result.unique_checks():
        if check.id == check_id:
            check.status, check.findings = status, list(findings)
            if details is not None:
                check.details = details
    return result


def drop_check(result, check_id):
    for control in result.controls:
        control.checks = [k for k in control.checks if k.id != check_id]
    return result


@pytest.fixture(scope="module")
def identity(tmp_path_factory):
    return init_identity(tmp_path_factory.mktemp("keys") / "id", secrets.token_hex(8).encode(), common_name="proof signer")


# -- residency --------------------------------------------------------------------------------------

def test_residency_proven_when_every_check_passes():
    proof = assess(kind("residency"), sample_result())
    assert proof.proven and proof.reasons == []
    doc = proof.document
    assert doc["schema"] == "hds-audit/residency-proof/v1" and doc["verdict"] == "proven"
    assert [c["id"] for c in doc["checks"]] == list(residency_proof.CHECKS)
    assert len(doc["placements"]) == 3 and doc["placements"][0]["country"] == "FR"
    assert doc["by_region"] == [{"region": "eu-west-0", "resources": 2, "backups": 1, "replicas": 0, "traces": 0,
                                 "country": "FR", "allowed": True}]
    assert doc["allowed_regions"] == [{"region": "eu-west-0"}]  # the check gave no table: the tenant's list


def test_residency_not_proven_on_fail_error_or_a_check_that_did_not_run():
    failing = set_check(sample_result(), "residency.replication", Status.FAIL,
                        [Finding("pol-1", "CBR policy replicates backups to eu-west-1, not an allowed region")],
                        {"replications": [{"object": "pol-1", "kind": "flexibleengine_cbr_policy", "source_region": "eu-west-0",
                                           "region": "eu-west-1", "country": "NL", "allowed": False}]})
    proof = assess(kind("residency"), failing)
    assert not proof.proven and proof.reasons == ["residency.replication is fail (1 finding(s))"]
    assert {"region": "eu-west-1", "resources": 0, "backups": 0, "replicas": 1, "traces": 0, "country": "NL", "allowed": False} in proof.document["by_region"]
    erroring = set_check(sample_result(), "residency.activity", Status.ERROR, [Finding("traces", "evidence absent", status=Status.ERROR)])
    assert assess(kind("residency"), erroring).reasons == ["residency.activity is error (1 finding(s))"]
    missing = drop_check(sample_result(), "residency.activity")
    assert assess(kind("residency"), missing).reasons == ["residency.activity did not run (no control binds it)"]
    waived = set_check(sample_result(), "residency.resources", Status.WAIVED, [Finding("x", "y", status=Status.WAIVED)])
    assert not assess(kind("residency"), waived).proven  # an accepted risk is not a proof


def test_residency_pdf_sections_print_objects_as_text():
    proof = assess(kind("residency"), sample_result())
    text = plain(residency_proof.sections(proof.document))
    assert MARKUP in text and "flexibleengine_obs_bucket" in text and "eu-west-0" in text


# -- deletion ---------------------------------------------------------------------------------------

def test_deletion_timeline_and_verdict():
    proof = assess(kind("deletion"), sample_result(contract_end="2026-03-31"))
    assert proof.proven
    doc = proof.document
    assert doc["contract_end"] == "2026-03-31T00:00:00+02:00" and doc["deadline"] == "2026-05-31T00:00:00+02:00"
    assert doc["timeline"][0] == {"resource": "srv-1", "kind": "server", "name": None, "first_seen": "2025-01-02T10:00:00+01:00",
                                  "proof": "delete trace deleteServer", "proof_at": "2026-04-12T09:00:00+02:00",
                                  "deadline": "2026-05-31T00:00:00+02:00", "verdict": "deleted"}
    text = plain(deletion_proof.sections(doc))
    assert "2: deleted (2)" in text and "2026-04-12 09:00+02:00" in text


def test_deletion_not_proven_when_a_resource_outlives_the_deadline():
    result = set_check(sample_result(contract_end="2026-03-31"), "deletion.contract_end", Status.FAIL,
                       [Finding("vol-7", "volume still listed after the deletion deadline")],
                       {"timeline": [{"resource_id": "vol-7", "kind": "volume", "verdict": "still listed"}]})
    proof = assess(kind("deletion"), result)
    assert not proof.proven and proof.document["verdict"] == "not proven"
    assert deletion_proof.verdict_status("still listed") == "fail"
    assert deletion_proof.verdict_status("pending") == "manual" and deletion_proof.verdict_status("deleted") == "pass"


# -- signed folders ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["residency", "deletion"])
def test_proof_folder_is_signed_and_verifies(tmp_path, identity, name):
    result = sample_result(contract_end="2026-03-31")
    proof = assess(kind(name), result)
    out = tmp_path / name
    write_proof(proof, result, identity, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}-proof.pdf", f"{name}-proof.json", "signer.pem", "manifest.json", "manifest.json.sig"])
    outcome = verify_report_dir(out, out / "signer.pem")
    assert int(outcome.status) == 0, [str(p) for p in outcome.problems]
    assert json.loads((out / f"{name}-proof.json").read_text())["verdict"] == "proven"
    pdf = out / f"{name}-proof.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% appended\n")
    outcome = verify_report_dir(out, out / "signer.pem")
    assert int(outcome.status) == 1 and any(p.path == f"{name}-proof.pdf" for p in outcome.problems)


# -- commands ---------------------------------------------------------------------------------------

def test_deletion_without_contract_end_has_nothing_to_prove(builder, tmp_path):
    proc = cli("deletion", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "no contract_end in tenant.yaml: nothing to prove" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_residency_without_evidence_is_not_proven_but_signed(builder, tmp_path):
    out = tmp_path / "out"
    proc = cli("residency", str(builder.root), "--period", "2026-Q3", "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "NOT PROVEN" in proc.stdout and "residency.resources is error" in proc.stdout
    doc = json.loads((out / "residency-proof.json").read_text())
    assert doc["verdict"] == "not proven" and doc["tenant"]["name"] == "Centre Hospitalier de Test"
    assert cli("verify", str(out), "--trust", str(out / "signer.pem")).returncode == 0


def test_bad_bundle_is_exit_2(tmp_path):
    proc = cli("residency", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.skipif(not (SAMPLES / "terminated" / "tenant.yaml").exists(), reason="the terminated sample bundle is not there")
def test_deletion_sample_is_proven(tmp_path):
    out = tmp_path / "out"
    proc = cli("deletion", str(SAMPLES / "terminated"), "--period", "2026-Q2", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "deletion-proof.json").read_text())
    assert doc["verdict"] == "proven" and doc["timeline"] and all(r["verdict"] == "deleted" for r in doc["timeline"])
    assert cli("verify", str(out), "--trust", str(out / "signer.pem")).returncode == 0
