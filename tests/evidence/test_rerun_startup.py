"""A re-run's start: great-expectations imports at once beside a cached scan, and without pyspark unless it is in use."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from hds_audit.evidence import tabular, traces
from hds_audit.evidence.traces import cache as trace_cache
from hds_audit.pipeline import engine


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HDS_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_scan_replays_only_from_an_existing_cache_it_may_use(cache_dir):
    duckdb_run, spark_run = SimpleNamespace(engine="duckdb", cache=True), SimpleNamespace(engine="spark", cache=True)
    assert not traces.replays(duckdb_run)  # a first run: no cache file yet
    cache_dir.mkdir()
    (cache_dir / trace_cache.FILENAME).write_bytes(b"")
    assert traces.replays(duckdb_run)
    assert not traces.replays(SimpleNamespace(engine="duckdb", cache=False))  # --no-cache
    assert not traces.replays(spark_run)  # Spark reads every file


@pytest.mark.parametrize("cache_file", [False, True])
def test_the_import_waits_for_the_scan_only_on_a_first_run(cache_dir, monkeypatch, cache_file):
    if cache_file:
        cache_dir.mkdir()
        (cache_dir / trace_cache.FILENAME).write_bytes(b"")
    calls = []
    monkeypatch.setattr(tabular, "warm_up", lambda after=None, spark=False: calls.append((after, spark)))
    cache = SimpleNamespace(tenant=SimpleNamespace(engine="duckdb", cache=True), loaded={}, get=lambda kind: None)
    engine._prefetch(cache, [SimpleNamespace(needs=["traces", "access_register"], optional=[])])
    [(after, spark)] = calls
    assert (after is None) is cache_file and spark is False


@pytest.mark.parametrize(("imported", "keep", "hidden"), [
    (False, False, "pyspark"),  # nothing uses pyspark: great-expectations takes it as absent
    (False, True, "pyspark.sql.connect"),  # the Spark engine may import it meanwhile
    (True, False, "pyspark.sql.connect"),  # imported already: only its exiting import check is hidden
])
def test_pyspark_is_hidden_from_great_expectations_unless_in_use(monkeypatch, imported, keep, hidden):
    for name in ("pyspark", "pyspark.sql.connect"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    if imported:
        monkeypatch.setitem(sys.modules, "pyspark", SimpleNamespace())
    with tabular._without_pyspark(keep):
        assert sys.modules[hidden] is None
        with pytest.raises(ImportError):
            __import__(hidden)
    assert hidden not in sys.modules  # put back as it was
