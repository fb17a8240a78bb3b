"""report.xlsx's cells: text never a formula, real dates, status colours, the header band; each style
built once per workbook (hds_audit/formats/xlsx.py and its Root causes sheet share them)."""

from __future__ import annotations

from typing import Any

from hds_audit.calendar.instants import PARIS
from hds_audit.formats.digest import status_word
from hds_audit.formats.interface import visible_bidi
from hds_audit.formats.pdf_style import wording

DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32000  # Excel holds at most 32 767 characters in a cell
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def put(ws, row: int, column: int, value: Any, bold: bool = False, wrap: bool = False, fill: str | None = None):
    """Write one cell; a string is always text (data_type "s"), never a formula. `fill`: a hex colour."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = visible_bidi(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))  # control characters are not allowed in XML
        cell.value = text[:MAX_CELL] + ("…" if len(text) > MAX_CELL else "")
        cell.data_type = "s"
    else:
        cell.value = value
    if bold or wrap or fill:
        styled(cell, ("put", bold, wrap, fill), lambda c: _put_style(c, bold, wrap, fill))
    return cell


def _put_style(cell, bold: bool, wrap: bool, fill: str | None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)


def styled(cell, key: tuple, apply) -> None:
    """Give a new cell the style `key`, built once per workbook by `apply(cell)` and copied after: openpyxl
    compares and hashes each new Font, Fill or Alignment against the workbook's lists, which cost most of a
    large workbook's time when done cell by cell."""
    from copy import copy

    cache = cell.parent.parent.__dict__.setdefault("_hds_audit_styles", {})
    style = cache.get(key)
    if style is None:
        apply(cell)
        cache[key] = copy(cell._style)
    else:
        cell._style = copy(style)


def put_time(ws, row: int, column: int, instant):
    """A real Excel date-time (sortable, filterable), in Europe/Paris local time, to the second."""
    cell = ws.cell(row=row, column=column)
    if instant is not None:
        cell.value = instant.astimezone(PARIS).replace(tzinfo=None, microsecond=0)
        styled(cell, ("time",), lambda c: setattr(c, "number_format", TIME_FORMAT))
    return cell


def put_date(ws, row: int, column: int, day, fill: str | None = None):
    """A real Excel date (a due date), or an empty cell to fill in."""
    cell = ws.cell(row=row, column=column)
    if day is not None:
        cell.value = day

    def apply(c):
        if day is not None:
            c.number_format = DATE_FORMAT
        _put_style(c, False, False, fill)

    if day is not None or fill:
        styled(cell, ("date", day is not None, fill), apply)
    return cell


def _fill(status: str):
    from openpyxl.styles import Fill, PatternFill

    entry = wording()["statuses"].get(status)
    if not entry:
        return Fill()
    return PatternFill("solid", start_color=entry["fill"].lstrip("#").upper(), end_color=entry["fill"].lstrip("#").upper())


def status_cell(ws, row: int, column: int, status: str):
    cell = put(ws, row, column, status_word(status))

    def apply(c):
        from openpyxl.styles import Font

        c.fill = _fill(status)
        entry = wording()["statuses"].get(status)
        if entry:
            c.font = Font(bold=True, color=entry["ink"].lstrip("#").upper())

    styled(cell, ("status", status), apply)
    return cell


def table(ws, headers: list[str], widths: list[float]) -> None:
    """Header row in bold on a shaded band, frozen, with column widths."""
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    band = PatternFill("solid", start_color="F2F4F8", end_color="F2F4F8")
    for i, (label, width) in enumerate(zip(headers, widths), start=1):
        put(ws, 1, i, label, bold=True).fill = band
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def filter_rows(ws, columns: int, rows: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"
