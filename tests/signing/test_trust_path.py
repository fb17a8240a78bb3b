"""`verify --trust`: the signer must chain to the trusted certificate through real CAs, be within its
validity and allowed to sign; a folder must hold every report of its kind; `verify` and
`openssl cms -verify` agree on every tampering of the manifest, its signature or the chain."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pki
import pytest
from click.testing import CliRunner
from report_fixtures import sample_result

from hds_audit.cli import cli
from hds_audit.exitcodes import ExitCode
from hds_audit.formats.interface import RenderContext
from hds_audit.pipeline.publish import AuditOptions, render_reports, seal, write_outputs
from hds_audit.signing.verify import verify_report_dir
from hds_audit.workflows.review import load_result


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return pki.tenant_pki(tmp_path_factory.mktemp("trust"))


@pytest.fixture(scope="module")
def genuine(tmp_path_factory, ca):
    out = tmp_path_factory.mktemp("genuine") / "run"
    result = sample_result()
    write_outputs(result, AuditOptions(None, result.tenant, None, result.period, out, pki.identity(ca["signer"], ca["signer_key"])))
    return out


def copy(folder, tmp_path, name="copy"):
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def reseal(folder, identity, drop=()):
    """What an attacker holding `identity` does: render the reports again, leave out `drop`, seal."""
    result, _ = load_result(json.loads((folder / "results.json").read_text()))
    render_reports(folder, RenderContext(result, signer="x"), identity, reason="re-signed")
    for name in drop:
        (folder / name).unlink()
    seal(folder, result, identity)


def openssl_ok(folder, trust) -> bool:
    proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "manifest.json.sig",
                           "-content", "manifest.json", "-CAfile", str(trust), "-out", "/dev/null"],
                          cwd=folder, capture_output=True, timeout=60)
    return proc.returncode == 0


def forged_by_end_entity(ca):
    """A signer minted by the tenant's own end-entity certificate (CA:FALSE), which holds its key."""
    key = pki.key()
    cert = pki.certificate("Forged signer", key, ca["signer"], ca["signer_key"])
    return pki.identity(cert, key, chain=[ca["signer"]])


def expired_signer(ca):
    key = pki.key()
    cert = pki.certificate("Expired signer", key, ca["root"], ca["key"], not_before=pki.NOW - dt.timedelta(days=30),
                           not_after=pki.NOW - dt.timedelta(days=1))
    return pki.identity(cert, key)


def not_yet_valid_signer(ca):
    key = pki.key()
    cert = pki.certificate("Future signer", key, ca["root"], ca["key"], not_before=pki.NOW + dt.timedelta(days=1),
                           not_after=pki.NOW + dt.timedelta(days=30))
    return pki.identity(cert, key)


def certificate_only_signer(ca):
    """keyUsage keyCertSign alone: a certificate not meant to sign documents."""
    key = pki.key()
    cert = pki.certificate("Cert-signing only", key, ca["root"], ca["key"], ca=True, sign_data=False)
    return pki.identity(cert, key)


