"""Every check run on both trace stores over the same bundle gives the same results.json (but the engine named in
`tool`): mixed-case names, several tracker buckets, odd file names, a truncated gzip, a string `time`, a
decompression bomb, the same file twice, the same trace in two files, a file Spark's listing skips, and gzip files
expanding past the limit of the Python reading (PYTHON_MAX_BYTES): one read whole by both, one truncated and one
holding a trace breaking the contract, refused alike."""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from bundle_builder import trace
from test_resources_reader import tf, tfstate
from test_trace_checks import REGISTER, bucket, read, server, tracker

from hds_audit.calendar.period import parse_period
from hds_audit.catalog import load_catalog
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load as load_tenant
from hds_audit.evidence.traces.files import PYTHON_MAX_BYTES
from hds_audit.pipeline.engine import run_checks
from hds_audit.states import Status

T0 = datetime(2026, 7, 1, tzinfo=UTC)


def mid_size(user: str, start: datetime, prefix: str) -> tuple[int, str]:
    """(count, JSON text) of enough traces by `user`, one a second from `start`, to pass PYTHON_MAX_BYTES: a few
    thousand, each with a large `request` (as CTS records a request's body), so that the engines' work on them is
    mostly the file's size."""
    one = json.dumps(trace(user, start.isoformat(), trace_id="@ID", request="p" * 16_000))
    ms = round(start.timestamp() * 1000)
    template = one.replace(str(ms), "@MS").replace(str(ms + 500), "@RT")
    count = PYTHON_MAX_BYTES // len(template) + 1000
    lines = [template.replace("@MS", str(ms + 1000 * i)).replace("@RT", str(ms + 1000 * i + 500)).replace("@ID", f"{prefix}-{i}")
             for i in range(count)]
    return count, "[" + ",".join(lines) + "]"


bundle_counts: dict[str, int] = {}


