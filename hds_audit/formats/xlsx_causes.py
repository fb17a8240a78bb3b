"""report.xlsx, sheet "Root causes": the action plan. One row per root cause (contract §5): what is
wrong, the controls it stops, what to do, and the Owner and Due date an officer fills in;
`hds-audit review import` keeps those two in results.json and every report shows them.

Also the page setup every sheet shares, so a printed or PDF-exported workbook reads well.
"""

from __future__ import annotations

from hds_audit.formats import digest
from hds_audit.i18n import _

SHEET = "Root causes"
# column keys review import reads (hds_audit/workflows/review.py), in the header's English form
ID_HEADER, OWNER_HEADER, DUE_HEADER = "Root cause id", "Owner", "Due date"
ENTRY_FILL = "FFF8DC"  # cells a person fills in, as the Summary's Reviewer cell


def headers() -> list[str]:
    return [_(ID_HEADER), _("Severity"), _("Status"), _("Object"), _("What is wrong"), _("Related findings"), _("Controls"),
            _("What to do"), _(OWNER_HEADER), _(DUE_HEADER)]


def write(ws, result) -> None:
    from hds_audit.formats.xlsx_cells import filter_rows, put, put_date, status_cell, table

    table(ws, headers(), [16, 10, 10, 30, 70, 14, 50, 50, 24, 14])
    titles = {c.control.id: c.control.rule for c in result.controls}
    row = 1
    for row, action in enumerate(result.planned_actions(), start=2):
        cause = action.cause
        words = digest.cause_text(cause)
        put(ws, row, 1, cause.id)
        put(ws, row, 2, digest.severity_label(cause.severity))
        status_cell(ws, row, 3, cause.status.value)
        put(ws, row, 4, cause.object, wrap=True)
        put(ws, row, 5, words.message, wrap=True)
        put(ws, row, 6, cause.related)
        put(ws, row, 7, "\n".join(f"{cid} — {titles.get(cid, cid)}" for cid in cause.controls), wrap=True)
        put(ws, row, 8, digest.advice_label(action), wrap=True)
        put(ws, row, 9, action.owner or "", fill=ENTRY_FILL)
        put_date(ws, row, 10, action.due if action.due_set else None, fill=ENTRY_FILL)
    filter_rows(ws, len(headers()), row)


def print_setup(ws, landscape: bool = True, one_page: bool = False) -> None:
    """A4, fit to the page width (and to one page for the Summary), header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as needed
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    if not one_page:
        ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "&A — &P / &N"
