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
from check_runner import run_only  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def temporary_files_among_pytest_s(tmp_path_factory):
    """Whatever the tests' runs put in the temporary folder (the trace reader's working folders) lands among
    pytest's own temporary folders, which it prunes, not in the system's (subprocesses inherit TMPDIR)."""
    folder = tmp_path_factory.mktemp("tmp")
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    os.environ["HDS_AUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))  # the trace cache: never the user's own
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


@pytest.fixture
def run_checks_on():
    return run_only
