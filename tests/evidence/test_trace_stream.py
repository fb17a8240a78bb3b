"""The streamed reading of a trace file too large to be read whole in Python (hds_audit/evidence/traces/stream.py)
gives what files.parse_file gives, record for record, or refuses what it refuses; and the Spark executors' reading
of such a file (spark/scan.py) keeps its traces, or refuses it whole in the DuckDB store's words."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from bundle_builder import trace
from hypothesis import given, settings, strategies as st

from hds_audit.evidence.traces import files as trace_files, stream
from hds_audit.evidence.traces.files import parse_file
from hds_audit.evidence.traces.spark import scan

REL = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/a.json.gz"
T1, T2 = trace("a.durand", "2026-07-02T10:00:00+02:00", trace_id="t1"), trace("b.martin", "2026-07-02T11:00:00+02:00")
LINES = (json.dumps(T1) + "\n" + json.dumps(T2) + "\n").encode()

TEXTS = [
    json.dumps([T1, T2]).encode(),
    json.dumps([T1, T2], indent=2).encode(),
    b"\xef\xbb\xbf  " + json.dumps([T1]).encode() + b"\n\n",
    json.dumps({"traces": [T1, T2], "next": "x"}).encode(),
    json.dumps({"meta": {"a": [1, 2]}, "traces": [T1]}, indent=1).encode(),
    json.dumps(T1).encode(),
    json.dumps({"traces": "not a list", "time": 1}).encode(),
    LINES,
    LINES.replace(b"\n", b"\r\n"),
    b"\n" + LINES + b"\n\n \t",
    LINES + "\u00a0".encode(),
    LINES[:-1] + "\u00a0\n".encode(),
    b"[]", b"[ ]", b"{}", b"[1, 2.5e3, -0, true, null, \"x\"]", b'[{"a": NaN}]',
    # broken, each its own way
    b"", b"  \n", b"[", b"[1,]", b"[1 2]", b"[1] [2]", b'{"a": 1', b'{"a": 1}}', b'{"a": 1, "a": 2}',
    b'[{"a": 1, "a": 2}]', b'{"traces": [], "traces": []}', b'{1: 2}', b'{"a" 1}', b"tru", b"\"x\"", b"42",
    json.dumps(T1, indent=2).encode() + b"\n" + json.dumps(T2).encode(),
    LINES + b"{not json}\n", b"\xff\xfe[", "[\u2028]".encode(), json.dumps(["a\u2028b"]).encode(),
    LINES.replace(b"\n", "\u2028".encode()),
]


def parsed(raw: bytes, rel: str = REL[:-3]):
    try:
        return parse_file(rel, raw)
    except ValueError:
        return "refused"


def streamed(raw: bytes, rel: str = REL[:-3]):
    try:
        return list(stream.records(rel, raw))
    except ValueError:
        return "refused"


def alike(raw: bytes, rel: str = REL[:-3]) -> bool:
    """The same records, or refused by the stream where parse_file gives a record that is no object (a file the
    reading refuses whole past the limit either way, stream.py)."""
    got, want = streamed(raw, rel), parsed(raw, rel)
    return got == want or (got == "refused" and any(not isinstance(r, dict) for r in want))


@pytest.mark.parametrize("raw", TEXTS, ids=range(len(TEXTS)))
def test_the_stream_reads_what_parse_file_reads(raw):
    assert alike(raw) and alike(gzip.compress(raw), REL)


def test_small_chunks_and_values_across_them(monkeypatch):
    monkeypatch.setattr(stream, "SLICE", 7)
    monkeypatch.setattr(stream, "TRIM", 16)
    for raw in TEXTS:
        assert alike(raw), raw
    numbers = b"[" + b",".join(str(10**k).encode() for k in range(40)) + b"]"
    assert streamed(numbers) == parsed(numbers) == [10**k for k in range(40)]  # no number cut at a chunk's end


@settings(max_examples=60, deadline=None)
@given(st.lists(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                             lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                             max_leaves=8), max_size=6),
       st.sampled_from(["array", "envelope", "lines"]), st.integers(1, 40))
def test_any_json_reads_alike(values, shape, slice_size):
    raw = {"array": lambda: json.dumps(values, indent=1),
           "envelope": lambda: json.dumps({"x": values[:1], "traces": values}),
           "lines": lambda: "\n".join(json.dumps(v) for v in values)}[shape]().encode()
    stream.SLICE, old = slice_size, stream.SLICE
    try:
        assert alike(raw)
    finally:
        stream.SLICE = old


def test_a_value_past_the_limit_is_not_waited_for(monkeypatch):
    monkeypatch.setattr(stream, "VALUE_MAX", 100)
    monkeypatch.setattr(stream, "SLICE", 10)
    monkeypatch.setattr(stream, "TRIM", 10)
    assert streamed(json.dumps([{"a": "x" * 500}]).encode()) == "refused"
    assert streamed(json.dumps([{"a": "x" * 50}] * 20).encode()) == [{"a": "x" * 50}] * 20  # each item is short


def test_the_gzip_stream_keeps_the_bomb_guard_and_members(monkeypatch):
    monkeypatch.setattr(trace_files, "MAX_DECOMPRESSED", 10_000)
    two = gzip.compress(json.dumps(T1).encode() + b"\n") + gzip.compress(json.dumps(T2).encode())
    assert streamed(two, REL) == [T1, T2]
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    with pytest.raises(ValueError, match="decompression bomb"):
        list(stream.records(REL, deflate.compress(b"[" + b" " * 20_000 + b"]") + deflate.flush()))
    with pytest.raises(ValueError, match="truncated"):
        list(stream.records(REL, gzip.compress(json.dumps([T1, T2]).encode())[:-12]))


# -- the Spark executors' reading of a file past PYTHON_MAX_BYTES --------------------------------------------------
@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(trace_files, "PYTHON_MAX_BYTES", 200)


def test_a_large_file_is_read_trace_by_trace_with_its_indexes(small_limit):
    traces = [trace("a.durand", f"2026-07-02T{h:02d}:00:00+02:00", trace_id=f"t{h}") for h in range(10, 14)]
    out = list(scan.read_file(REL, gzip.compress(json.dumps(traces).encode())))
    assert [r["record"] for r in out if r["kind"] == "trace"] == [0, 1, 2, 3]
    assert [r["trace_id"] for r in out if r["kind"] == "trace"] == ["t10", "t11", "t12", "t13"]
    file = out[-1]
    assert file["kind"] == "file" and file["records"] == 4 and "problem" not in file
    assert scan.instant(file["first_us"]).isoformat() == "2026-07-02T08:00:00+00:00"
    assert scan.instant(file["last_us"]).isoformat() == "2026-07-02T11:00:00+00:00"


@pytest.mark.parametrize("raw, phase", [
    (gzip.compress(json.dumps([T1, T2] * 3).encode())[:-20], scan.REJECTED),
    (gzip.compress(json.dumps([T1, T2, 7, T1]).encode()), scan.REJECTED),
    (gzip.compress(json.dumps([T1, {**T2, "time": "soon"}, T1]).encode()), scan.BAD_TRACES),
], ids=["truncated", "a record that is no object", "a trace breaking the contract"])
def test_a_large_file_that_does_not_read_is_refused_whole_in_the_python_readings_words(small_limit, raw, phase):
    *_, file = scan.read_file(REL, raw)
    assert file["problem"].startswith("cannot be read exactly: it expands past 200 bytes, past the limit of 200 bytes")
    assert file["phase"] == phase and not [r for r in scan.read_file(REL, raw) if r["kind"] == "refused"]


def test_the_rows_of_a_large_file_leave_in_batches(small_limit, monkeypatch):
    import pyarrow as pa

    monkeypatch.setattr(scan, "BATCH_ROWS", 3)
    traces = [trace("a.durand", "2026-07-02T10:00:00+02:00", trace_id=f"t{i}") for i in range(7)]
    batch = pa.RecordBatch.from_pydict({"path": ["file:/b/" + REL], "content": [gzip.compress(json.dumps(traces).encode())]})
    sizes = [b.num_rows for b in scan.read_batches([batch], "file:/b/", {REL})]
    assert sizes == [3, 3, 2]  # 7 traces, then the file's row
