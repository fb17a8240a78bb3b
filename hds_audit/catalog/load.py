"""Loading the catalog: matrix (CSV or XLSX, replaceable with --matrix), commitments, bindings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from hds_audit.catalog.contracts import contract_problems
from hds_audit.catalog.matching import DROP_FLAG, DroppedBinding, RowMatch, UnmatchedBinding, ascii_fold, closest_rule, flag, rule_key
from hds_audit.catalog.models import Binding, Control, slug
from hds_audit.paths import data_dir

MATRIX_COLUMNS = ("domain", "rule", "detail", "responsibility", "customer_responsibility", "provider_responsibility")


class CatalogError(Exception):
    """The catalog cannot be used; the message names the file, the row and the reason."""


@dataclass
class Catalog:
    controls: list[Control]
    bindings: dict[str, Binding]
    # how each matrix row got its id, by control id (`controls list --matrix` shows it)
    matches: dict[str, RowMatch] = field(default_factory=dict)
    dropped: list[DroppedBinding] = field(default_factory=list)  # bindings left out on purpose: every report lists them
    unmatched: list[UnmatchedBinding] = field(default_factory=list)  # kept only when loaded with strict=False
    matrix_name: str = "matrix.csv"

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)


def load_catalog(matrix: Path | None = None, drop: Iterable[str] = (), strict: bool = True) -> Catalog:
    """The catalog; `drop` names bindings the user leaves out on purpose (`--drop-binding`).

    With `strict`, a binding that matches no rule (and is not dropped) is a CatalogError; without,
    it is kept in `unmatched` for `controls list` to show.
    """
    folder = data_dir("controls")
    bundled, bundled_matches, _ = _rows(folder / "matrix.csv", source="matrix")
    if matrix is None:
        controls, matches, drop_rows = list(bundled), bundled_matches, []
    else:
        controls, matches, drop_rows = _rows(matrix, source="matrix", reference={rule_key(c.rule): c.id for c in bundled})
    commitments, _, _ = _rows(folder / "commitments.csv", source="commitment")
    for control in commitments:
        if control.id in matches:
            raise CatalogError(f"control id '{control.id}' appears twice (matrix and commitments must not share ids)")
    controls += commitments
    bindings = _bindings(folder / "bindings.yaml", controls)
    catalog = Catalog(controls, bindings, matches, matrix_name=(matrix or folder / "matrix.csv").name)
    wording = {c.id: c.rule for c in bundled + commitments}
    drops = {binding: f"{catalog.matrix_name} row {row}" for binding, row in drop_rows}
    for binding in drop:
        drops.setdefault(binding, DROP_FLAG)
    _match(catalog, wording, drops)
    if strict and catalog.unmatched:
        raise CatalogError(_unmatched_message(catalog))
    return catalog


def _match(catalog: Catalog, wording: dict[str, str], drops: dict[str, str]) -> None:
    """Every binding evidences a rule of the matrix in use, is dropped on purpose, or is unmatched."""
    ids = {c.id for c in catalog.controls}
    for binding, where in drops.items():
        if binding not in catalog.bindings:
            raise CatalogError(f"{where}: '{binding}' is no binding of bindings.yaml (see `hds-audit controls list`)")
        if binding in ids:
            raise CatalogError(f"{where}: binding '{binding}' matches a rule of {catalog.matrix_name}: "
                               "only a binding that matches no rule can be dropped")
    rows = [c for c in catalog.controls if c.source == "matrix"]
    unbound = [c for c in rows if c.id not in catalog.bindings] or rows
    candidates = [(c.id, c.rule, catalog.matches[c.id].row) for c in unbound]
    for binding_id, binding in catalog.bindings.items():
        if binding_id in ids:
            continue
        rule = wording.get(binding_id, binding_id)
        if binding_id in drops:
            catalog.dropped.append(DroppedBinding(binding_id, rule, tuple(binding.check_ids()), drops[binding_id]))
            continue
        near = closest_rule(binding_id, rule, candidates)
        catalog.unmatched.append(UnmatchedBinding(binding_id, rule, tuple(binding.check_ids()),
                                                  near and near[0], near and near[1]))


def _unmatched_message(catalog: Catalog) -> str:
    lines = [u.message(catalog.matrix_name) for u in catalog.unmatched]
    return ("\n".join(lines) + f"\n{len(lines)} binding(s) would run no check. Give {catalog.matrix_name} an 'id' column "
            "with the binding's id on the rule's row, or drop the binding on purpose: "
            f"{DROP_FLAG} ID, or a row naming the rule with 'dropped' set to yes")


def _rows(path: Path, source: str, reference: dict[str, str] | None = None
          ) -> tuple[list[Control], dict[str, RowMatch], list[tuple[str, int]]]:
    """The controls of one file, how each row got its id, and the (id, row) of the rows marked dropped.

    `reference` (a replaced matrix only) maps the bundled rules' wording, as rule_key gives it, to their ids.
    """
    records = _read_records(path)
    controls: list[Control] = []
    matches: dict[str, RowMatch] = {}
    drop_rows: list[tuple[str, int]] = []
    domain = ""
    for number, record in records:
        record = {k: (v or "").strip() for k, v in record.items() if k}
        if source == "matrix" and record.get("source") == "commitment":
            continue  # an exported catalog re-used as --matrix: commitments come from commitments.csv
        try:
            dropped = flag(record.pop("dropped", ""), f"{path.name} row {number}")
        except ValueError as exc:
            raise CatalogError(str(exc)) from None
        missing = [c for c in (("rule",) if dropped else ("rule", "responsibility")) if not record.get(c)]
        if missing and not (dropped and record.get("id")):
            raise CatalogError(f"{path.name} row {number}: empty {', '.join(missing)}")
        how = "id"
        if not record.get("id"):
            known = (reference or {}).get(rule_key(record["rule"]))
            record["id"], how = (known, "text") if known else (slug(ascii_fold(record["rule"])), "new")
        if record["id"] in matches or record["id"] in dict(drop_rows):
            first = matches[record["id"]].row if record["id"] in matches else dict(drop_rows)[record["id"]]
            raise CatalogError(f"{path.name} rows {first} and {number}: both are control '{record['id']}' "
                               "(one id twice, or two wordings of one bundled rule)")
        if dropped:
            drop_rows.append((record["id"], number))
            continue
        domain = record.get("domain") or domain  # the seed's table leaves the domain of a group blank
        record["domain"] = domain
        record["source"] = source
        record.setdefault("section", "9.1")
        try:
            controls.append(Control.model_validate({k: v for k, v in record.items() if k in Control.model_fields}))
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise CatalogError(f"{path.name} row {number}: {reasons}") from exc
        matches[controls[-1].id] = RowMatch(controls[-1].id, number, how)
    if not controls:
        raise CatalogError(f"{path.name}: no rows")
    return controls, matches, drop_rows


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
        text = path.read_text(encoding="utf-8")
        # libyaml when installed: `controls list` reads the bindings at every start and must start fast
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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
    problems = contract_problems(text, bindings)
    if problems:
        raise CatalogError("\n".join(f"{path.name} {problem}" for problem in problems))
    # a reissued matrix may add rules: they stay visible, unbound ones are judged `manual`
    return bindings
