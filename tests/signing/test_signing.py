"""The signing seam: identities, PAdES, the signed manifest and `verify` exit codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from hds_audit.exitcodes import ExitCode
from hds_audit.signing import SigningError
from hds_audit.signing.cms import sign_detached, verify_detached
from hds_audit.signing.identity import PASSWORD_ENV, init_identity, load_identity, password_from_env
from hds_audit.signing.manifest import build_manifest, manifest_bytes, write_signed_manifest
from hds_audit.signing.pades import sign_pdf
from hds_audit.signing.verify import verify_report_dir

# Generated per test session: nothing here is a real secret.
PASSWORD = ("test-" + secrets.token_hex(8)).encode()
LISTED = [
    "evidence/traces/CloudTraces/eu-west-0/a.json.gz",
    "junit.xml",
    "report.html",
    "report.pdf",
    "report.xlsx",
    "results.json",
    "signer.pem",
]


SNAPSHOT_BYTES = b"\x1f\x8b fake gzip"


def tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "hds-audit test report")
    page.showPage()
    page.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def identity_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    init_identity(directory, PASSWORD)
    return directory


@pytest.fixture(scope="module")
def identity(identity_dir):
    return load_identity(identity_dir / "signer.p12", PASSWORD)


@pytest.fixture(scope="module")
def other_identity(tmp_path_factory):
    return init_identity(tmp_path_factory.mktemp("other"), PASSWORD, common_name="someone else")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, identity) -> Path:
    """A report directory as `run` leaves it; tests work on copies."""
    out = tmp_path_factory.mktemp("pristine") / "out"
    out.mkdir()
    (out / "results.json").write_text('{"schema": "hds-audit/results/v1"}\n')
    (out / "report.html").write_text("<html><body>report</body></html>\n")
    (out / "report.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (out / "junit.xml").write_text("<testsuites/>\n")
    (out / "signer.pem").write_bytes(identity.certificate_pem)
    snap = out / "evidence/traces/CloudTraces/eu-west-0"
    snap.mkdir(parents=True)
    (snap / "a.json.gz").write_bytes(SNAPSHOT_BYTES)
    sign_pdf(tiny_pdf(), out / "report.pdf", identity)
    resign(out, identity)
    return out


def resign(out: Path, identity) -> dict:
    when = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    # the evidence read: the snapshot's one file, which verify compares with it
    evidence = [{"path": "traces/CloudTraces/eu-west-0/a.json.gz", "sha256": hashlib.sha256(SNAPSHOT_BYTES).hexdigest(),
                 "size": len(SNAPSHOT_BYTES), "records": 3}]
    manifest = build_manifest(out, "run-1", when, evidence)
    write_signed_manifest(out, manifest, identity)
    return manifest


@pytest.fixture
def report(pristine, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(pristine, copy)
    return copy


# --- identity -------------------------------------------------------------------------------


def test_keys_init_writes_p12_and_pem(tmp_path):
    from cryptography import x509

    made = init_identity(tmp_path, PASSWORD)
    assert (tmp_path / "signer.p12").is_file() and (tmp_path / "signer.pem").is_file()
    assert stat.S_IMODE(os.stat(tmp_path / "signer.p12").st_mode) == 0o600
    cert = x509.load_pem_x509_certificate((tmp_path / "signer.pem").read_bytes())
    assert cert == made.certificate
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and usage.key_cert_sign
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days >= 3 * 365
    loaded = load_identity(tmp_path / "signer.p12", PASSWORD)
    assert loaded.certificate == cert and not loaded.is_demo


def test_demo_identity_says_so(tmp_path):
    made = init_identity(tmp_path, PASSWORD, demo=True)
    assert made.is_demo
    assert load_identity(tmp_path / "signer.p12", PASSWORD).is_demo


@pytest.fixture
def keys_in_tmp(tmp_path, monkeypatch):
    """The throwaway identity of a run without --key lands in this test's folder."""
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() caches its first answer


def test_the_throwaway_signer_says_demo_once(tmp_path, keys_in_tmp):
    from hds_audit.cli.common import signing_identity
    from hds_audit.signing.identity import subject_text

    identity = signing_identity(None, tmp_path / "out")
    assert subject_text(identity.certificate) == "hds-audit DEMO signer (not for real audits)"
    assert identity.is_demo
    # a name without the word gets it, once
    assert subject_text(init_identity(tmp_path / "k", PASSWORD, common_name="try", demo=True).certificate) == "try DEMO (not for real audits)"


