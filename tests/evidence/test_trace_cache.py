"""The trace cache: a re-run takes from it what the scan derived from each unchanged file, and never changes a result.

Each test compares a scan without the cache, a first scan with it (filling it) and a second (reading from it),
on a bundle of broken files: every kind of problem, in the order the scan raises them, must come back the same.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from bundle_builder import trace
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.evidence import traces
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.traces import cache as trace_cache, files as trace_files

KEY = "CloudTraces/{region}/2026/7/{day}/system/{service}/cts_CloudTrace_{region}_2026-07-{day:02d}T00-00-00Z_{name}.json"


def key(name: str, service: str = "ECS", region: str = "eu-west-0", day: int = 1) -> str:
    return KEY.format(region=region, day=day, service=service, name=name)


def batch(n: int, prefix: str, user: str | None = "a.durand", service: str = "ECS", day: int = 1, **extra) -> list[dict]:
    return [trace(user, f"2026-07-{day:02d}T{8 + i // 60:02d}:{i % 60:02d}:00+02:00", service=service,
                  trace_id=f"{prefix}{i}", **extra) for i in range(n)]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HDS_AUDIT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def broken(builder, monkeypatch):
    """Good files among every kind of bad one the scan handles."""
    monkeypatch.setattr(trace_files, "MAX_DECOMPRESSED", 200_000)
    for f in range(4):
        builder.traces(batch(5, f"g{f}-", day=f + 1), name=key(f"good{f}", day=f + 1) + ".gz")
    obs = batch(3, "o-", service="OBS", name="getObject", resource_name="Report.pdf", resource_id="/dossiers/report.pdf")
    builder.traces(obs, name=key("reads", service="OBS") + ".gz")
    builder.traces(obs[:1] + batch(2, "stray-"), name=key("stray", service="ECS", day=2) + ".gz")  # OBS in ECS/: again
    builder.traces(batch(2, "w-", region="eu-west-1"), name=key("other", region="eu-west-1") + ".gz")
    builder.traces(batch(3, "e-"), name="api/cts-list-eu-west-0.json", shape="envelope")
    builder.traces(batch(3, "l-"), name=key("lines").replace(".json", ".jsonl.gz"), shape="lines")
    refused = batch(4, "r-", day=3)
    refused[1]["time"] = "yesterday"
    refused[2].pop("user")
    builder.traces(refused, name=key("refused", day=3) + ".gz")
    late = batch(2, "late-", service="OBS", day=4, name="getObject", resource_name="a", resource_id="/b/a")
    late[0]["time"] = 12.5
    builder.traces(late, name=key("late", service="OBS", day=4) + ".gz")
    whole = gzip.compress(json.dumps(batch(200, "x")).encode(), mtime=0)
    builder.write(f"traces/{key('truncated')}.gz", whole[: len(whole) // 2])
    builder.write(f"traces/{key('garbage')}.gz", b"\x1f\x8b\x08\x00" + b"\x00garbage" * 10)
    bomb = gzip.compress(b"[" + b" " * 1_000_000 + b"]", compresslevel=9, mtime=0)
    builder.write(f"traces/{key('bomb')}.gz", bomb[:-4] + (100).to_bytes(4, "little"))
    builder.write(f"traces/{key('text')}", b"hello, this is not JSON\n")
    builder.write(f"traces/{key('large')}", json.dumps(batch(500, "big-")).encode())  # past the limit: unread
    copied = (builder.root / "traces" / (key("good0") + ".gz")).read_bytes()
    builder.write(f"traces/copy/{key('good0')}.gz", copied)  # the same bytes again
    builder.traces(batch(5, "g1-", day=2)[:2], name=key("overlap", day=2) + ".gz")  # two traces of good1 again
    return builder


def scan(root: Path, cache: bool = True):
    return traces.load(Bundle(str(root)), SimpleNamespace(engine="duckdb", cache=cache))


def snapshot(evidence) -> dict:
    """Everything a check or a report can see of the scan."""
    store = evidence.data
    store.materialize()
    store.details()
    return {
        "problems": [(p.file, p.record, p.reason) for p in evidence.problems],
        "files": [(f.path, f.sha256, f.size, f.records, f.first, f.last) for f in evidence.files],
        "note": evidence.note,
        "count": store.count(),
        "groups": store.rows("SELECT r.file, r.shape, g.region, g.user_name, g.service_type, g.read_name, g.read_bucket, "
                             "g.hour, g.n, g.lo, g.hi FROM trace_groups_live g JOIN trace_readings r USING (reading) "
                             "ORDER BY ALL"),
        "traces": store.rows("SELECT file, record, time, region, user_name, service_type, read_name, read_bucket "
                             "FROM traces ORDER BY file, record"),
        "details": store.rows("SELECT * FROM details ORDER BY file, record"),
    }


def three_scans(root: Path) -> tuple[dict, list]:
    """The scan without the cache, then twice with it: their snapshots must agree; the uses of the cache."""
    base = snapshot(scan(root, cache=False))
    uses = []
    for _ in range(2):
        evidence = scan(root)
        assert snapshot(evidence) == base
        uses.append(evidence.cache_use)
    return base, uses


def test_broken_files_come_back_the_same_from_the_cache(broken, cache_dir):
    base, (first, second) = three_scans(broken.root)
    assert len(base["problems"]) >= 10  # every kind of problem, in the scan's order
    reasons = " ".join(p[2] for p in base["problems"])
    for kind in ("gzip", "decompression bomb", "not JSON", "same bytes", "also in", "milliseconds", "split it"):
        assert kind in reasons, kind
    read = len(base["files"]) + 5  # the files read and the five unread (truncated, garbage, bomb, text, large)
    assert first == {"used": True, "files_from_cache": 0, "files_read": read}
    assert second == {"used": True, "files_from_cache": read - 1, "files_read": 1}  # the large one: refused unread
    assert (cache_dir / trace_cache.FILENAME).is_file()


def test_files_read_and_files_from_the_cache_mix_in_the_scan_order(broken, cache_dir):
    scan(broken.root)
    refused = batch(3, "r2-", day=3)
    refused[0]["time"] = "later"
    broken.traces(refused, name=key("refused", day=3) + ".gz")  # another bad file in its place
    broken.traces(batch(5, "g2-", day=3)[:4], name=key("good2", day=3) + ".gz")
    broken.write(f"traces/{key('text')}", b"still not JSON\n")
    base = snapshot(scan(broken.root, cache=False))
    evidence = scan(broken.root)
    assert snapshot(evidence) == base
    assert evidence.cache_use["files_read"] == 3 + 1 and evidence.cache_use["files_from_cache"] > 10  # + large


def test_without_the_cache_nothing_is_written(broken, cache_dir):
    evidence = scan(broken.root, cache=False)
    assert evidence.cache_use == {"used": False, "files_from_cache": 0, "files_read": len(evidence.files) + 5}
    assert not cache_dir.exists()


def test_a_changed_file_alone_is_read_again(builder, cache_dir):
    for f in range(3):
        builder.traces(batch(4, f"c{f}-", day=f + 1), name=key(f"f{f}", day=f + 1) + ".gz")
    scan(builder.root)
    changed = batch(4, "c1-", day=2)
    changed[3]["time"] = "soon"
    builder.traces(changed, name=key("f1", day=2) + ".gz")
    base = snapshot(scan(builder.root, cache=False))
    evidence = scan(builder.root)
    assert evidence.cache_use == {"used": True, "files_from_cache": 2, "files_read": 1}
    assert snapshot(evidence) == base
    assert base["problems"] == [(f"traces/{key('f1', day=2)}.gz", "record 3", base["problems"][0][2])]


# -- results.json: the same with the cache and without, but for `tool.cache` ------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def results(root: Path, out: Path, *options: str) -> tuple[str, dict]:
    """results.json's text without `tool.cache`, and `tool.cache`."""
    done = CliRunner().invoke(cli, ["run", str(root), "--period", "2026-Q3", "--out", str(out), *options],
                              env={"HDS_AUDIT_NOW": "2026-10-05T09:00:00+00:00"}, catch_exceptions=False)
    assert done.exit_code in (0, 1), done.output
    text = (out / "results.json").read_text(encoding="utf-8")
    document = json.loads(text)
    use = document["tool"].pop("cache")
    assert text == json.dumps({**document}, indent=2, ensure_ascii=False).replace(
        '"engine": "duckdb"\n  }', '"engine": "duckdb",\n    "cache": ' + json.dumps(use, indent=2).replace("\n", "\n    ") + "\n  }") + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False), use


@pytest.mark.parametrize("bundle", ["samples/compliant", "samples/violations", "broken"])
def test_results_json_is_the_same_with_and_without_the_cache(bundle, request, cache_dir, tmp_path):
    root = request.getfixturevalue("broken").root if bundle == "broken" else SAMPLES.parent / bundle
    without, off = results(root, tmp_path / "off", "--no-cache")
    filled, first = results(root, tmp_path / "first")
    again, second = results(root, tmp_path / "second")
    assert without == filled == again
    assert off == {"used": False, "files_from_cache": 0, "files_read": first["files_read"]}
    assert first["used"] and second["used"] and second["files_from_cache"] == first["files_read"] - (bundle == "broken")
    assert second["files_read"] == (bundle == "broken")  # the broken bundle's file past the limit is refused, unread


def test_cache_false_in_tenant_yaml_turns_it_off(builder, cache_dir, tmp_path):
    builder.tenant(cache=False)
    builder.traces(batch(3, "t-"))
    _, use = results(builder.root, tmp_path / "o")
    assert use == {"used": False, "files_from_cache": 0, "files_read": 1}
    assert not cache_dir.exists()


def _entries(cache_dir: Path, statement: str) -> None:
    con = duckdb.connect(str(cache_dir / trace_cache.FILENAME))
    con.execute(statement)
    con.close()


