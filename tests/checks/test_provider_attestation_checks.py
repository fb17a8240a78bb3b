"""The provider's certificates and the attestations of organisational rules: validity, hashes, paths."""

from __future__ import annotations

import hashlib
import os

import pytest
import yaml

from hds_audit.states import Status

PC, AC = "provider.certificates_valid", "attestation.current"
PDF = b"%PDF-1.7\n% a test document\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def put(builder, rel: str, content: bytes | None) -> None:
    """Write a test document, never outside the bundle (some tests name paths that leave it)."""
    target = (builder.root / rel).resolve()
    if content is not None and target.is_relative_to(builder.root.resolve()):
        builder.write(rel, content)


def certificate(builder, name, kind, valid_from, valid_until, document=None, digest=None, content=PDF, **extra):
    document = document or f"provider/docs/{name}.pdf"
    put(builder, document, content)
    entry = {"kind": kind, "issuer": "Example Certification SAS", "valid_from": valid_from, "valid_until": valid_until,
             "document": document, "sha256": digest or sha(content or b""), **extra}
    builder.write(f"provider/{name}.yaml", yaml.safe_dump(entry))


def both(builder, hds=("2024-03-01", "2027-02-28"), iso=("2023-09-01", "2026-09-30")):
    certificate(builder, "hds_certificate", "hds_certificate", *hds)
    certificate(builder, "iso27001_certificate", "iso27001_certificate", *iso)


# -- provider.certificates_valid -----------------------------------------------------------------

def test_certificates_pass_on_the_period_bounds(builder, run_checks_on):
    # valid_from 2026-07-01 is 00:00 Paris, the period start; valid_until 2026-09-30 runs to the period end
    both(builder, hds=("2026-07-01", "2026-09-30"), iso=("2026-07-01", "2026-09-30"))
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.PASS, result.findings
    iso = next(c for c in result.details["certificates"] if c["kind"] == "iso27001_certificate")
    assert iso["valid_until"] == "2026-10-01T00:00:00+02:00" and iso["sha256_matches"] is True


@pytest.mark.parametrize(("valid_from", "valid_until", "gap"), [
    ("2023-09-01", "2026-09-29", "2026-09-30T00:00:00+02:00 to 2026-10-01T00:00:00+02:00"),
    ("2026-07-02", "2029-01-01", "2026-07-01T00:00:00+02:00 to 2026-07-02T00:00:00+02:00"),
])
def test_certificate_not_covering_the_period_fails(builder, run_checks_on, valid_from, valid_until, gap):
    both(builder, iso=(valid_from, valid_until))
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.FAIL and objects(result) == ["iso27001_certificate"]
    assert gap in result.findings[0].message


def test_renewal_taking_over_passes_a_gap_fails(builder, run_checks_on):
    both(builder, iso=("2023-09-01", "2026-08-15"))
    certificate(builder, "iso-2026", "iso27001_certificate", "2026-08-16", "2029-08-15", content=b"renewed")
    assert run_checks_on(builder.root, PC)[PC].status is Status.PASS
    certificate(builder, "iso-2026", "iso27001_certificate", "2026-08-17", "2029-08-15", content=b"renewed")
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.FAIL and "2026-08-16T00:00:00+02:00 to 2026-08-17T00:00:00+02:00" in result.findings[0].message


def test_missing_certificate_kind_is_error_naming_it(builder, run_checks_on):
    # evidence that is absent makes the checks that need it `error` (CONTRACT.md §2), never `fail`
    certificate(builder, "hds_certificate", "hds_certificate", "2024-03-01", "2027-02-28")
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["iso27001_certificate"]
    assert "iso27001_certificate absent" in result.findings[0].message
    assert result.findings[0].evidence == ("provider/hds_certificate.yaml",)


