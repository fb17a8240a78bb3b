"""Loading the catalog: matrix (CSV or XLSX, replaceable with --matrix), commitments, bindings."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from hds_audit.catalog.models import Binding, Control, slug
from hds_audit.paths import data_dir

MATRIX_COLUMNS = ("domain", "rule", "detail", "responsibility", "customer_responsibility", "provider_responsibility")


class CatalogError(Exception):
    """The catalog cannot be used; the message names the file, the row and the reason."""


@dataclass
class Catalog:
    controls: list[Control]
    bindings: dict[str, Binding]

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)


def load_catalog(matrix: Path | None = None) -> Catalog:
    folder = data_dir("controls")
    controls = _rows(matrix or folder / "matrix.csv", source="matrix")
    controls += _rows(folder / "commitments.csv", source="commitment")
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            raise CatalogError(f"control id '{control.id}' appears twice (matrix and commitments must not share ids)")
        seen.add(control.id)
    bindings = _bindings(folder / "bindings.yaml", controls)
    return Catalog(controls, bindings)


def _rows(path: Path, source: str) -> list[Control]:
    records = _read_records(path)
    controls: list[Control] = []
    domain = ""
    for number, record in records:
        record = {k: (v or "").strip() for k, v in record.items() if k}
        if source == "matrix" and record.get("source") == "commitment":
            continue  # an exported catalog re-used as --matrix: commitments come from commitments.csv
        missing = [c for c in ("rule", "responsibility") if not record.get(c)]
        if missing:
            raise CatalogError(f"{path.name} row {number}: empty {', '.join(missing)}")
        domain = record.get("domain") or domain  # the seed's table leaves the domain of a group blank
        record["domain"] = domain
        record["id"] = record.get("id") or slug(record["rule"])
        record["source"] = source
        record.setdefault("section", "9.1")
        try:
            controls.append(Control.model_validate({k: v for k, v in record.items() if k in Control.model_fields}))
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise CatalogError(f"{path.name} row {number}: {reasons}") from exc
    if not controls:
        raise CatalogError(f"{path.name}: no rows")
    return controls


def _read_records(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror})") from exc
    if path.suffix.lower() == ".xlsx":
        header, rows = _xlsx(path, data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CatalogError(f"{path.name}: not UTF-8 text") from exc
        lines = list(csv.reader(io.StringIO(text)))
        if not lines:
            raise CatalogError(f"{path.name}: empty file")
        header, rows = lines[0], lines[1:]
    header = [_column(h) for h in header]
    missing = [c for c in MATRIX_COLUMNS if c not in header]
    if missing:
        raise CatalogError(f"{path.name} header: missing column(s) {', '.join(missing)}")
    return [(n, dict(zip(header, row))) for n, row in enumerate(rows, start=2) if any((c or "").strip() for c in row)]


def _column(name: str | None) -> str:
    return slug(name or "").replace("-", "_")


def _xlsx(path: Path, data: bytes) -> tuple[list, list]:
    import openpyxl

    try:
        sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001
        raise CatalogError(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__})") from exc
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if not rows:
        raise CatalogError(f"{path.name}: empty workbook")
    return rows[0], rows[1:]


def _bindings(path: Path, controls: list[Control]) -> dict[str, Binding]:
    try:
        # libyaml when installed: `controls list` reads the bindings at every start and must start fast
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path.name}: {exc}") from exc
    raw = (document or {}).get("bindings") if isinstance(document, dict) else None
    if not isinstance(raw, dict):
        raise CatalogError(f"{path.name}: expected a 'bindings:' mapping of control id to evidence")
    bindings: dict[str, Binding] = {}
    for control_id, value in raw.items():
        try:
            bindings[control_id] = Binding.model_validate(value or {})
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'binding'}: {e['msg']}" for e in exc.errors())
            raise CatalogError(f"{path.name} binding '{control_id}': {reasons}") from exc
    # a reissued matrix may add rules: they stay visible, unbound ones are judged `manual`
    return bindings
