"""Proofs a DPO can hand over: the residency proof names the resource of each backup and groups
backups per resource (count, first, last, regions), the long list in an annex; the deletion proof
states the deletion timeline it proves rather than the audit period."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hds_audit.calendar.period import parse_period
from hds_audit.catalog import load_catalog
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load
from hds_audit.i18n import language
from hds_audit.paths import data_dir
from hds_audit.pipeline.engine import run_checks
from hds_audit.workflows.proofs import assess, kind


def proof(sample: str, name: str, period: str):
    bundle = Bundle(str(data_dir("samples") / sample))
    result = run_checks(load_catalog(), bundle, load(bundle), parse_period(period), only=set(kind(name).checks))
    return assess(kind(name), result)


@pytest.fixture(scope="module")
def residency():
    return proof("violations", "residency", "2026-Q3")


def test_backups_are_grouped_per_resource_with_its_name(residency):
    groups = residency.document["backups_by_resource"]
    backups = [p for p in residency.document["placements"] if p["kind"] == "backup"]
    assert sum(g["backups"] for g in groups) == len(backups)  # every backup counted once
    assert len({g["resource"] for g in groups}) == len(groups)
    outside = next(g for g in groups if not g["allowed"])
    assert outside["name"] and outside["regions"] == ["ap-southeast-1"] and outside["backups"] > 100
    assert outside["first"] <= outside["last"]
    assert residency.kind.statement(residency.document).startswith(f"{len(residency.document['placements']) - len(backups)} resources")


def test_the_annex_lists_only_backups_outside_the_allowed_regions(residency):
    from reportlab.platypus import Paragraph

    flowables = residency.kind.annex(residency.document)
    outside = [p for p in residency.document["placements"] if p["kind"] == "backup" and not p["allowed"]]
    table = flowables[-1]
    assert len(table._cellvalues) == len(outside) + 1  # header, then one row per backup outside
    assert any(isinstance(f, Paragraph) and "JSON" in f.text for f in flowables)


def test_the_deletion_proof_states_its_timeline_not_the_quarter():
    deletion = proof("terminated", "deletion", "2026-Q1")
    said = deletion.document["statement"]
    assert said.startswith("Deletion timeline: contract end 31 March 2026;") and "2026-Q1" not in said
    assert "deletion proofs dated" in said and "deadline 31 May 2026" in said
    with language("fr"):
        assert deletion.kind.statement(deletion.document).startswith("Chronologie de la suppression : fin du contrat le 31 mars 2026")


def test_the_cli_says_what_it_proves(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "deletion", str(data_dir("samples") / "terminated"), "--period", "2026-Q1",
                           "--out", str(tmp_path / "d")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "PROVEN for" in proc.stdout and "Deletion timeline: contract end" in proc.stdout and "period 2026-Q1" not in proc.stdout


def _pdf_text(story) -> str:
    from reportlab.platypus import Paragraph, Table

    out = []

    def walk(item):
        if isinstance(item, Paragraph):
            out.append(item.getPlainText())
        elif isinstance(item, Table):
            for row in item._cellvalues:
                for cell in row:
                    for part in cell if isinstance(cell, list) else [cell]:
                        walk(part)
        elif isinstance(item, str):
            out.append(item)

    for item in story:
        walk(item)
    return "\n".join(out)


def test_the_deletion_proof_reads_in_french_to_its_last_table():
    """Verdicts, kinds, proofs and the tenant request's labels are the tool's words: in French in a French proof;
    the JSON keeps them in English."""
    deletion = proof("terminated", "deletion", "2026-Q2")
    with language("fr"):
        text = _pdf_text(deletion.kind.sections(deletion.document))
        said = deletion.kind.statement(deletion.document)
    for french in ("supprimé dans les délais", "Demandée le", "Jours ouvrés accordés", "Jours ouvrés utilisés", "sauvegarde",
                   "statut deleted (liste CSBS)", "15 mai 2026", "31 mars 2026", "le jour 0 est celui de la demande"):
        assert french in text, french
    for english in ("deleted in time", "Requested at", "Working days", "status deleted (", "backup", "day 0 is",
                    "March", "2026-03-31T00:00:00"):
        assert english not in text, english
    assert " ; " in said and "; " not in said.replace(" ; ", "")
    row = deletion.document["timeline"][0]
    assert row["verdict"] in ("deleted", "deleted in time") and row["proof"].startswith(("status deleted (", "trace "))
    assert deletion.document["tenant_request"]["verdict"] == "deleted in time"


def test_every_verdict_the_deletion_checks_write_has_its_words():
    """A verdict added to a deletion check without its words would show in English in a French proof."""
    import ast
    import inspect

    from hds_audit.checks import deletion as checks

    written = set()
    for node in ast.walk(ast.parse(inspect.getsource(checks))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            target = node.targets[0]
            named = (isinstance(target, ast.Name) and target.id == "verdict") or (
                isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and target.slice.value == "verdict")
            if named:
                written.add(node.value.value)
    assert len(written) >= 7 and written <= set(checks.VERDICT_WORDS)
