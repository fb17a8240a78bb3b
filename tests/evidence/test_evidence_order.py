"""The evidence appendix of report.html, report.pdf and report.xlsx lists paths in natural order:
digit runs compare as numbers (CTS folders 2026/6/ before 2026/10/, day 9/2 before 9/19)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from report_fixtures import plain, sample_result

from hds_audit.evidence.interface import FileRead
from hds_audit.formats import html, pdf, xlsx
from hds_audit.formats.interface import RenderContext, natural_key

T = "traces/CloudTraces/eu-west-0/2026"
NATURAL = [f"{T}/6/30/a.json.gz", f"{T}/9/2/a.json.gz", f"{T}/9/19/a.json.gz", f"{T}/10/1/a.json.gz"]


def result():
    r = sample_result()
    r.evidence_files = [FileRead(p, f"{i:064x}", 10, 1) for i, p in enumerate(sorted(NATURAL))]  # text order, as read
    return r


def test_natural_key():
    assert sorted(reversed(NATURAL), key=natural_key) == NATURAL
    assert sorted(["b10", "a", "b9", "b"], key=natural_key) == ["a", "b", "b9", "b10"]


def test_html_appendix_is_in_natural_order():
    page = html.render(RenderContext(result())).decode()
    appendix = page[page.index('id="evidence"'):]
    assert re.findall(r"traces/[^<]+", appendix) == NATURAL


def test_pdf_appendix_is_in_natural_order():
    text = plain(pdf.appendix(RenderContext(result())))
    assert sorted(NATURAL, key=text.index) == NATURAL


def test_xlsx_evidence_sheet_is_in_natural_order():
    wb = load_workbook(io.BytesIO(xlsx.render(RenderContext(result()))))
    paths = [row[0] for row in wb["Evidence"].iter_rows(min_row=2, values_only=True) if str(row[0]).startswith("traces/")]
    assert paths == NATURAL


def test_grouped_trace_folders_are_in_natural_order():
    files = [FileRead(f"{T}/{month}/{day}/f{i}.json.gz", f"{i:064x}", 1, 1) for month in (10, 6, 9) for day in (1, 2) for i in range(11)]
    entries = pdf.evidence_entries(files)
    assert [e["path"] for e in entries] == [f"{T}/6/", f"{T}/9/", f"{T}/10/"]
