"""The Spark session the Spark trace store runs in: the one already active (spark-submit, a notebook, the
tests' fixture), else one started on `master`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings

# pyspark warns of pandas 3 on every Arrow function; the store passes Arrow batches, never pandas frames
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

DEFAULT_MASTER = "local[*]"
# Settings hds-audit needs whatever the cluster: times in UTC (a TIMESTAMP shown in the driver's zone would move
# the Paris days), and no network fetch of packages at run time.
SETTINGS = {"spark.sql.session.timeZone": "UTC"}  # also set on a session already active
START_SETTINGS = {"spark.ui.showConsoleProgress": "false"}  # its bar would print on the report's terminal
LOCAL_SETTINGS = {"spark.ui.enabled": "false"}


class SparkUnavailable(RuntimeError):
    """pyspark (the `hds-audit[spark]` extra) or Java is missing: the run cannot use the Spark store."""


def session(master: str | None = None):
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable("the Spark trace store needs pyspark: pip install 'hds-audit[spark]'") from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        for key, value in SETTINGS.items():
            active.conf.set(key, value)
        return active
    master = master or DEFAULT_MASTER
    local = master.startswith("local")
    if local:  # the executors are this machine's Python processes: this interpreter, with hds-audit importable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if not local and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailable("the Spark trace store needs Java (JAVA_HOME or java on the PATH)")
    builder = SparkSession.builder.master(master).appName("hds-audit")
    for key, value in (SETTINGS | START_SETTINGS | (LOCAL_SETTINGS if local else {})).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - a JVM that does not start is said in words, not as a Py4J trace
        raise SparkUnavailable(f"cannot start Spark on {master}: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    if not local:
        ship_package(spark)
    return spark


def ship_package(spark) -> None:
    """hds-audit's own code onto the executors (a zip of the package): they run its trace reading. Its
    dependencies (pydantic, fsspec) must be in the executors' Python already (docs/scaling.md)."""
    import hds_audit

    folder = tempfile.mkdtemp(prefix="hds-audit-pyfiles-")
    package = os.path.dirname(hds_audit.__file__)
    archive = shutil.make_archive(os.path.join(folder, "hds_audit"), "zip", os.path.dirname(package), "hds_audit")
    spark.sparkContext.addPyFile(archive)
