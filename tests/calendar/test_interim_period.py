"""A period not yet over is judged up to the run's time and says `interim`; one not yet begun is refused."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from bundle_builder import trace
from click.testing import CliRunner

from hds_audit.calendar.instants import PARIS, TimeParseError, current_time
from hds_audit.calendar.period import PeriodError, as_of, parse_period, period_from_json
from hds_audit.cli import cli

NOW = "2026-12-07T10:00:00+01:00"
REG = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}


def _invoke(*args, now=NOW):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"HDS_AUDIT_NOW": now}, catch_exceptions=False)


def test_as_of_refuses_a_period_not_begun_and_cuts_one_that_runs():
    now = datetime.fromisoformat(NOW)
    with pytest.raises(PeriodError, match="period '2027-Q1' has not begun: it starts 2027-01-01T00:00:00"):
        as_of(parse_period("2027-Q1"), now)
    running = as_of(parse_period("2026-Q4"), now)
    assert running.interim and running.end == now and running.scheduled_end.isoformat() == "2027-01-01T00:00:00+01:00"
    assert period_from_json(running.to_json()) == running
    over = parse_period("2026-Q3")
    assert as_of(over, now) is over and not over.interim and "scheduled_end" not in over.to_json()
    # the instant the period ends, it is over
    assert not as_of(parse_period("2026-11"), datetime.fromisoformat("2026-12-01T00:00:00+01:00")).interim


def test_the_run_time_is_injectable_and_checked(monkeypatch):
    monkeypatch.setenv("HDS_AUDIT_NOW", "2026-12-07T10:00:00Z")
    assert current_time() == datetime(2026, 12, 7, 11, 0, tzinfo=PARIS)
    monkeypatch.setenv("HDS_AUDIT_NOW", "last tuesday")
    with pytest.raises(TimeParseError, match="HDS_AUDIT_NOW"):
        current_time()


def _bundle(builder):
    builder.users({"name": "a.durand"})
    builder.mfa("id-a.durand")
    builder.register(REG)
    builder.traces([trace("a.durand", "2026-10-01T10:00:00+02:00")])
    return builder.root


def test_a_future_period_is_refused_with_exit_2(builder, tmp_path):
    result = _invoke("run", _bundle(builder), "--period", "2027-Q1", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "has not begun" in result.output
    assert not (tmp_path / "out").exists()


def test_a_running_period_is_judged_up_to_now_and_every_output_says_interim(builder, tmp_path):
    out = tmp_path / "out"
    result = _invoke("run", _bundle(builder), "--period", "2026-Q4", "--out", out)
    assert result.exit_code == 1, result.output
    assert "INTERIM: period 2026-Q4 has not ended: judged up to 2026-12-07T10:00:00+01:00" in result.output
    doc = json.loads((out / "results.json").read_text())
    assert doc["interim"] is True and doc["sample"] is False
    assert doc["period"]["end"] == NOW and doc["period"]["scheduled_end"] == "2027-01-01T00:00:00+01:00"
    assert "INTERIM" in (out / "report.html").read_text()
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(out / "report.xlsx").worksheets[0].iter_rows() for c in row]
    assert "INTERIM" in cells
    pages = pdf_pages(out / "report.pdf")
    assert len(pages) > 2 and all("INTERIM" in page for page in pages)


def pdf_pages(path) -> list[str]:
    """The text of each page of a PDF (pdftotext, poppler-utils)."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def _bucket(builder):
    """One in-scope bucket in eu-west-0: the region in use whose traces must cover the period."""
    builder.tenant(scope="all")
    builder.write("resources/main.tfstate", json.dumps({"version": 4, "resources": [{
        "mode": "managed", "type": "flexibleengine_obs_bucket", "name": "b",
        "provider": 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]',
        "instances": [{"attributes": {"id": "b", "bucket": "b", "region": "eu-west-0"}}]}]}))


def test_continuity_of_a_running_period_counts_to_now_not_to_its_end(builder, run_checks_on):
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    _bucket(builder)
    bundle = Bundle(str(_bundle(builder)))
    period = as_of(parse_period("2026-Q4"), datetime.fromisoformat(NOW))
    result = run_checks(load_catalog(), bundle, load(bundle), period, only={"trace.continuity"})
    [check] = result.unique_checks()
    [gap] = check.details["gaps"]
    assert gap["end"] == NOW  # not 2027-01-01: no gap is invented past the run's time
    assert gap["hours"] < 1700


def test_doctor_reports_the_trace_gap_of_the_period(builder):
    _bundle(builder)
    _bucket(builder)
    result = _invoke("doctor", builder.root, "--period", "2026-Q4")
    assert result.exit_code == 1
    assert "Ready" not in result.output.replace("Not ready", "")
    assert "trace coverage: eu-west-0: no trace from the last trace at" in result.output
    assert "interim: the period ends 2027-01-01T00:00:00+01:00" in result.output
    assert _invoke("doctor", builder.root, "--period", "2027-Q1").exit_code == 2


def test_a_proof_of_a_running_period_says_interim_on_every_page_and_in_its_json(builder, tmp_path):
    out = tmp_path / "proof"
    result = _invoke("residency", _bundle(builder), "--period", "2026-Q4", "--out", out)
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((out / "residency-proof.json").read_text())
    assert doc["interim"] is True and doc["sample"] is False
    [notice] = doc["notices"]
    assert notice["word"] == "INTERIM" and "has not ended" in notice["text"]
    pages = pdf_pages(out / "residency-proof.pdf")
    assert pages and all("INTERIM" in page for page in pages)


def test_a_proof_of_an_ended_period_carries_no_notice(builder, tmp_path):
    out = tmp_path / "proof"
    result = _invoke("residency", _bundle(builder), "--period", "2026-Q3", "--out", out)
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((out / "residency-proof.json").read_text())
    assert doc["interim"] is False and doc["notices"] == []
    assert not any("INTERIM" in page for page in pdf_pages(out / "residency-proof.pdf"))
