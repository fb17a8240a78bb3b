"""The named queries a trace store runs to answer `TraceStore` (../interface.py), one `.sql` file each.

They are written in a portable subset of SQL, so that another engine runs the same files: named
parameters (`$name`, integers or strings), no casts of parameters, instants as BIGINT microseconds
since the epoch, GROUP BY naming its columns, the first rows of a group by `row_number()` rather than
an n-argument `min_by`, no list aggregates (lists are assembled in Python), no regular expressions,
explicit NULLS FIRST/LAST wherever NULLs are ordered. tests/test_trace_queries.py parses every file
with sqlglot and transpiles it to Spark SQL.

A store provides the relations a query reads, with these columns:

- `scan_groups`: every group of the scan (per file read, region, account, service, OBS read, UTC hour):
  reading, region, user_name, service_type, read_name, read_bucket, hour, n, lo_us, hi_us.
- `period_groups`: the same columns, the groups of the period asked about (a store splits the groups
  straddling its bounds into traces).
- `traces`: reading, file, record, time_us, region, user_name, service_type, read_name, read_bucket;
  trace by trace, at least for the files the `*_files` queries selected.
- `details`: every column of `files.COLUMNS` (time as time_us), at least for the files asked about.
- filled from Python values before a query: `allowed(region)`, `buckets(bucket)`, `gap_regions(region)`,
  `gap_ends(region, at_us)`, `ref_points(file, record)`, `cover_spans(user_name, start_us, stop_us)`,
  `cover_accounts(user_name, first_revoked_us)` (keyed by the traces' user_name: a store joins the
  register's account keys to `account_key` of each name of `trace_accounts`).
- made by one query for the next: `hits(key, bucket, time_us, hi_us, n, file, record)` (by `*_traces`
  queries, read by `hit_*`): a trace (n 1, hi_us its time_us) or a group of n traces from time_us to hi_us
  (file and record NULL: its file was not written out, see below); and `gap_points(region, bucket, lo_us,
  hi_us)` (by `gap_points_*`, read by `gaps`).

A question's answer about each trace of a group is often the group's own (its region is outside, no span
of its account intersects it): the `*_files` queries then write out only the files that may hold one of
a key's first MAX_REFS traces (what a finding cites), and the `*_traces` queries count the other files'
groups whole. `traces` may hold more files (written out by another question, or every file): a file is
either read there trace by trace or counted by its groups, never both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Query:
    params: tuple[str, ...]
    reads: tuple[str, ...]


QUERIES: dict[str, Query] = {
    "any_in": Query((), ("period_groups",)),
    "summary": Query((), ("period_groups",)),
    "regions": Query((), ("period_groups",)),
    "hourly": Query((), ("period_groups",)),
    "outside_accounts": Query((), ("period_groups", "allowed")),
    "outside_services": Query((), ("period_groups", "allowed")),
    "outside_files": Query(("max_refs",), ("period_groups", "allowed")),
    "outside_traces": Query(("start", "end"), ("traces", "period_groups", "allowed")),
    "period_files": Query((), ("period_groups",)),
    "gap_points_hourly": Query((), ("period_groups",)),
    "gap_points_traces": Query(("start", "end", "width"), ("traces",)),
    "gaps": Query(("start", "end", "width", "limit"), ("gap_points", "gap_regions")),
    "gap_end_files": Query((), ("scan_groups", "gap_ends")),
    "gap_end_traces": Query((), ("traces", "gap_ends")),
    "trace_accounts": Query((), ("scan_groups",)),
    "trace_count": Query((), ("scan_groups",)),
    "uncovered_files": Query(("after_revocation", "max_refs"), ("period_groups", "cover_spans", "cover_accounts")),
    "uncovered_traces": Query(("start", "end", "after_revocation"),
                              ("traces", "period_groups", "cover_spans", "cover_accounts")),
    "bucket_read_files": Query(("max_refs",), ("period_groups", "cover_spans", "buckets")),
    "bucket_read_traces": Query(("start", "end"), ("traces", "period_groups", "cover_spans", "buckets")),
    "hit_counts": Query((), ("hits",)),
    "hit_refs": Query(("max_refs",), ("hits",)),
    "hit_buckets": Query((), ("hits",)),
    "trace_ids": Query((), ("details", "ref_points")),
    "lifecycle_traces": Query((), ("details",)),
}

_GROUP = (("reading", "INTEGER"), ("region", "VARCHAR"), ("user_name", "VARCHAR"), ("service_type", "VARCHAR"),
          ("read_name", "VARCHAR"), ("read_bucket", "VARCHAR"), ("hour", "BIGINT"), ("n", "BIGINT"), ("lo_us", "BIGINT"),
          ("hi_us", "BIGINT"))
# the relations filled from Python values, with their column types (portable names: VARCHAR, INTEGER, BIGINT)
INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "allowed": (("region", "VARCHAR"),),
    "buckets": (("bucket", "VARCHAR"),),
    "gap_regions": (("region", "VARCHAR"),),
    "gap_ends": (("region", "VARCHAR"), ("at_us", "BIGINT")),
    "ref_points": (("file", "VARCHAR"), ("record", "INTEGER")),
    "cover_spans": (("user_name", "VARCHAR"), ("start_us", "BIGINT"), ("stop_us", "BIGINT")),
    "cover_accounts": (("user_name", "VARCHAR"), ("first_revoked_us", "BIGINT")),
}
# every relation a query reads, the store's own included (tests fill them all on each engine)
RELATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "scan_groups": _GROUP,
    "period_groups": _GROUP,
    "traces": (("reading", "INTEGER"), ("file", "VARCHAR"), ("record", "INTEGER"), ("time_us", "BIGINT"),
               ("region", "VARCHAR"), ("user_name", "VARCHAR"), ("service_type", "VARCHAR"), ("read_name", "VARCHAR"),
               ("read_bucket", "VARCHAR")),
    "details": (("file", "VARCHAR"), ("record", "INTEGER"),
                *((c, "VARCHAR") for c in ("trace_id", "trace_name", "trace_rating", "trace_type", "service_type",
                                            "resource_type", "resource_id", "resource_name", "user_name")),
                ("time_us", "BIGINT"), ("region", "VARCHAR"), ("code", "VARCHAR"), ("source_ip", "VARCHAR")),
    "hits": (("key", "VARCHAR"), ("bucket", "VARCHAR"), ("time_us", "BIGINT"), ("hi_us", "BIGINT"), ("n", "BIGINT"),
             ("file", "VARCHAR"), ("record", "INTEGER")),
    "gap_points": (("region", "VARCHAR"), ("bucket", "BIGINT"), ("lo_us", "BIGINT"), ("hi_us", "BIGINT")),
    **INPUTS,
}

PARAMETER = re.compile(r"\$([a-z_]+)")


@cache
def text(name: str) -> str:
    """The SQL of query `name` (a file of this package)."""
    if name not in QUERIES:
        raise KeyError(f"no trace query named {name!r}")
    return resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def bind(name: str, values: dict) -> dict:
    """The parameters of query `name` from `values`: exactly those it declares (an engine refuses unused ones)."""
    declared = QUERIES[name].params
    missing = [p for p in declared if p not in values]
    if missing:
        raise TypeError(f"trace query {name!r} needs the parameter(s) {', '.join(missing)}")
    return {p: values[p] for p in declared}
