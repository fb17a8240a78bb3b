"""`report.xlsx`: the auditor's workbook (openpyxl).

Sheets: Summary (with the Reviewer and Review date cells the auditor fills in), Controls (the
matrix row, status, counts, evidence references, then "Auditor verdict" with a drop-down and
"Auditor comment"), Findings (one row each, with its stable Finding id and the same two auditor
columns), Evidence (files, hashes, records, time covered), and a
hidden sheet `meta` holding the run id, also reachable through the defined name `hds_audit_run_id`:
`hds-audit review import` refuses a workbook whose run id is not the folder's.

Every string is written as text, never as a formula: an account named `=HYPERLINK(...)` in the
evidence must not become a live link in the auditor's spreadsheet.
"""

from __future__ import annotations

import io
from typing import Any

from hds_audit.formats.interface import RenderContext, natural_key, to_seconds, visible_bidi
from hds_audit.formats.pdf_style import wording
from hds_audit.states import SEVERITY
from hds_audit.timeutil import PARIS, iso

FILENAME = "report.xlsx"
META_SHEET = "meta"
RUN_ID_NAME = "hds_audit_run_id"
WORKBOOK_SCHEMA = "hds-audit/workbook/v1"
CONTROL_HEADERS = ("Control", "Domain", "Rule", "Responsibility", "Section", "Status")
MAX_REFS = 20  # evidence references listed per control; the Findings sheet has all of them
MAX_CELL = 32000  # Excel holds at most 32 767 characters in a cell
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
ZONE = "Europe/Paris"  # Excel dates carry no offset: every time cell is local time there, and its label says so

STATES = [s.value for s in SEVERITY]


def render(ctx: RenderContext) -> bytes:
    from openpyxl import Workbook

    result = ctx.result
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _summary(summary, ctx)
    _controls(wb.create_sheet("Controls"), result)
    _findings(wb.create_sheet("Findings"), result)
    _evidence(wb.create_sheet("Evidence"), result)
    if ctx.extras.get("comparison"):
        _changes(wb.create_sheet("Changes"), ctx.extras["comparison"])
    _meta(wb.create_sheet(META_SHEET), ctx)
    wb.properties.creator = "hds-audit"
    wb.properties.title = f"HDS audit {result.tenant.name} {result.period.label}"
    wb.properties.identifier = result.run_id
    if result.generated_at is not None:
        wb.properties.created = result.generated_at.astimezone(_utc()).replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _utc():
    from datetime import timezone

    return timezone.utc


# -- cells ----------------------------------------------------------------------------------------

