"""Each valid trace layout side by side with its own bare DuckDB scan, in one run (`bench/run.py --layouts ...`).

The same traces laid out otherwise (bench/generate.py LAYOUTS): per layout and run, (a) the bare scan of its files,
(b) the trace stage and (c) the whole `hds-audit run`; each ratio is that run's own (b) ÷ (a) or (c) ÷ (a), the
table gives their median and range over the runs, and the last column divides a layout's median by CTS's own
layout's: the issue's target is ≤ 1.5 there. Layouts take turns within a run, in the reverse order every other run.
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, datetime

import generate

HEADING = "## Layouts, {n:,} events"
TARGET = 1.5  # a valid layout's ratio ≤ 1.5 × CTS's own layout's


def measure(events: int, layouts: list[str], args, run) -> str:
    """The section of results.md; `run` is bench/run.py's module (its stages)."""
    bundles = {name: generate.generate(events, args.cache / generate.cache_name(events, name), layout=name) for name in layouts}
    files = {name: run.trace_paths(bundle) for name, bundle in bundles.items()}
    ratios: dict[str, dict[str, list[float]]] = {name: {"b": [], "c": [], "a": []} for name in layouts}
    seen: dict[str, dict] = {}
    for i in range(args.repeat):
        for name in (layouts if i % 2 == 0 else layouts[::-1]):
            shape = generate.LAYOUTS[name][1]
            run._settle()
            bare, counted = run.bare_scan(files[name], shape)
            run._settle()
            stage, info = run.trace_stage(bundles[name])
            if counted["events"] != events or info["events"] != events or info["problems"]:
                raise SystemExit(f"{name}: bare {counted['events']}, hds-audit {info['events']} events, "
                                 f"{info['problems']} problem(s); expected {events}, none")
            run._settle()
            wall, _, rss, _ = run.whole_run(bundles[name])
            ratios[name]["a"].append(bare.wall)
            ratios[name]["b"].append(stage.wall / bare.wall)
            ratios[name]["c"].append(wall / bare.wall)
            seen[name] = {"python": info["python"], "twice": info["twice"], "rss": rss, "statuses": info["statuses"]}
            print(f"run {i + 1} {name}: (a) {bare.wall:.2f} s, (b) {stage.wall:.2f} s, (c) {wall:.2f} s", file=sys.stderr)
    statuses = {name: s["statuses"] for name, s in seen.items()}
    if len({str(s) for s in statuses.values()}) > 1:
        raise SystemExit(f"the layouts disagree: {statuses}")
    median = {name: {k: statistics.median(v) for k, v in r.items()} for name, r in ratios.items()}
    base = median.get("cts", median[layouts[0]])
    spread = lambda v: f"{min(v):.2f}-{max(v):.2f}"  # noqa: E731
    lines = [HEADING.format(n=events), "",
             f"`bench/run.py --events {events} --layouts {' '.join(layouts)} --repeat {args.repeat}`, measured "
             f"{datetime.now(UTC):%Y-%m-%d}: {args.repeat} runs, each layout's bare scan (a), trace stage (b) and whole "
             "`hds-audit run` (c) back to back; ratios are each run's own, median (range); × cts divides a layout's "
             f"median by CTS's own layout's (target ≤ {TARGET}).", "",
             "| layout | (a) bare scan s, median | (b) ÷ (a) | × cts | (c) ÷ (a) | × cts | files read in Python | files read twice | peak RSS of (c) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in layouts:
        m, r, s = median[name], ratios[name], seen[name]
        lines.append(f"| {name} | {m['a']:.2f} | {m['b']:.2f} ({spread(r['b'])}) | {m['b'] / base['b']:.2f} | "
                     f"{m['c']:.2f} ({spread(r['c'])}) | {m['c'] / base['c']:.2f} | {s['python']} | {s['twice']} | {s['rss']:,.0f} MB |")
    lines += ["", "Every layout gives the same statuses of the five trace checks: "
              + ", ".join(f"{c} {v}" for c, v in next(iter(statuses.values())).items()) + "."]
    return "\n".join(lines) + "\n"
