"""The bundled sample is fictional: never signed with a real key, and every report says SAMPLE."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook
from test_interim_period import pdf_pages

from hds_audit.cli import cli


def _invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env or {}, catch_exceptions=False)


def test_a_key_without_a_bundle_is_refused(tmp_path):
    key = tmp_path / "real.p12"
    key.write_bytes(b"not read: refused before")
    result = _invoke("run", "--period", "2026-Q3", "--out", tmp_path / "out", "--key", key)
    assert result.exit_code == 2
    assert "--key is refused without a BUNDLE: the bundled sample is fictional" in result.output
    assert not (tmp_path / "out").exists()
    result = _invoke("run", "--period", "2026-Q3", "--out", tmp_path / "out", env={"HDS_AUDIT_KEY": str(key)})
    assert result.exit_code == 2 and "HDS_AUDIT_KEY is refused without a BUNDLE" in result.output


def test_the_sample_run_says_sample_everywhere(tmp_path):
    out = tmp_path / "out"
    result = _invoke("run", "--period", "2026-Q3", "--out", out)
    assert result.exit_code in (0, 1), result.output
    assert "SAMPLE: made from the bundled fictional sample" in result.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["sample"] is True and doc["interim"] is False
    assert "SAMPLE — made from the bundled fictional sample" in (out / "report.html").read_text()
    cells = [c.value for row in load_workbook(out / "report.xlsx").worksheets[0].iter_rows() for c in row]
    assert "SAMPLE" in cells
    pages = pdf_pages(out / "report.pdf")
    assert len(pages) > 2 and all("SAMPLE" in page for page in pages)
    # review import rebuilds the run from results.json: the mark survives it
    from hds_audit.workflows.review import load_result

    rebuilt, _ = load_result(doc)
    assert rebuilt.sample and rebuilt.to_json()["sample"] is True
