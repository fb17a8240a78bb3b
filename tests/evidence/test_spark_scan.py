"""What the Spark executors do with each trace file (hds_audit/evidence/traces/spark/scan.py), without Spark:
the same reading, reasons and hashes as the DuckDB store's."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib

import pyarrow as pa
import pytest
from bundle_builder import trace

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.traces import load
from hds_audit.evidence.traces.files import MAX_DECOMPRESSED, PYTHON_MAX_BYTES
from hds_audit.evidence.traces.spark import scan
from hds_audit.i18n.messages import unkept  # Spark rows keep a reason's template as text

REL = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/a.json.gz"


def rows(rel, raw, kind):
    return [r for r in scan.read_file(rel, raw) if r["kind"] == kind]


def test_good_file_gives_its_hash_count_instants_and_one_row_per_trace():
    records = [trace("a.durand", "2026-07-02T10:00:00+02:00"), trace(None, "2026-07-02T11:00:00.5+02:00")]
    raw = gzip.compress(json.dumps(records).encode())
    [file] = rows(REL, raw, "file")
    assert file["sha256"] == hashlib.sha256(raw).hexdigest() and file["size"] == len(raw)
    assert file["records"] == 2 and "problem" not in file and "phase" not in file
    traces = rows(REL, raw, "trace")
    assert [t["record"] for t in traces] == [0, 1] and traces[0]["user_name"] == "a.durand" and traces[1]["user_name"] is None
    assert scan.instant(file["last_us"]).isoformat() == "2026-07-02T09:00:00.500000+00:00"
    assert traces[0]["region"] == "eu-west-0" and traces[0]["read_name"] is None


def test_obs_read_fields_as_the_duckdb_store_computes_them():
    read = trace("m.reader", "2026-07-02T10:00:00+02:00", "GetObject", "OBS", resource_id="/CH-Test-CTS/x/y",
                 resource_name="CH-Test-CTS")
    [t] = rows(REL.replace("ECS", "OBS"), gzip.compress(json.dumps([read]).encode()), "trace")
    assert (t["read_name"], t["read_bucket"]) == ("ch-test-cts", "ch-test-cts")


def test_a_trace_breaking_the_contract_is_refused_with_its_record_and_the_others_kept():
    records = [trace("a", "2026-07-02T10:00:00+02:00"), trace("b", "2026-07-02T10:00:00+02:00", time="1782885600000")]
    out = scan.read_file(REL, gzip.compress(json.dumps(records).encode()))
    assert [(r["record"], str(unkept(r["reason"]))) for r in out if r["kind"] == "refused"] == [
        (1, "'time' must be milliseconds since the epoch, got \"1782885600000\"")]
    assert [r["record"] for r in out if r["kind"] == "trace"] == [0]
    assert out[0]["phase"] == scan.BAD_TRACES and out[0]["records"] == 2


@pytest.mark.parametrize("raw, reason", [
    (gzip.compress(b'[{"a": 1}]' * 50, mtime=0)[:-9], "not a valid gzip file (truncated)"),
    (b"", "empty file"),
    (b"\xff\xfe[", "not UTF-8 text (byte 0)"),
], ids=["truncated gzip", "empty", "not UTF-8"])
def test_unreadable_files_get_the_words_of_the_python_reading(raw, reason):
    rel = REL if raw[:2] == b"\x1f\x8b" else REL[:-3]
    [file] = scan.read_file(rel, raw)
    assert str(unkept(file["problem"])) == reason and file["phase"] == scan.REJECTED and "records" not in file


def test_decompression_bomb_is_refused_without_inflating_it_whole():
    chunk = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = chunk.compress(b"[" + b" " * (PYTHON_MAX_BYTES + 1024)) + chunk.flush()
    [file] = scan.read_file(REL, bomb)
    assert file["problem"].startswith("cannot be read exactly: it expands past 64.0 MiB")


def test_a_plain_file_past_the_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(scan.trace_files, "MAX_DECOMPRESSED", 10)
    [file] = scan.read_file("traces/a.json", b"[" + b" " * 20 + b"]")
    assert file["phase"] == scan.TOO_LARGE and str(unkept(file["problem"])).startswith("the file is 22 bytes, past the limit of 10 bytes")
    assert MAX_DECOMPRESSED > 10  # the module's own limit is untouched


@pytest.mark.parametrize("given", [
    "file:/b/traces/a b/x#1+é.json",
    "file:/b/traces/a%20b/x%231+%C3%A9.json",
])
def test_spark_paths_map_to_the_listed_name_and_a_plus_stays_a_plus(given):
    assert scan.relative(given, "file:/b/", {"traces/a b/x#1+é.json"}) == "traces/a b/x#1+é.json"
    assert scan.relative("file:/b/traces/other.json", "file:/b/", {"traces/a b/x#1+é.json"}) is None


def test_glob_characters_are_escaped_for_hadoop():
    assert scan.escape_glob("file:/b/[1]{a,b}*?.json") == r"file:/b/\[1\]\{a,b\}\*\?.json"


def test_read_batches_gives_arrow_batches_of_the_row_schema():
    raw = json.dumps([trace("a", "2026-07-02T10:00:00+02:00")]).encode()
    batch = pa.RecordBatch.from_pydict({"path": ["file:/b/traces/a.json", "file:/b/traces/unlisted.json"],
                                        "content": [raw, raw]})
    [out] = list(scan.read_batches([batch], "file:/b/", {"traces/a.json"}))
    assert out.schema == scan.arrow_schema()
    assert out.column("kind").to_pylist() == ["file", "trace"] and set(out.column("rel").to_pylist()) == {"traces/a.json"}


def test_the_duckdb_store_hashes_the_same_bytes(tmp_path):
    """The manifest's hash of a trace file is the same whichever store read it."""
    raw = gzip.compress(json.dumps([trace("a", "2026-07-02T10:00:00+02:00")]).encode())
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "a.json.gz").write_bytes(raw)
    evidence = load(Bundle(str(tmp_path)))
    [read] = evidence.files
    assert read.sha256 == rows("traces/a.json.gz", raw, "file")[0]["sha256"]
