"""report.xlsx: sheets, text-only cells, frozen headers, filters, colours, the verdict drop-down, the run id."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from report_fixtures import FORMULA, MARKUP, RUN_ID, SCRIPT, sample_result

from hds_audit.formats import xlsx
from hds_audit.formats.interface import RenderContext
from hds_audit.results.reviews import VERDICTS


@pytest.fixture(scope="module")
def data() -> bytes:
    return xlsx.render(RenderContext(sample_result(), signer="CH Test signer", demo=False))


@pytest.fixture(scope="module")
def wb(data):
    return load_workbook(io.BytesIO(data))


def rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def test_sheets_and_hidden_meta(wb):
    assert wb.sheetnames == ["Summary", "Root causes", "Controls", "Findings", "Evidence", "meta"]
    assert wb["meta"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb["meta"].iter_rows(values_only=True)}
    assert meta["run_id"] == RUN_ID and meta["schema"] == "hds-audit/workbook/v1"
    sheet, ref = next(iter(wb.defined_names[xlsx.RUN_ID_NAME].destinations))
    assert wb[sheet][ref.replace("$", "")].value == RUN_ID


def test_summary_shows_run_id_counts_and_review_cells(wb):
    cells = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert cells["Run id"] == RUN_ID and cells["Organisation"] == "Centre Hospitalier de Test"
    assert cells["Signed by"] == "CH Test signer"
    assert "Reviewer" in cells and "Review date" in cells
    assert cells["Controls"] == 4  # the fail column comes first


def test_evidence_strings_are_text_never_formulas(data, wb):
    findings = rows(wb["Findings"])
    objects = [r["Object"] for r in findings]
    assert FORMULA in objects and SCRIPT in objects and MARKUP in objects
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def test_one_finding_per_row_with_its_evidence(wb):
    result = sample_result()
    expected = sum(len(k.findings) for c in result.controls for k in c.checks)
    findings = [r for r in rows(wb["Findings"]) if r["Status"] != "manual"]
    assert len(findings) == expected
    row = next(r for r in findings if r["Object"] == "user07")
    assert row["Check"] == "access.register_covers_activity" and row["Status"] == "fail"
    assert row["Evidence references"].endswith("#trace_id=t7")
    waived = next(r for r in findings if r["Status"] == "waived")
    assert "waived until 2027-01-31" in waived["Waiver"]


def test_a_missing_attestation_is_a_row_saying_what_is_expected():
    from hds_audit.results.model import CheckResult
    from hds_audit.states import Status

    result = sample_result()
    control = next(c for c in result.controls if c.control.id == "workstation-safety")
    control.checks = [CheckResult("attestation.current", Status.MANUAL, [], note="no signed attestation for Workstation safety (workstation-safety) in attestations/",
                                  details={"control": "workstation-safety", "since": "2025-10-01T00:00:00+02:00", "max_age_days": 365, "attestations": []})]
    control.status = Status.MANUAL
    book = load_workbook(io.BytesIO(xlsx.render(RenderContext(result))))
    manual = [r for r in rows(book["Findings"]) if r["Control"] == "workstation-safety"]
    assert len(manual) == 1
    row = manual[0]
    assert row["Check"] == "attestation.current" and row["Status"] == "manual" and row["Object"] == "Workstation safety"
    assert row["Message"].startswith("no signed attestation for Workstation safety (workstation-safety) in attestations/. Expected: an attestation")
    assert "signed on or after 2025-10-01T00:00:00+02:00 (365 days before the end of the period)" in row["Message"]
    # every other manual check of the sample (a note, no details) has its row too
    manual_checks = [(c.control.id, k.id) for c in result.controls for k in c.checks if k.status is Status.MANUAL and not k.findings]
    assert len(manual_checks) > 1
    assert sorted(manual_checks) == sorted((r["Control"], r["Check"]) for r in rows(book["Findings"]) if r["Status"] == "manual")


def test_controls_sheet_counts_refs_and_empty_verdicts(wb):
    controls = rows(wb["Controls"])
    assert len(controls) == len(sample_result().controls)
    row = next(r for r in controls if r["Control"] == "identifiers-and-authorizations")
    assert row["Status"] == "fail" and row["Findings"] == 43 and row["Checks fail"] == 2
    assert "iam/users.json#name=x" in row["Evidence references"] and "more: see Findings" in row["Evidence references"]
    assert row["Auditor verdict"] in (None, "") and row["Auditor comment"] in (None, "")


def test_verdict_drop_down(wb):
    ws = wb["Controls"]
    header = [c.value for c in ws[1]]
    letter = ws.cell(1, header.index("Auditor verdict") + 1).column_letter
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(VERDICTS) + '"'
    assert f"{letter}2" in str(dv.sqref) and str(dv.sqref).startswith(f"{letter}2:{letter}")


def test_frozen_headers_filters_and_status_fills(wb):
    for name in ("Controls", "Findings", "Evidence"):
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
    ws = wb["Controls"]
    header = [c.value for c in ws[1]]
    col = header.index("Status") + 1
    fills = {ws.cell(r, col).value: ws.cell(r, col).fill.start_color.rgb for r in range(2, ws.max_row + 1)}
    assert fills["fail"].endswith("FBE0DF") and fills["pass"].endswith("DFF3E4") and fills["manual"].endswith("E6E8FF")


def test_evidence_sheet(wb):
    evidence = rows(wb["Evidence"])
    first = next(r for r in evidence if r["File"].startswith("traces/"))
    assert first["SHA-256"] == "a" * 64 and first["Records"] == 81234 and first["First (Europe/Paris)"] == datetime(2026, 7, 1)
    assert any(r["File"] == f"attestations/{FORMULA}.yaml" for r in evidence)
    assert any("restore_tests" in str(r["File"]) for r in evidence)


def test_control_characters_do_not_break_the_workbook():
    from hds_audit.checks.interface import Finding

    result = sample_result()
    check = next(k for c in result.controls for k in c.checks if k.findings)
    check.findings.append(Finding("bad\x00name\x1b", "message with \x07 bell"))
    wb = load_workbook(io.BytesIO(xlsx.render(RenderContext(result))))
    assert any(str(r["Object"]).startswith("bad\ufffdname") for r in rows(wb["Findings"]))


def test_existing_reviews_are_prefilled():
    result = sample_result()
    result.controls[0].review = {"verdict": "accepted", "comment": "=1+1", "reviewer": "A. Auditrice", "reviewed_at": "2026-10-05T00:00:00+02:00"}
    wb = load_workbook(io.BytesIO(xlsx.render(RenderContext(result))))
    first = rows(wb["Controls"])[0]
    assert first["Auditor verdict"] == "accepted" and first["Auditor comment"] == "=1+1"
    cells = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert cells["Reviewer"] == "A. Auditrice" and cells["Review date"] == "2026-10-05"
