"""The readers of Terraform output, API inventory listings and waivers.yaml say what is wrong in the report's language:
each problem keeps its template (English text unchanged), and the time a reader could not parse is named in French too."""

from __future__ import annotations

import json

import pytest
import yaml
from test_inventory_reader import bundle_with, read, servers

from hds_audit.calendar.instants import TimeParseError, parse_instant
from hds_audit.evidence.interface import reason_of
from hds_audit.i18n import language
from hds_audit.i18n.messages import Message


def _french(problem) -> str:
    with language("fr"):
        return problem.text()


def test_inventory_problems_are_templates(tmp_path):
    root = bundle_with(tmp_path, {
        "odd.json": {"schema": "nope"},
        "servers.json": servers({"name": "no-id"}, "not a record"),
        "unknown.json": {"schema": "hds-audit/inventory/v1", "service": "ecs", "operation": "list_nothing", "answer": {}},
    })
    evidence, _bundle = read(root)
    by_file = {}
    for problem in evidence.problems:
        assert problem.template is not None, problem
        assert str(problem.template) == problem.reason  # the English text is the template's
        by_file.setdefault(problem.file.rsplit("/", 1)[-1], []).append(_french(problem))
    assert any(t.startswith("pas un inventaire") for t in by_file["odd.json"])
    assert "aucun « id »" in by_file["servers.json"] and "pas un objet" in by_file["servers.json"]


def test_terraform_json_problems_are_templates(tmp_path):
    root = tmp_path / "bundle"
    (root / "resources").mkdir(parents=True)
    import fake_tenant as t

    (root / "tenant.yaml").write_text(yaml.safe_dump(t.TENANT_YAML), encoding="utf-8")
    (root / "resources" / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {}}), encoding="utf-8")
    (root / "resources" / "bad.json").write_text(json.dumps({"format_version": "1.0", "values": []}), encoding="utf-8")
    evidence, _bundle = read(root)
    texts = {p.file.rsplit("/", 1)[-1]: (p.reason, _french(p)) for p in evidence.problems}
    english, french = texts["plan.json"]
    assert english.startswith("a saved plan (terraform show -json plan.bin), not the state")
    assert french.startswith("un plan enregistré")
    english, french = texts["bad.json"]
    assert english == "values is not an object" and french == "values n'est pas un objet"


def test_a_time_that_does_not_parse_is_named_in_french():
    for value, english, french in (
        ("2026-13-01", "'2026-13-01' is not a valid date (YYYY-MM-DD)", "'2026-13-01' n'est pas une date valide (AAAA-MM-JJ)"),
        ("", "empty date", "date vide"),
    ):
        with pytest.raises(TimeParseError) as raised:
            parse_instant(value)
        reason = reason_of(raised.value)
        assert isinstance(reason, Message) and str(reason) == english == str(raised.value)
        assert reason.render("fr") == french
