"""The trace store is the checks' only view of the traces: no check reaches an engine, account keys have one
definition, and whatever the store reads again after its scan is the bytes the scan hashed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bundle_builder import trace
from hypothesis import given, settings
from hypothesis import strategies as st

from hds_audit.catalog import load_catalog
from hds_audit.pipeline.engine import run_checks
from hds_audit.evidence import traces
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import load as load_tenant
from hds_audit.evidence.traces import queries
from hds_audit.evidence.traces.interface import TraceStore, account_key, instant, micros
from hds_audit.calendar.period import parse_period
from hds_audit.states import Status

CHECKS = Path(__file__).parents[2] / "hds_audit" / "checks"
COVERS = "access.register_covers_activity"
ALICE = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}
FOLDER = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS"


def test_no_check_module_reaches_an_engine():
    for path in sorted(CHECKS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for word in (r"duckdb", r"\.con\b", r"execute\(", r"\.rows\(", r"materialize", r"\bSELECT\b"):
            assert not re.search(word, text), f"{path.name} holds {word!r}: checks ask the TraceStore (evidence/traces/interface.py)"


def test_the_duckdb_store_is_a_trace_store(builder):
    builder.traces([trace("a.durand", "2026-07-02T10:00:00+02:00")])
    assert isinstance(traces.load(Bundle(str(builder.root))).data, TraceStore)


def test_no_query_folds_account_names():
    """Account keys are computed in Python (account_key) only: an engine folding names its own way would split an
    account in two (DuckDB lower-cases a final Σ and İ unlike Python)."""
    for name in queries.QUERIES:
        text = queries.text(name).lower()
        assert "nfc_normalize" not in text and not re.search(r"(lower|upper|trim)\s*\(\s*\w*\.?user_name", text), name


def test_an_account_python_and_duckdb_fold_differently_is_one_account(builder, run_checks_on):
    # Python lower-cases a final capital sigma to ς, DuckDB to σ: keyed once, in Python, both sides agree
    builder.register({**ALICE, "account": "ODYSSEAS.ΠΑΠΑΣ"})
    builder.traces([trace("odysseas.παπας", "2026-07-02T10:00:00+02:00")])
    assert run_checks_on(builder.root, COVERS)[COVERS].status is Status.PASS


@settings(max_examples=200, database=None)
@given(us=st.integers(min_value=-(10 ** 15), max_value=10 ** 17))
def test_microseconds_and_instants_convert_exactly(us):
    assert micros(instant(us)) == us


@settings(max_examples=200, database=None)
@given(name=st.text(max_size=12))
def test_account_key_is_idempotent(name):
    assert account_key(account_key(name)) == account_key(name)


# -- re-reads after the scan ------------------------------------------------------------------------

def _rewrite(builder, evidence, rel: str, records: list[dict]) -> None:
    """Rewrites `rel` after the scan, in the bundle and in the copy the store reads from."""
    text = json.dumps(records)
    (builder.root / rel).write_text(text)
    copies = evidence.data.copies
    if rel not in copies.pending:  # on a re-run (a trace cache exists) a file is copied from the bundle when first read
        Path(copies.paths[rel]).write_text(text)


def _run(bundle, evidence, check_id):
    result = run_checks(load_catalog(), bundle, load_tenant(bundle), parse_period("2026-Q3"), only={check_id},
                        preloaded={"traces": evidence})
    return {r.id: r for r in result.unique_checks()}[check_id]


def test_a_trace_file_rewritten_after_the_scan_is_an_error_naming_it(builder):
    """The stranger's file is only grouped by the scan: the check must read it again, trace by trace, to cite its
    trace; rewritten meanwhile (bundle and copy), the re-read is refused rather than citing the new id."""
    builder.users({"name": "a.durand"})
    builder.register(ALICE)
    builder.traces([trace("a.durand", "2026-07-02T09:00:00+02:00", trace_id="t-alice")], name="CloudTraces/eu-west-0/2026/7/1/system/ECS/alice.json")
    builder.traces([trace("x.stranger", "2026-07-02T10:00:00+02:00", trace_id="t-old")], name="CloudTraces/eu-west-0/2026/7/1/system/ECS/one.json")
    rel = f"{FOLDER}/one.json"
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    assert evidence.data.rows("SELECT count(*) FROM trace_events") == [(0,)]  # nothing read trace by trace yet
    _rewrite(builder, evidence, rel, [trace("x.stranger", "2026-07-02T10:00:00+02:00", trace_id="t-new")])
    result = _run(bundle, evidence, COVERS)
    assert result.status is Status.ERROR
    [finding] = result.findings
    assert finding.object == rel and finding.evidence == (rel,)
    assert "changed since the scan" in finding.message and "t-new" not in finding.message


def test_a_file_rewritten_before_its_details_are_read_is_an_error_naming_it(builder):
    """The deletion checks read every trace's resource ids after the scan (details): the same custody holds."""
    from test_deletion_checks import CREATED, DELETED, terminated

    terminated(builder)
    rel = "traces/CloudTraces/eu-west-0/2026/4/14/system/ECS/lac_CloudTrace_eu-west-0_2026-04-14T08-00-00Z_0001.json"
    bundle = Bundle(str(builder.root))
    evidence = traces.load(bundle)
    assert evidence.data.rows("SELECT count(*) FROM trace_details") == [(0,)]  # ids are read after the scan only
    _rewrite(builder, evidence, rel, CREATED + [{**t, "trace_id": "t-new"} for t in DELETED])
    result = _run(bundle, evidence, "deletion.contract_end")
    assert result.status is Status.ERROR
    [finding] = [f for f in result.findings if f.status is Status.ERROR]
    assert finding.object == rel and "changed since the scan" in finding.message
    assert not any("t-new" in ref for f in result.findings for ref in f.evidence)
