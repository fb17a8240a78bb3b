"""`run --tsa URL`: the PDF signature carries an RFC 3161 timestamp (PAdES-B-T) and the chain's
validation data (B-LT), from a timestamp authority the tests start on 127.0.0.1; `verify` and pyHanko
check it, and a TSA that does not answer is a clear exit 2."""

from __future__ import annotations

import dataclasses
import io
import shutil

import pki
import pytest
from report_fixtures import sample_result
from tsa import local_tsa

from hds_audit.exitcodes import ExitCode
from hds_audit.pipeline.publish import AuditOptions, write_outputs
from hds_audit.signing.verify import verify_report_dir


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    made = pki.tenant_pki(tmp_path_factory.mktemp("trust"))
    root, ca_key, signer, key = made["root"], made["key"], made["signer"], made["signer_key"]
    out = tmp_path_factory.mktemp("stamped") / "run"
    result = sample_result()
    with local_tsa(root, ca_key) as (url, tsa_cert):
        identity = dataclasses.replace(pki.identity(signer, key, chain=[root]), tsa_url=url)
        write_outputs(result, AuditOptions(None, result.tenant, None, result.period, out, identity))
    return made | {"out": out, "tsa_cert": tsa_cert}


def test_the_pdf_signature_is_timestamped_with_validation_data(stamped):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    out, root, tsa_cert = stamped["out"], stamped["root"], stamped["tsa_cert"]
    reader = PdfFileReader(io.BytesIO((out / "report.pdf").read_bytes()))
    status = validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))]))
    assert status.bottom_line and status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.timestamp_validity.signing_cert.dump() == tsa_cert.public_bytes(Encoding.DER)
    assert "/DSS" in reader.root  # B-LT: the chain's certificates kept in the document security store


def test_verify_accepts_it_and_says_when_and_by_whom(stamped):
    out, trust = stamped["out"], stamped["trust"]
    outcome = verify_report_dir(out, trust)
    assert outcome.status is ExitCode.OK, [str(p) for p in outcome.problems]
    note = next(n for n in outcome.notes if n.startswith("report.pdf: timestamped "))
    assert "Exemple Timestamp Authority" in note and note.endswith(", trusted)")


def test_bytes_added_after_the_validation_data_still_fail(stamped, tmp_path):
    out, trust = stamped["out"], stamped["trust"]
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    pdf = copy / "report.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% appended\n")
    problems = [str(p) for p in verify_report_dir(copy, trust).problems]
    assert any(p.startswith("report.pdf:") for p in problems), problems


def test_a_tsa_that_does_not_answer_is_a_clear_exit_2(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", "--out", str(tmp_path / "o"),
                           "--tsa", f"http://127.0.0.1:{port}/tsa"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "timestamp authority http://127.0.0.1" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_pdfsig_finds_the_timestamped_signature_valid(stamped):
    import subprocess

    out = stamped["out"]
    shown = subprocess.run(["pdfsig", str(out / "report.pdf")], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Field Name: hds-audit" in shown and "Signature Validation: Signature is Valid." in shown


def test_review_import_with_tsa_keeps_the_report_timestamped(stamped, tmp_path):
    """Re-rendering after a review must not drop the timestamp: review import takes --tsa too."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from test_review import PASSWORD, cli, fill

    out, trust, root = stamped["out"], stamped["trust"], stamped["root"]
    folder = tmp_path / "run"
    shutil.copytree(out, folder)
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="Anne Auditrice")
    key_file = tmp_path / "signer.p12"
    signer_cert, signer_key, ca_key = stamped["signer"], stamped["signer_key"], stamped["key"]
    key_file.write_bytes(pkcs12.serialize_key_and_certificates(b"signer", signer_key, signer_cert, [root],
                                                               BestAvailableEncryption(PASSWORD.encode())))
    with local_tsa(root, ca_key) as (url, _):
        proc = cli("review", "import", str(reviewed), "--into", str(folder), "--key", str(key_file), "--trust", str(trust),
                   "--tsa", url, env={"HDS_AUDIT_KEY_PASSWORD": PASSWORD})
    assert proc.returncode == 0, proc.stderr
    outcome = verify_report_dir(folder, trust)
    assert outcome.status is ExitCode.OK, [str(p) for p in outcome.problems]
    assert any(n.startswith("report.pdf: timestamped ") for n in outcome.notes)


def test_a_proof_with_tsa_is_timestamped_and_verifies(stamped, tmp_path):
    """A DPO's proof is a signed document too: `residency --tsa` timestamps its PDF like a run's."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from test_review import PASSWORD, cli

    root, trust = stamped["root"], stamped["trust"]
    key_file = tmp_path / "signer.p12"
    key_file.write_bytes(pkcs12.serialize_key_and_certificates(b"signer", stamped["signer_key"], stamped["signer"], [root],
                                                               BestAvailableEncryption(PASSWORD.encode())))
    out = tmp_path / "proof"
    with local_tsa(root, stamped["key"]) as (url, _):
        proc = cli("residency", "--period", "2026-Q3", "--out", str(out), "--key", str(key_file), "--tsa", url,
                   env={"HDS_AUDIT_KEY_PASSWORD": PASSWORD})
    assert proc.returncode in (0, 1), proc.stderr
    outcome = verify_report_dir(out, trust)
    assert outcome.status is ExitCode.OK, [str(p) for p in outcome.problems]
    assert any(n.startswith("residency-proof.pdf: timestamped ") for n in outcome.notes), outcome.notes
