"""The bundle writer: CTS keys and file shapes as the trace reader takes them, stable ids, and kept out of the audit."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hds_audit.bundle_writer.clock import epoch_ms
from hds_audit.bundle_writer.files import BundleFiles, csv_text
from hds_audit.bundle_writer.ids import Ids, Rng
from hds_audit.bundle_writer.traces import cts_key, encode, write_trace_file
from hds_audit.evidence.traces.files import key_region, may_read_buckets

FIRST = datetime(2026, 8, 6, 9, 5, 7, tzinfo=UTC)
TRACES = [{"trace_id": "a", "time": 1}, {"trace_id": "b", "time": 2}]


def test_cts_key_is_the_layout_the_reader_knows():
    key = cts_key("ch", "eu-west-0", FIRST, "0123456789abcdef", service="OBS")
    assert key == "traces/CloudTraces/eu-west-0/2026/8/6/system/OBS/ch_CloudTrace_eu-west-0_2026-08-06T09-05-07Z_0123456789abcdef.json.gz"
    assert key_region(key) == "eu-west-0" and may_read_buckets(key)
    flat = cts_key("ch", "eu-west-0", FIRST, "ff", service=None)
    assert "/system/ch_CloudTrace_" in flat and may_read_buckets(flat)  # no service folder: any service
    assert not may_read_buckets(cts_key("ch", "eu-west-0", FIRST, "ff", service="ECS"))


@pytest.mark.parametrize("shape, decode", [
    ("array", json.loads),
    ("lines", lambda text: [json.loads(line) for line in text.splitlines()]),
    ("envelope", lambda text: json.loads(text)["traces"]),
])
def test_every_shape_holds_the_traces(shape, decode):
    assert decode(encode(TRACES, shape).decode()) == TRACES


def test_a_single_trace_file_holds_one_trace_and_unknown_shapes_are_refused():
    assert json.loads(encode(TRACES[:1], "object")) == TRACES[0]
    with pytest.raises(ValueError, match="one trace"):
        encode(TRACES, "object")
    with pytest.raises(ValueError, match="unknown"):
        encode(TRACES, "xml")


def test_gzip_files_are_deterministic(tmp_path):
    files = BundleFiles(tmp_path)
    write_trace_file(files, "traces/a.json.gz", TRACES)
    write_trace_file(files, "traces/b.json.gz", TRACES)
    write_trace_file(files, "traces/c.json", TRACES)
    assert (tmp_path / "traces/a.json.gz").read_bytes() == (tmp_path / "traces/b.json.gz").read_bytes()
    assert json.loads(gzip.decompress((tmp_path / "traces/a.json.gz").read_bytes())) == TRACES
    assert (tmp_path / "traces/c.json").read_bytes() == encode(TRACES)
    assert files.sha["traces/a.json.gz"] == files.sha["traces/b.json.gz"]


def test_ids_and_jitter_are_stable():
    ids = Ids("x")
    assert ids.hex("a", 1) == Ids("x").hex("a", 1) != Ids("y").hex("a", 1)
    uuid = ids.uuid("a")
    assert len(uuid) == 36 and uuid[14] == "4" and uuid[19] in "89ab"
    assert [Rng(7).int(0, 9) for _ in range(3)] == [Rng(7).int(0, 9) for _ in range(3)]


def test_epoch_ms_takes_text_and_datetimes_to_the_millisecond():
    assert epoch_ms("2026-07-01T10:00:00.123+02:00") == epoch_ms(datetime(2026, 7, 1, 8, 0, 0, 123000, tzinfo=UTC))
    assert epoch_ms("1970-01-01T00:00:01+00:00") == 1000


def test_csv_cells_none_and_missing_are_empty():
    assert csv_text(["a", "b"], [[1, None], {"a": "x"}]) == "a,b\n1,\nx,\n"


def test_the_audit_never_imports_the_writer():
    package = Path(__file__).resolve().parent.parent / "hds_audit"
    importers = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
                 if "bundle_writer" not in p.parts and "bundle_writer" in p.read_text(encoding="utf-8")]
    assert importers == []