def put(ws, row: int, column: int, value: Any, bold: bool = False, wrap: bool = False):
    """Write one cell; a string is always text (data_type "s"), never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = visible_bidi(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))  # control characters are not allowed in XML
        cell.value = text[:MAX_CELL] + ("…" if len(text) > MAX_CELL else "")
        cell.data_type = "s"
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def put_time(ws, row: int, column: int, instant):
    """A real Excel date-time (sortable, filterable), in Europe/Paris local time, to the second."""
    cell = ws.cell(row=row, column=column)
    if instant is not None:
        cell.value = instant.astimezone(PARIS).replace(tzinfo=None, microsecond=0)
        cell.number_format = TIME_FORMAT
    return cell


def _fill(status: str):
    from openpyxl.styles import Fill, PatternFill

    entry = wording()["statuses"].get(status)
    if not entry:
        return Fill()
    return PatternFill("solid", start_color=entry["fill"].lstrip("#").upper(), end_color=entry["fill"].lstrip("#").upper())


def status_cell(ws, row: int, column: int, status: str):
    from openpyxl.styles import Font

    cell = put(ws, row, column, status)
    cell.fill = _fill(status)
    entry = wording()["statuses"].get(status)
    if entry:
        cell.font = Font(bold=True, color=entry["ink"].lstrip("#").upper())
    return cell


def _table(ws, headers: list[str], widths: list[float]) -> None:
    """Header row in bold on a shaded band, frozen, with column widths."""
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    band = PatternFill("solid", start_color="F2F4F8", end_color="F2F4F8")
    for i, (label, width) in enumerate(zip(headers, widths), start=1):
        put(ws, 1, i, label, bold=True).fill = band
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def _filter(ws, columns: int, rows: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"


# -- sheets ---------------------------------------------------------------------------------------

def _summary(ws, ctx: RenderContext) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    result = ctx.result
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 70
    for col in "CDEFG":
        ws.column_dimensions[col].width = 14
    put(ws, 1, 1, "HDS audit — auditor workbook").font = Font(bold=True, size=14)
    pairs = [
        ("Organisation", result.tenant.name), ("Tenant", result.tenant.tenant_id),
        ("Period", result.period.label), (f"Period start ({ZONE})", result.period.start),
        (f"Period end, excluded ({ZONE})", result.period.end), (f"Generated ({ZONE})", result.generated_at),
        ("Run id", result.run_id), ("Signed by", ctx.signer or "not signed"),
    ]
    row = 3
    for label, value in pairs:
        put(ws, row, 1, label, bold=True)
        if label.endswith(f"({ZONE})"):
            put_time(ws, row, 2, value).alignment = Alignment(horizontal="left")
        else:
            put(ws, row, 2, value)
        row += 1
    if ctx.demo:
        put(ws, row, 1, "DEMO", bold=True)
        put(ws, row, 2, "signed with a throwaway identity: not evidence for an audit").font = Font(bold=True, color="A1231D")
        row += 1
    from hds_audit.results.reviews import headline

    disagreement = headline(result)
    if disagreement:
        put(ws, row, 1, "Auditor", bold=True)
        put(ws, row, 2, disagreement, wrap=True).font = Font(bold=True, color="A1231D")
        row += 1
    row += 1
    put(ws, row, 1, "Status", bold=True)
    for i, state in enumerate(STATES, start=2):
        status_cell(ws, row, i, state)
    for label, counts in (("Controls", result.summary()), ("Checks", result.check_summary())):
        row += 1
        put(ws, row, 1, label, bold=True)
        for i, state in enumerate(STATES, start=2):
            put(ws, row, i, counts[state])
    row += 2
    put(ws, row, 1, "Review", bold=True).font = Font(bold=True, size=12)
    row += 1
    put(ws, row, 1, "To review: fill in Reviewer and Review date below, then the Auditor verdict and Auditor comment columns of the "
                    "Controls sheet (per control) and of the Findings sheet (per finding), and run: "
                    "hds-audit review import report.xlsx --into <report folder> --trust <signer certificate>", wrap=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    ws.row_dimensions[row].height = 45
    entry = PatternFill("solid", start_color="FFF8DC", end_color="FFF8DC")
    reviews = [c.review for c in result.controls if c.review]
    last = reviews[-1] if reviews else {}
    for label, value in (("Reviewer", last.get("reviewer") or ""), ("Review date", str(last.get("reviewed_at") or "")[:10])):
        row += 1
        put(ws, row, 1, label, bold=True)
        put(ws, row, 2, value).fill = entry


def _controls(ws, result) -> None:
    from openpyxl.styles import PatternFill

    headers = list(CONTROL_HEADERS) + [f"Checks {s}" for s in STATES] + ["Findings", "Evidence references", "Auditor verdict", "Auditor comment"]
    widths = [30, 26, 40, 13, 8, 13] + [8] * len(STATES) + [9, 60, 22, 50]
    _table(ws, headers, widths)
    verdict_col = headers.index("Auditor verdict") + 1
    entry = PatternFill("solid", start_color="FFF8DC", end_color="FFF8DC")
    row = 1
    for row, c in enumerate(result.controls, start=2):
        control = c.control
        for col, value in enumerate((control.id, control.domain, control.rule, control.responsibility, control.section), start=1):
            put(ws, row, col, value, wrap=col in (2, 3))
        status_cell(ws, row, 6, c.status.value)
        for i, state in enumerate(STATES):
            put(ws, row, 7 + i, sum(1 for k in c.checks if k.status.value == state))
        findings = [f for k in c.checks for f in k.findings]
        put(ws, row, 7 + len(STATES), len(findings))
        refs = list(dict.fromkeys(ref for f in findings for ref in f.evidence))
        text = "\n".join(refs[:MAX_REFS]) + (f"\n(+{len(refs) - MAX_REFS} more: see Findings)" if len(refs) > MAX_REFS else "")
        put(ws, row, 8 + len(STATES), text, wrap=True)
        review = c.review or {}
        put(ws, row, verdict_col, review.get("verdict") or "").fill = entry
        put(ws, row, verdict_col + 1, review.get("comment") or "", wrap=True).fill = entry
    _filter(ws, len(headers), row)
    _verdict_list(ws, verdict_col, row)


def _verdict_list(ws, column: int, last_row: int) -> None:
    """The drop-down of verdicts on a column: a typo would only be caught by `review import`."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from hds_audit.review import VERDICTS

    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1='"' + ",".join(VERDICTS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="Auditor verdict",
                                error="Choose a verdict from the list: " + ", ".join(VERDICTS))
    validation.promptTitle, validation.prompt, validation.showInputMessage = "Auditor verdict", "Choose from the list", True
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{max(last_row, 2)}")


