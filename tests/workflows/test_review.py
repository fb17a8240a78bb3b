"""`hds-audit review import`: verdicts round-trip from the workbook into results.json, every report is
re-rendered and re-signed; a workbook of another run, an altered folder or a missing key is refused."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from report_fixtures import RUN_ID, sample_result

from hds_audit.formats import pdf, xlsx
from hds_audit.formats.interface import RenderContext
from hds_audit.pipeline.publish import AuditOptions, write_outputs
from hds_audit.signing.identity import PASSWORD_ENV, init_identity
from hds_audit.signing.verify import verify_report_dir
from hds_audit.workflows.review import load_result

PASSWORD = "test-" + secrets.token_hex(8)


def cli(*args, env=None):
    full = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=300, env=full)


def make_folder(tmp_path: Path, name: str, demo: bool, result=None) -> tuple[Path, object]:
    identity = init_identity(tmp_path / f"{name}-key", PASSWORD.encode(), common_name=f"{name} signer", demo=demo)
    out = tmp_path / name
    result = result or sample_result()
    write_outputs(result, AuditOptions(None, result.tenant, None, result.period, out, identity))
    return out, identity


def fill(src: Path, dst: Path, verdicts: dict[str, tuple[str | None, str | None]], reviewer=None, date=None) -> Path:
    wb = load_workbook(src)
    ws = wb["Controls"]
    header = [c.value for c in ws[1]]
    col_v, col_c = header.index("Auditor verdict") + 1, header.index("Auditor comment") + 1
    for row in range(2, ws.max_row + 1):
        control = ws.cell(row, 1).value
        if control in verdicts:
            verdict, comment = verdicts[control]
            ws.cell(row, col_v).value = verdict
            ws.cell(row, col_c).value = comment
    for row in wb["Summary"].iter_rows():
        if row[0].value == "Reviewer" and reviewer:
            row[1].value = reviewer
        if row[0].value == "Review date" and date:
            row[1].value = date
    wb.save(dst)
    return dst


def test_results_json_reloads_exactly(tmp_path):
    result = sample_result()
    document = json.loads(json.dumps(result.to_json()))
    again, extras = load_result(document)
    assert again.to_json() == document and extras == {}
    # the reports rendered from a reloaded run are the reports of the run
    assert pdf.render(RenderContext(again)) == pdf.render(RenderContext(load_result(document)[0]))
    assert [len(k.findings) for k in again.unique_checks()] == [len(k.findings) for k in result.unique_checks()]


def test_import_records_verdicts_rerenders_and_resigns(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    before = (folder / "report.pdf").read_bytes()
    reviewed = fill(folder / "report.xlsx", tmp_path / "reviewed.xlsx", {
        "identifiers-and-authorizations": ("rejected", "register incomplete: =SUM(A1)"),
        "purpose": ("accepted", None),
    }, reviewer="Anne Auditrice", date="2026-10-05")
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "new throwaway DEMO identity" in proc.stderr
    doc = json.loads((folder / "results.json").read_text())
    by_id = {c["id"]: c for c in doc["controls"]}
    assert by_id["identifiers-and-authorizations"]["review"] == {
        "verdict": "rejected", "comment": "register incomplete: =SUM(A1)", "reviewer": "Anne Auditrice",
        "reviewed_at": "2026-10-05T00:00:00+02:00", "record": "review/review-1.json"}
    assert by_id["purpose"]["review"]["verdict"] == "accepted" and by_id["purpose"]["review"]["comment"] is None
    assert "review" not in by_id["trace-management"]
    assert doc["run_id"] == RUN_ID
    assert (folder / "report.pdf").read_bytes() != before
    wb = load_workbook(folder / "report.xlsx")
    row = next(r for r in wb["Controls"].iter_rows(values_only=True) if r[0] == "identifiers-and-authorizations")
    assert "rejected" in row and "register incomplete: =SUM(A1)" in row
    assert "rejected" in (folder / "report.html").read_text()
    oscal = json.loads((folder / "oscal-assessment-results.json").read_text())
    assert "Anne Auditrice" in json.dumps(oscal)
    outcome = verify_report_dir(folder, folder / "signer.pem")
    assert int(outcome.status) == 0, [str(p) for p in outcome.problems]


def test_blank_rows_keep_earlier_verdicts(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    original = tmp_path / "original.xlsx"
    original.write_bytes((folder / "report.xlsx").read_bytes())
    first = fill(original, tmp_path / "first.xlsx", {"purpose": ("accepted", "ok")}, reviewer="A")
    assert cli("review", "import", str(first), "--into", str(folder)).returncode == 0
    second = fill(original, tmp_path / "second.xlsx", {"wsis-scope": ("needs evidence", None)}, reviewer="B")
    assert cli("review", "import", str(second), "--into", str(folder)).returncode == 0
    by_id = {c["id"]: c for c in json.loads((folder / "results.json").read_text())["controls"]}
    assert by_id["purpose"]["review"]["reviewer"] == "A" and by_id["wsis-scope"]["review"]["reviewer"] == "B"


def test_workbook_of_another_run_is_refused(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    other = sample_result()
    other.run_id = "ffffffffffffffffffff"
    (tmp_path / "other.xlsx").write_bytes(xlsx.render(RenderContext(other)))
    reviewed = fill(tmp_path / "other.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    before = (folder / "results.json").read_bytes()
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2
    assert "belongs to run ffffffffffffffffffff" in proc.stderr and RUN_ID in proc.stderr and "Traceback" not in proc.stderr
    assert (folder / "results.json").read_bytes() == before


def test_unknown_verdict_and_missing_reviewer_are_refused(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    bad = fill(folder / "report.xlsx", tmp_path / "bad.xlsx", {"purpose": ("looks fine", None)}, reviewer="A")
    proc = cli("review", "import", str(bad), "--into", str(folder))
    assert proc.returncode == 2 and "'looks fine' is not one of" in proc.stderr
    anonymous = fill(folder / "report.xlsx", tmp_path / "anon.xlsx", {"purpose": ("accepted", None)})
    proc = cli("review", "import", str(anonymous), "--into", str(folder))
    assert proc.returncode == 2 and "--reviewer" in proc.stderr
    proc = cli("review", "import", str(anonymous), "--into", str(folder), "--reviewer", "Anne", "--date", "2026-10-06")
    assert proc.returncode == 0, proc.stderr
    review = next(c for c in json.loads((folder / "results.json").read_text())["controls"] if c["id"] == "purpose")["review"]
    assert review["reviewer"] == "Anne" and review["reviewed_at"] == "2026-10-06T00:00:00+02:00"


def test_real_identity_needs_the_key(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=False)
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2 and "--key" in proc.stderr
    key = tmp_path / "run-key" / "signer.p12"
    proc = cli("review", "import", str(reviewed), "--into", str(folder), "--key", str(key), env={PASSWORD_ENV: PASSWORD})
    assert proc.returncode == 0, proc.stderr
    assert int(verify_report_dir(folder, tmp_path / "run-key" / "signer.pem").status) == 0


def test_altered_folder_is_not_resigned(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    html = folder / "report.html"
    html.write_bytes(html.read_bytes().replace(b"fail", b"pass", 1))
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2 and "report.html" in proc.stderr and "refusing to re-sign" in proc.stderr


def test_not_a_workbook_is_refused(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    proc = cli("review", "import", str(junk), "--into", str(folder))
    assert proc.returncode == 2 and "not a readable .xlsx" in proc.stderr


def test_folder_without_results_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    folder, _ = make_folder(tmp_path, "run", demo=True)
    proc = cli("review", "import", str(folder / "report.xlsx"), "--into", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "results.json is missing" in proc.stderr


def test_evidence_snapshot_is_carried_over_and_still_covered(tmp_path):
    from hds_audit.evidence.bundle import Bundle

    result = sample_result()
    bundle_dir = tmp_path / "bundle"
    for read in result.evidence_files:
        (bundle_dir / read.path).parent.mkdir(parents=True, exist_ok=True)
        (bundle_dir / read.path).write_bytes(b"evidence " + read.path.encode())
        # the snapshot copies only the bytes that were hashed: these are
        read.sha256, read.size = hashlib.sha256(b"evidence " + read.path.encode()).hexdigest(), len(b"evidence " + read.path.encode())
    identity = init_identity(tmp_path / "key", PASSWORD.encode(), common_name="snap signer", demo=True)
    folder = tmp_path / "run"
    write_outputs(result, AuditOptions(Bundle(str(bundle_dir)), result.tenant, None, result.period, folder, identity, snapshot=True))
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    assert cli("review", "import", str(reviewed), "--into", str(folder)).returncode == 0
    assert (folder / "evidence" / "iam" / "users.json").read_bytes() == b"evidence iam/users.json"
    listed = {f["path"] for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert "evidence/iam/users.json" in listed
    assert int(verify_report_dir(folder, folder / "signer.pem").status) == 0
