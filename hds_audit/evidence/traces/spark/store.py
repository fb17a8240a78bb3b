"""The Spark trace store's reading: the cluster reads and hashes every trace file, the driver says its problems.

One Spark job reads every trace file (`binaryFile` + `mapInArrow`, scan.py: hds-audit's own reading on the
executors, the SHA-256 of each file in the same pass) into a persisted table of one row per trace, plus one
row per file and per refused trace; the file rows (hashes, problems) come back to the driver, the traces stay
on the cluster, where the checks' named queries run over them (relations.py).

Problems are said in the DuckDB store's words and order (reader.Loader): unreadable files, then byte-for-byte
copies, then files too large, then files no query reads, then files holding a trace that breaks the contract.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from hds_audit.evidence.bundle import Bundle, Unreadable, describe_error
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.traces.files import key_region, may_read_buckets
from hds_audit.evidence.traces.spark import scan
from hds_audit.evidence.traces.spark.session import session
from hds_audit.i18n.messages import unkept

ENGINE = "spark"
SHAPE = "spark"  # the shape recorded for a file read by Spark (trace_readings.shape)
# Hadoop's connector scheme for a remote bundle (s3:// in hds-audit): s3a with hadoop-aws, obs on MRS/DLI
FS_SCHEME = os.environ.get("HDS_AUDIT_SPARK_FS_SCHEME")


def file_uri(bundle: Bundle, rel: str) -> str:
    if not bundle.is_remote:
        return scan.local_uri(bundle.local_path(rel))
    scheme = bundle.url.split("://", 1)[0]
    scheme = FS_SCHEME or {"s3": "s3a"}.get(scheme, scheme)
    return f"{scheme}://{posixpath.join(bundle.root, rel)}"


def root_uri(bundle: Bundle) -> str:
    if not bundle.is_remote:
        return scan.local_uri(bundle.local_path(".")).rstrip("/.") + "/"
    return file_uri(bundle, "").rstrip("/") + "/"


@dataclass
class Scan:
    """What the Spark job found, per file (its `file` row), per refused trace, and the files read nowhere."""

    files: dict[str, dict] = field(default_factory=dict)
    refused: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # the files read once each (no byte-for-byte copy), readable or not
    cached: list = field(default_factory=list)  # the frames persisted by the reading: the store unpersists them


def read(bundle: Bundle, rels: list[str], evidence: Evidence, master: str | None, started=None):
    """(spark, the persisted table of rows, the files to count: kept, readable), problems into `evidence`."""
    spark = session(master)
    found = Scan()
    for rel in rels:  # what the DuckDB store's copy refuses (copies._copy_local): links out, FIFOs, devices
        reason = None if bundle.is_remote else bundle.unreadable(rel)
        if reason:
            found.unreadable[rel] = reason
    wanted = [rel for rel in rels if rel not in found.unreadable and (bundle.is_remote or os.path.isfile(bundle.local_path(rel)))]
    if started is not None:
        started.set()
    rows = _spark_rows(spark, bundle, wanted)
    found.cached.append(rows)
    for r in rows.filter("kind <> 'trace'").collect():
        if r["kind"] == "file":
            found.files[r["rel"]] = r.asDict()
        else:
            found.refused.setdefault(r["rel"], []).append((r["record"], r["reason"]))
    # Spark skips some names (`_x.json`, `.x`), a file may vanish between listing and reading: the listing is the
    # reference, and whatever Spark did not read is read here, with the same reading
    late = [rel for rel in rels if rel not in found.files and rel not in found.unreadable]
    if late:
        extra = _read_on_driver(bundle, late, found)
        if extra:  # not persisted again: the union reads the persisted rows and a few local ones
            rows = rows.unionByName(spark.createDataFrame(extra, scan.ROW_SCHEMA))
    for rel in sorted(found.refused):
        found.refused[rel].sort()
    kept = _problems(bundle, rels, found, evidence)
    return spark, rows, kept, found


def _spark_rows(spark, bundle: Bundle, rels: list[str]):
    from functools import partial

    known = set(rels)
    root = root_uri(bundle)
    schema = scan.ROW_SCHEMA
    if not rels:
        return spark.createDataFrame([], schema)
    files = (spark.read.format("binaryFile").option("ignoreMissingFiles", "true")
             .load([scan.escape_glob(file_uri(bundle, rel)) for rel in rels]))
    from pyspark import StorageLevel

    return files.select("path", "content").mapInArrow(partial(scan.read_batches, root=root, known=known), schema) \
        .persist(StorageLevel.MEMORY_AND_DISK)


def _read_on_driver(bundle: Bundle, rels: list[str], found: Scan) -> list[dict]:
    out = []
    for rel in rels:
        try:
            if bundle.is_remote:
                raw = bundle.fs.cat_file(posixpath.join(bundle.root, rel))
            else:
                with bundle.open_plain(rel) as handle:
                    raw = handle.read()
        except OSError as exc:  # the words of copies._copy_local / copies._fetch
            found.unreadable[rel] = (f"cannot be fetched from the bucket: {describe_error(exc)}" if bundle.is_remote else
                                     str(exc) if isinstance(exc, Unreadable) else f"cannot be read ({exc.strerror or exc})")
            continue
        rows = list(scan.read_file(rel, raw))
        found.files[rel] = next(r for r in rows if r["kind"] == "file")
        found.refused[rel] = [(r["record"], r["reason"]) for r in rows if r["kind"] == "refused"]
        out += [{c: r.get(c) for c in scan._COLUMNS} for r in rows]
    return out


def _problems(bundle: Bundle, rels: list[str], found: Scan, evidence: Evidence) -> list[str]:
    """Problems in the DuckDB store's order; FileReads of the files counted. Returns the files read (their traces
    count), in listing order."""
    problems = evidence.problems
    problems += [Problem(rel, None, found.unreadable[rel]) for rel in rels if rel in found.unreadable]
    first_of: dict[str, str] = {}
    kept = []
    for rel in rels:
        if rel not in found.files:
            continue
        f = found.files[rel]
        bundle.remember(rel, f["sha256"], f["size"])
        if f["sha256"] in first_of:
            problems.append(Problem(rel, None, f"same bytes as {first_of[f['sha256']]} (sha256 {f['sha256']}): a copy of a "
                                    "file already read, its traces counted once"))
            continue
        first_of[f["sha256"]] = rel
        kept.append(rel)
    phased = [rel for rel in kept if found.files[rel].get("phase")]
    for rel in phased:
        if found.files[rel]["phase"] == scan.TOO_LARGE:
            problems.append(Problem(rel, None, unkept(found.files[rel]["problem"])))
    rejected = [rel for rel in phased if found.files[rel]["phase"] == scan.REJECTED]
    for rel in sorted(rejected, key=lambda r: _query_order(r, found.files[r]["shape"])):  # stable: listing order within
        _file_problems(rel, found, problems)
    for rel in sorted(r for r in phased if found.files[r]["phase"] == scan.BAD_TRACES):
        _file_problems(rel, found, problems)
    readable = [rel for rel in kept if not found.files[rel].get("problem")]
    found.kept = kept
    for rel in readable:
        f = found.files[rel]
        read = bundle.record(rel)
        read.records, read.first, read.last = f["records"], scan.instant(f["first_us"]), scan.instant(f["last_us"])
        evidence.files.append(read)
    return readable


def _query_order(rel: str, shape: str) -> tuple:
    """reader.by_query's order: the DuckDB store reads (and so reports) files query by query."""
    return shape, key_region(rel) or "", may_read_buckets(rel)


def _file_problems(rel: str, found: Scan, problems: list[Problem]) -> None:
    if found.files[rel].get("problem"):
        problems.append(Problem(rel, None, unkept(found.files[rel]["problem"])))
    problems += [Problem(rel, f"record {index}", unkept(reason)) for index, reason in found.refused.get(rel, ())]