def hourly(user, start, hours, region="eu-west-0", prefix="h"):
    endpoint = f"https://ecs.{region}.prod-cloud-ocb.orange-business.com"
    return [trace(user, (start + timedelta(hours=h)).isoformat(), trace_id=f"{prefix}-{h}", endpoint=endpoint) for h in range(hours)]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from bundle_builder import BundleBuilder

    b = BundleBuilder(tmp_path_factory.mktemp("engines") / "bundle")
    b.tenant(allowed_regions=["eu-west-0"], contract_end="2026-08-31")
    b.write("resources/main.tfstate", tfstate(
        tracker(), tracker("eu-west-1", bucket="ch-nl-cts", name="nl"), bucket(), bucket(name="ch-nl-cts"),
        server(), server("nl", "eu-west-1"),
        tf("flexibleengine_blockstorage_volume_v2", "data", {"id": "vol-1", "region": "eu-west-0", "tags": {"hds": "true"}})))
    b.register(*REGISTER, {"account": "A.Durand", "person": "Anne Durand", "role": "admin", "granted_at": "2026-01-05",
                           "revoked_at": "2026-07-20T00:00:00+02:00"})
    b.users({"name": "a.durand"}, {"name": "m.reader"})
    # a day of hourly traces in each region, then silence (continuity gaps); mixed-case accounts
    b.traces(hourly("a.durand", T0, 30), name="CloudTraces/eu-west-0/2026/7/1/system/ECS/cts_CloudTrace_eu-west-0_1.json.gz")
    b.traces(hourly("A.Durand ", T0 + timedelta(days=25), 5, prefix="late"), name="api/late.jsonl", shape="lines")
    b.traces(hourly("x.nobody", T0, 3, "eu-west-1", "nl"), region="eu-west-1")
    # reads of the two tracker buckets, names in several cases, one by an operator, one at revocation
    b.traces([read("o.perator", "2026-07-02T12:00:00+02:00", "getObject", trace_id="op-1"),
              read("O.Perator", "2026-07-03T12:00:00+02:00", "LISTOBJECTS", bucket_name="CH-NL-CTS", resource_name="", trace_id="op-2"),
              read("l.eaver", "2026-07-15T10:00:00+02:00", trace_id="late-read"),
              read("m.reader", "2026-07-02T10:00:00+02:00", bucket_name="Ch-Test-Cts")],
             name="CloudTraces/eu-west-0/2026/7/2/system/OBS/cts_CloudTrace_eu-west-0_2.json.gz")
    # deletion proofs and a deletion of something else
    b.traces([trace("a.durand", "2026-08-01T10:00:00+02:00", "deleteServer", resource_id="srv-app", trace_id="del-1"),
              trace("a.durand", "2026-08-02T10:00:00+02:00", "deleteVolume", resource_id="vol-1", trace_rating="warning",
                    trace_id="del-2")], name="odd/a b#1+é.json")
    b.traces([trace("a.durand", "2026-07-05T10:00:00+02:00", trace_id="glob-1")], name="odd/[1].json")
    b.traces([trace("a.durand", "2026-07-06T10:00:00+02:00", trace_id="under-1")], name="odd/_under.json")
    # broken files: truncated gzip, a string time, a bomb, not JSON, empty; the same bytes twice; a trace twice
    b.write("traces/broken/truncated.json.gz", gzip.compress(json.dumps(hourly("a.durand", T0, 40)).encode())[:-30])
    b.traces([trace("a.durand", "2026-07-07T10:00:00+02:00", trace_id="ok-1"),
              trace("a.durand", "2026-07-07T11:00:00+02:00", trace_id="str-1", time="1783414800000")], name="broken/string-time.json")
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    b.write("traces/broken/bomb.json.gz", deflate.compress(b"[" + b" " * (PYTHON_MAX_BYTES + 4096)) + deflate.flush())
    b.write("traces/broken/notjson.json", "this is not JSON")
    # past PYTHON_MAX_BYTES once expanded: DuckDB reads the good one, the Spark executors read it as a stream
    count, text = mid_size("a.durand", T0 + timedelta(days=3), "mid")
    large = gzip.compress(text.encode(), compresslevel=1)
    b.write("traces/CloudTraces/eu-west-0/2026/7/4/system/ECS/cts_CloudTrace_eu-west-0_large.json.gz", large)
    b.write("traces/broken/large-truncated.json.gz", large[: len(large) - 1000])
    lines = text[1:-1].replace("},{", "}\n{").replace("mid-", "bad-")
    bad = lines[: len(lines) // 2] + "\n" + json.dumps(trace("a.durand", "2026-07-09T10:00:00+02:00", time="soon")) + "\n"
    b.write("traces/broken/large-bad.jsonl.gz", gzip.compress((bad + lines[len(lines) // 2:]).encode(), compresslevel=1))
    bundle_counts["large"] = count
    b.write("traces/broken/empty.json", "")
    copied = b.root / "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/cts_CloudTrace_eu-west-0_1.json.gz"
    b.write("traces/copy/again.json.gz", copied.read_bytes())
    b.traces([trace("a.durand", "2026-07-01T03:00:00+00:00", trace_id="h-3", endpoint="https://ecs.eu-west-0.example"),
              trace("a.durand", "2026-07-08T10:00:00+02:00", trace_id="only-here")], name="export/overlap.json")
    return b.root


def results(root, engine: str) -> dict:
    source = Bundle(str(root))
    tenant = load_tenant(source).model_copy(update={"engine": engine})
    out = run_checks(load_catalog(), source, tenant, parse_period("2026-Q3")).to_json()
    assert out["tool"].pop("engine") == engine
    out["tool"].pop("cache")  # the spark engine does not use the trace cache, and says so
    return out


def no_duckdb(*args, **kwargs):
    raise AssertionError("the Spark store ran something on DuckDB")


def test_every_check_gives_the_same_results_on_both_engines(bundle, spark, monkeypatch):
    duck = results(bundle, "duckdb")
    for name in ("connect", "sql", "execute", "query"):  # the queries run on Spark SQL: DuckDB is never asked
        monkeypatch.setattr(duckdb, name, no_duckdb)
    on_spark = results(bundle, "spark")
    assert on_spark["evidence_problems"] == duck["evidence_problems"]
    assert on_spark["evidence"] == duck["evidence"]
    checks = lambda r: {c["id"]: c for control in r["controls"] for c in control["checks"]}  # noqa: E731
    for check_id, check in checks(duck).items():
        assert checks(on_spark)[check_id] == check, check_id
    assert on_spark == duck
    # the fixture earns its keep: each kind of broken file is named, the trace checks found something
    problems = {(p["file"], p["record"]): p["reason"] for p in duck["evidence_problems"] if p["kind"] == "traces"}
    assert problems[("traces/broken/truncated.json.gz", None)] == "not a valid gzip file (truncated)"
    assert problems[("traces/broken/string-time.json", "record 1")].startswith("'time' must be milliseconds")
    assert problems[("traces/broken/bomb.json.gz", None)].startswith("cannot be read exactly: it expands past")
    assert problems[("traces/broken/empty.json", None)] == "empty file"
    assert problems[("traces/copy/again.json.gz", None)].startswith("same bytes as traces/CloudTraces/")
    assert "(same trace_id, e.g. h-3)" in problems[("traces/export/overlap.json", None)]
    statuses = {i: c["status"] for i, c in checks(duck).items()}
    assert statuses["trace.access_entitlement"] == statuses["trace.continuity"] == statuses["residency.activity"] == "fail"
    readers = {f["object"] for f in checks(duck)["trace.access_entitlement"]["findings"] if "status" not in f}
    assert {"l.eaver", "O.Perator"} <= readers and "m.reader" not in readers
    large = "cts_CloudTrace_eu-west-0_large.json.gz"
    refusal = "cannot be read exactly: it expands past 64.0 MiB, past the limit of 64.0 MiB for reading one trace file in Python"
    assert problems[("traces/broken/large-truncated.json.gz", None)].startswith(refusal)
    assert problems[("traces/broken/large-bad.jsonl.gz", None)].startswith(refusal)
    assert not [p for p in problems if large in p[0] or ("large" in p[0] and p[1] is not None)]
    [read] = [e for e in on_spark["evidence"] if e["path"].endswith(large)]
    assert read["records"] == bundle_counts["large"]
    files = {e["path"] for e in duck["evidence"]}
    assert {"traces/odd/a b#1+é.json", "traces/odd/[1].json", "traces/odd/_under.json"} <= files


def test_a_bundle_without_good_traces_errs_alike(tmp_path, spark):
    from bundle_builder import BundleBuilder

    b = BundleBuilder(tmp_path / "bundle")
    b.write("traces/only/truncated.json.gz", gzip.compress(b"[]" * 100)[:-4])
    duck, on_spark = results(b.root, "duckdb"), results(b.root, "spark")
    assert on_spark == duck
    status = {c["id"]: c["status"] for control in duck["controls"] for c in control["checks"]}
    assert status["residency.activity"] == Status.ERROR.value


def test_a_store_released_leaves_nothing_cached_on_the_cluster(tmp_path, spark):
    import gc

    from bundle_builder import BundleBuilder

    from hds_audit.evidence.traces.spark import load as load_on_spark

    def cached() -> int:
        return spark.sparkContext._jsc.getPersistentRDDs().size()

    b = BundleBuilder(tmp_path / "bundle")
    b.traces(hourly("a.durand", T0, 3), name="a.json")
    b.traces(hourly("a.durand", T0 + timedelta(days=1), 2, prefix="u"), name="_under.json")  # read on the driver: a union
    before = cached()
    for _ in range(2):  # two stores in one session, one after the other, neither closed: as a run leaves them
        evidence = load_on_spark(Bundle(str(b.root)))
        assert evidence.data.count() == 5 and cached() > before
        del evidence
        gc.collect()
        assert cached() == before
