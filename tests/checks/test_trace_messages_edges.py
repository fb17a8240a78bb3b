"""Messages of the trace checks: the bucket a read matched, and gaps just over the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bundle_builder import trace
from test_trace_checks import BUCKET_NAME, REGISTER, bucket, every, paris, read, server, state, tracker

from hds_audit.checks.trace import _gap_text
from hds_audit.states import Status

TA, TC = "trace.access_entitlement", "trace.continuity"
OBJECT_KEY = "CloudTraces/eu-west-0/2026/8/6/a.json.gz"


def epoch_ms(instant) -> int:  # integer arithmetic: a float timestamp can lose the millisecond
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def test_epoch_ms_is_exact():
    assert epoch_ms(paris(2026, 7, 1, 0, 0, 0, 1000)) == 1782856800001


# -- trace.access_entitlement: the bucket named is the tracker's bucket that matched --------------

def _entitlement(builder, run_checks_on, *reads):
    state(builder, tracker(), tracker("eu-west-1", bucket="ch-test-cts-nl", name="nl"), bucket(), bucket(name="ch-test-cts-nl"),
          server()).register(*REGISTER)
    builder.traces(list(reads))
    return run_checks_on(builder.root, TA)[TA]


def test_read_of_an_object_names_the_bucket_of_its_resource_id(builder, run_checks_on):
    result = _entitlement(builder, run_checks_on, read("o.perator", "2026-08-06T10:00:00+02:00", resource_name=OBJECT_KEY))
    [finding] = result.findings
    assert finding.object == "o.perator"
    assert f"read(s) of the trace bucket(s) {BUCKET_NAME}, from" in finding.message
    assert "cloudtraces/" not in finding.message.lower()


def test_reads_through_name_and_through_id_list_each_bucket_once(builder, run_checks_on):
    result = _entitlement(builder, run_checks_on,
                          read("o.perator", "2026-08-06T10:00:00+02:00", resource_name=OBJECT_KEY),
                          read("o.perator", "2026-08-06T11:00:00+02:00"),  # resource_name is the bucket itself
                          read("o.perator", "2026-08-06T12:00:00+02:00", bucket_name="ch-test-cts-nl", resource_name=OBJECT_KEY),
                          read("o.perator", "2026-08-06T13:00:00+02:00", bucket_name="elsewhere", resource_name=OBJECT_KEY))
    [finding] = result.findings
    assert finding.message.startswith(f"3 read(s) of the trace bucket(s) {BUCKET_NAME}, ch-test-cts-nl, from")


def test_resource_name_naming_a_tracker_bucket_is_the_bucket_named(builder, run_checks_on):
    record = read("o.perator", "2026-08-06T10:00:00+02:00", bucket_name="elsewhere", resource_name="CH-TEST-CTS-NL")
    [finding] = _entitlement(builder, run_checks_on, record).findings
    assert "trace bucket(s) ch-test-cts-nl, from" in finding.message


# -- trace.continuity: a gap over the limit never reads as the limit -----------------------------

HOUR_US = 3_600_000_000


@pytest.mark.parametrize("micros, limit, text", [
    (24 * HOUR_US + 1000, 24, "24 h 0 min 0.001 s"),
    (24 * HOUR_US + 1, 24, "24 h 0 min 0.000001 s"),
    (24 * HOUR_US + 1_000_000, 24, "24 h 0 min 1 s"),
    (24 * HOUR_US + 144_000_000, 24, "24 h 2 min 24 s"),  # 24.04 h would round to 24.0
    (int(24.06 * HOUR_US), 24, "24.1 hours"),
    (25 * HOUR_US, 24, "25.0 hours"),
    (744 * HOUR_US, 24, "744.0 hours"),
    (30 * 60_000_000 + 500, 0.5, "0 h 30 min 0.0005 s"),
    (int(12.2 * HOUR_US), 12.1, "12.2 hours"),
    (int(12.14 * HOUR_US), 12.1, "12 h 8 min 24 s"),
])
def test_gap_text(micros, limit, text):
    assert str(_gap_text(micros, limit)) == text


def test_gap_of_a_millisecond_over_the_limit_shows_the_excess(builder, run_checks_on):
    state(builder, tracker(), server())
    instants = every(paris(2026, 7, 1), timedelta(hours=24), 31)
    instants[11] += timedelta(milliseconds=1)
    builder.traces([trace(None, t.isoformat(), "createCheckpoint", "CBR", trace_id=f"sys-{i}", time=epoch_ms(t), record_time=epoch_ms(t))
                    for i, t in enumerate(instants)])
    result = run_checks_on(builder.root, TC, period="2026-07")[TC]
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert "a gap of 24 h 0 min 0.001 s, over the 24 hours allowed" in finding.message
    assert "24.0 hours" not in finding.message
    assert [g["hours"] for g in result.details["gaps"]] == [24.0]  # the details keep their rounded figure
