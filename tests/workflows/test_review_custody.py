"""`review import` as an attacker would try it, and what it keeps: a forged folder is refused, the
reviewed workbook is kept and hashed, the auditor signs the review with their own key, verdicts go
per finding too, disagreements reach every report's headline, and a run does not erase a review."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from report_fixtures import sample_result
from test_review import PASSWORD, cli, fill, make_folder

from hds_audit.formats.interface import RenderContext
from hds_audit.pipeline.publish import render_reports, seal
from hds_audit.results.ids import finding_ids
from hds_audit.signing.identity import PASSWORD_ENV, init_identity
from hds_audit.signing.verify import verify_report_dir
from hds_audit.workflows.review import load_result

KEY_ENV = {PASSWORD_ENV: PASSWORD}
AUDITOR_ENV = {"HDS_AUDIT_REVIEWER_KEY_PASSWORD": PASSWORD}


@pytest.fixture
def real(tmp_path):
    """A folder signed by the tenant's real (non-DEMO) identity; its key and certificate."""
    folder, _ = make_folder(tmp_path, "run", demo=False)
    return folder, tmp_path / "run-key" / "signer.p12", tmp_path / "run-key" / "signer.pem"


def forge(folder, tmp_path):
    """An attacker's copy: every failing control flipped to pass, re-rendered and sealed with their own key."""
    forged = tmp_path / "forged"
    shutil.copytree(folder, forged)
    document = json.loads((forged / "results.json").read_text())
    for control in document["controls"]:
        if control["status"] == "fail":
            control["status"] = "pass"
    result, _ = load_result(document)
    mallory = init_identity(tmp_path / "mallory", PASSWORD.encode(), common_name="run signer")
    render_reports(forged, RenderContext(result, signer="run signer"), mallory, reason="forged")
    seal(forged, result, mallory)
    return forged


def fill_findings(src, dst, verdicts):
    """Fill the Findings sheet's verdict columns for the given finding ids."""
    wb = load_workbook(src)
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    col_id, col_v, col_c = (header.index(h) + 1 for h in ("Finding id", "Auditor verdict", "Auditor comment"))
    for row in range(2, ws.max_row + 1):
        fid = ws.cell(row, col_id).value
        if fid in verdicts:
            ws.cell(row, col_v).value, ws.cell(row, col_c).value = verdicts[fid]
    wb.save(dst)
    return dst


def first_finding_id(result=None):
    result = result or sample_result()
    check = next(k for k in result.unique_checks() if k.findings)
    return finding_ids(check.id, [f.object for f in check.findings])[0], check


# -- 1. a forged folder is not laundered ----------------------------------------------------------

def test_a_forged_folder_is_refused_with_the_real_key(real, tmp_path):
    folder, key, cert = real
    forged = forge(folder, tmp_path)
    reviewed = fill(forged / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="Anne Auditrice")
    before = (forged / "results.json").read_bytes()
    for extra in ([], ["--trust", str(cert)]):
        proc = cli("review", "import", str(reviewed), "--into", str(forged), "--key", str(key), *extra, env=KEY_ENV)
        assert proc.returncode == 2, proc.stdout
        assert "does not chain to" in proc.stderr and "refusing to re-sign" in proc.stderr and "Traceback" not in proc.stderr
    assert (forged / "results.json").read_bytes() == before
    assert int(verify_report_dir(forged, cert).status) == 3  # still untrusted: nothing was laundered


def test_the_genuine_folder_is_accepted_with_its_key_or_trust(real, tmp_path):
    folder, key, cert = real
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="Anne Auditrice")
    proc = cli("review", "import", str(reviewed), "--into", str(folder), "--key", str(key), "--trust", str(cert), env=KEY_ENV)
    assert proc.returncode == 0, proc.stderr
    assert int(verify_report_dir(folder, cert).status) == 0


def test_a_real_folder_without_trust_or_key_is_refused(real, tmp_path):
    folder, _, _ = real
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2 and "--key" in proc.stderr


