"""A bundle full of findings against a clean one, each whole run beside its bare scan (`bench/run.py --findings`).

The same number of traces (bench/generate.py: `full` plants OUTSIDERS accounts outside the register, reads of the
trace bucket by operators, a tenth of the files in a region the tenant does not allow), so that the checks write out
most files trace by trace and cite many traces. Per run and bundle, in turn (the reverse order every other run): the
bare DuckDB scan (a) of its files and the whole `hds-audit run` (c) with its peak RSS. Ratios are each run's own:
(c) ÷ (a) per bundle (target ≤ 1.5 at 10M on the clean one), and findings (c) ÷ clean (c) (target ≤ 2).
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, datetime

import generate

HEADING = "## Findings-full against clean, {n:,} events"
WHOLE_MAX, FINDINGS_MAX, RSS_MAX_MB = 1.5, 2.0, 1024


def measure(events: int, args, run) -> str:
    """The section of results.md; `run` is bench/run.py's module (its stages)."""
    bundles = {"clean": generate.generate(events, args.cache / generate.cache_name(events, "cts")),
               "findings": generate.generate(events, args.cache / generate.cache_name(events, "cts", True), full=True)}
    files = {name: run.trace_paths(bundle) for name, bundle in bundles.items()}
    got: dict[str, dict[str, list[float]]] = {name: {"a": [], "c": [], "rss": [], "code": []} for name in bundles}
    for i in range(args.repeat):
        for name in (("clean", "findings") if i % 2 == 0 else ("findings", "clean")):
            run._settle()
            bare, counted = run.bare_scan(files[name])
            if counted["events"] != events:
                raise SystemExit(f"{name}: the bare scan counted {counted['events']} events, expected {events}")
            run._settle()
            wall, _, rss, code = run.whole_run(bundles[name])
            for key, value in (("a", bare.wall), ("c", wall), ("rss", rss), ("code", code)):
                got[name][key].append(value)
            print(f"run {i + 1} {name}: (a) {bare.wall:.2f} s, (c) {wall:.2f} s, {rss:.0f} MB, exit {code}", file=sys.stderr)
    ratio = {name: [c / a for a, c in zip(g["a"], g["c"])] for name, g in got.items()}
    pair = [f / c for f, c in zip(got["findings"]["c"], got["clean"]["c"])]
    spread = lambda v: f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"  # noqa: E731
    lines = [HEADING.format(n=events), "",
             f"`bench/run.py --events {events} --findings --repeat {args.repeat}`, measured {datetime.now(UTC):%Y-%m-%d}; "
             "median (range) over the runs, each ratio that run's own.", "",
             "| bundle | exit code | (a) bare scan s | (c) whole run s | (c) ÷ (a) | peak RSS of (c) |", "|---|---:|---:|---:|---:|---:|"]
    for name, g in got.items():
        lines.append(f"| {name} | {g['code'][0]} | {spread(g['a'])} | {spread(g['c'])} | {spread(ratio[name])} | "
                     f"{statistics.median(g['rss']):,.0f} MB ({min(g['rss']):,.0f}-{max(g['rss']):,.0f}) |")
    lines += ["", f"Findings-full (c) ÷ clean (c), each run's own: {spread(pair)} (target ≤ {FINDINGS_MAX}); "
              f"clean (c) ÷ (a): {spread(ratio['clean'])} (target ≤ {WHOLE_MAX}); peak RSS at most "
              f"{max(max(g['rss']) for g in got.values()):,.0f} MB (target ≤ {RSS_MAX_MB:,})."]
    return "\n".join(lines) + "\n"