def test_a_certificate_in_an_unreadable_file_is_not_called_missing_by_a_fail(builder, run_checks_on):
    both(builder)
    builder.write("provider/iso27001_certificate.yaml", "kind: iso27001_certificate\nvalid_from: [unclosed")
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and objects(result) == []
    assert objects(result, Status.ERROR) == ["iso27001_certificate", "provider/iso27001_certificate.yaml"]
    missing = next(f for f in result.findings if f.object == "iso27001_certificate")
    assert "could not be read" in missing.message


def test_hash_mismatch_fails_even_beside_a_valid_certificate(builder, run_checks_on):
    both(builder)
    certificate(builder, "hds-copy", "hds_certificate", "2024-03-01", "2027-02-28", digest="0" * 64)
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.FAIL and objects(result) == ["hds_certificate"]
    assert "0000000000" in result.findings[0].message and sha(PDF) in result.findings[0].message


@pytest.mark.parametrize(("document", "reason"), [
    ("../outside.pdf", "leaves the bundle"),
    ("/etc/hostname", "leaves the bundle"),
    ("provider/docs/missing.pdf", "is not in the bundle"),
])
def test_unverifiable_certificate_document_is_error(builder, run_checks_on, document, reason):
    both(builder)
    certificate(builder, "hds_certificate", "hds_certificate", "2024-03-01", "2027-02-28", document=document, content=None, digest="a" * 64)
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["hds_certificate"]
    assert reason in result.findings[0].message


def test_certificates_absent_or_broken_is_error(builder, run_checks_on):
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)
    both(builder)
    builder.write("provider/extra.yaml", "kind: [unclosed")
    builder.write("provider/nokind.yaml", yaml.safe_dump({"issuer": "x", "valid_from": "2024-01-01"}))
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["provider/extra.yaml", "provider/nokind.yaml"]


def test_certificate_without_validity_is_error(builder, run_checks_on):
    both(builder)
    certificate(builder, "hds_certificate", "hds_certificate", "2024-03-01", None)
    result = run_checks_on(builder.root, PC)[PC]
    assert result.status is Status.ERROR and "no 'valid_until'" in result.findings[0].message


# -- attestation.current ---------------------------------------------------------------------------

def attest(builder, name, control, signed_at, document=None, digest=None, content=PDF, **extra):
    document = document or f"attestations/docs/{name}.pdf"
    put(builder, document, content)
    entry = {"control": control, "statement": "Workstations are managed and encrypted.", "owner": "RSSI",
             "signed_at": signed_at, "document": document, "sha256": digest or sha(content or b""), **extra}
    builder.write(f"attestations/{name}.yaml", yaml.safe_dump({k: v for k, v in entry.items() if v is not None}))


def attestation_results(root, period="2026-Q3"):
    """attestation.current per control id (the check runs once per organisational control)."""
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(root))
    run = run_checks(load_catalog(), bundle, load(bundle), parse_period(period), only={AC})
    return {c.control.id: r for c in run.controls for r in c.checks if r.id == AC}


def test_attestation_absent_is_manual(builder):
    results = attestation_results(builder.root)
    assert "workstation-safety" in results and all(r.status is Status.MANUAL for r in results.values())
    assert results["workstation-safety"].note == "no signed attestation for Workstation safety (workstation-safety) in attestations/"


@pytest.mark.parametrize("control", ["Workstation safety", "WORKSTATION   safety", "workstation-safety"])
def test_attestation_matches_rule_or_id_in_any_case(builder, control):
    attest(builder, "ws", control, "2026-08-27")
    results = attestation_results(builder.root)
    assert results["workstation-safety"].status is Status.PASS, results["workstation-safety"].findings
    assert results["data-breach-notification"].status is Status.MANUAL


def test_attestation_age_on_the_boundary(builder):
    # 365 days before 2026-10-01 00:00 Paris is 2025-10-01 00:00 Paris
    attest(builder, "ws", "Workstation safety", "2025-10-01")
    assert attestation_results(builder.root)["workstation-safety"].status is Status.PASS
    attest(builder, "ws", "Workstation safety", "2025-09-30T23:59:59+02:00")
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.FAIL and objects(result) == ["attestations/ws.yaml"]
    assert "more than 365 days" in result.findings[0].message
    builder.tenant(policy={"attestation_max_age_days": 366})
    assert attestation_results(builder.root)["workstation-safety"].status is Status.PASS