# -- 2. what the review keeps ---------------------------------------------------------------------

def test_the_workbook_is_kept_hashed_and_listed(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    reviewed = fill(folder / "report.xlsx", tmp_path / "reviewed.xlsx", {"purpose": ("accepted", "ok")}, reviewer="Anne Auditrice")
    assert cli("review", "import", str(reviewed), "--into", str(folder)).returncode == 0
    kept = folder / "review" / "review-1.xlsx"
    assert kept.read_bytes() == reviewed.read_bytes()
    record = json.loads((folder / "review" / "review-1.json").read_text())
    import hashlib

    assert record["workbook"]["sha256"] == hashlib.sha256(reviewed.read_bytes()).hexdigest()
    assert record["reviewer"] == "Anne Auditrice" and record["controls"]["purpose"] == {"verdict": "accepted", "comment": "ok"}
    listed = {f["path"] for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert {"review/review-1.xlsx", "review/review-1.json"} <= listed
    # a second import adds a second record, keeping the first
    again = fill(folder / "report.xlsx", tmp_path / "again.xlsx", {"wsis-scope": ("needs evidence", None)}, reviewer="Anne Auditrice")
    assert cli("review", "import", str(again), "--into", str(folder)).returncode == 0
    assert (folder / "review" / "review-1.xlsx").read_bytes() == reviewed.read_bytes()
    assert (folder / "review" / "review-2.json").exists()
    assert int(verify_report_dir(folder, folder / "signer.pem").status) == 0


def test_the_kept_workbook_altered_fails_verify(tmp_path):
    folder, identity = make_folder(tmp_path, "run", demo=True)
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="A")
    assert cli("review", "import", str(reviewed), "--into", str(folder)).returncode == 0
    kept = folder / "review" / "review-1.xlsx"
    kept.write_bytes(kept.read_bytes() + b"\0")
    problems = [str(p) for p in verify_report_dir(folder, folder / "signer.pem").problems]
    assert any(p.startswith("review/review-1.xlsx: altered") for p in problems), problems


def test_the_reviewer_is_the_one_the_workbook_names(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="Anne Auditrice")
    proc = cli("review", "import", str(reviewed), "--into", str(folder), "--reviewer", "Someone Else")
    assert proc.returncode == 2 and "names Anne Auditrice as reviewer" in proc.stderr


@pytest.fixture
def auditor(tmp_path):
    init_identity(tmp_path / "auditor", PASSWORD.encode(), common_name="Anne Auditrice")
    return tmp_path / "auditor" / "signer.p12", tmp_path / "auditor" / "signer.pem"


def test_the_auditor_signs_the_review_record_and_openssl_agrees(tmp_path, auditor):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    key, cert = auditor
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("rejected", "no register")}, reviewer="Anne Auditrice")
    proc = cli("review", "import", str(reviewed), "--into", str(folder), "--reviewer-key", str(key), env=AUDITOR_ENV)
    assert proc.returncode == 0, proc.stderr
    assert "signed by Anne Auditrice" in proc.stdout
    openssl = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "review/review-1.json.sig",
               "-content", "review/review-1.json", "-CAfile", str(cert), "-out", "/dev/null"]
    assert subprocess.run(openssl, cwd=folder, capture_output=True).returncode == 0
    verified = cli("verify", str(folder), "--trust", str(folder / "signer.pem"), "--reviewer-trust", str(cert))
    assert verified.returncode == 0, verified.stderr
    assert "review/review-1.json: review by Anne Auditrice, signed by Anne Auditrice" in verified.stdout
    # a stranger's certificate as --reviewer-trust: intact, but the reviewer is not trusted
    init_identity(tmp_path / "stranger", PASSWORD.encode(), common_name="Stranger")
    stranger = cli("verify", str(folder), "--trust", str(folder / "signer.pem"), "--reviewer-trust", str(tmp_path / "stranger" / "signer.pem"))
    assert stranger.returncode == 3 and "reviewer not trusted" in stranger.stderr


