"""Running some checks on a bundle, for tests in any folder (conftest.py's `run_checks_on` fixture returns it).

A module of its own, not conftest.py: several conftest.py files share that module name, so
`from conftest import ...` would find whichever was imported last."""

from __future__ import annotations

from pathlib import Path


def run_only(root: Path, *check_ids: str, period: str = "2026-Q3"):
    """Run the given checks on a bundle; returns {check id: CheckResult}."""
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.pipeline.engine import run_checks

    bundle = Bundle(str(root))
    result = run_checks(load_catalog(), bundle, load(bundle), parse_period(period), only=set(check_ids))
    return {r.id: r for r in result.unique_checks()}