def test_keys_init_refuses_to_overwrite(tmp_path):
    init_identity(tmp_path, PASSWORD)
    before = (tmp_path / "signer.p12").read_bytes()
    with pytest.raises(SigningError) as err:
        init_identity(tmp_path, PASSWORD)
    assert "signer.p12" in str(err.value) and "signer.pem" in str(err.value)
    assert (tmp_path / "signer.p12").read_bytes() == before


def test_wrong_password_names_file_not_password(identity_dir):
    wrong = b"wrong-" + secrets.token_hex(6).encode()
    with pytest.raises(SigningError) as err:
        load_identity(identity_dir / "signer.p12", wrong)
    message = str(err.value)
    assert "signer.p12" in message and "wrong password" in message
    assert wrong.decode() not in message and PASSWORD.decode() not in message
    assert err.value.__cause__ is None and err.value.__suppress_context__


@pytest.mark.parametrize("content", [b"", b"not a pkcs12 file", b"\x30\x82\x05\x00garbage"])
def test_corrupt_p12_is_a_signing_error(tmp_path, content):
    (tmp_path / "signer.p12").write_bytes(content)
    with pytest.raises(SigningError, match="signer.p12"):
        load_identity(tmp_path / "signer.p12", PASSWORD)


def test_missing_p12_is_a_signing_error(tmp_path):
    with pytest.raises(SigningError, match="not found"):
        load_identity(tmp_path / "absent.p12", PASSWORD)


def test_password_from_env(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(SigningError, match=PASSWORD_ENV):
        password_from_env()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD.decode())
    assert password_from_env() == PASSWORD


# --- PAdES and CMS --------------------------------------------------------------------------