def test_a_verdict_changed_after_the_auditor_signed_fails_verify(tmp_path, auditor):
    """The audited party edits a verdict in results.json and re-seals with its own key: the record disagrees."""
    folder, identity = make_folder(tmp_path, "run", demo=False)
    key, _ = auditor
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("rejected", "no register")}, reviewer="Anne Auditrice")
    proc = cli("review", "import", str(reviewed), "--into", str(folder), "--key", str(tmp_path / "run-key" / "signer.p12"),
               "--reviewer-key", str(key), env=KEY_ENV | AUDITOR_ENV)
    assert proc.returncode == 0, proc.stderr
    document = json.loads((folder / "results.json").read_text())
    next(c for c in document["controls"] if c["id"] == "purpose")["review"]["verdict"] = "accepted"
    result, _ = load_result(document)
    render_reports(folder, RenderContext(result), identity, reason="edited")
    seal(folder, result, identity)
    problems = [str(p) for p in verify_report_dir(folder, tmp_path / "run-key" / "signer.pem").problems]
    assert any("control purpose: verdict 'accepted' is not the one review/review-1.json states ('rejected')" in p for p in problems), problems
    # and an edited record breaks the auditor's signature
    record = folder / "review" / "review-1.json"
    record.write_bytes(record.read_bytes().replace(b'"rejected"', b'"accepted"'))
    seal(folder, result, identity)
    problems = [str(p) for p in verify_report_dir(folder, tmp_path / "run-key" / "signer.pem").problems]
    assert any(p.startswith("review/review-1.json.sig: the reviewer's signature check failed") for p in problems), problems


# -- verdicts per finding, and the headline -------------------------------------------------------

def test_verdicts_per_finding_by_id(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    fid, check = first_finding_id()
    reviewed = fill(folder / "report.xlsx", tmp_path / "a.xlsx", {}, reviewer="Anne Auditrice")
    reviewed = fill_findings(reviewed, tmp_path / "r.xlsx", {fid: ("rejected", "this account is a service account")})
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "0 control(s) and 1 finding(s)" in proc.stdout
    review = json.loads((folder / "results.json").read_text())["finding_reviews"][fid]
    assert review["verdict"] == "rejected" and review["check"] == check.id and review["object"] == check.findings[0].object
    # the workbook shows it back on every row of that finding
    ws = load_workbook(folder / "report.xlsx")["Findings"]
    header = [c.value for c in ws[1]]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("Finding id")] == fid]
    assert rows and all(r[header.index("Auditor verdict")] == "rejected" for r in rows)
    assert int(verify_report_dir(folder, folder / "signer.pem").status) == 0


