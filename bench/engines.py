"""The trace stage on each engine side by side (`bench/run.py --engine duckdb spark`): Spark in local mode on this machine,
its session started beforehand (the JVM's start is not the trace stage's), the best of `--repeat` runs of each."""

from __future__ import annotations

import os
import sys

import generate


def measure(events: int, args, run) -> str:
    """The trace stage on each engine (`--engine`), best of `--repeat`, then the whole run on each: a section of
    results.md; `run` is bench/run.py's module (its stages)."""
    bundle = generate.generate(events, args.cache / str(events))
    best: dict[str, run.Clock] = {}
    loads: dict[str, float] = {}
    statuses = {}
    if "spark" in args.engine:  # the session's start (the JVM) is not the trace stage's: started before, said apart
        with run.Clock() as start:
            from hds_audit.evidence.traces.spark.session import session

            session(run.SPARK_MASTER)
        print(f"Spark session {run.SPARK_MASTER} started in {start.wall:.2f} s", file=sys.stderr)
    for i in range(args.repeat):
        for engine in args.engine:
            run._settle()
            clock, info = run.trace_stage(bundle, engine)
            if info["events"] != events or info["problems"]:
                raise SystemExit(f"{engine}: {info['events']} events, {info['problems']} problem(s); expected {events}, none")
            statuses.setdefault(engine, info["statuses"])
            if engine not in best or clock.wall < best[engine].wall:
                best[engine], loads[engine] = clock, info["load"].wall
            print(f"run {i + 1} {engine}: {clock.wall:.2f} s (load {info['load'].wall:.2f} s)", file=sys.stderr)
    if len(set(map(str, statuses.values()))) > 1:
        raise SystemExit(f"the engines disagree: {statuses}")
    wholes = {}
    for engine in args.engine:  # each in a fresh process: the Spark run starts its own session, as a user's does
        run._settle()
        wholes[engine] = run.whole_run_tree(bundle, engine)
        print(f"whole run {engine}: {wholes[engine][0]:.2f} s, peak RSS {wholes[engine][2]:.0f} MB "
              f"(process tree {wholes[engine][4]:.0f} MB), exit {wholes[engine][3]}", file=sys.stderr)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    lines = [f"## Trace stage by engine, {events:,} events", "",
             f"`bench/run.py --events {events} --engine {' '.join(args.engine)} --repeat {args.repeat}`, best of "
             f"{args.repeat}; Spark in `{run.SPARK_MASTER}` on this machine ({os.cpu_count()} cores)"
             + (f", its session started beforehand in {start.wall:.1f} s" if "spark" in args.engine else "")
             + (f"; load average at the end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (1, 5, 15 min)" if load else "") + ".", "",
             "| engine | trace stage (s) | of which `traces.load` (s) | CPU of this process (s) | × DuckDB | whole `hds-audit run` (s) "
             "| × DuckDB | peak RSS of the `hds-audit` process (MB) | peak RSS of its process tree (MB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    base = best.get("duckdb")
    for engine in args.engine:
        ratio = f"{best[engine].wall / base.wall:.2f}" if base else ""
        wall, _, rss, _, tree = wholes[engine]
        whole_ratio = f"{wall / wholes['duckdb'][0]:.2f}" if "duckdb" in wholes else ""
        lines.append(f"| {engine} | {best[engine].wall:.2f} | {loads[engine]:.2f} | {best[engine].cpu:.2f} | {ratio} | {wall:.2f} "
                     f"| {whole_ratio} | {rss:.0f} | {tree:.0f} |")
    lines += ["", "The five trace checks give the same statuses on each engine: "
              + ", ".join(f"{c} {s}" for c, s in sorted(next(iter(statuses.values())).items())) + ".",
              "", "The whole run includes, on Spark, the start of its own session (a JVM) in a fresh process. The process "
              "tree's peak is sampled every 0.25 s: on Spark it counts the JVM and its Python workers, which the "
              "`hds-audit` process's own figure leaves out."]
    return "\n".join(lines) + "\n"
