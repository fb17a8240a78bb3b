"""Times in the human-facing reports are shown to the second; the workbook's times are real Excel
date-times in Europe/Paris local time. results.json keeps times as the evidence gives them."""

from __future__ import annotations

import io
import json
from datetime import datetime

from openpyxl import load_workbook
from report_fixtures import plain, sample_result

from hds_audit.calendar.instants import UTC
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import FileRead
from hds_audit.formats import html, pdf, xlsx
from hds_audit.formats.interface import RenderContext

PRECISE = "2026-08-20T21:14:26.526000+02:00"
SECONDS = "2026-08-20T21:14:26+02:00"


def result():
    r = sample_result()
    check = next(c for c in r.unique_checks() if c.id == "access.register_covers_activity")
    check.findings = [Finding("j.martin", f"3 action(s) with no authorization, from {PRECISE} to 2026-08-20T21:19:40.135+02:00",
                              ("traces/x.json#trace_id=t1",))]
    r.evidence_files = [FileRead("traces/x.json", "a" * 64, 10, 3, datetime(2026, 8, 20, 19, 14, 26, 526000, tzinfo=UTC),
                                 datetime(2026, 8, 20, 19, 19, 40, 135000, tzinfo=UTC))]
    return r


def test_results_json_keeps_the_fraction():
    doc = json.dumps(result().to_json())
    assert PRECISE in doc and "2026-08-20T21:14:26.526000+02:00" in doc


def test_html_shows_seconds():
    page = html.render(RenderContext(result())).decode()
    assert f"from {SECONDS} to 2026-08-20T21:19:40+02:00" in page
    assert ".526" not in page and ".135" not in page


def test_pdf_shows_seconds():
    ctx = RenderContext(result())
    text = plain(pdf.findings(ctx)) + plain(pdf.appendix(ctx))
    assert SECONDS in text and "2026-08-20T21:19:40+02:00" in text
    assert ".526" not in text and ".135" not in text


def test_xlsx_times_are_excel_datetimes_in_paris_time():
    wb = load_workbook(io.BytesIO(xlsx.render(RenderContext(result()))))
    header = [c.value for c in wb["Findings"][1]]
    col_object, col_message = header.index("Object"), header.index("Message")
    message = next(r[col_message] for r in wb["Findings"].iter_rows(values_only=True) if r[col_object] == "j.martin")
    assert SECONDS in message and ".526" not in message
    ws = wb["Evidence"]
    assert [c.value for c in ws[1]][4:6] == ["First (Europe/Paris)", "Last (Europe/Paris)"]
    first, last = ws["E2"], ws["F2"]
    assert first.value == datetime(2026, 8, 20, 21, 14, 26) and last.value == datetime(2026, 8, 20, 21, 19, 40)
    assert first.is_date and first.number_format == "yyyy-mm-dd hh:mm:ss"
    summary = {r[0].value: r[1] for r in wb["Summary"].iter_rows() if r[0].value}
    assert summary["Generated (Europe/Paris)"].value == datetime(2026, 10, 2, 9, 30)
    assert summary["Period start (Europe/Paris)"].value == datetime(2026, 7, 1)
    assert summary["Period end, excluded (Europe/Paris)"].value == datetime(2026, 10, 1)
    assert summary["Generated (Europe/Paris)"].is_date
