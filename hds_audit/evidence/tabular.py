"""Tabular evidence (CSV or XLSX) read against a contract in `evidence/contracts/*.yaml`.

great-expectations checks the structure (required values, allowed values, formats) and names
the failing rows; each value is then parsed into its type. A row with any problem is left out of
the table and reported, so checks that need it become `error` instead of concluding on less.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import sys
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from hds_audit.evidence import limits
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem, reason_of
from hds_audit.paths import data_dir
from hds_audit.calendar.instants import TimeParseError, parse_instant
from hds_audit.i18n.messages import msg, semicolons


class ColumnContract(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["string", "datetime", "bool", "enum", "int"] = "string"
    required: bool = True  # the column must be present
    nullable: bool = True  # a cell may be empty
    allowed: list[str] | None = None
    pattern: str | None = None
    lower: bool = False  # compare case-insensitively (enum values are stored lower-case)


class TableContract(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    description: str
    files: list[str]
    columns: dict[str, ColumnContract]


@cache
def load_contract(kind: str) -> TableContract:
    path = data_dir("evidence") / "contracts" / f"{kind}.yaml"
    try:
        return TableContract.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise RuntimeError(f"evidence contract {path.name} is invalid: {exc}") from exc


@dataclass
class Row:
    number: int  # row as a spreadsheet shows it (header = 1, blank rows counted)
    values: dict[str, Any]


def read_table(bundle: Bundle, kind: str, rejected: list[tuple[int, dict]] | None = None) -> Evidence[list[Row]]:
    """Read the one of the contract's files present in the bundle (the CSV or the XLSX, never both).

    `rejected`, when given, receives (row number, raw cells) of each row left out, except exact copies of a row that
    was read (they say nothing more).
    """
    contract = load_contract(kind)
    evidence: Evidence[list[Row]] = Evidence(kind)
    present = [rel for rel in contract.files if bundle.exists(rel)]
    if not present:
        evidence.absent_because(msg("none of {files} in the bundle", files=list(contract.files)))
        return evidence
    if len(present) > 1:  # which one is current cannot be told: reading either would conclude on a guess
        evidence.files.extend(r for r in (bundle.record(rel) for rel in present) if r.sha256)  # a directory has no hash
        evidence.problems.append(Problem(present[0], None, msg("two registers: {first} and {second}; keep one",
                                                                 first=present[0], second=" and ".join(present[1:]))))
        return evidence
    rel = present[0]
    try:
        header, cells, numbers = _read_cells(rel, bundle.read_bytes(rel))
    except ValueError as exc:
        evidence.problems.append(Problem(rel, None, reason_of(exc)))
        return evidence
    evidence.files.append(bundle.record(rel))
    missing = [c for c, spec in contract.columns.items() if spec.required and c not in header]
    if missing:
        evidence.problems.append(Problem(rel, "header", msg("missing column(s): {columns}", columns=missing)))
        return evidence
    bad: dict[int, list[str]] = {}
    for index, reason in _expectation_failures(cells, contract):
        bad.setdefault(index, []).append(reason)
    rows = []
    first_seen: dict[tuple, int] = {}
    read: set[tuple] = set()
    for index, record in enumerate(cells):
        values, reasons = _typed(record, contract)
        reasons = bad.get(index, []) + reasons
        key = tuple(sorted((k, str(v)) for k, v in record.items()))
        if key in first_seen:  # a copy-paste slip in a register: shown, never merged silently
            reasons.append(msg("duplicate of row {number}", number=numbers[first_seen[key]]))
        first_seen.setdefault(key, index)
        if reasons:
            evidence.problems.append(Problem(rel, f"row {numbers[index]}", semicolons(list(dict.fromkeys(reasons)))))
            if rejected is not None and key not in read:
                rejected.append((numbers[index], record))
        else:
            read.add(key)
            rows.append(Row(numbers[index], values))
    evidence.files[0].records = len(cells)
    evidence.data = rows
    return evidence


def _read_cells(rel: str, data: bytes) -> tuple[list[str], list[dict[str, str | None]], list[int]]:
    """Header, non-blank records, and the row number of each (as a spreadsheet shows it, header = 1)."""
    if rel.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(msg("not UTF-8 text (byte {byte}); save the file as UTF-8", byte=exc.start)) from exc
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    def record(header: list[str], line: list[str], number: int) -> dict:
        if len(line) != len(header):
            raise ValueError(msg("row {number} has {cells} cells, the header has {columns}", number=number, cells=len(line),
                                 columns=len(header)))
        return {h: (cell.strip() or None) for h, cell in zip(header, line)}

    try:
        header, body, numbers = _table(reader, msg("empty file (no header row)"), lambda line: not any(c.strip() for c in line), record)
    except csv.Error as exc:  # a cell over the csv module's field limit, a stray NUL...
        raise ValueError(msg("not readable as CSV near line {line}: {error}", line=reader.line_num, error=str(exc))) from exc
    return header, body, numbers


class _Refused(ValueError):
    """What is wrong with a table, said by this module (not a reading library's failure)."""


def _table(lines, empty: str, blank, record) -> tuple[list[str], list[dict], list[int]]:
    """(header, records, their row numbers) of a CSV or sheet's rows: blank rows skipped, rows counted (limits)."""
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        raise _Refused(empty)
    header = _header(first)
    body, numbers = [], []
    for number, line in enumerate(lines, start=2):
        if blank(line):
            continue
        _count_row(len(body))
        body.append(record(header, line, number))
        numbers.append(number)
    return header, body, numbers


def _header(cells) -> list[str]:
    """Column names, normalised (trimmed, lower-case); two columns of one name are refused: which one holds the
    truth cannot be told (an extra `Revoked_at ` column left empty would hide every revocation)."""
    from openpyxl.utils import get_column_letter  # lazy: openpyxl costs a CSV-only run its import

    header = [str(h).strip().lower() if h is not None else "" for h in cells]
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        if name in seen:
            raise _Refused(msg("column '{name}' appears twice in the header (columns {first} and {second}); keep one",
                               name=name, first=get_column_letter(seen[name] + 1), second=get_column_letter(index + 1)))
        seen[name] = index
    return header


def _count_row(read: int) -> None:
    if read >= limits.TABLE_MAX_ROWS:
        raise _Refused(msg("more than {limit} data rows, the limit of one table (raise HDS_AUDIT_TABLE_MAX_ROWS to read it)",
                           limit=limits.TABLE_MAX_ROWS))


def _read_xlsx(data: bytes) -> tuple[list[str], list[dict[str, str | None]], list[int]]:
    """The first sheet, streamed (read-only mode keeps memory flat whatever its size); cached values of formulas."""
    import openpyxl  # lazy: only XLSX registers pay for it
    from openpyxl.utils import get_column_letter

    from hds_audit.evidence import xlsx_sheet_scan

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        formulas, merged_header = xlsx_sheet_scan.scan(data, sheet)
    except xlsx_sheet_scan.TooLarge as exc:
        raise ValueError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl and zipfile raise many types for a bad file
        raise ValueError(msg("not a readable XLSX workbook ({error})", error=type(exc).__name__)) from exc
    if merged_header:
        raise ValueError(msg("the header row has merged cells; give each column its own header"))
    try:
        header, body, numbers = _table(sheet.iter_rows(values_only=True), msg("empty workbook (no header row)"),
                                       lambda row: all(v is None or str(v).strip() == "" for v in row),
                                       lambda header, row, _number: {h: _cell_text(v) for h, v in zip(header, row) if h})
    except _Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - a cell openpyxl cannot decode (a number cell holding text...)
        error = f"{type(exc).__name__}: {exc}"
        raise ValueError(msg("not a readable XLSX workbook ({error})", error=error)) from exc
    finally:
        book.close()
    if formulas:  # the value a script's formula would have is unknown: reading it as empty would drop a revocation
        (row, column), *more = sorted(formulas)
        name = header[column - 1] if column <= len(header) and header[column - 1] else get_column_letter(column)
        cell = f"{get_column_letter(column)}{row}"
        if more:
            raise ValueError(msg("sheet '{sheet}' row {row} column '{name}' ({cell}) holds a formula without a computed value "
                                 "({more} more such cell(s)); open and save the workbook in a spreadsheet, or write the values",
                                 sheet=sheet.title, row=row, name=name, cell=cell, more=len(more)))
        raise ValueError(msg("sheet '{sheet}' row {row} column '{name}' ({cell}) holds a formula without a computed value; "
                             "open and save the workbook in a spreadsheet, or write the values",
                             sheet=sheet.title, row=row, name=name, cell=cell))
    return header, body, numbers


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _expectation_failures(cells: list[dict], contract: TableContract) -> list[tuple[int, str]]:
    """(row index, reason) for every row great-expectations rejects."""
    if not cells:
        return []
    import pandas as pd

    frame = pd.DataFrame(cells, columns=list(contract.columns)).astype(object)
    for column, spec in contract.columns.items():
        if spec.type == "enum" or spec.lower:  # allowed values are compared case-insensitively
            frame[column] = frame[column].map(lambda v: v.lower() if isinstance(v, str) else v)
    failures: list[tuple[int, str]] = []
    for result in _validator().validate(contract, frame):
        column = result.expectation_config.kwargs["column"]
        for index in result.result.get("unexpected_index_list") or []:
            failures.append((int(index), _describe(result.expectation_config.type, column, frame.at[index, column])))
    return failures


def _describe(expectation: str, column: str, value: Any) -> str:
    if expectation == "expect_column_values_to_not_be_null":
        return msg("'{column}' is empty", column=column)
    if expectation == "expect_column_values_to_be_in_set":
        return msg("'{column}' has unknown value '{value}'", column=column, value=str(value))
    return msg("'{column}' value '{value}' has the wrong format", column=column, value=str(value))


def _typed(record: dict, contract: TableContract) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    reasons: list[str] = []
    for name, spec in contract.columns.items():
        raw = record.get(name)
        if raw is None:
            values[name] = None
            continue
        try:
            values[name] = _convert(raw, spec)
        except (TimeParseError, ValueError) as exc:
            reasons.append(msg("'{name}': {reason}", name=name, reason=reason_of(exc)))
    for name, raw in record.items():  # extra columns are kept as text
        values.setdefault(name, raw)
    return values, reasons


def _convert(raw: str, spec: ColumnContract) -> Any:
    if spec.type == "datetime":
        return parse_instant(raw)
    if spec.type == "bool":
        lowered = raw.lower()
        if lowered in ("true", "yes", "1", "oui"):
            return True
        if lowered in ("false", "no", "0", "non"):
            return False
        raise ValueError(msg("'{raw}' is not true/false", raw=raw))
    if spec.type == "int":
        return int(raw)
    return raw.lower() if spec.lower or spec.type == "enum" else raw


@contextmanager
def _without_pyspark(keep: bool):
    """great-expectations imports pyspark when installed (hds-audit[spark]); we use its pandas side only.

    Unless pyspark is in use (imported already, or `keep`: the Spark engine may be importing it in another
    thread), the whole of it is hidden while great-expectations imports: it then takes pyspark as absent,
    which saves about a quarter of its import (pyspark.ml, scipy). Otherwise pyspark.sql.connect alone is
    hidden: its import check prints to stderr and calls sys.exit(0) when `__main__` has no file
    (pytest-xdist's workers, embedding programs).
    """
    name = "pyspark.sql.connect" if keep or "pyspark" in sys.modules else "pyspark"
    hidden = name not in sys.modules
    if hidden:
        sys.modules[name] = None  # an import of it raises ImportError, which great-expectations expects
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
            yield
    finally:
        if hidden and sys.modules.get(name, 0) is None:
            del sys.modules[name]


class _Validator:
    """One quiet, in-memory great-expectations context per process (its import costs seconds)."""

    def __init__(self, keep_pyspark: bool = False) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with _without_pyspark(keep_pyspark):
            import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("evidence")
        self.batches: dict[str, Any] = {}

    def validate(self, contract: TableContract, frame) -> list:
        gx = self.gx
        if contract.kind not in self.batches:
            asset = self.source.add_dataframe_asset(contract.kind)
            self.batches[contract.kind] = asset.add_batch_definition_whole_dataframe("all")
        batch = self.batches[contract.kind].get_batch(batch_parameters={"dataframe": frame})
        suite = gx.ExpectationSuite(name=contract.kind)
        for column, spec in contract.columns.items():
            if not spec.nullable:
                suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=column))
            if spec.allowed is not None:
                suite.add_expectation(gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=spec.allowed))
            if spec.pattern is not None:
                suite.add_expectation(gx.expectations.ExpectColumnValuesToMatchRegex(column=column, regex=spec.pattern))
        return list(batch.validate(suite, result_format="COMPLETE").results)


_VALIDATOR: _Validator | None = None
_VALIDATOR_LOCK = threading.Lock()


def _validator(keep_pyspark: bool = False) -> _Validator:
    global _VALIDATOR
    with _VALIDATOR_LOCK:  # warm_up() may be building it in another thread
        if _VALIDATOR is None:
            _VALIDATOR = _Validator(keep_pyspark)
        return _VALIDATOR


def warm_up(after: threading.Event | None = None, spark: bool = False) -> threading.Thread:
    """Import great-expectations in the background (it takes seconds) while a trace scan runs.

    With `after`, the import waits for that event: an import holds Python's lock, and started while the
    trace files are still listed and sniffed in Python it would hold up the scan instead of hiding behind it.
    `spark`: the run reads traces on Spark, which may import pyspark meanwhile (it is then not hidden).
    """
    def run() -> None:
        if after is not None:
            after.wait(timeout=60)
        _validator(spark)

    thread = threading.Thread(target=run, name="hds-audit-ge-warm-up", daemon=True)
    thread.start()
    return thread