def test_attestation_signed_after_the_period_is_manual(builder):
    attest(builder, "ws", "Workstation safety", "2026-10-01")
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.MANUAL and "after the end of the period" in result.findings[0].message


def test_attestation_hash_mismatch_fails(builder):
    attest(builder, "ws", "Workstation safety", "2026-08-27", digest="f" * 64)
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.FAIL and "declares ffff" in result.findings[0].message
    assert result.findings[0].evidence == ("attestations/ws.yaml", "attestations/docs/ws.pdf")
    # a current attestation beside it does not hide the altered document
    attest(builder, "ws-2", "Workstation safety", "2026-09-01")
    assert attestation_results(builder.root)["workstation-safety"].status is Status.FAIL


def test_attestation_document_leaving_the_bundle_is_error_for_its_control_only(builder, tmp_path):
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(PDF)
    attest(builder, "ws", "Workstation safety", "2026-08-27", document="../outside.pdf", content=None, digest=sha(PDF))
    attest(builder, "dbn", "Data breach notification", "2026-08-27")
    results = attestation_results(builder.root)
    assert results["workstation-safety"].status is Status.ERROR
    assert "leaves the bundle" in results["workstation-safety"].findings[0].message
    assert results["data-breach-notification"].status is Status.PASS


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_attestation_symlink_out_of_the_bundle_is_error(builder, tmp_path):
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(PDF)
    (builder.root / "attestations" / "docs").mkdir(parents=True)
    os.symlink(outside, builder.root / "attestations" / "docs" / "link.pdf")
    attest(builder, "ws", "Workstation safety", "2026-08-27", document="attestations/docs/link.pdf", content=None, digest=sha(PDF))
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.ERROR and "leaves the bundle" in result.findings[0].message


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("document", "/etc/hostname", "leaves the bundle"),
    ("document", "attestations/docs/absent.pdf", "is not in the bundle"),
    ("owner", None, "no 'owner'"),
    ("signed_at", "27/08/2026", "'signed_at'"),
    ("sha256", "not-a-hash", "64 hexadecimal digits"),
])
def test_attestation_unusable_fields_are_error(builder, field, value, reason):
    fields = {"signed_at": "2026-08-27", field: value}
    if field == "document":
        fields["content"] = None
    attest(builder, "ws", "Workstation safety", **fields)
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.ERROR and reason in result.findings[0].message


def test_attestation_files_that_cannot_be_attributed_are_errors_everywhere(builder):
    attest(builder, "ws", "Workstation safety", "2026-08-27")
    builder.write("attestations/broken.yaml", "control: [unclosed")
    builder.write("attestations/anonymous.yaml", yaml.safe_dump({"statement": "no control"}))
    results = attestation_results(builder.root)
    assert all(r.status is Status.ERROR for r in results.values())
    assert objects(results["workstation-safety"], Status.ERROR) == ["attestations/anonymous.yaml", "attestations/broken.yaml"]


def test_attestation_list_file(builder):
    builder.write("attestations/docs/all.pdf", PDF)
    entries = [{"control": rule, "statement": "s", "owner": "o", "signed_at": "2026-09-01", "document": "attestations/docs/all.pdf", "sha256": sha(PDF)}
               for rule in ("Workstation safety", "data-breach-notification")]
    builder.write("attestations/all.yaml", yaml.safe_dump({"attestations": entries}))
    results = attestation_results(builder.root)
    assert results["workstation-safety"].status is Status.PASS and results["data-breach-notification"].status is Status.PASS
    assert results["workstation-safety"].details["attestations"][0]["file"] == "attestations/all.yaml"
