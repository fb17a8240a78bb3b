"""`traces/**` read on Apache Spark (`hds-audit run --engine spark`, or `engine: spark` in tenant.yaml).

The checks receive a `TraceStore` answering as the DuckDB store does: the cluster reads, hashes and groups
every trace (store.py), and the checks' named queries run on Spark SQL over the traces kept on the cluster
(relations.py, sparksql.py); only the queries' answers come back to the driver. Needs the `hds-audit[spark]`
extra (pyspark) and Java.
"""

from __future__ import annotations

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence
from hds_audit.evidence.traces import listed
from hds_audit.evidence.traces.files import COLLECTION_LOG
from hds_audit.evidence.traces.spark import store
from hds_audit.evidence.traces.spark.relations import SparkTraceStore
from hds_audit.evidence.traces.spark.session import DEFAULT_MASTER, SparkUnavailable  # noqa: F401 - the CLI's names

ENGINES = ("duckdb", "spark")


def load(bundle: Bundle, master: str | None = None, started=None) -> Evidence[SparkTraceStore]:
    from hds_audit.evidence.traces import NAME

    evidence: Evidence[SparkTraceStore] = Evidence(NAME)
    listing = listed(bundle, evidence)
    if listing is None:
        return evidence
    try:
        spark, rows, readable, found = store.read(bundle, listing.traces, evidence, master, started)
    except SparkUnavailable as exc:
        evidence.files.clear()
        evidence.problems.append(_problem(str(exc)))
        return evidence
    hashes = {rel: found.files[rel]["sha256"] for rel in readable}
    evidence.data = SparkTraceStore.build(spark, rows, readable, hashes, len(found.kept), evidence, found.cached)
    if bundle.exists(COLLECTION_LOG):
        bundle.record(COLLECTION_LOG)
    return evidence


def _problem(reason: str):
    from hds_audit.evidence.interface import Problem

    return Problem("traces", None, reason)
