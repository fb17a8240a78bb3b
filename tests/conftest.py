import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline: CI machines are shared and slow at times; the property still runs every example.
settings.register_profile("hds-audit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hds-audit")

sys.path.insert(0, str(Path(__file__).parent))

from bundle_builder import BundleBuilder  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def temporary_files_among_pytest_s(tmp_path_factory):
    """Whatever the tests' runs put in the temporary folder (the trace reader's working folders) lands among
    pytest's own temporary folders, which it prunes, not in the system's (subprocesses inherit TMPDIR)."""
    folder = tmp_path_factory.mktemp("tmp")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # read TMPDIR again
    yield
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
    tempfile.tempdir = None


@pytest.fixture
def builder(tmp_path) -> BundleBuilder:
    return BundleBuilder(tmp_path / "bundle")


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


@pytest.fixture
def run_checks_on():
    return run_only
