"""attestation.current and attestations that name no control: never dropped without a word."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from hds_audit.states import Status

AC = "attestation.current"
PDF = b"%PDF-1.7\n% an attestation\n"


def attest(builder, name, control, signed_at="2026-08-27"):
    builder.write(f"attestations/docs/{name}.pdf", PDF)
    builder.write(f"attestations/{name}.yaml", yaml.safe_dump({
        "control": control, "statement": "Done.", "owner": "RSSI", "signed_at": signed_at,
        "document": f"attestations/docs/{name}.pdf", "sha256": hashlib.sha256(PDF).hexdigest()}))


def results(root, matrix=None, drop=()):
    from hds_audit.catalog import load_catalog
    from hds_audit.pipeline.engine import run_checks
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.calendar.period import parse_period

    bundle = Bundle(str(root))
    run = run_checks(load_catalog(matrix, drop=drop), bundle, load(bundle), parse_period("2026-Q3"), only={AC})
    return {c.control.id: r for c in run.controls for r in c.checks if r.id == AC}


def errors(result):
    return [f for f in result.findings if f.status is Status.ERROR]


def test_a_misspelt_rule_is_an_error_of_the_rule_it_resembles(builder):
    attest(builder, "ws", "Workstation safty")
    found = results(builder.root)
    ws = found["workstation-safety"]
    assert ws.status is Status.ERROR
    [finding] = errors(ws)
    assert finding.object == "attestations/ws.yaml" and finding.evidence == ("attestations/ws.yaml",)
    assert "'Workstation safty' matches no control id or rule name" in finding.message
    assert "did you mean 'Workstation safety'" in finding.message
    assert found["data-breach-notification"].status is Status.MANUAL, "the other rules are not blamed"


def test_a_misspelt_id_is_caught_too(builder):
    attest(builder, "ws", "workstation-safty")
    assert results(builder.root)["workstation-safety"].status is Status.ERROR


def test_a_name_like_no_rule_is_an_error_of_every_rule(builder):
    attest(builder, "x", "Coffee machine hygiene")
    attest(builder, "ws", "Workstation safety")
    found = results(builder.root)
    assert all(r.status is Status.ERROR for r in found.values())
    assert [f.object for f in errors(found["workstation-safety"])] == ["attestations/x.yaml"]
    assert "did you mean" not in errors(found["purpose"])[0].message


def test_close_to_a_rule_not_judged_on_attestations_is_reported_everywhere(builder):
    attest(builder, "b", "Backup securty")  # "Backup security" is judged by the backup checks
    found = results(builder.root)
    assert all(r.status is Status.ERROR for r in found.values())
    assert "did you mean 'Backup security'" in errors(found["purpose"])[0].message


@pytest.mark.parametrize("control", ["Backup security", "sd-3.3-support-plan"])
def test_naming_any_control_exactly_is_not_an_error(builder, control):
    attest(builder, "b", control)
    assert all(r.status is Status.MANUAL for r in results(builder.root).values())


def test_a_matching_attestation_next_to_a_misspelt_one(builder):
    attest(builder, "ws", "Workstation safety")
    attest(builder, "ws-old", "Work station safety")
    ws = results(builder.root)["workstation-safety"]
    assert ws.status is Status.ERROR and [f.object for f in errors(ws)] == ["attestations/ws-old.yaml"]


def test_a_replaced_matrix_rule_name_matches_its_control(builder, tmp_path):
    from hds_audit.catalog import load_catalog
    from hds_audit.catalog.export import export_xlsx

    import openpyxl

    book_path = tmp_path / "catalog.xlsx"
    export_xlsx(load_catalog(), book_path)
    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("id")].value == "workstation-safety":
            row[header.index("rule")].value = "Safety of workstations"
    book.save(book_path)
    attest(builder, "ws", "Safety of workstations")
    found = results(builder.root, matrix=book_path)
    assert found["workstation-safety"].status is Status.PASS, found["workstation-safety"].findings
    # every rule's run knows the user's matrix: the new name is no unknown control to the others
    assert found["purpose"].status is Status.MANUAL, found["purpose"].findings
    attest(builder, "ws", "workstation-safety")
    found = results(builder.root, matrix=book_path)
    assert found["workstation-safety"].status is Status.PASS and found["purpose"].status is Status.MANUAL


def user_matrix(tmp_path, rename=None, add=None, drop=None):
    """The bundled matrix.csv, with one rule renamed ({id: new rule}), one row added or one id removed."""
    import csv

    from hds_audit.paths import data_dir

    with open(data_dir("controls") / "matrix.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    rows = [r for r in rows if r["id"] != drop]
    for r in rows:
        r["rule"] = (rename or {}).get(r["id"], r["rule"])
    if add:
        rows.append({**rows[-1], "id": "", "rule": add, "domain": "Working post"})
    path = tmp_path / "my-matrix.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_old_name_of_a_rule_renamed_by_the_matrix_evidences_nothing(builder, tmp_path):
    matrix = user_matrix(tmp_path, rename={"workstation-safety": "Safety of workstations"})
    attest(builder, "ws", "Workstation safety")
    found = results(builder.root, matrix=matrix)
    ws = found["workstation-safety"]
    assert ws.status is Status.ERROR
    [finding] = errors(ws)
    assert "'Workstation safety' matches no control id or rule name" in finding.message
    assert "did you mean 'Safety of workstations'" in finding.message  # close to the id it kept
    assert found["purpose"].status is Status.MANUAL
    assert results(builder.root)["workstation-safety"].status is Status.PASS, "the bundled matrix still knows it"


def test_a_rule_added_by_the_matrix_is_a_control_an_attestation_may_name(builder, tmp_path):
    matrix = user_matrix(tmp_path, add="Badge access to the server room")
    attest(builder, "badge", "Badge access to the server room")
    found = results(builder.root, matrix=matrix)
    assert "badge-access-to-the-server-room" not in found, "an unbound rule runs no attestation check"
    assert all(r.status is Status.MANUAL for r in found.values()), [errors(r) for r in found.values() if errors(r)]
    # the same attestation against the bundled matrix names nothing
    assert results(builder.root)["purpose"].status is Status.ERROR


def test_a_rule_removed_by_the_matrix_is_no_longer_a_control(builder, tmp_path):
    matrix = user_matrix(tmp_path, drop="purpose")
    attest(builder, "p", "Purpose")
    found = results(builder.root, matrix=matrix, drop=["purpose"])
    assert "purpose" not in found
    ws = found["workstation-safety"]
    assert ws.status is Status.ERROR
    assert "'Purpose' matches no control id or rule name" in errors(ws)[0].message
    assert results(builder.root)["workstation-safety"].status is Status.MANUAL


def test_with_the_bundled_catalog_the_check_knows_its_rules():
    from hds_audit.catalog import load_catalog
    from hds_audit.checks.attestation import _unattributed

    class Named:
        file = ref = "attestations/p.yaml"
        control = "Purpose"

    assert _unattributed([Named()], "workstation-safety", "Workstation safety", load_catalog()) == []
