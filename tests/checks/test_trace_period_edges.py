"""Trace files present but no trace inside the period: the checks reading the period's traces are `error`, never `pass`."""

from __future__ import annotations

import pytest
from bundle_builder import trace
from test_trace_checks import REGISTER, bucket, server, state, tracker

from hds_audit.states import Status

CHECKS = ("access.register_covers_activity", "access.no_activity_after_revocation", "trace.access_entitlement", "residency.activity")


def _bundle(builder, records, **kw):
    state(builder, tracker(), bucket(), server()).register(*REGISTER)
    builder.traces(records, **kw)


def _no_trace_finding(result):
    return [f for f in result.findings if f.object == "traces" and f.status is Status.ERROR]


@pytest.mark.parametrize("check_id", CHECKS)
def test_empty_trace_file_is_error_not_pass(builder, run_checks_on, check_id):
    _bundle(builder, [])
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.ERROR, result.findings
    [finding] = _no_trace_finding(result)
    assert "1 trace file(s)" in finding.message
    assert "2026-07-01T00:00:00+02:00" in finding.message and "2026-10-01T00:00:00+02:00" in finding.message


@pytest.mark.parametrize("check_id", CHECKS)
def test_traces_only_outside_the_period_are_error(builder, run_checks_on, check_id):
    _bundle(builder, [trace("m.reader", "2026-06-30T23:59:59.999+02:00"), trace("m.reader", "2026-10-01T00:00:00+02:00")])
    builder.traces([trace("m.reader", "2026-11-02T10:00:00+02:00")])
    result = run_checks_on(builder.root, check_id, period="2026-Q3")[check_id]
    assert result.status is Status.ERROR
    [finding] = _no_trace_finding(result)
    assert "2 trace file(s)" in finding.message


@pytest.mark.parametrize("check_id", CHECKS)
def test_one_trace_at_the_period_start_is_enough(builder, run_checks_on, check_id):
    _bundle(builder, [trace("m.reader", "2026-07-01T00:00:00+02:00")])  # start inclusive; a trace reader, in eu-west-0
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.PASS, result.findings


def test_other_periods_are_judged_on_their_own_traces(builder, run_checks_on):
    _bundle(builder, [trace("intrus", "2026-07-02T10:00:00+02:00")])
    q3 = run_checks_on(builder.root, *CHECKS[:1])[CHECKS[0]]
    q1 = run_checks_on(builder.root, *CHECKS[:1], period="2026-Q1")[CHECKS[0]]
    assert q3.status is Status.FAIL and [f.object for f in q3.findings] == ["intrus"]
    assert q1.status is Status.ERROR and "2026-01-01T00:00:00+01:00" in _no_trace_finding(q1)[0].message
