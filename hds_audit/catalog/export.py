"""The catalog as a workbook: the matrix's columns (re-importable with --matrix) and the bindings."""

from __future__ import annotations

from pathlib import Path

from hds_audit.catalog.load import MATRIX_COLUMNS, Catalog


def export_xlsx(catalog: Catalog, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Controls"
    header = ["id", *MATRIX_COLUMNS, "section", "source", "checks", "attestation", "provider", "dropped"]
    sheet.append(header)
    rows = []
    for control in catalog.controls:
        binding = catalog.bindings.get(control.id)
        rows.append([control.id, *(getattr(control, c) for c in MATRIX_COLUMNS), control.section, control.source,
                     ", ".join(r.id for r in binding.checks) if binding else "",
                     "yes" if binding and binding.attestation else "", "yes" if binding and binding.provider else ""])
    # bindings dropped on purpose stay dropped when the workbook is used as --matrix again
    rows += [[d.binding, "", d.rule, *[""] * 6, ", ".join(d.checks), "", "", "yes"] for d in catalog.dropped]
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEFGHIJKLM", (34, 24, 34, 40, 12, 60, 60, 8, 10, 40, 10, 10, 8)):
        sheet.column_dimensions[column].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
