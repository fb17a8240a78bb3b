"""The user guide's troubleshooting table quotes messages the tool really prints: a rewording of
either side must show up here, or users search the guide for text they never see."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.paths import data_dir

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user-guide.md"


def guide_text() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("## Troubleshooting"):]


def quoted(prefix: str) -> str:
    """The message in the troubleshooting table that starts with `prefix`, as written between backticks."""
    found = re.findall(r"^\| `([^`]*)`", guide_text(), re.MULTILINE)
    [message] = [m for m in found if m.startswith(prefix)]
    return message


def output(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return " ".join(result.output.split())


def sample(tmp_path):
    root = tmp_path / "bundle"
    shutil.copytree(data_dir("samples") / "compliant", root)
    return root


def test_the_period_message(tmp_path):
    message = quoted("hds-audit: period 'Q3'")
    assert message in output("run", sample(tmp_path), "--period", "Q3", "--out", tmp_path / "out")


def test_the_yaml_message_with_line_and_column(tmp_path):
    root = sample(tmp_path)
    lines = (root / "tenant.yaml").read_text(encoding="utf-8").splitlines()
    lines[3] = "support_plan: business (Europe): yes"  # line 4: a second ':' in a plain value
    (root / "tenant.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = quoted("hds-audit: tenant.yaml line 4")
    assert message in output("run", root, "--period", "2026-Q3", "--out", tmp_path / "out")


def test_the_unreadable_register_row_message(tmp_path):
    from check_runner import run_only

    root = sample(tmp_path)
    register = root / "access_register.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    assert lines[3].startswith("t.lefebvre,")
    lines[3] = lines[3].replace(",operator,", ",superuser,")  # row 4, the header being row 1
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_only(root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status.value == "error"
    account, message = quoted("t.lefebvre: cannot conclude").split(": ", 1)
    assert [(f.object, f.message) for f in result.findings if f.object == account] == [(account, message)]
    row = quoted("access_register.csv#row 4")
    assert any(f"row 4: {row.split(': ', 1)[1]}" == f.message for f in result.findings)


def test_evidence_contracts_point_users_to_the_guide():
    """The shipped contracts are read by users: they cite the guide's sections, not an internal document."""
    import yaml

    headings = set(re.findall(r"^#+ (.+)$", GUIDE.read_text(encoding="utf-8"), re.MULTILINE))
    contracts = sorted((data_dir("evidence") / "contracts").glob("*.yaml"))
    assert contracts
    for path in contracts:
        description = yaml.safe_load(path.read_text(encoding="utf-8"))["description"]
        assert "CONTRACT" not in description, path.name
        cited = re.findall(r'"([^"]+)"', description)
        assert cited and set(cited) <= headings, (path.name, cited)


def test_the_matrix_without_the_rule_of_a_binding_message(tmp_path):
    import csv

    with open(data_dir("controls") / "matrix.csv", encoding="utf-8-sig", newline="") as f:
        rows = [{k: v for k, v in r.items() if k != "id"} for r in csv.DictReader(f)]
    for r in rows:
        r["rule"] = "Access of stakeholders to the systems" if r["rule"] == "Stakeholder access to systems" else r["rule"]
    matrix = tmp_path / "reissued.csv"
    with open(matrix, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    message = quoted("hds-audit: catalog refused: bindings.yaml binding")
    assert message in output("run", sample(tmp_path), "--matrix", matrix, "--out", tmp_path / "out")


def test_the_misspelt_binding_parameter_message(tmp_path, monkeypatch):
    folder = tmp_path / "controls"
    shutil.copytree(data_dir("controls"), folder)
    bindings = folder / "bindings.yaml"
    bindings.write_text(bindings.read_text(encoding="utf-8").replace(
        "      - trace.continuity\n", "      - id: trace.continuity\n        params:\n          trace_max_gap_hour: 0.01\n", 1),
        encoding="utf-8")
    monkeypatch.setattr("hds_audit.catalog.load.data_dir", lambda name: folder if name == "controls" else data_dir(name))
    message = quoted("hds-audit: catalog refused: bindings.yaml line")
    assert message in output("run", sample(tmp_path), "--out", tmp_path / "out")
