"""The trace stage on each engine side by side (`bench/run.py --engine duckdb spark`): Spark in local mode on this machine,
its session started beforehand (the JVM's start is not the trace stage's), the best of `--repeat` runs of each."""

from __future__ import annotations

import sys

import generate


def measure(events: int, args, run) -> str:
    """The trace stage on each engine (`--engine`), best of `--repeat`: a section of results.md; `run` is
    bench/run.py's module (its stages)."""
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
    lines = [f"## Trace stage by engine, {events:,} events", "",
             f"`bench/run.py --events {events} --engine {' '.join(args.engine)} --repeat {args.repeat}`, best of "
             f"{args.repeat}; Spark in `{run.SPARK_MASTER}` on this machine" + (f", its session started beforehand in {start.wall:.1f} s"
                                                                            if "spark" in args.engine else "") + ".", "",
             "| engine | trace stage (s) | of which `traces.load` (s) | CPU of this process (s) | × DuckDB |", "|---|---|---|---|---|"]
    base = best.get("duckdb")
    for engine in args.engine:
        ratio = f"{best[engine].wall / base.wall:.2f}" if base else ""
        lines.append(f"| {engine} | {best[engine].wall:.2f} | {loads[engine]:.2f} | {best[engine].cpu:.2f} | {ratio} |")
    lines += ["", "The five trace checks give the same statuses on each engine: "
              + ", ".join(f"{c} {s}" for c, s in sorted(next(iter(statuses.values())).items())) + "."]
    return "\n".join(lines) + "\n"
