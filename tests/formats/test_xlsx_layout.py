"""report.xlsx reads on screen and on paper: the verdicts right after the control, a Root causes
sheet leading the plan, and a page setup (A4, fit to width, header row repeated) on every sheet."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from report_fixtures import sample_result

from hds_audit.formats import xlsx
from hds_audit.formats.interface import RenderContext


@pytest.fixture(scope="module")
def wb():
    return load_workbook(io.BytesIO(xlsx.render(RenderContext(sample_result()))))


def test_the_verdicts_come_first_after_the_control(wb):
    header = [c.value for c in wb["Controls"][1]]
    assert header[:4] == ["Control", "Status", "Auditor verdict", "Auditor comment"]


def test_every_sheet_prints_on_a4_fitted_to_width(wb):
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        if ws.title == "Summary":
            assert ws.page_setup.fitToHeight == 1 and ws.page_setup.orientation == "portrait"
        else:
            assert ws.page_setup.fitToHeight == 0 and ws.page_setup.orientation == "landscape"
            assert ws.print_title_rows.replace("$", "") == "1:1", ws.title  # the header row on every printed page


def test_the_root_causes_sheet_is_the_action_plan(wb):
    ws = wb["Root causes"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Root cause id" and header[-2:] == ["Owner", "Due date"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    causes = sample_result().root_causes()
    assert [r[0] for r in rows] == [c.id for c in causes]
    assert all(r[-2] in (None, "") and r[-1] is None for r in rows)  # left for the officer to fill in


def test_every_finding_row_carries_its_id_severity_and_root_cause(wb):
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    failing = [r for r in rows if r["Status"] == "fail"]
    assert failing and all(r["Finding id"] and r["Severity"] in ("high", "medium", "low") and r["Root cause id"] for r in failing)
    causes = {c.id for c in sample_result().root_causes()}
    assert {r["Root cause id"] for r in failing} <= causes
