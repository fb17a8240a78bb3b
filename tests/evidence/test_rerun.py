"""Re-runs: files the trace cache serves are hashed where they lie and never copied, a file read is copied and must
hash as it did; great-expectations imports at once beside a cached scan, and without pyspark unless it is in use."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from types import SimpleNamespace

import pytest
from bundle_builder import trace

from hds_audit.evidence import tabular, traces
from hds_audit.evidence.bundle import Bundle, EvidenceChanged
from hds_audit.evidence.traces import cache as trace_cache
from hds_audit.pipeline import engine


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HDS_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


FOLDER = "CloudTraces/eu-west-0/2026/7/{day}/system/ECS"


def two_files(builder) -> list[str]:
    rels = []
    for day in (1, 2):
        name = f"{FOLDER.format(day=day)}/day{day}.json"
        builder.traces([trace("a.durand", f"2026-07-0{day}T10:0{i}:00+02:00", trace_id=f"t{day}-{i}") for i in range(3)], name=name)
        rels.append(f"traces/{name}")
    return rels


def scan(builder):
    return traces.load(Bundle(str(builder.root)), SimpleNamespace(engine="duckdb", cache=True))


def test_a_rerun_hashes_every_file_and_copies_only_those_it_reads(builder, cache_dir):
    rels = two_files(builder)
    scan(builder)  # the first run fills the cache, copying every file
    again = scan(builder)
    copies = again.data.copies
    assert again.cache_use["files_from_cache"] == 2 and copies.pending == set(rels) and os.listdir(copies.folder) == []
    hashes = {f.path: f.sha256 for f in again.files}  # what the manifest lists
    assert hashes == {rel: hashlib.sha256((builder.root / rel).read_bytes()).hexdigest() for rel in rels}
    again.data.details([rels[0]])  # a reading of one file: it alone is copied, as it was hashed
    assert copies.pending == {rels[1]} and len(os.listdir(copies.folder)) == 1
    assert again.data.rows("SELECT trace_id FROM details ORDER BY trace_id") == [("t1-0",), ("t1-1",), ("t1-2",)]


def test_a_file_changed_before_a_rerun_copies_it_is_an_error_naming_it(builder, cache_dir):
    rels = two_files(builder)
    scan(builder)
    again = scan(builder)
    (builder.root / rels[1]).write_text(json.dumps([trace("x.other", "2026-07-02T10:00:00+02:00", trace_id="t-new")]))
    with pytest.raises(EvidenceChanged, match="bytes changed since the scan hashed them") as raised:
        again.data.details([rels[1]])
    assert raised.value.path == rels[1] and rels[1] in again.data.copies.pending


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


def test_a_failing_look_for_repeated_ids_falls_back_to_the_full_reading(builder, monkeypatch):
    """The narrow query over candidate files' ids is a shortcut: if DuckDB refuses it, every column is read as before."""
    from hds_audit.evidence.traces import sql

    day = "CloudTraces/eu-west-0/2026/7/1/system/ECS"
    shared = trace("a.durand", "2026-07-01T10:00:00+02:00", trace_id="t-shared")
    builder.traces([shared, trace("a.durand", "2026-07-01T10:01:00+02:00", trace_id="t-a")], name=f"{day}/a.json")
    builder.traces([shared, trace("a.durand", "2026-07-01T10:02:00+02:00", trace_id="t-b")], name=f"{day}/b.json")
    asked = []
    monkeypatch.setattr(sql, "repeated_ids", lambda shape: asked.append(shape) or "SELECT no_such_column FROM range(1)")
    evidence = traces.load(Bundle(str(builder.root)), SimpleNamespace(engine="duckdb", cache=False))
    assert asked and evidence.data.count() == 3  # refused, yet the shared trace is found and counted once
    assert [p.file for p in evidence.problems if "also in" in p.reason] == [f"traces/{day}/b.json"]


@pytest.mark.parametrize("shape", ["array", "lines"])
def test_a_trace_in_two_files_is_found_by_its_id_alone(builder, shape):
    """The narrow query reads the trace ids only (`records=true`: one declared column alone was 20 times slower)."""
    day, ext = "CloudTraces/eu-west-0/2026/7/1/system/ECS", ".json" if shape == "array" else ".jsonl"
    shared = trace("a.durand", "2026-07-01T10:00:00+02:00", trace_id="t-shared")
    for name, own in (("a", "t-a"), ("b", "t-b")):
        builder.traces([shared, trace("a.durand", "2026-07-01T10:01:00+02:00", trace_id=own)], name=f"{day}/{name}{ext}", shape=shape)
    evidence = traces.load(Bundle(str(builder.root)), SimpleNamespace(engine="duckdb", cache=False))
    assert evidence.data.count() == 3
    assert [p.file for p in evidence.problems if "also in" in p.reason] == [f"traces/{day}/b{ext}"]



def test_a_released_store_removes_its_folder_beside_the_rest_of_the_run(builder, cache_dir):
    """The trace store's temporary folder (copies of every trace file, the DuckDB file) is removed in a thread once the
    checks are done, beside the reports' rendering, not at exit after them."""
    import threading

    two_files(builder)
    store = scan(builder).data
    workdir = store.workdir
    assert os.path.isdir(workdir)
    store.release()
    for thread in threading.enumerate():
        if thread.name == "hds-audit-traces-cleanup":
            thread.join(timeout=60)
    assert not os.path.exists(workdir)
    store.release()  # twice: nothing more to do


def test_run_checks_releases_the_trace_store_it_loaded(monkeypatch, cache_dir):
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.tenant import load as load_tenant
    from hds_audit.evidence.traces.duckdb_store import DuckDBTraceStore
    from hds_audit.paths import data_dir

    released = []
    monkeypatch.setattr(DuckDBTraceStore, "release", lambda self: released.append(self))
    bundle = Bundle(str(data_dir("samples") / "compliant"))
    engine.run_checks(load_catalog(), bundle, load_tenant(bundle), parse_period("2026-Q3"), only={"trace.continuity"})
    assert len(released) == 1