def _findings(ws, result) -> None:
    from openpyxl.styles import PatternFill

    from hds_audit.results.ids import finding_ids

    # the last three columns are the auditor's: a verdict per finding, by its stable id (`review import`)
    headers = ["Control", "Check", "Status", "Object", "Message", "Evidence references", "Waiver",
               "Finding id", "Auditor verdict", "Auditor comment"]
    _table(ws, headers, [30, 32, 12, 30, 70, 70, 40, 34, 22, 50])
    entry = PatternFill("solid", start_color="FFF8DC", end_color="FFF8DC")
    row = 1

    def line(control_id, check_id, status, obj, message, refs=(), waiver=None, fid=None):
        nonlocal row
        row += 1
        put(ws, row, 1, control_id)
        put(ws, row, 2, check_id)
        status_cell(ws, row, 3, status)
        put(ws, row, 4, obj, wrap=True)
        put(ws, row, 5, to_seconds(message), wrap=True)
        put(ws, row, 6, "\n".join(refs), wrap=True)
        put(ws, row, 7, to_seconds(waiver or ""), wrap=True)
        if fid:
            review = result.finding_reviews.get(fid) or {}
            put(ws, row, 8, fid)
            put(ws, row, 9, review.get("verdict") or "").fill = entry
            put(ws, row, 10, review.get("comment") or "", wrap=True).fill = entry

    for c in result.controls:
        if c.unbound and not c.checks:
            line(c.control.id, "", c.status.value, c.control.rule, "no evidence is bound to this rule: a person must judge it")
        for k in c.checks:
            for fid, f in zip(finding_ids(k.id, (f.object for f in k.findings)), k.findings):
                line(c.control.id, k.id, f.status.value, f.object, f.message, f.evidence, f.waiver, fid)
            if k.status.value == "manual" and not k.findings:
                # a missing attestation has no finding, only a note: without a row the auditor sees a bare count
                line(c.control.id, k.id, "manual", c.control.rule, _expected(k))
    _filter(ws, len(headers), row)
    _verdict_list(ws, 9, row)


def _expected(check) -> str:
    """A manual check's note, and what would settle it."""
    details = check.details or {}
    note = check.note or "a person must attest this rule"
    if details.get("since") and details.get("max_age_days") is not None:
        return (f"{note}. Expected: an attestation in attestations/ naming this control, signed on or after "
                f"{details['since']} ({details['max_age_days']} days before the end of the period), whose document matches its sha256.")
    return note


def _changes(ws, comparison: dict) -> None:
    """`run --previous DIR`: new, fixed and persisting findings since that run."""
    headers = ["Change", "Check", "Object", "Status", "Previous status", "Message", "Controls"]
    _table(ws, headers, [12, 32, 30, 12, 14, 70, 40])
    row = 1
    for kind in ("new", "fixed", "persisting"):
        for item in comparison.get(kind) or []:
            row += 1
            put(ws, row, 1, kind)
            put(ws, row, 2, item.get("check"))
            put(ws, row, 3, item.get("object"), wrap=True)
            status_cell(ws, row, 4, item.get("status") or "fail")
            put(ws, row, 5, item.get("previous_status") or "")
            put(ws, row, 6, to_seconds(item.get("message")), wrap=True)
            put(ws, row, 7, ", ".join(item.get("controls") or []), wrap=True)
    _filter(ws, len(headers), row)


def _evidence(ws, result) -> None:
    headers = ["File", "SHA-256", "Size (bytes)", "Records", f"First ({ZONE})", f"Last ({ZONE})"]
    _table(ws, headers, [60, 68, 12, 10, 22, 22])
    row = 1
    for row, f in enumerate(sorted(result.evidence_files, key=lambda f: natural_key(f.path)), start=2):
        put(ws, row, 1, f.path)
        put(ws, row, 2, f.sha256)
        put(ws, row, 3, f.size)
        put(ws, row, 4, f.records)
        put_time(ws, row, 5, f.first)
        put_time(ws, row, 6, f.last)
    for kind, note in sorted(result.evidence_notes.items()):
        row += 1
        put(ws, row, 1, f"({kind}: not read)")
        put(ws, row, 2, to_seconds(note), wrap=True)
    _filter(ws, len(headers), row)


def _meta(ws, ctx: RenderContext) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    result = ctx.result
    rows = [("key", "value"), ("schema", WORKBOOK_SCHEMA), ("run_id", result.run_id), ("tenant_id", result.tenant.tenant_id),
            ("period", result.period.label), ("generated_at", iso(result.generated_at) or "")]
    for r, (key, value) in enumerate(rows, start=1):
        put(ws, r, 1, key)
        put(ws, r, 2, value)
    ws.sheet_state = "hidden"
    ws.parent.defined_names[RUN_ID_NAME] = DefinedName(RUN_ID_NAME, attr_text=f"{META_SHEET}!$B$3")
