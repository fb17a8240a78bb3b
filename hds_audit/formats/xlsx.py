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
from datetime import UTC

from hds_audit.calendar.instants import iso
from hds_audit.checks.details import AttestationDetails
from hds_audit.formats import xlsx_causes
from hds_audit.formats.digest import severity_label, status_word
from hds_audit.formats.interface import RenderContext, notices, to_seconds
from hds_audit.formats.xlsx_cells import filter_rows as _filter
from hds_audit.formats.xlsx_cells import put, put_time, status_cell
from hds_audit.formats.xlsx_cells import table as _table
from hds_audit.i18n import _, every_language
from hds_audit.i18n.matrix import worded_context
from hds_audit.states import SEVERITY

FILENAME = "report.xlsx"
META_SHEET = "meta"
RUN_ID_NAME = "hds_audit_run_id"
WORKBOOK_SCHEMA = "hds-audit/workbook/v1"
# the verdicts first after the control: what the tool found, then what the auditor says of it
CONTROL_HEADERS = ("Control", "Status", "Auditor verdict", "Auditor comment", "Domain", "Rule", "Responsibility", "Section")
MAX_REFS = 20  # evidence references listed per control; the Findings sheet has all of them
ZONE = "Europe/Paris"  # Excel dates carry no offset: every time cell is local time there, and its label says so

STATES = [s.value for s in SEVERITY]
ENTRY = "FFF8DC"  # the cells a person fills in


def render(ctx: RenderContext) -> bytes:
    from openpyxl import Workbook

    ctx = worded_context(ctx)  # the matrix's texts in the report's language
    result = ctx.result
    wb = Workbook()
    summary = wb.active
    summary.title = _("Summary")
    _summary(summary, ctx)
    xlsx_causes.write(wb.create_sheet(_(xlsx_causes.SHEET)), result)
    _controls(wb.create_sheet(_("Controls")), result)
    _findings(wb.create_sheet(_("Findings")), result)
    _evidence(wb.create_sheet(_("Evidence")), result)
    if ctx.extras.get("comparison"):
        _changes(wb.create_sheet(_("Changes")), ctx.extras["comparison"])
    for ws in wb.worksheets:
        xlsx_causes.print_setup(ws, landscape=ws is not summary, one_page=ws is summary)
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

    return UTC


# -- cells ----------------------------------------------------------------------------------------

def find_sheet(wb, name: str):
    """The sheet `name` (its English title) in a workbook written in any of the report languages, or None."""
    return next((wb[title] for title in every_language(name) if title in wb.sheetnames), None)


def find_column(header: list[str], name: str) -> int:
    """The index of column `name` (its English header) in a header row of any report language; ValueError if absent."""
    names = every_language(name)
    return next(i for i, label in enumerate(header) if label in names) if any(h in names for h in header) else header.index(name)


# -- sheets ---------------------------------------------------------------------------------------

