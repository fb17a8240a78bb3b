"""The properties of tests/evidence/test_trace_sql_properties.py and test_trace_grouped_hits.py again, the traces
read by the Spark store: a few examples each (a Spark job per example), their explicit examples included."""

from __future__ import annotations

import pytest
import test_trace_sql_properties as props
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hds_audit.evidence import traces
from hds_audit.evidence.traces.spark import load as load_on_spark

FEW = settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def on_spark(spark, monkeypatch):
    monkeypatch.setattr(traces, "load", lambda bundle, tenant=None: load_on_spark(bundle))


def test_gaps_on_spark(on_spark):
    inner = props.test_gaps_from_buckets_are_the_gaps_between_consecutive_traces.hypothesis.inner_test
    inner(times=[("eu-west-0", 1), ("eu-west-0", 50)], limit=40, offset=0)
    FEW(given(times=st.lists(st.tuples(st.sampled_from(["eu-west-0", "EU-West-0", "eu-west-1"]), props.minutes), min_size=1,
                             max_size=20),
              limit=st.integers(min_value=0, max_value=150), offset=props.offsets)(inner))()


def test_uncovered_actions_on_spark(on_spark):
    inner = props.test_uncovered_actions_are_those_no_authorization_period_covers.hypothesis.inner_test
    inner(actions=[("a.durand", 10), ("a.durand", 20)], grants=[("a.durand", (0, 10)), ("a.durand", (10, 20))], offset=0)
    FEW(given(actions=st.lists(st.tuples(st.sampled_from(["a.durand", "A.Durand", "b.petit", "c.roux"]), props.few),
                               min_size=1, max_size=15),
              grants=st.lists(st.tuples(st.sampled_from(["a.durand", "b.petit"]), props.period), max_size=5),
              offset=props.offsets)(inner))()


def test_findings_from_groups_on_spark(on_spark):
    import test_trace_grouped_hits as grouped

    inner = grouped.test_findings_from_groups_are_those_of_every_trace.hypothesis.inner_test
    inner(rows=grouped.many, grants=[("a.durand", 0, 30)], before_="nothing")
    settings(FEW, max_examples=2)(given(rows=st.lists(grouped.trace, min_size=1, max_size=20),
                                        grants=st.lists(grouped.grant, max_size=3), before_=grouped.before)(inner))()
