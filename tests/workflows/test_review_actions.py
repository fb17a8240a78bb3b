"""Owner and Due date of each root cause: filled in report.xlsx (sheet Root causes), kept by
`hds-audit review import` in results.json and shown by every report; a later, emptier workbook
never erases them; a French workbook is read back alike; bad dates and unknown causes are refused."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook
from report_fixtures import sample_result
from test_review import cli, fill, make_folder

from hds_audit.formats import xlsx


def fill_actions(src, dst, owners: dict[int, tuple[object, object]]):
    """Owner and Due date on the given data rows (2 = first root cause) of the Root causes sheet."""
    wb = load_workbook(src)
    ws = xlsx.find_sheet(wb, "Root causes")
    header = [c.value for c in ws[1]]
    col_owner, col_due = xlsx.find_column(header, "Owner") + 1, xlsx.find_column(header, "Due date") + 1
    for row, (owner, due) in owners.items():
        ws.cell(row, col_owner).value = owner
        ws.cell(row, col_due).value = due
    wb.save(dst)
    return dst, ws.cell(2, 1).value, ws.cell(3, 1).value


def causes(folder) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads((folder / "results.json").read_text(encoding="utf-8"))["root_causes"]}


def test_owner_and_due_date_are_kept_and_shown(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    reviewed, first, second = fill_actions(folder / "report.xlsx", tmp_path / "a.xlsx",
                                           {2: ("Dr Claire Vidal, RSSI", date(2026, 11, 15)), 3: (None, "2026-12-01")})
    fill(reviewed, reviewed, {}, reviewer="Anne Auditrice", date="2026-10-05")
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 0, proc.stderr
    kept = causes(folder)
    assert kept[first]["owner"] == "Dr Claire Vidal, RSSI" and kept[first]["due"] == "2026-11-15" and kept[first]["due_set_by_owner"]
    assert "owner" not in kept[second] and kept[second]["due"] == "2026-12-01"
    assert "Dr Claire Vidal, RSSI" in (folder / "report.html").read_text(encoding="utf-8")
    wb = load_workbook(folder / "report.xlsx")
    row = next(r for r in wb["Root causes"].iter_rows(values_only=True) if r[0] == first)
    assert "Dr Claire Vidal, RSSI" in row

    # a later import of a workbook with the owner left blank keeps the owner recorded before
    again, _, _ = fill_actions(folder / "report.xlsx", tmp_path / "b.xlsx", {2: (None, None), 3: ("M. Paul Roy", None)})
    fill(again, again, {}, reviewer="Anne Auditrice", date="2026-10-06")
    proc = cli("review", "import", str(again), "--into", str(folder))
    assert proc.returncode == 0, proc.stderr
    kept = causes(folder)
    assert kept[first]["owner"] == "Dr Claire Vidal, RSSI" and kept[second]["owner"] == "M. Paul Roy"


def test_suggested_due_dates_until_an_owner_sets_one():
    document = sample_result().to_json()
    assert all(c["due_set_by_owner"] is False and c["suggested_owner"] for c in document["root_causes"])
    high = next(c for c in document["root_causes"] if c["severity"] == "high")
    assert high["due"] == "2026-10-31"  # 30 days after the period's end (2026-10-01), whatever the run's date


def test_bad_due_date_and_unknown_cause_are_refused(tmp_path):
    folder, _ = make_folder(tmp_path, "run", demo=True)
    reviewed, first, _ = fill_actions(folder / "report.xlsx", tmp_path / "bad.xlsx", {2: ("X", "next week")})
    fill(reviewed, reviewed, {}, reviewer="Anne Auditrice", date="2026-10-05")
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2 and "sheet Root causes row 2" in proc.stderr and "not a date" in proc.stderr
    wb = load_workbook(reviewed)
    wb["Root causes"].cell(2, 1).value = "rc-0000000000"
    wb["Root causes"].cell(2, 10).value = "2026-11-01"
    wb.save(reviewed)
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 2 and "rc-0000000000" in proc.stderr


def test_a_french_workbook_is_read_back(tmp_path):
    result = sample_result()
    result.language = "fr"
    folder, _ = make_folder(tmp_path, "run", demo=True, result=result)
    wb = load_workbook(folder / "report.xlsx")
    assert "Contrôles" in wb.sheetnames and "Controls" not in wb.sheetnames
    ws = wb["Contrôles"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("Avis de l'auditeur") + 1).value = "accepted"
    for row in wb["Synthèse"].iter_rows():
        if row[0].value == "Réviseur":
            row[1].value = "Anne Auditrice"
    wb.save(tmp_path / "fr.xlsx")
    reviewed, first, _ = fill_actions(tmp_path / "fr.xlsx", tmp_path / "fr.xlsx", {2: ("Dr Claire Vidal", "2026-11-20")})
    proc = cli("review", "import", str(reviewed), "--into", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert causes(folder)[first]["owner"] == "Dr Claire Vidal"
    assert '<html lang="fr">' in (folder / "report.html").read_text(encoding="utf-8")
