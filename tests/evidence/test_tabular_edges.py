"""Tabular evidence given twice (CSV and XLSX): ambiguous, so the checks that need it are `error`, naming both files."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from hds_audit.evidence import access_register, restore_tests, tickets
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

REGISTER = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}
COLUMNS = ["account", "person", "email", "role", "granted_at", "revoked_at"]


def xlsx(path, header, *rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_csv_and_xlsx_registers_make_the_checks_error(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    builder.register(REGISTER)
    xlsx(builder.root / "access_register.xlsx", COLUMNS, ["a.durand", "Alice Durand", None, "admin", "2026-01-05", None])
    results = run_checks_on(builder.root, "access.nominative_accounts", "access.credentials_not_reassigned")
    for result in results.values():
        assert result.status is Status.ERROR
        [finding] = result.findings
        assert finding.message == "two registers: access_register.csv and access_register.xlsx; keep one"
        assert finding.object == "access_register.csv"


@pytest.mark.parametrize("kind, stem", [(access_register, "access_register"), (tickets, "tickets"), (restore_tests, "restore_tests")])
def test_every_tabular_kind_refuses_two_files(builder, kind, stem):
    (builder.root / f"{stem}.csv").write_text("not,even,read\n")
    xlsx(builder.root / f"{stem}.xlsx", ["x"])
    evidence = kind.load(Bundle(str(builder.root)))
    assert evidence.data is None and not evidence.absent
    [problem] = evidence.problems
    assert problem.reason == f"two registers: {stem}.csv and {stem}.xlsx; keep one"
    assert [f.path for f in evidence.files] == [f"{stem}.csv", f"{stem}.xlsx"]  # both listed in the evidence read


def test_a_directory_beside_a_register_is_still_two_entries_and_not_hashed(builder):
    (builder.root / "access_register.csv").mkdir()
    xlsx(builder.root / "access_register.xlsx", COLUMNS)
    evidence = access_register.load(Bundle(str(builder.root)))
    assert evidence.data is None
    assert [p.reason for p in evidence.problems] == ["two registers: access_register.csv and access_register.xlsx; keep one"]
    assert [f.path for f in evidence.files] == ["access_register.xlsx"]


@pytest.mark.parametrize("name", ["access_register.csv", "access_register.xlsx"])
def test_one_register_in_either_format_is_read(builder, name):
    if name.endswith(".csv"):
        builder.register(REGISTER)
    else:
        xlsx(builder.root / name, COLUMNS, ["a.durand", "Alice Durand", None, "admin", "2026-01-05", None])
    evidence = access_register.load(Bundle(str(builder.root)))
    assert not evidence.problems and [r.values["account"] for r in evidence.data] == ["a.durand"]
    assert [f.path for f in evidence.files] == [name]


def test_no_register_is_absent_not_a_problem(builder):
    evidence = access_register.load(Bundle(str(builder.root)))
    assert evidence.absent and evidence.note == "none of access_register.csv, access_register.xlsx in the bundle"
