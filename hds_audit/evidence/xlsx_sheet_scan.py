"""What openpyxl's streaming reader does not tell about an XLSX sheet, read from the sheet's XML in one pass:
the formula cells that hold no computed value, and whether the header row has merged cells.

openpyxl reads a formula's cached value (`data_only=True`) as empty when there is none, as in a workbook a
script wrote and no spreadsheet ever recalculated: a revocation date written as a formula would vanish.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from hds_audit.evidence import limits

_LOCAL = re.compile(r"^(?:\{[^}]*\})?")


class TooLarge(ValueError):
    """The workbook unzips past limits.FILE_MAX_BYTES."""


def scan(data: bytes, sheet) -> tuple[set[tuple[int, int]], bool]:
    """(row, column) of every formula cell without a computed value, and whether a merged range touches row 1."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
        reason = limits.too_large(unzipped, limits.FILE_MAX_BYTES, "HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES",
                                  "the workbook unzips to")
        if reason:  # a zip bomb, or a sheet far past any register
            raise TooLarge(reason)
        # the path of the first sheet, as openpyxl's reader resolved it from the workbook's relationships
        path = sheet._worksheet_path  # noqa: SLF001
        with archive.open(path) as source:
            if not _mentions_formulas_or_merges(source):
                return set(), False  # the common case: no XML parse at all
        with archive.open(path) as source:
            return _scan_xml(source)


_WORTH_PARSING = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s/>]")


def _mentions_formulas_or_merges(source, chunk: int = 1024 * 1024) -> bool:
    """Whether the sheet's XML has a formula or a merged range anywhere (a byte search, in chunks)."""
    tail = b""
    while block := source.read(chunk):
        if _WORTH_PARSING.search(tail + block):
            return True
        tail = block[-32:]
    return False


def _scan_xml(source) -> tuple[set[tuple[int, int]], bool]:
    formulas: set[tuple[int, int]] = set()
    merged_header = False
    row = column = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = _LOCAL.sub("", element.tag)
        if event == "start":
            if tag == "row":  # a row's number comes before its cells
                row = int(element.get("r") or row + 1)
                column = 0
            continue
        if tag == "c":
            where = element.get("r")
            if where:
                row, column = coordinate_to_tuple(where)
            else:  # cells without a reference follow each other
                column += 1
            children = {_LOCAL.sub("", child.tag): child for child in element}
            value = children.get("v")
            if "f" in children and (value is None or not (value.text or "").strip()):
                formulas.add((row, column))
            element.clear()
        elif tag == "row":
            element.clear()
        elif tag == "mergeCell" and element.get("ref"):
            _, top, _, _ = range_boundaries(element.get("ref"))
            merged_header = merged_header or top == 1
    return formulas, merged_header
