"""One local Spark session for every test of this folder (a session costs seconds and half a gigabyte).

Its tests carry the `spark` marker and one xdist group, so that `pytest -n 2` (with `--dist loadgroup`, set in
pyproject.toml) runs them all on one worker, in one session. No network: nothing is fetched at run time.
"""

from __future__ import annotations

import shutil

import pytest

pyspark = pytest.importorskip("pyspark")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/spark/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.spark)
            item.add_marker(pytest.mark.xdist_group("spark"))


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        pytest.skip("no Java on this machine")
    import os
    import sys

    from pyspark.sql import SparkSession

    from hds_audit.evidence.traces.spark.session import session

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    built = (SparkSession.builder.master("local[2]").appName("hds-audit-tests")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.default.parallelism", "2").config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    built.sparkContext.setLogLevel("ERROR")
    assert session() is built  # the store runs in the active session
    yield built
    built.stop()