def test_signed_pdf_validates_over_the_entire_file(tmp_path, identity):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(tiny_pdf())
    sign_pdf(pdf, pdf, identity)  # in place, as the renderer does
    root = asn1_x509.Certificate.load(identity.certificate.public_bytes(_der()))
    with open(pdf, "rb") as fh:
        sig = PdfFileReader(fh).embedded_signatures[0]
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))
    assert sig.field_name == "hds-audit"
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_cms_detached_roundtrip(identity, other_identity):
    data = b'{"a": 1}\n'
    sig = sign_detached(data, identity)
    ok = verify_detached(data, sig, identity.certificate_pem)
    assert ok.intact and ok.trusted and ok.signer_cert == identity.certificate
    assert not verify_detached(data + b" ", sig, identity.certificate_pem).intact
    assert not verify_detached(data, sig[:-4], identity.certificate_pem).intact
    assert not verify_detached(data, b"junk", None).intact
    other = verify_detached(data, sig, other_identity.certificate_pem)
    assert other.intact and not other.trusted


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_contract_openssl_command_verifies_manifest(report):
    command = "openssl cms -verify -binary -inform DER -in manifest.json.sig -content manifest.json -CAfile signer.pem"
    done = subprocess.run(command.split(), cwd=report, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Verification successful" in done.stderr
    (report / "manifest.json").write_bytes((report / "manifest.json").read_bytes().replace(b"run-1", b"run-2"))
    assert subprocess.run(command.split(), cwd=report, capture_output=True).returncode != 0


def test_manifest_format(pristine):
    manifest = json.loads((pristine / "manifest.json").read_text())
    assert manifest["schema"] == "hds-audit/manifest/v1"
    assert manifest["generated_at"] == "2026-10-01T09:00:00+02:00"
    assert [f["path"] for f in manifest["files"]] == LISTED
    roles = {f["path"]: f["role"] for f in manifest["files"]}
    assert roles["signer.pem"] == "signer-certificate" and roles["report.pdf"] == "report"
    assert roles[LISTED[0]] == "evidence-snapshot"
    assert manifest["evidence"][0]["records"] == 3
    assert (pristine / "manifest.json").read_bytes() == manifest_bytes(manifest)
    assert (pristine / "manifest.json").read_bytes().endswith(b"}\n")
    assert not [p for p in pristine.iterdir() if p.name.endswith(".tmp")]


def test_manifest_needs_an_offset(tmp_path):
    with pytest.raises(ValueError):
        build_manifest(tmp_path, "r", dt.datetime(2026, 1, 1), [])


# --- verify ---------------------------------------------------------------------------------


def problems(outcome) -> str:
    return "\n".join(str(p) for p in outcome.problems)


def test_fresh_dir_verifies_with_trust(report):
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.OK, problems(outcome)
    assert outcome.checked == LISTED and "hds-audit signer" in outcome.signer


def test_fresh_dir_without_trust_is_untrusted(report):
    outcome = verify_report_dir(report, None)
    assert outcome.status == ExitCode.UNTRUSTED
    assert all(p.untrusted for p in outcome.problems)


def test_other_certificate_as_trust_is_untrusted(report, other_identity, tmp_path):
    other = tmp_path / "other.pem"
    other.write_bytes(other_identity.certificate_pem)
    assert verify_report_dir(report, other).status == ExitCode.UNTRUSTED


@pytest.mark.parametrize("rel", LISTED)
def test_one_changed_byte_fails_naming_the_file(report, rel, tmp_path):
    trust = tmp_path / "trusted.pem"  # the trust anchor comes from outside the folder being altered
    trust.write_bytes((report / "signer.pem").read_bytes())
    path = report / rel
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    outcome = verify_report_dir(report, trust)
    assert outcome.status == ExitCode.FAILED
    assert any(p.path == rel and "altered" in p.reason for p in outcome.problems), problems(outcome)


def test_removed_file_fails(report):
    (report / "report.xlsx").unlink()
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert [p.path for p in outcome.problems] == ["report.xlsx"]


@pytest.mark.parametrize("extra", ["notes.txt", ".hidden", "evidence/more.json"])
def test_extra_file_fails(report, extra):
    (report / extra).write_text("slipped in\n")
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert [p.path for p in outcome.problems] == [extra]


def test_bytes_appended_to_pdf_fail(report):
    with open(report / "report.pdf", "ab") as fh:
        fh.write(b"\n% appended after signing\n")
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert {p.path for p in outcome.problems} == {"report.pdf"}


def test_appended_pdf_fails_even_with_a_fresh_manifest(report, identity):
    # Whoever holds the key could re-sign the manifest; the PDF's own signature still tells.
    with open(report / "report.pdf", "ab") as fh:
        fh.write(b"\n% appended after signing\n")
    resign(report, identity)
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert any(p.path == "report.pdf" and "after the PDF signature" in p.reason for p in outcome.problems)


@pytest.mark.parametrize("content", [None, b"%PDF-1.4 not a pdf at all", b"\x00" * 10])
def test_unsigned_or_corrupt_pdf_fails(report, identity, content):
    (report / "report.pdf").write_bytes(tiny_pdf() if content is None else content)
    resign(report, identity)
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert [p.path for p in outcome.problems] == ["report.pdf"]


def test_pdf_signed_by_another_certificate_fails(report, identity, other_identity):
    sign_pdf(tiny_pdf(), report / "report.pdf", other_identity)
    resign(report, identity)
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert any(p.path == "report.pdf" and "another certificate" in p.reason for p in outcome.problems)


def test_edited_manifest_fails(report):
    manifest = json.loads((report / "manifest.json").read_text())
    manifest["files"] = [f for f in manifest["files"] if f["path"] != "report.xlsx"]
    (report / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert {"manifest.json", "report.xlsx"} <= {p.path for p in outcome.problems}


ESCAPING = b'{"schema": "hds-audit/manifest/v1", "files": [{"path": "../x", "sha256": "00"}]}'


@pytest.mark.parametrize("content", [b"not json", b"\xff\xfe", b"[]", ESCAPING])
def test_malformed_manifest_is_a_problem_not_a_crash(report, content):
    (report / "manifest.json").write_bytes(content)
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    paths = {p.path for p in outcome.problems}
    # An unreadable manifest is one problem; a readable one with a bad entry also leaves the
    # directory's files unlisted, hence extra.
    assert paths == {"manifest.json"} if content != ESCAPING else "manifest.json" in paths, problems(outcome)


def test_missing_signature_fails(report):
    (report / "manifest.json.sig").unlink()
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert any(p.path == "manifest.json.sig" and "unsigned" in p.reason for p in outcome.problems)


def test_corrupt_signature_fails(report):
    (report / "manifest.json.sig").write_bytes(b"\x30\x03\x02\x01\x00")
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert "manifest.json.sig" in {p.path for p in outcome.problems}


def test_unreadable_trust_file_is_unusable(report, tmp_path):
    (tmp_path / "bad.pem").write_text("not a certificate")
    assert verify_report_dir(report, tmp_path / "bad.pem").status == ExitCode.UNUSABLE
    assert verify_report_dir(tmp_path / "absent", None).status == ExitCode.UNUSABLE


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER

