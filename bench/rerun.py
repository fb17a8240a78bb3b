"""Re-runs: the whole run a second time after one non-trace file changed, the trace cache filled by the first.

    python bench/run.py --events 1000000 --rerun   # this case alone; its section of results.md is replaced

A compliance officer re-runs the quarter after fixing one register row: the trace files are the same bytes, so
the scan takes what it derived from each from the trace cache (hds_audit/evidence/traces/cache.py). In one run,
on the same files, `repeat` rounds of: the bare DuckDB scan of bench/run.py; the whole `hds-audit run` with an
empty cache (the first run); one row added to the register; the whole run again (the re-run); the register put
back. Ratios are medians of each round's own. Once, the re-run's results.json is compared with a `--no-cache`
run's on the same bundle (identical but for `tool.cache`). Then, in this process, where the re-run's trace stage
goes: `traces.load` from the cache, the copying and hashing of every trace file it still does, and SHA-256 alone.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PERIOD = "2026-Q3"
HEADING = "## Re-runs with the trace cache, {n:,} events"
ROW = "z.bench,Zoé Bench,z.bench@ch-bench.example,reader,2026-07-01,,Alice Martin,,\n"


def whole(bundle: Path, out: Path, cache: Path, launcher: str, *options: str) -> dict:
    """`hds-audit run` in a child process (through bench/run.py's launcher): wall, CPU, peak RSS, exit code."""
    command = [sys.executable, "-m", "hds_audit", "run", str(bundle), "--period", PERIOD, "--out", str(out), *options]
    env = dict(os.environ, HDS_AUDIT_CACHE_DIR=str(cache), HDS_AUDIT_NOW="2026-10-05T09:00:00+00:00")
    done = subprocess.run([sys.executable, "-c", launcher, *command], capture_output=True, text=True, check=True, env=env)
    run = json.loads(done.stdout)
    if run["code"] not in (0, 1):
        raise SystemExit(f"hds-audit run failed ({run['code']}):\n{run['errors']}")
    return run


def _without_cache_use(path: Path) -> tuple[str, dict]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(document | {"tool": {k: v for k, v in document["tool"].items() if k != "cache"}}), document["tool"]["cache"]


def stage_from_cache(bundle: Path, cache: Path, repeat: int) -> dict[str, float]:
    """Best seconds of the re-run's trace stage, in this process: `traces.load` from the filled cache, the copies it
    makes (copying and hashing every trace file), SHA-256 alone."""
    import hashlib
    from types import SimpleNamespace

    from hds_audit.evidence import traces
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.interface import Evidence
    from hds_audit.evidence.traces import copies

    os.environ["HDS_AUDIT_CACHE_DIR"] = str(cache)
    source = Bundle(str(bundle))
    rels = traces.list_files(source).traces
    best = {"load": float("inf"), "copies": float("inf"), "sha256": float("inf")}
    for _ in range(repeat):
        started = time.perf_counter()
        evidence = traces.load(Bundle(str(bundle)), SimpleNamespace(engine="duckdb", cache=True))
        best["load"] = min(best["load"], time.perf_counter() - started)
        if evidence.cache_use["files_read"]:
            raise SystemExit(f"the cache did not serve the re-run: {evidence.cache_use}")
        evidence.data.con.close()
        with tempfile.TemporaryDirectory(prefix="hds-audit-bench-") as folder:
            started = time.perf_counter()
            copies.take(Bundle(str(bundle)), rels, folder, Evidence("traces"))
            best["copies"] = min(best["copies"], time.perf_counter() - started)
        started = time.perf_counter()
        for rel in rels:
            with open(bundle / rel, "rb") as handle:
                hashlib.file_digest(handle, "sha256")
        best["sha256"] = min(best["sha256"], time.perf_counter() - started)
    return best


def measure(events: int, bundle: Path, repeat: int, bare_scan, trace_paths, launcher: str) -> str:
    files = trace_paths(bundle)
    register = bundle / "access_register.csv"
    original = register.read_bytes()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="hds-audit-bench-") as work:
        work = Path(work)
        for i in range(repeat):
            cache = work / f"cache-{i}"
            bare, _ = bare_scan(files)
            first = whole(bundle, work / "first", cache, launcher)
            try:
                register.write_bytes(original + ROW.encode("utf-8"))
                again = whole(bundle, work / "again", cache, launcher)
                if i == 0:
                    whole(bundle, work / "plain", work / "unused", launcher, "--no-cache")
                    same = _without_cache_use(work / "again" / "results.json")[0] == \
                        _without_cache_use(work / "plain" / "results.json")[0]
                    use = _without_cache_use(work / "again" / "results.json")[1]
            finally:
                register.write_bytes(original)
            rounds.append({"bare": bare.wall, "first": first["wall"], "again": again["wall"], "first_cpu": first["cpu"],
                           "again_cpu": again["cpu"], "rss": max(first["maxrss"], again["maxrss"])})
            print(f"round {i + 1}: bare {bare.wall:.2f} s, first run {first['wall']:.2f} s, re-run {again['wall']:.2f} s",
                  file=sys.stderr)
            if i < repeat - 1:  # the last one stays for the trace stage below
                shutil.rmtree(cache, ignore_errors=True)
        stage = stage_from_cache(bundle, work / f"cache-{repeat - 1}", repeat)
    best = {k: min(r[k] for r in rounds) for k in ("bare", "first", "again", "first_cpu", "again_cpu")}
    median = lambda f: statistics.median(f(r) for r in rounds)  # noqa: E731
    ratio = median(lambda r: r["again"] / r["first"])
    lines = [
        HEADING.format(n=events), "",
        f"`bench/run.py --events {events} --rerun --repeat {repeat}`: {len(files):,} trace files, {repeat} rounds of the "
        f"bare scan, the first run (empty cache), one register row added, the re-run; measured {time.strftime('%Y-%m-%d')}.",
        "",
        "| step | wall s (best) | CPU s (best) | × bare scan, median | × first run, median |",
        "|---|---:|---:|---:|---:|",
        f"| (a) bare DuckDB scan | {best['bare']:.2f} | | 1.00 | |",
        f"| first `hds-audit run` (empty cache) | {best['first']:.2f} | {best['first_cpu']:.2f} | "
        f"{median(lambda r: r['first'] / r['bare']):.2f} | 1.00 |",
        f"| re-run after one register row changed | {best['again']:.2f} | {best['again_cpu']:.2f} | "
        f"{median(lambda r: r['again'] / r['bare']):.2f} | {ratio:.2f} |",
        "",
        f"Re-run ≤ 0.25× the first run: {'yes' if ratio <= 0.25 else '**no**'} ({ratio:.2f}×). The re-run's `tool.cache`: "
        f"`{json.dumps(use)}`; its results.json {'is identical to' if same else '**differs from**'} a `--no-cache` run's "
        "but for `tool.cache`.",
        f"The re-run's trace stage, in this process (best of {repeat}): `traces.load` from the cache {stage['load']:.2f} s, "
        f"of which copying and hashing every trace file {stage['copies']:.2f} s (SHA-256 alone {stage['sha256']:.2f} s). "
        f"Peak RSS {max(r['rss'] for r in rounds) / 1024:,.0f} MB.",
    ]
    return "\n".join(lines) + "\n"
