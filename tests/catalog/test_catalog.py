"""The control catalog: the seed's 34 matrix rows, the commitments, bindings, and --matrix replacement."""

import csv

import pytest
from click.testing import CliRunner

from hds_audit.catalog import CatalogError, load_catalog
from hds_audit.checks.registry import CONTRACT_CHECKS
from hds_audit.cli import cli
from hds_audit.paths import data_dir


def test_matrix_has_34_rules_with_seed_responsibilities():
    catalog = load_catalog()
    matrix = [c for c in catalog.controls if c.source == "matrix"]
    assert len(matrix) == 34
    by_rule = {c.rule: c for c in matrix}
    assert by_rule["Places of accommodation"].responsibility == "provider"
    assert by_rule["Backup security"].responsibility == "customer"
    assert by_rule["Workstation safety"].responsibility == "shared"
    assert by_rule["Workstation safety"].domain == "Working post"
    # carried-down domain and an empty detail where the seed has none
    assert by_rule["Individuals' consent to access data"].domain == "Respect for the rights of individuals"
    assert by_rule["Individuals' consent to access data"].detail == ""


def test_commitments_cite_their_sections():
    sections = {c.section for c in load_catalog().controls if c.source == "commitment"}
    assert {"3.3", "4.4", "6.2.4", "6.9.2", "6.11.1", "7.3.1", "7.7.3", "7.7.6.1", "8.2"} <= sections


def test_every_control_bound_and_every_contract_check_used():
    catalog = load_catalog()
    assert {c.id for c in catalog.controls} == set(catalog.bindings)
    used = {ref.id for c in catalog.controls for ref in catalog.bindings[c.id].check_refs(c)}
    assert set(CONTRACT_CHECKS) <= used


def _write_matrix(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["domain", "rule", "detail", "responsibility", "customer_responsibility", "provider_responsibility"])
        writer.writeheader()
        writer.writerows(rows)


def test_replacement_matrix_without_ids(tmp_path):
    path = tmp_path / "matrix.csv"
    _write_matrix(path, [
        {"domain": "Backup", "rule": "Backup security", "detail": "", "responsibility": "Customer", "customer_responsibility": "x", "provider_responsibility": "N/A"},
        {"domain": "", "rule": "Brand new rule", "detail": "", "responsibility": "The Provider", "customer_responsibility": "N/A", "provider_responsibility": "y"},
    ])
    with pytest.raises(CatalogError, match="33 binding"):  # the 33 bound rules it leaves out are no silent drop
        load_catalog(path)
    catalog = load_catalog(path, strict=False)
    new = catalog.get("brand-new-rule")
    assert new is not None and new.domain == "Backup" and new.responsibility == "provider"
    assert "brand-new-rule" not in catalog.bindings  # shown, judged manual
    assert catalog.get("backup-security") is not None and catalog.matches["backup-security"].how == "text"


def test_malformed_matrix_names_file_row_and_reason(tmp_path):
    path = tmp_path / "matrix.csv"
    _write_matrix(path, [{"domain": "Backup", "rule": "Backup security", "responsibility": "Sometimes"}])
    with pytest.raises(CatalogError, match=r"matrix.csv row 2: responsibility"):
        load_catalog(path)
    path.write_text("rule,responsibility\nx,Customer\n")
    with pytest.raises(CatalogError, match="missing column"):
        load_catalog(path)


def test_xlsx_export_round_trips_as_matrix(tmp_path):
    out = tmp_path / "catalog.xlsx"
    result = CliRunner().invoke(cli, ["controls", "export", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    catalog = load_catalog(out)  # the exported workbook is a valid --matrix
    assert [c.id for c in catalog.controls] == [c.id for c in load_catalog().controls]


def test_controls_list_and_show():
    runner = CliRunner()
    listing = runner.invoke(cli, ["controls", "list"])
    assert listing.exit_code == 0
    assert "places-of-accommodation" in listing.output and "sd-3.3-support-plan" in listing.output
    lines = listing.output.splitlines()  # not a terminal: tab-separated, a header then one line per control
    assert lines[0].split("\t") == ["id", "domain", "rule", "responsibility", "evidenced by"]
    assert len(lines) == 1 + len(load_catalog().controls) and all(len(line.split("\t")) == 5 for line in lines)
    shown = runner.invoke(cli, ["controls", "show", "backup-security"])
    assert shown.exit_code == 0 and "customer" in shown.output and "backup.encrypted" in shown.output
    missing = runner.invoke(cli, ["controls", "show", "nope"], standalone_mode=False)
    assert missing.exit_code != 0 or missing.exception


def test_bundled_data_is_found():
    assert (data_dir("controls") / "matrix.csv").is_file()
