"""A replaced matrix (--matrix) never drops a bound check silently: matching by id or wording, explicit drops."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from report_fixtures import plain, sample_result

from hds_audit.catalog import CatalogError, load_catalog
from hds_audit.catalog.matching import DroppedBinding, rule_key
from hds_audit.cli import cli
from hds_audit.paths import data_dir

MFA_RULE = "Stakeholder access to systems"  # bound to access.mfa in controls/bindings.yaml
REWORDED = "Access of stakeholders to the information systems"


def bundled_rows() -> tuple[list[str], list[dict]]:
    with open(data_dir("controls") / "matrix.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_matrix(tmp_path, rows, ids=False, extra=()) -> object:
    """The bundled matrix's rows, written without the id column unless `ids`."""
    header = [c for c in bundled_rows()[0] if ids or c != "id"] + list(extra)
    path = tmp_path / "reissued.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def reworded(rows, old=MFA_RULE, new=REWORDED):
    return [{**r, "rule": new} if r["rule"] == old else r for r in rows]


def test_rule_key_ignores_case_spaces_punctuation_and_accents():
    assert rule_key("Individuals' consent to access data") == rule_key("INDIVIDUALS’ consent-to  access data")
    assert rule_key("Sécurité des sauvegardes") == rule_key("securite des sauvegardes")
    assert rule_key("Backup security") != rule_key("Backup of traces")


def test_a_reworded_rule_without_id_column_is_a_clear_error(tmp_path):
    path = write_matrix(tmp_path, reworded(bundled_rows()[1]))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert "binding 'stakeholder-access-to-systems' (access.mfa, provider.certificates_valid, attestation.current)" in message
    assert f"the closest rule is '{REWORDED}' (row 9" in message
    assert "1 binding(s) would run no check" in message and "--drop-binding" in message


def test_the_run_stops_with_exit_2_naming_binding_and_closest_rule(tmp_path):
    path = write_matrix(tmp_path, reworded(bundled_rows()[1]))
    result = CliRunner().invoke(cli, ["run", "--matrix", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "stakeholder-access-to-systems" in result.output and REWORDED in result.output
    assert not (tmp_path / "out" / "results.json").exists()


def test_wording_matches_despite_case_spaces_punctuation_and_accents(tmp_path):
    header, rows = bundled_rows()
    changed = {"Trace management": "TRACE-management ", "Backup security": "Backup sécurity",
               "Individuals' consent to access data": "Individuals consent to access data"}
    path = write_matrix(tmp_path, [{**r, "rule": changed.get(r["rule"], r["rule"])} for r in rows])
    catalog = load_catalog(path)
    assert [c.id for c in catalog.controls] == [c.id for c in load_catalog().controls]
    assert {m.how for m in catalog.matches.values()} == {"text"}
    assert catalog.get("backup-security").rule == "Backup sécurity"  # the user's wording is what reports print


def test_the_id_column_wins_over_the_wording(tmp_path):
    path = write_matrix(tmp_path, reworded(bundled_rows()[1]), ids=True)
    catalog = load_catalog(path)
    assert catalog.get("stakeholder-access-to-systems").rule == REWORDED
    assert catalog.matches["stakeholder-access-to-systems"].how == "id" and not catalog.unmatched


def test_two_wordings_of_one_rule_are_refused(tmp_path):
    rows = bundled_rows()[1]
    twin = next(r for r in rows if r["rule"] == "Backup security")
    path = write_matrix(tmp_path, [*rows, {**twin, "rule": "backup  SECURITY"}])
    with pytest.raises(CatalogError, match=r"reissued.csv rows 19 and 36: both are control 'backup-security'"):
        load_catalog(path)


def test_a_flag_drops_on_purpose_and_the_run_lists_what_it_dropped(tmp_path):
    from hds_audit.calendar.period import parse_period
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    path = write_matrix(tmp_path, reworded(bundled_rows()[1]))
    catalog = load_catalog(path, drop=["stakeholder-access-to-systems"])
    [dropped] = catalog.dropped
    assert dropped == DroppedBinding("stakeholder-access-to-systems", MFA_RULE,
                                     ("access.mfa", "provider.certificates_valid", "attestation.current"), "--drop-binding")
    sample = Bundle(str(data_dir("samples") / "violations"))
    result = run_checks(catalog, sample, load(sample), parse_period("2026-Q3"), only={"access.mfa", "support.plan_eligible"})
    document = json.loads(json.dumps(result.to_json()))
    assert document["dropped_checks"] == [{"binding": "stakeholder-access-to-systems", "rule": MFA_RULE,
                                           "checks": ["access.mfa", "provider.certificates_valid", "attestation.current"],
                                           "dropped_by": "--drop-binding"}]
    assert all(k["id"] != "access.mfa" for c in document["controls"] for k in c["checks"])
    assert catalog.get("access-of-stakeholders-to-the-information-systems") is not None


def test_without_a_drop_results_json_has_no_dropped_checks():
    assert "dropped_checks" not in sample_result().to_json()  # the samples' results stay as they were


def test_every_report_lists_the_dropped_checks():
    from hds_audit.formats import html, junit, pdf, xlsx
    from hds_audit.formats.interface import RenderContext

    result = sample_result()
    result.dropped = [DroppedBinding("stakeholder-access-to-systems", MFA_RULE, ("access.mfa",), "reissued.csv row 40")]
    ctx = RenderContext(result, signer="x", demo=True)
    page = html.render(ctx).decode()
    assert "Checks dropped on purpose" in page and "stakeholder-access-to-systems" in page and "reissued.csv row 40" in page
    suite = junit.render(ctx).decode()
    assert 'name="access.mfa [stakeholder-access-to-systems]"' in suite and "dropped on purpose (reissued.csv row 40)" in suite
    appendix = plain(pdf.appendix(ctx))
    assert "Checks dropped on purpose" in appendix and "access.mfa" in appendix
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(ctx)))
    cells = [c.value for s in book for r in s.iter_rows() for c in r if isinstance(c.value, str)]
    assert "(binding stakeholder-access-to-systems dropped on purpose: reissued.csv row 40)" in cells
    assert "checks not run: access.mfa" in cells
    from hds_audit.formats import oscal

    remarks = json.loads(oscal.render(ctx))["assessment-results"]["results"][0]["remarks"]
    assert "stakeholder-access-to-systems (access.mfa; reissued.csv row 40)" in remarks