def test_an_unknown_or_contradicted_finding_verdict_is_refused(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    base = fill(folder / "report.xlsx", tmp_path / "a.xlsx", {}, reviewer="A")
    wb = load_workbook(base)
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    col_id, col_v = header.index("Finding id") + 1, header.index("Auditor verdict") + 1
    ws.cell(2, col_id).value, ws.cell(2, col_v).value = "trace.continuity/0000000000", "accepted"
    wb.save(tmp_path / "unknown.xlsx")
    proc = cli("review", "import", str(tmp_path / "unknown.xlsx"), "--into", str(folder))
    assert proc.returncode == 2 and "finding id(s) this run does not have: trace.continuity/0000000000" in proc.stderr
    # a finding shown under two controls, given two verdicts
    wb = load_workbook(base)
    ws = wb["Findings"]
    ids = [ws.cell(r, col_id).value for r in range(2, ws.max_row + 1)]
    twice = next(f for f in ids if f and ids.count(f) > 1)
    first, second = [i + 2 for i, f in enumerate(ids) if f == twice][:2]
    ws.cell(first, col_v).value, ws.cell(second, col_v).value = "accepted", "rejected"
    wb.save(tmp_path / "two.xlsx")
    proc = cli("review", "import", str(tmp_path / "two.xlsx"), "--into", str(folder))
    assert proc.returncode == 2 and f"rows {first} and {second} give {twice} two different verdicts" in proc.stderr


def test_disagreements_reach_every_reports_headline(tmp_path):
    from report_fixtures import plain

    from hds_audit.formats import pdf

    folder, _ = make_folder(tmp_path, "run", demo=True)
    passing = [c["id"] for c in json.loads((folder / "results.json").read_text())["controls"] if c["status"] == "pass"][:3]
    assert len(passing) == 3
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {c: ("needs evidence", None) for c in passing}, reviewer="Anne Auditrice")
    assert cli("review", "import", str(reviewed), "--into", str(folder)).returncode == 0
    line = "The auditor disagrees with the tool on 3 controls: 3 needs evidence (reviewed by Anne Auditrice)."
    document = json.loads((folder / "results.json").read_text())
    assert document["review_disagreements"]["headline"] == line
    assert line in (folder / "report.html").read_text()
    assert line in (folder / "junit.xml").read_text()
    assert line in (folder / "oscal-assessment-results.json").read_text()
    summary = load_workbook(folder / "report.xlsx")["Summary"]
    assert any(row[1] == line for row in summary.iter_rows(values_only=True) if row[0] == "Auditor")
    result, _ = load_result(document)
    assert line in plain(pdf.cover(RenderContext(result)))


def test_run_does_not_erase_a_reviewed_folder_without_force(tmp_path):
    out = tmp_path / "reports"
    assert cli("run", "--out", str(out)).returncode in (0, 1)
    reviewed = fill(out / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("accepted", None)}, reviewer="Anne Auditrice")
    assert cli("review", "import", str(reviewed), "--into", str(out)).returncode == 0
    before = (out / "results.json").read_bytes()
    proc = cli("run", "--out", str(out))
    assert proc.returncode == 2 and "is a reviewed folder" in proc.stderr and "--force" in proc.stderr
    assert (out / "results.json").read_bytes() == before
    assert cli("run", "--out", str(out), "--force").returncode in (0, 1)
    assert not (out / "review").exists()


def test_a_stripped_or_damaged_review_is_caught(tmp_path, auditor):
    """Unsigned reviews are said unsigned (and fail --reviewer-trust); a malformed record or an orphan file fails."""
    from hds_audit.signing.identity import load_identity

    folder, _ = make_folder(tmp_path, "run", demo=False)
    key, cert = auditor
    run_key = tmp_path / "run-key" / "signer.p12"
    reviewed = fill(folder / "report.xlsx", tmp_path / "r.xlsx", {"purpose": ("rejected", None)}, reviewer="Anne Auditrice")
    assert cli("review", "import", str(reviewed), "--into", str(folder), "--key", str(run_key), env=KEY_ENV).returncode == 0
    trust = tmp_path / "run-key" / "signer.pem"
    outcome = verify_report_dir(folder, trust)
    assert outcome.status == 0 and "review/review-1.json: review by Anne Auditrice, not signed by the reviewer" in outcome.notes
    assert int(verify_report_dir(folder, trust, cert).status) == 3
    identity = load_identity(run_key, PASSWORD.encode())
    result, _ = load_result(json.loads((folder / "results.json").read_text()))
    (folder / "review" / "review-1.json").write_text(json.dumps({"schema": "hds-audit/review/v1", "controls": ["x"],
                                                               "workbook": {"path": "review/review-1.xlsx"}}))
    (folder / "review" / "review-7.xlsx").write_bytes(b"orphan")
    seal(folder, result, identity)
    problems = [str(p) for p in verify_report_dir(folder, trust).problems]
    assert "review/review-1.json: `controls` is not a map of verdicts" in problems
    assert "review/review-7.xlsx: a reviewed workbook without its review record" in problems
    assert any(p.startswith("review/review-1.xlsx: altered") for p in problems)
    assert any("verdict 'rejected' backed by no review record" in p for p in problems), problems