def _rebuilt(root: Path, note: str | None) -> None:
    """The next scan ignores what is wrong (saying so) and gives the same results; the one after uses the cache again."""
    base = snapshot(scan(root, cache=False))
    evidence = scan(root)
    assert snapshot(evidence) == base
    if note is not None:
        assert any(note in n for n in evidence.cache_use["notes"]), evidence.cache_use
    assert evidence.cache_use["files_read"] > 0
    again = scan(root)
    assert snapshot(again) == base
    assert again.cache_use == {"used": True, "files_from_cache": len(base["files"]) + 4, "files_read": 1}  # + large


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_cache_file_is_replaced(broken, cache_dir, damage):
    scan(broken.root)
    path = cache_dir / trace_cache.FILENAME
    data = path.read_bytes()
    path.write_bytes({"garbage": b"not a database" * 1000, "truncated": data[: len(data) // 3]}[damage])
    _rebuilt(broken.root, "replaced")


def test_entries_of_another_version_are_ignored(broken, cache_dir):
    scan(broken.root)
    _entries(cache_dir, f"UPDATE {trace_cache._TABLE.split('.')[1]} SET version = 'older'")
    _rebuilt(broken.root, "another tool or scan version")


@pytest.mark.parametrize("tamper", [
    "groups",
    "problems = []",
    "file = replace(file, 'good0', 'good1')",
])
def test_entries_not_matching_their_digest_are_never_trusted(broken, cache_dir, tamper):
    scan(broken.root)
    if tamper.startswith("groups"):  # a group's count changed, the rest of it kept
        tamper = ("groups = list_transform(groups, lambda g: {'region': g.region, 'user_name': g.user_name, 'service_type': "
                  "g.service_type, 'read_name': g.read_name, 'read_bucket': g.read_bucket, 'hour': g.hour, 'n': g.n + 1, "
                  "'lo': g.lo, 'hi': g.hi, 'bad': g.bad})")
    _entries(cache_dir, f"UPDATE {trace_cache._TABLE.split('.')[1]} SET {tamper}")
    # an entry moved to another file's key is no entry of that file: both are read again
    _rebuilt(broken.root, None if tamper.startswith("file") else "not matching its digest")


def test_a_foreign_table_under_the_cache_name_is_replaced(broken, cache_dir):
    cache_dir.mkdir()
    _entries(cache_dir, f"CREATE TABLE {trace_cache._TABLE.split('.')[1]} (sha256 VARCHAR, file VARCHAR, version VARCHAR)")
    base = snapshot(scan(broken.root, cache=False))
    evidence = scan(broken.root)
    assert snapshot(evidence) == base
    assert any("replaced" in n for n in evidence.cache_use["notes"])
    assert scan(broken.root).cache_use["files_read"] == 1  # the large file alone


def test_entries_are_pruned_past_the_bound(builder, cache_dir, monkeypatch):
    for f in range(4):
        builder.traces(batch(2, f"p{f}-", day=f + 1), name=key(f"p{f}", day=f + 1) + ".gz")
    monkeypatch.setattr(trace_cache, "MAX_ENTRIES", 3)
    scan(builder.root)
    con = duckdb.connect(str(cache_dir / trace_cache.FILENAME))
    assert con.execute(f"SELECT count(*) FROM {trace_cache._TABLE.split('.')[1]}").fetchone()[0] == 3
    con.execute(f"UPDATE {trace_cache._TABLE.split('.')[1]} SET used = used - INTERVAL 400 DAY")
    con.close()
    builder.traces(batch(2, "new-", day=9), name=key("new", day=9) + ".gz")
    assert scan(builder.root).cache_use["files_from_cache"] == 3  # still used, then older than MAX_AGE_DAYS: pruned
    con = duckdb.connect(str(cache_dir / trace_cache.FILENAME))
    assert con.execute(f"SELECT count(*) FROM {trace_cache._TABLE.split('.')[1]}").fetchone()[0] == 3
    con.close()


_HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_cache_another_run_holds_is_waited_for_then_done_without(builder, cache_dir, monkeypatch):
    builder.traces(batch(3, "h-"), name=key("h") + ".gz")
    scan(builder.root)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(cache_dir / trace_cache.FILENAME), "3"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(trace_cache, "LOCK_WAIT_S", 0.5)
        evidence = scan(builder.root)
    finally:
        holder.wait()
    assert evidence.cache_use["used"] is False and evidence.cache_use["files_read"] == 1
    assert any("in use by another run" in n for n in evidence.cache_use["notes"])
    assert evidence.data.count() == 3
    monkeypatch.setattr(trace_cache, "LOCK_WAIT_S", 10)
    assert scan(builder.root).cache_use["files_from_cache"] == 1


def test_the_version_follows_the_scan_and_its_limits(monkeypatch):
    version = trace_cache.scan_version()
    assert trace_cache.scan_version() == version
    monkeypatch.setattr(trace_files, "PYTHON_MAX_BYTES", trace_files.PYTHON_MAX_BYTES + 1)
    assert trace_cache.scan_version() != version


def test_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HDS_AUDIT_CACHE_DIR", str(tmp_path / "here"))
    assert trace_cache.folder() == tmp_path / "here"
    monkeypatch.delenv("HDS_AUDIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert trace_cache.folder() == tmp_path / "xdg" / "hds-audit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert trace_cache.folder() == tmp_path / "home" / ".cache" / "hds-audit"