def _summary(ws, ctx: RenderContext) -> None:
    from openpyxl.styles import Alignment, Font

    from hds_audit.formats import digest

    result = ctx.result
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 70
    for col in "CDEFG":
        ws.column_dimensions[col].width = 14
    put(ws, 1, 1, _("HDS audit — auditor workbook")).font = Font(bold=True, size=14)
    zone = _("({zone})", zone=ZONE)
    pairs = [
        (_("Organisation"), result.tenant.name, False), (_("Tenant"), result.tenant.tenant_id, False),
        (_("Period"), result.period.label, False), (_("Period start") + " " + zone, result.period.start, True),
        (_("Period end, excluded") + " " + zone, result.period.end, True), (_("Generated") + " " + zone, result.generated_at, True),
        (_("Run id"), result.run_id, False), (_("Signed by"), ctx.signer or _("not signed"), False),
    ]
    row = 3
    for label, value, instant in pairs:
        put(ws, row, 1, label, bold=True)
        if instant:
            put_time(ws, row, 2, value).alignment = Alignment(horizontal="left")
        else:
            put(ws, row, 2, value)
        row += 1
    if ctx.demo:
        put(ws, row, 1, "DEMO", bold=True)
        put(ws, row, 2, _("signed with a throwaway identity: not evidence for an audit")).font = Font(bold=True, color="A1231D")
        row += 1
    for word, sentence in notices(result):
        put(ws, row, 1, word, bold=True)
        put(ws, row, 2, sentence).font = Font(bold=True, color="A1231D")
        row += 1
    from hds_audit.results.reviews import headline

    disagreement = headline(result)
    if disagreement:
        put(ws, row, 1, _("Auditor"), bold=True)
        put(ws, row, 2, disagreement, wrap=True).font = Font(bold=True, color="A1231D")
        row += 1
    row += 1
    put(ws, row, 1, digest.headline(result), bold=True)  # the root causes lead here too
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    if result.root_causes():
        row += 1
        put(ws, row, 1, digest.cause_counts(result) + " " + _("See the sheet Root causes."), wrap=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.row_dimensions[row].height = 30
    row += 2
    put(ws, row, 1, _("Status"), bold=True)
    for i, state in enumerate(STATES, start=2):
        status_cell(ws, row, i, state)
    for label, counts in ((_("Controls"), result.summary()), (_("Checks"), result.check_summary())):
        row += 1
        put(ws, row, 1, label, bold=True)
        for i, state in enumerate(STATES, start=2):
            put(ws, row, i, counts[state])
    row += 2
    put(ws, row, 1, _("Review"), bold=True).font = Font(bold=True, size=12)
    row += 1
    put(ws, row, 1, _("To review: fill in Reviewer and Review date below, then the Auditor verdict and Auditor comment columns of the "
                      "Controls sheet (per control) and of the Findings sheet (per finding), and Owner and Due date on the Root "
                      "causes sheet, and run: hds-audit review import report.xlsx --into <report folder> --trust <signer certificate>"),
        wrap=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    ws.row_dimensions[row].height = 45
    reviews = [c.review for c in result.controls if c.review]
    last = reviews[-1] if reviews else {}
    for label, value in ((_("Reviewer"), last.get("reviewer") or ""), (_("Review date"), str(last.get("reviewed_at") or "")[:10])):
        row += 1
        put(ws, row, 1, label, bold=True)
        put(ws, row, 2, value, fill=ENTRY)


def _controls(ws, result) -> None:
    from hds_audit.formats.pdf import responsibility

    headers = ([_(h) for h in CONTROL_HEADERS] + [_("Checks {status}", status=status_word(s)) for s in STATES]
               + [_("Findings"), _("Evidence references")])
    widths = [30, 13, 22, 40, 26, 40, 13, 8] + [8] * len(STATES) + [9, 60]
    _table(ws, headers, widths)
    verdict_col = CONTROL_HEADERS.index("Auditor verdict") + 1
    counts = len(CONTROL_HEADERS) + 1  # the first "Checks <status>" column
    row = 1
    for row, c in enumerate(result.controls, start=2):
        control = c.control
        put(ws, row, 1, control.id)
        status_cell(ws, row, 2, c.status.value)
        review = c.review or {}
        put(ws, row, verdict_col, review.get("verdict") or "", fill=ENTRY)
        put(ws, row, verdict_col + 1, review.get("comment") or "", wrap=True, fill=ENTRY)
        for col, value in enumerate((control.domain, control.rule, responsibility(control.responsibility), control.section),
                                    start=verdict_col + 2):
            put(ws, row, col, value, wrap=True)
        for i, state in enumerate(STATES):
            put(ws, row, counts + i, sum(1 for k in c.checks if k.status.value == state))
        findings = [f for k in c.checks for f in k.findings]
        put(ws, row, counts + len(STATES), len(findings))
        refs = list(dict.fromkeys(ref for f in findings for ref in f.evidence))
        more = "\n" + _("(+{n} more: see Findings)", n=len(refs) - MAX_REFS) if len(refs) > MAX_REFS else ""
        put(ws, row, counts + len(STATES) + 1, "\n".join(refs[:MAX_REFS]) + more, wrap=True)
    _filter(ws, len(headers), row)
    _verdict_list(ws, verdict_col, row)


def _verdict_list(ws, column: int, last_row: int) -> None:
    """The drop-down of verdicts on a column: a typo would only be caught by `review import`."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from hds_audit.results.reviews import VERDICTS

    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1='"' + ",".join(VERDICTS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=_("Auditor verdict"),
                                error=_("Choose a verdict from the list: {verdicts}", verdicts=", ".join(VERDICTS)))
    validation.promptTitle, validation.prompt, validation.showInputMessage = _("Auditor verdict"), _("Choose from the list"), True
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{max(last_row, 2)}")


def _findings(ws, result) -> None:
    # the last two columns are the auditor's: a verdict per finding, by its stable id (`review import`)
    headers = [_("Control"), _("Check"), _("Status"), _("Severity"), _("Object"), _("Message"), _("Evidence references"),
               _("Waiver"), _("Finding id"), _(xlsx_causes.ID_HEADER), _("Auditor verdict"), _("Auditor comment")]
    _table(ws, headers, [30, 32, 12, 10, 30, 70, 70, 40, 34, 16, 22, 50])
    cause_of = {fid: cause.id for cause in result.root_causes() for fid, _f in cause.findings}
    row = 1

    def line(control_id, check_id, status, obj, message, refs=(), waiver=None, fid="", level=""):
        nonlocal row
        row += 1
        put(ws, row, 1, control_id)
        put(ws, row, 2, check_id)
        status_cell(ws, row, 3, status)
        put(ws, row, 4, severity_label(level) if level else "")
        put(ws, row, 5, obj, wrap=True)
        put(ws, row, 6, to_seconds(message), wrap=True)
        put(ws, row, 7, "\n".join(refs), wrap=True)
        put(ws, row, 8, to_seconds(waiver or ""), wrap=True)
        if fid:
            review = result.finding_reviews.get(fid) or {}
            put(ws, row, 9, fid)
            put(ws, row, 10, cause_of.get(fid, ""))
            put(ws, row, 11, review.get("verdict") or "", fill=ENTRY)
            put(ws, row, 12, review.get("comment") or "", wrap=True, fill=ENTRY)

    from hds_audit.results.severity import severity_of

    for c in result.controls:
        if c.unbound and not c.checks:
            line(c.control.id, "", c.status.value, c.control.rule, _("no evidence is bound to this rule: a person must judge it"))
        for k in c.checks:
            for fid, f in zip(k.finding_ids(), k.findings):
                line(c.control.id, k.id, f.status.value, f.object, f.text(), f.evidence, f.waiver_text(), fid, severity_of(k.id))
            if k.status.value == "manual" and not k.findings:
                # a missing attestation has no finding, only a note: without a row the auditor sees a bare count
                line(c.control.id, k.id, "manual", c.control.rule, _expected(k))
    _filter(ws, len(headers), row)
    _verdict_list(ws, 11, row)


def _expected(check) -> str:
    """A manual check's note, and what would settle it."""
    note = check.note_text() or _("a person must attest this rule")
    if check.id != "attestation.current":
        return note
    details = AttestationDetails.model_validate(check.details or {})
    if details.since and details.max_age_days is not None:
        return note + ". " + _("Expected: an attestation in attestations/ naming this control, signed on or after {since} "
                               "({days} days before the end of the period), whose document matches its sha256.",
                               since=details.since, days=details.max_age_days)
    return note


def _changes(ws, comparison: dict) -> None:
    """`run --previous DIR`: new, fixed and persisting findings since that run."""
    headers = [_("Change"), _("Check"), _("Object"), _("Status"), _("Previous status"), _("Message"), _("Controls")]
    _table(ws, headers, [12, 32, 30, 12, 14, 70, 40])
    from hds_audit.i18n.messages import finding_text

    kinds = {"new": _("new"), "fixed": _("fixed"), "persisting": _("persisting")}
    row = 1
    for kind, label in kinds.items():
        for item in comparison.get(kind) or []:
            row += 1
            put(ws, row, 1, label)
            put(ws, row, 2, item.get("check"))
            put(ws, row, 3, item.get("object"), wrap=True)
            status_cell(ws, row, 4, item.get("status") or "fail")
            put(ws, row, 5, status_word(item["previous_status"]) if item.get("previous_status") else "")
            put(ws, row, 6, to_seconds(finding_text(item)), wrap=True)
            put(ws, row, 7, ", ".join(item.get("controls") or []), wrap=True)
    _filter(ws, len(headers), row)


def _evidence(ws, result) -> None:
    """Every evidence file, except many trace files: one row for them all, with the digest of their listing."""
    from hds_audit.formats import evidence_listing

    zone = _("({zone})", zone=ZONE)
    headers = [_("File"), "SHA-256", _("Size (bytes)"), _("Records"), _("First") + " " + zone, _("Last") + " " + zone, _("Files")]
    _table(ws, headers, [60, 68, 12, 10, 22, 22, 9])
    row = 1
    for row, e in enumerate(evidence_listing.entries(result.evidence_files), start=2):
        put(ws, row, 1, e["path"])
        put(ws, row, 2, e["sha256"])
        put(ws, row, 3, e["size"])
        put(ws, row, 4, e["records"])
        put_time(ws, row, 5, e["first"])
        put_time(ws, row, 6, e["last"])
        put(ws, row, 7, e["files"])
    if evidence_listing.summarised(result.evidence_files):
        row += 1
        put(ws, row, 1, _("(trace files summarised)"))
        put(ws, row, 2, _("The trace files are summarised in one row: its SHA-256 is that of their sha256sum lines sorted by "
                          "path (from the bundle's root: find traces -type f | LC_ALL=C sort | xargs sha256sum | sha256sum). "
                          "The signed manifest.json (its evidence list) and results.json list every file with its SHA-256."),
            wrap=True)
    for kind, note in sorted(result.evidence_notes.items()):
        row += 1
        put(ws, row, 1, _("({kind}: not read)", kind=kind))
        put(ws, row, 2, to_seconds(note), wrap=True)
    for dropped in result.dropped:  # checks a replaced matrix left without a rule, dropped on purpose
        row += 1
        put(ws, row, 1, _("(binding {binding} dropped on purpose: {by})", binding=dropped.binding, by=dropped.by))
        put(ws, row, 2, _("checks not run: {checks}", checks=", ".join(dropped.checks)), wrap=True)
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