def server_only_signer(ca):
    """extendedKeyUsage serverAuth alone: a TLS certificate, which openssl refuses as an S/MIME signer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = pki.key()
    base = pki.certificate("TLS server", key, ca["root"], ca["key"])
    builder = x509.CertificateBuilder().subject_name(base.subject).issuer_name(base.issuer).public_key(key.public_key()) \
        .serial_number(x509.random_serial_number()).not_valid_before(base.not_valid_before_utc).not_valid_after(base.not_valid_after_utc)
    for ext in base.extensions:
        builder = builder.add_extension(ext.value, critical=ext.critical)
    cert = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False).sign(ca["key"], hashes.SHA256())
    return pki.identity(cert, key)


def through_sub_ca_without_cert_sign(ca):
    """An intermediate that says CA:TRUE but whose keyUsage lacks keyCertSign."""
    sub_key, key = pki.key(), pki.key()
    sub = pki.certificate("Sub CA, no keyCertSign", sub_key, ca["root"], ca["key"], ca=True, sign_certs=False)
    cert = pki.certificate("Signer under it", key, sub, sub_key)
    return pki.identity(cert, key, chain=[sub])


def through_proper_sub_ca(ca):
    sub_key, key = pki.key(), pki.key()
    sub = pki.certificate("Exemple Issuing CA", sub_key, ca["root"], ca["key"], ca=True)
    cert = pki.certificate("Signer under the issuing CA", key, sub, sub_key)
    return pki.identity(cert, key, chain=[sub])


def self_signed_stranger(ca):
    key = pki.key()
    return pki.identity(pki.certificate("Stranger", key, ca=True), key)


@pytest.mark.parametrize("make, trusted", [
    (forged_by_end_entity, False),
    (expired_signer, False),
    (not_yet_valid_signer, False),
    (certificate_only_signer, False),
    (server_only_signer, False),
    (through_sub_ca_without_cert_sign, False),
    (self_signed_stranger, False),
    (through_proper_sub_ca, True),
])
def test_resealed_folder_is_trusted_exactly_when_openssl_says_so(genuine, ca, tmp_path, make, trusted):
    folder = copy(genuine, tmp_path)
    reseal(folder, make(ca))
    outcome = verify_report_dir(folder, ca["trust"])
    assert openssl_ok(folder, ca["trust"]) is trusted
    assert outcome.status == (ExitCode.OK if trusted else ExitCode.UNTRUSTED), [str(p) for p in outcome.problems]


def test_forged_signer_is_named_untrusted_with_why(genuine, ca, tmp_path):
    folder = copy(genuine, tmp_path)
    reseal(folder, forged_by_end_entity(ca))
    reasons = " ".join(p.reason for p in verify_report_dir(folder, ca["trust"]).problems)
    assert "not a CA" in reasons


def test_genuine_folder_verifies_and_openssl_agrees(genuine, ca):
    assert verify_report_dir(genuine, ca["trust"]).status is ExitCode.OK
    assert openssl_ok(genuine, ca["trust"])


@pytest.mark.parametrize("tamper", ["manifest byte", "signature byte", "signature truncated"])
def test_altered_manifest_or_signature_fails_and_openssl_agrees(genuine, ca, tmp_path, tamper):
    folder = copy(genuine, tmp_path)
    name = "manifest.json" if tamper == "manifest byte" else "manifest.json.sig"
    data = bytearray((folder / name).read_bytes())
    if tamper == "signature truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    assert verify_report_dir(folder, ca["trust"]).status is ExitCode.FAILED
    assert not openssl_ok(folder, ca["trust"])


def test_missing_pdf_with_a_resealed_manifest_fails(genuine, ca, tmp_path):
    """Deleting report.pdf and sealing again with the genuine key still leaves a folder without its PDF."""
    folder = copy(genuine, tmp_path)
    reseal(folder, pki.identity(ca["signer"], ca["signer_key"]), drop=["report.pdf"])
    outcome = verify_report_dir(folder, ca["trust"])
    assert outcome.status is ExitCode.FAILED
    assert any(p.path == "report.pdf" and "does not list it" in p.reason for p in outcome.problems)


@pytest.mark.parametrize("name", ["results.json", "junit.xml", "report.xlsx", "signer.pem"])
def test_every_report_of_a_run_is_required(genuine, ca, tmp_path, name):
    from hds_audit.signing.manifest import build_manifest, write_signed_manifest

    folder = copy(genuine, tmp_path)
    (folder / name).unlink()
    identity = pki.identity(ca["signer"], ca["signer_key"])
    write_signed_manifest(folder, build_manifest(folder, "r", "2026-10-01T09:00:00+02:00", []), identity)
    outcome = verify_report_dir(folder, ca["trust"])
    assert outcome.status is ExitCode.FAILED
    # without results.json the folder is no run at all
    expected = "not an hds-audit report folder" if name == "results.json" else f"{name}: missing: every report folder"
    assert expected in " ".join(str(p) for p in outcome.problems)


def test_verify_prints_the_signer_fingerprint_as_openssl_does(genuine, ca):
    result = CliRunner().invoke(cli, ["verify", str(genuine), "--trust", str(ca["trust"])])
    assert result.exit_code == ExitCode.OK, result.output
    openssl = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(genuine / "signer.pem")],
                             capture_output=True, text=True, check=True).stdout.strip().split("=", 1)[1]
    assert f"signer certificate SHA-256 fingerprint: {openssl}" in result.stdout


def test_verify_prints_no_dsa_deprecation_but_other_warnings_still_show(genuine, ca):
    import os
    import sys

    env = dict(os.environ, PYTHONWARNINGS="always")
    proc = subprocess.run([sys.executable, "-W", "always::UserWarning", "-c",
                           "import warnings, sys; from hds_audit.cli import main; warnings.warn('another warning'); main()",
                           "verify", str(genuine), "--trust", str(ca["trust"])], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "DSA is deprecated" not in proc.stderr and "another warning" in proc.stderr
