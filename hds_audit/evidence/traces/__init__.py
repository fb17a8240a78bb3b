"""`traces/**`: Cloud Trace Service files as CTS writes them to OBS, read into DuckDB tables behind `TraceStore`.

Checks see the traces only through `TraceStore` (interface.py); `DuckDBTraceStore` (duckdb_store.py)
implements it by the named queries of queries/. One scan of every file keeps its traces' groups
(`trace_groups_live`: per file read, region, account, service, OBS read and UTC hour, the number of
traces and the first and last instant); the store writes out trace by trace (`materialize`, view
`traces`) only the files that may hold an answer.

`read_name` and `read_bucket` are the lower-cased `resource_name` and first `resource_id` segment of
OBS reads (a `trace_name` beginning with Get, List or Head), NULL on other traces. `time` is a
TIMESTAMPTZ, `user_name` is NULL when `user` is null, `region` is the key's `CloudTraces/{region}/`,
else the region named in `endpoint`, lower-cased and trimmed once here so that queries compare it as stored.

The long strings (trace ids, resource ids, names) are read on demand into `trace_details` (every
column of COLUMNS) for the files that need them: those of the evidence references of findings, or
all files for the deletion checks.

The tables live in a temporary DuckDB file (paged in by DuckDB within MEMORY_LIMIT). Every file is
first copied to a temporary folder and hashed as it is copied (copies.py): every reading, the scan
and each later one, is of those hashed bytes (a copy altered since is `EvidenceChanged`, naming the file).
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
import threading
from typing import TYPE_CHECKING

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.traces.files import (  # noqa: F401 - the kind's public names
    COLLECTION_LOG, COLUMNS, PATTERNS, TRACE_SUFFIXES, list_files, parse_file, region_of, trace_files, trace_ref, trace_row,
)
from hds_audit.evidence.traces.interface import TraceStore  # noqa: F401 - what checks receive

if TYPE_CHECKING:
    import duckdb

    from hds_audit.evidence.traces.duckdb_store import DuckDBTraceStore

# DuckDB and the modules that use it load when a trace is read, not when a check or `controls list` imports this
# package (the checks reference traces through files.trace_ref and interface.py only)
_LAZY = {"DuckDBTraceStore": "duckdb_store", "TraceSet": "duckdb_store", "Loader": "reader", "Copies": "copies",
         "EvidenceChanged": "copies"}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, "DuckDBTraceStore" if name == "TraceSet" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["COLLECTION_LOG", "COLUMNS", "DESCRIPTION", "DuckDBTraceStore", "NAME", "PATTERNS", "TraceSet", "TraceStore",
           "load", "parse_file", "region_of", "replays", "scan_started", "trace_files", "trace_ref", "trace_row"]

NAME = "traces"
DESCRIPTION = "traces/**: Cloud Trace Service files"
# Set when DuckDB begins reading trace files: other slow work (importing great-expectations) can start beside it.
scan_started = threading.Event()
# DuckDB's memory budget; past it the tables page out to their temporary folder.
MEMORY_LIMIT = os.environ.get("HDS_AUDIT_DUCKDB_MEMORY", "512MB")

# TraceSet (module __getattr__): the name DuckDBTraceStore had before the store had an interface


def connect(workdir: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB database in `workdir` holding the empty trace tables."""
    import duckdb

    from hds_audit.evidence.traces import sql

    con = duckdb.connect(os.path.join(workdir, "traces.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    spill = os.path.join(workdir, "spill").replace("'", "''")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = true")  # `record` relies on it
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would print on stdout
    con.execute("SET enable_progress_bar_print = false")
    for statement in (sql.EVENTS, sql.READINGS, sql.VIEW, sql.GROUPS, sql.GROUPS_LIVE, sql.DETAILS, sql.SCAN_GROUPS,
                      sql.DETAILS_VIEW):
        con.execute(statement)
    return con


def load(bundle: Bundle, tenant=None) -> Evidence[DuckDBTraceStore]:
    import duckdb

    from hds_audit.evidence.traces import cache as trace_cache, copies as copying, repeats
    from hds_audit.evidence.traces.duckdb_store import DuckDBTraceStore
    from hds_audit.evidence.traces.reader import Loader

    if getattr(tenant, "engine", "duckdb") == "spark":  # `--engine spark`, or `engine: spark` in tenant.yaml
        from hds_audit.evidence.traces.spark import load as load_on_spark

        evidence = load_on_spark(bundle, tenant.spark_master, scan_started)
        evidence.cache_use = trace_cache.off(len(evidence.files), "the spark engine reads every file: it does not use "
                                             "the cache").to_json()
        return evidence
    evidence: Evidence[DuckDBTraceStore] = Evidence(NAME)
    listing = listed(bundle, evidence)
    if listing is None:
        return evidence
    workdir = tempfile.mkdtemp(prefix="hds-audit-traces-")
    try:
        con = connect(workdir)
        path = trace_cache.folder() / trace_cache.FILENAME
        # a cache that may serve the files: hash them where they lie, copy only those read (a first run copies all)
        copies, files = copying.take(bundle, listing.traces, os.path.join(workdir, "files").replace(os.sep, "/"), evidence,
                                     lazy=replays(tenant))
        cache = trace_cache.TraceCache(path, copies.hashes) if cached(tenant) else None
        Loader(bundle, con, copies, evidence, scan_started, cache).run(files)
        if cache:
            cache.use.read = len(files) - cache.use.from_cache
        evidence.cache_use = (cache.use if cache else trace_cache.off(len(files))).to_json()
    except duckdb.OutOfMemoryException as exc:
        # not the files' fault, and reading them again in Python would be slower still: say what to change
        shutil.rmtree(workdir, ignore_errors=True)
        evidence.files.clear()
        evidence.problems.append(Problem("traces", None, f"DuckDB ran out of memory reading the traces within its limit of "
                                         f"{MEMORY_LIMIT} (raise HDS_AUDIT_DUCKDB_MEMORY): {exc}"))
        return evidence
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    evidence.data = DuckDBTraceStore(con, len(files), copies, workdir)
    repeats.count_once(evidence.data, evidence)  # the same trace in two files counts once
    if bundle.exists(COLLECTION_LOG):  # where `collect` got each file: hashed into the manifest too
        bundle.record(COLLECTION_LOG)
    return evidence


def cached(tenant) -> bool:
    """Whether the scan may use the cache: not with `--no-cache` (or `cache: false` in tenant.yaml)."""
    return getattr(tenant, "cache", True) is not False


def replays(tenant) -> bool:
    """Whether the DuckDB scan may take files from an existing cache (a re-run): its files are then hashed where
    they lie, and copied only if read."""
    from hds_audit.evidence.traces import cache as trace_cache

    return (getattr(tenant, "engine", "duckdb") != "spark" and cached(tenant)
            and (trace_cache.folder() / trace_cache.FILENAME).is_file())


def listed(bundle: Bundle, evidence: Evidence):
    """The bundle's trace files (the listing both engines read), the other files of traces/ reported in `evidence`;
    None, with the note saying so, when there is no trace file."""
    listing = list_files(bundle)
    _report_other_files(bundle, listing, evidence)
    if not listing.traces:
        evidence.note = "; ".join(filter(None, ["no trace file under traces/", evidence.note]))
        return None
    return listing


def _report_other_files(bundle: Bundle, listing, evidence: Evidence) -> None:
    """Files under traces/ that are not read as traces, said in the evidence note (results.json `evidence_notes`).

    CTS digest files are hashed into the manifest and counted; other files (a README, a PDF...) are named, hidden
    files (.DS_Store...) counted. A file that may hold traces (a gzip file, any name ending in TRACE_SUFFIXES) is
    read, and reported if it holds none.
    """
    notes = []
    for rel, target in listing.linked.items():
        evidence.problems.append(Problem(rel, None, f"is a symbolic link to a folder ({target}): not followed, its files "
                                         "are not read (put the files themselves in the bundle)"))
    if listing.unknown:
        notes.append(f"{len(listing.unknown)} file(s) not read as traces (a trace file's name ends in "
                     f"{', '.join(TRACE_SUFFIXES)}, any case): {', '.join(listing.unknown[:5])}"
                     + (" ..." if len(listing.unknown) > 5 else ""))
    if listing.digests:
        for rel in listing.digests:
            bundle.record(rel)
        notes.append(f"{len(listing.digests)} CTS digest file(s) (Digest/ folders) kept in the manifest, not read as traces")
    if listing.hidden:
        notes.append(f"{len(listing.hidden)} hidden file(s) not read: {', '.join(listing.hidden[:5])}"
                     + (" ..." if len(listing.hidden) > 5 else ""))
    evidence.note = "; ".join(notes) or None

