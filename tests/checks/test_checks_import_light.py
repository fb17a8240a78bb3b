"""Checks are pure functions of evidence tables: importing every check (what `controls list` and the catalog's
validation do) loads no database, file system or holiday calendar; they load when evidence is read."""

from __future__ import annotations

import subprocess
import sys


def test_importing_every_check_loads_no_engine():
    code = ("import sys; from hds_audit.checks.registry import all_checks; all_checks(); "
            "from hds_audit.catalog import load_catalog; load_catalog(); "
            "print(sorted(m for m in ('duckdb', 'fsspec', 'holidays', 'pyspark', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_trace_package_still_gives_its_engine_names():
    from hds_audit.evidence import traces
    from hds_audit.evidence.traces.duckdb_store import DuckDBTraceStore

    assert traces.TraceSet is DuckDBTraceStore and traces.DuckDBTraceStore is DuckDBTraceStore
    assert traces.EvidenceChanged.__name__ == "EvidenceChanged"
