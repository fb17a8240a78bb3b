"""Every trace layout the bench generator writes is valid: `hds-audit run` gives the same trace results on it
as on CTS's own layout (the same traces, laid out otherwise: the only difference is where they are)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

EVENTS, PER_FILE = 3000, 100


def _bundle(tmp_path_factory, layout: str) -> Path:
    out = tmp_path_factory.mktemp(layout) / "bundle"
    return generate.generate(EVENTS, out, workers=1, quiet=True, layout=layout, per_file=PER_FILE, planted=True)


def _traces_checks(root: Path) -> dict:
    """Each check that reads the traces: status, note, and its findings with the trace ids they cite (not the files)."""
    from check_runner import run_only

    from hds_audit.checks.registry import all_checks

    ids = [c.id for c in all_checks().values() if "traces" in c.needs]
    return {cid: _comparable(r.to_json()) for cid, r in run_only(root, *ids).items()}


def _comparable(check: dict) -> dict:
    findings = [(f["object"], f["message"], sorted(e.split("#", 1)[-1] for e in f.get("evidence", [])))
                for f in check["findings"]]
    return {"status": check["status"], "note": check.get("note"), "findings": sorted(findings)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    return _traces_checks(_bundle(tmp_path_factory, "cts"))


def test_the_reference_layout_has_findings_to_compare(reference):
    statuses = {cid: r["status"] for cid, r in reference.items()}
    assert statuses["trace.access_entitlement"] == "fail"  # c.petit, an operator, reads the trace bucket
    assert statuses["access.register_covers_activity"] == "fail"  # the planted account outside the register
    assert statuses["trace.continuity"] == "pass"
    assert "error" not in statuses.values()


@pytest.mark.parametrize("layout", [name for name in generate.LAYOUTS if name != "cts"])
def test_layout_gives_the_same_trace_results(layout, reference, tmp_path_factory):
    assert _traces_checks(_bundle(tmp_path_factory, layout)) == reference


def test_layouts_hold_what_they_say(tmp_path_factory):
    mixed = _bundle(tmp_path_factory, "mixed")
    files = sorted((mixed / "traces").rglob("*.json.gz"))
    assert files and all(f.parent.name == "ECS" for f in files)
    import gzip

    services = {t["service_type"] for t in json.loads(gzip.decompress(files[0].read_bytes()))}
    assert services == set(generate.FILE_SERVICES)
    plain = _bundle(tmp_path_factory, "plain")
    assert all(p.suffix == ".json" for p in (plain / "traces").rglob("*.*"))
    flat = _bundle(tmp_path_factory, "no-service")
    assert all(p.parent.name == generate.TRACKER for p in (flat / "traces").rglob("*.json.gz"))


def test_the_command_reads_a_mixed_layout_as_the_engine_does(tmp_path_factory, reference, tmp_path):
    bundle = _bundle(tmp_path_factory, "mixed")
    done = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(bundle), "--period", "2026-Q3",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # findings
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    seen = {c["id"]: _comparable(c) for control in results["controls"] for c in control["checks"]}
    assert {cid: seen[cid] for cid in reference} == reference


def test_an_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown layout"):
        generate.generate(10, tmp_path, layout="zip")


def test_the_reports_case_writes_one_trace_a_file(tmp_path, monkeypatch):
    """bench/reports.py measures what grows with the number of files: N files of one trace each, not N traces."""
    import reports

    monkeypatch.setattr(generate, "generate", lambda *a, **k: _generate_quietly(*a, **k))
    bundle = reports.bundle_of_files(12, tmp_path)
    files = sorted(p for p in (bundle / "traces").rglob("*") if p.is_file())
    assert len(files) == 12


def _generate_quietly(events, out, **kw):
    return _real_generate(events, out, workers=1, quiet=True, **kw)


_real_generate = generate.generate
