"""A whole `run` writes every file of CONTRACT.md §5, and an auditor can check them with ordinary tools:
`hds-audit verify`, `openssl cms -verify` on the manifest, pyHanko on the PDF."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_builder import trace
from openpyxl import load_workbook

FORMULA = '=HYPERLINK("http://evil.example/","open me")'
CONTRACT_FILES = ["results.json", "report.html", "report.pdf", "report.xlsx", "junit.xml",
                  "manifest.json", "manifest.json.sig", "signer.pem"]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    from bundle_builder import BundleBuilder

    root = tmp_path_factory.mktemp("run")
    builder = BundleBuilder(root / "bundle")
    builder.users({"name": "a.durand"}, {"name": FORMULA})
    builder.mfa("id-a.durand")
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00"), trace(FORMULA, "2026-08-03T10:00:00+02:00")])
    out = root / "out"
    proc = cli("run", str(builder.root), "--period", "2026-Q3", "--out", str(out), "--snapshot")
    assert proc.returncode == 1, proc.stderr  # the formula account is not in the register: a control fails
    assert "Traceback" not in proc.stderr
    return out


@pytest.fixture
def copy(run_dir, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target)
    return target


def verify(directory: Path, trust: Path | None = None):
    args = ["verify", str(directory)] + (["--trust", str(trust)] if trust else [])
    return cli(*args)


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if offset is None else offset
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_every_contract_file_is_written(run_dir):
    for name in CONTRACT_FILES + ["oscal-assessment-results.json"]:
        assert (run_dir / name).is_file(), name
    assert (run_dir / "evidence" / "tenant.yaml").is_file() and (run_dir / "evidence" / "iam" / "users.json").is_file()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    for name in set(CONTRACT_FILES) - {"manifest.json", "manifest.json.sig"}:
        assert name in listed, name
    assert listed["evidence/tenant.yaml"]["role"] == "evidence-snapshot"
    assert {e["path"] for e in manifest["evidence"]} >= {"tenant.yaml", "iam/users.json", "access_register.csv"}
    results = json.loads((run_dir / "results.json").read_text())
    assert manifest["run_id"] == results["run_id"]


def test_verify_passes_on_a_fresh_run(run_dir):
    proc = verify(run_dir, run_dir / "signer.pem")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert verify(run_dir).returncode == 3  # intact, but no trust given


@pytest.mark.parametrize("name", ["results.json", "report.pdf", "manifest.json", "report.xlsx", "evidence/tenant.yaml"])
def test_one_changed_byte_is_caught_and_named(copy, name):
    flip_byte(copy / name)
    proc = verify(copy, copy / "signer.pem")
    assert proc.returncode == 1
    assert name in proc.stderr


def test_bytes_appended_after_the_pdf_end_are_caught(copy):
    pdf = copy / "report.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n1 0 obj\n<< /Evil true >>\nendobj\n%%EOF\n")
    proc = verify(copy, copy / "signer.pem")
    assert proc.returncode == 1 and "report.pdf" in proc.stderr


def test_openssl_verifies_the_manifest_with_the_documented_command(run_dir):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    proc = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "manifest.json.sig",
         "-content", "manifest.json", "-CAfile", "signer.pem"],
        cwd=run_dir, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Verification successful" in proc.stderr
    assert proc.stdout == (run_dir / "manifest.json").read_bytes()


def test_pyhanko_validates_the_pdf(run_dir):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor((run_dir / "signer.pem").read_bytes())
    root = x509.Certificate.load(der)
    reader = PdfFileReader(io.BytesIO((run_dir / "report.pdf").read_bytes()))
    assert len(reader.embedded_signatures) == 1
    status = validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=[root], allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    assert "DEMO" in status.signing_cert.subject.human_friendly


def test_formula_account_name_is_a_text_cell(run_dir):
    wb = load_workbook(run_dir / "report.xlsx")
    cells = [c for row in wb["Findings"].iter_rows() for c in row if c.value == FORMULA]
    assert cells, "the account should be named in a finding"
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_results_json_and_reports_agree(run_dir):
    results = json.loads((run_dir / "results.json").read_text())
    oscal = json.loads((run_dir / "oscal-assessment-results.json").read_text())["assessment-results"]
    assert len(oscal["results"][0]["findings"]) == len(results["controls"])
    wb = load_workbook(run_dir / "report.xlsx")
    assert {r[0]: r[1] for r in wb["meta"].iter_rows(values_only=True)}["run_id"] == results["run_id"]


def test_pdf_dates_are_the_runs_generation_time(run_dir):
    from datetime import datetime

    from pyhanko.pdf_utils.generic import parse_pdf_date
    from pyhanko.pdf_utils.reader import PdfFileReader

    generated = datetime.fromisoformat(json.loads((run_dir / "results.json").read_text())["generated_at"])
    info = PdfFileReader(io.BytesIO((run_dir / "report.pdf").read_bytes())).trailer_view["/Info"]
    assert parse_pdf_date(str(info["/CreationDate"])) == generated
    # the signature is an incremental update: pyHanko sets /ModDate to the signing time, just after
    modified = parse_pdf_date(str(info["/ModDate"]))
    assert generated <= modified and (modified - generated).total_seconds() < 600