def test_a_matrix_row_marked_dropped_drops_the_rule_it_names(tmp_path):
    rows = reworded(bundled_rows()[1])
    old = {"domain": "Access control", "rule": "stakeholder access to systems", "dropped": "yes"}
    path = write_matrix(tmp_path, [*rows, old], extra=["dropped"])
    catalog = load_catalog(path)
    assert [(d.binding, d.by) for d in catalog.dropped] == [("stakeholder-access-to-systems", "reissued.csv row 36")]
    assert catalog.get("stakeholder-access-to-systems") is None and not catalog.unmatched


@pytest.mark.parametrize("drop, message", [
    (["backup-security"], "--drop-binding: binding 'backup-security' matches a rule of reissued.csv"),
    (["no-such-binding"], "--drop-binding: 'no-such-binding' is no binding of bindings.yaml"),
])
def test_a_drop_must_name_a_binding_left_without_rule(tmp_path, drop, message):
    path = write_matrix(tmp_path, reworded(bundled_rows()[1]))
    with pytest.raises(CatalogError, match=message):
        load_catalog(path, drop=["stakeholder-access-to-systems", *drop])


def test_a_dropped_cell_must_say_yes_or_no(tmp_path):
    rows = [{**r, "dropped": "maybe" if r["rule"] == "Purpose" else ""} for r in bundled_rows()[1]]
    with pytest.raises(CatalogError, match=r"reissued.csv row 6: dropped must be yes or no, not 'maybe'"):
        load_catalog(write_matrix(tmp_path, rows, extra=["dropped"]))


def test_a_binding_far_from_every_rule_names_no_closest(tmp_path):
    rows = [r for r in bundled_rows()[1] if r["rule"] != "Purpose"]
    with pytest.raises(CatalogError, match=r"binding 'purpose' .* matches no rule of reissued.csv; no rule of it is close"):
        load_catalog(write_matrix(tmp_path, rows))


def test_controls_list_shows_which_bindings_match_which_rules(tmp_path):
    rows = reworded(bundled_rows()[1])
    path = write_matrix(tmp_path, [*rows, {**rows[0], "rule": "Badge access to the server room"}])
    listing = CliRunner().invoke(cli, ["controls", "list", "--matrix", str(path)])
    assert listing.exit_code == 0, listing.output
    lines = {line.split("\t")[0]: line.split("\t") for line in listing.stdout.splitlines()}
    assert lines["id"][-1] == "matched"
    assert lines["backup-security"][-1] == "rule wording, row 19"
    assert lines["badge-access-to-the-server-room"][-1] == "new rule, row 36 (no binding)"
    assert lines["sd-3.3-support-plan"][-1] == "commitments.csv"
    assert lines["stakeholder-access-to-systems"][-1].startswith(f"NO RULE (closest: '{REWORDED}' (row 9")
    assert "1 binding(s) match no rule of reissued.csv" in listing.stderr
    dropped = CliRunner().invoke(cli, ["controls", "list", "--matrix", str(path), "--drop-binding", "stakeholder-access-to-systems"])
    assert "\tdropped on purpose (--drop-binding)" in dropped.stdout and not dropped.stderr


def test_an_exported_catalog_keeps_its_drops_as_rows(tmp_path):
    path = write_matrix(tmp_path, reworded(bundled_rows()[1]))
    out = tmp_path / "catalog.xlsx"
    result = CliRunner().invoke(cli, ["controls", "export", "--xlsx", str(out), "--matrix", str(path),
                                      "--drop-binding", "stakeholder-access-to-systems"])
    assert result.exit_code == 0, result.output
    again = load_catalog(out)  # no flag needed: the workbook says it
    assert [(d.binding, d.by) for d in again.dropped] == [("stakeholder-access-to-systems", "catalog.xlsx row 46")]  # after 34 rules and 10 commitments


def test_a_reviewed_run_keeps_its_dropped_checks():
    from hds_audit.workflows.review import load_result

    result = sample_result()
    result.dropped = [DroppedBinding("stakeholder-access-to-systems", MFA_RULE, ("access.mfa",), "--drop-binding")]
    again, _ = load_result(json.loads(json.dumps(result.to_json())))
    assert again.dropped == result.dropped
