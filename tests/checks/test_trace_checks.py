"""Trace checks and residency.activity through the engine: boundaries of gaps, periods, DST and authorizations."""

from __future__ import annotations

from datetime import datetime, timedelta

from bundle_builder import trace
from test_resources_reader import tf, tfstate

from hds_audit.calendar.instants import PARIS
from hds_audit.states import Status

TE, TC, TR, TA, RA = "trace.tracker_enabled", "trace.continuity", "trace.retention", "trace.access_entitlement", "residency.activity"
BUCKET_NAME = "ch-test-cts"
KEEP_3_YEARS = [{"name": "keep", "enabled": True, "prefix": "ch/", "expiration": [{"days": 1095}]}]


def tracker(region="eu-west-0", status="enabled", bucket=BUCKET_NAME, name="system"):
    attrs = {"id": name, "tracker_name": name, "region": region, "bucket_name": bucket, "file_prefix_name": "ch", "status": status}
    return tf("flexibleengine_cts_tracker_v1", name.replace("-", "_"), {k: v for k, v in attrs.items() if v is not None})


def bucket(rules=KEEP_3_YEARS, name=BUCKET_NAME):
    return tf("flexibleengine_obs_bucket", name.replace("-", "_"), {"id": name, "bucket": name, "region": "eu-west-0", "lifecycle_rule": rules})


def server(name="app", region="eu-west-0", scope=True):
    attrs = {"id": f"srv-{name}", "name": name, "tags": {"hds": "true" if scope else "false"}}
    if region:
        attrs["region"] = region
    return tf("flexibleengine_compute_instance_v2", name, attrs)


def state(builder, *entries):
    builder.write("resources/main.tfstate", tfstate(*entries))
    return builder


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def at(instant: datetime) -> str:
    return instant.isoformat()


def every(start: datetime, step: timedelta, count: int) -> list[datetime]:
    return [start + i * step for i in range(count)]


def system_traces(instants, region="eu-west-0"):
    return [trace(None, at(t), "createCheckpoint", "CBR", trace_id=f"sys-{i}") for i, t in enumerate(instants)]


# -- trace.tracker_enabled ---------------------------------------------------------------------

def test_tracker_enabled_pass(builder, run_checks_on):
    state(builder, tracker(), bucket(), server(), server("other", "eu-west-1", scope=False))
    assert run_checks_on(builder.root, TE)[TE].status is Status.PASS


def test_tracker_disabled_or_missing_region_fails(builder, run_checks_on):
    state(builder, tracker(status="disabled"), server(), server("nl", "eu-west-1"))
    result = run_checks_on(builder.root, TE)[TE]
    assert result.status is Status.FAIL
    assert objects(result) == ["eu-west-0", "eu-west-1"]
    disabled = next(f for f in result.findings if f.object == "eu-west-0")
    assert "disabled" in disabled.message and disabled.evidence == ("resources/main.tfstate#flexibleengine_cts_tracker_v1.system",)


def test_in_scope_resource_of_unknown_region_is_error(builder, run_checks_on):
    state(builder, tracker(), server(), server("lost", region=None))
    result = run_checks_on(builder.root, TE)[TE]
    assert result.status is Status.ERROR
    assert objects(result, Status.ERROR) == ["srv-lost"]


# -- trace.continuity --------------------------------------------------------------------------

def test_gap_exactly_at_the_threshold_passes(builder, run_checks_on):
    state(builder, tracker(), server())
    start = paris(2026, 7, 1)
    builder.traces(system_traces(every(start, timedelta(hours=24), 31)))  # last trace 2026-07-31 00:00, 24 h before the end
    result = run_checks_on(builder.root, TC, period="2026-07")[TC]
    assert result.status is Status.PASS, result.findings
    assert result.details["gaps"] == []


def test_gap_one_second_over_the_threshold_fails(builder, run_checks_on):
    state(builder, tracker(), server())
    instants = every(paris(2026, 7, 1), timedelta(hours=24), 31)
    instants[11] += timedelta(seconds=1)  # 24 h 1 s after the 11th trace (and 1 s less before the 13th)
    builder.traces(system_traces(instants))
    result = run_checks_on(builder.root, TC, period="2026-07")[TC]
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.object == "eu-west-0"
    assert len(finding.evidence) == 2 and all("#trace_id=sys-" in ref for ref in finding.evidence)
    [gap] = result.details["gaps"]
    assert gap == {"region": "eu-west-0", "start": "2026-07-11T00:00:00+02:00", "end": "2026-07-12T00:00:01+02:00", "hours": 24.0}


def test_period_bounds_in_paris_across_the_dst_change(builder, run_checks_on):
    """2026-10: starts 00:00 CEST (+02:00), ends 00:00 CET (+01:00); 2026-10-25 lasts 25 hours."""
    state(builder, tracker(), server())
    inside = every(paris(2026, 10, 1, 0, 30), timedelta(hours=12), 48)  # every 12 h until 2026-10-24 12:30 (CEST)
    inside += [paris(2026, 10, 25, 12, 30)]  # 12:30 CET: 25 h of real time after 2026-10-24 12:30 CEST, 24 h on the wall clock
    inside += every(paris(2026, 10, 26, 0, 0), timedelta(hours=12), 11)  # until 2026-10-31 00:00 CET
    outside = [paris(2026, 9, 30, 23, 59), paris(2026, 11, 1, 0, 0), paris(2026, 11, 1, 1, 0)]
    builder.traces(system_traces(inside + outside))
    result = run_checks_on(builder.root, TC, period="2026-10")[TC]
    assert result.status is Status.FAIL
    assert result.details["gaps"] == [
        {"region": "eu-west-0", "start": "2026-10-24T12:30:00+02:00", "end": "2026-10-25T12:30:00+01:00", "hours": 25.0}]
    daily = {d["day"]: d["count"] for d in result.details["daily"]}
    assert len(daily) == 31 and min(daily) == "2026-10-01" and max(daily) == "2026-10-31"
    assert daily["2026-10-01"] == 2  # 00:30 Paris is still 2026-09-30 in UTC
    assert daily["2026-10-25"] == 1 and daily["2026-10-31"] == 1  # the traces of 2026-11-01 lie after the period
    assert sum(daily.values()) == len(inside)


def test_period_end_gap_counts_to_the_end_not_to_later_traces(builder, run_checks_on):
    state(builder, tracker(), server())
    instants = every(paris(2026, 10, 1), timedelta(hours=12), 60)  # last: 2026-10-30 12:00 (CET), 36 h before the end
    builder.traces(system_traces(instants + [paris(2026, 11, 1, 0, 1)]))
    result = run_checks_on(builder.root, TC, period="2026-10")[TC]
    [gap] = result.details["gaps"]
    assert (gap["start"], gap["end"], gap["hours"]) == ("2026-10-30T12:00:00+01:00", "2026-11-01T00:00:00+01:00", 36.0)
    assert "period end" in result.findings[0].message


def test_region_in_use_without_traces_is_one_gap_over_the_whole_period(builder, run_checks_on):
    state(builder, tracker(), tracker("eu-west-1", name="nl"), server(), server("nl", "eu-west-1"))
    builder.traces(system_traces(every(paris(2026, 7, 1), timedelta(hours=6), 124)))
    result = run_checks_on(builder.root, TC, period="2026-07")[TC]
    assert objects(result) == ["eu-west-1"]
    [gap] = result.details["gaps"]
    assert gap["hours"] == 744.0 and "no trace at all" in result.findings[0].message


# -- trace.retention ---------------------------------------------------------------------------

def test_retention_pass_and_disabled_short_rule_ignored(builder, run_checks_on):
    rules = KEEP_3_YEARS + [{"name": "old", "enabled": False, "prefix": "", "expiration": [{"days": 30}]}]
    state(builder, tracker(), bucket(rules), server())
    assert run_checks_on(builder.root, TR)[TR].status is Status.PASS


def test_retention_short_rule_fails_on_the_bucket(builder, run_checks_on):
    rules = [{"name": "expire-90", "enabled": True, "prefix": "", "expiration": [{"days": 90}]}]
    state(builder, tracker(), bucket(rules), server())
    result = run_checks_on(builder.root, TR)[TR]
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.object == BUCKET_NAME and "90 days" in finding.message
    assert finding.evidence == (f"resources/main.tfstate#flexibleengine_obs_bucket.{BUCKET_NAME.replace('-', '_')}",)


def test_retention_policy_override_and_missing_bucket(builder, run_checks_on):
    builder.tenant(policy={"trace_retention_days": 2000})
    state(builder, tracker(), tracker("eu-west-1", bucket="elsewhere", name="nl"), bucket(), server())
    result = run_checks_on(builder.root, TR)[TR]
    assert objects(result) == [BUCKET_NAME]
    assert objects(result, Status.ERROR) == ["elsewhere"]
    assert result.status is Status.FAIL


# -- trace.access_entitlement ------------------------------------------------------------------

REGISTER = [
    {"account": "m.reader", "person": "Marc Reader", "role": "trace_reader", "granted_at": "2026-01-05"},
    {"account": "s.audit", "person": "Sophie Audit", "role": "auditor", "granted_at": "2026-01-05"},
    {"account": "o.perator", "person": "Odile Perator", "role": "operator", "granted_at": "2026-01-05"},
    {"account": "l.eaver", "person": "Luc Eaver", "role": "trace_reader", "granted_at": "2026-01-05", "revoked_at": "2026-07-15T10:00:00+02:00"},
]


def read(user, when, name="GetObject", bucket_name=BUCKET_NAME, resource_name=None, **extra):
    return trace(user, when, name, "OBS", trace_type="ObsAPI", resource_type="object",
                 resource_id=f"{bucket_name}/ch/CloudTraces/eu-west-0/x.json.gz",
                 resource_name=bucket_name if resource_name is None else resource_name, **extra)


def test_trace_reader_and_auditor_reads_pass(builder, run_checks_on):
    state(builder, tracker(), bucket(), server()).register(*REGISTER)
    builder.traces([read("m.reader", "2026-07-02T10:00:00+02:00"), read("S.Audit", "2026-07-02T11:00:00+02:00", "ListObjects"),
                    read("l.eaver", "2026-07-15T09:59:59.999+02:00", "HeadObject"),
                    read("o.perator", "2026-07-02T12:00:00+02:00", "PutObject"),  # a write, not a read
                    read("o.perator", "2026-07-02T12:00:00+02:00", bucket_name="ch-other")])  # another bucket
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.PASS, result.findings


def test_operator_read_and_read_at_revocation_fail(builder, run_checks_on):
    state(builder, tracker(), bucket(), server()).register(*REGISTER)
    builder.traces([read("o.perator", "2026-07-02T12:00:00+02:00", "getObject", trace_id="op-1"),
                    read("o.perator", "2026-07-03T12:00:00+02:00", "LISTOBJECTS", resource_name="", trace_id="op-2"),
                    read("l.eaver", "2026-07-15T10:00:00+02:00", trace_id="late")])
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.FAIL
    assert objects(result) == ["l.eaver", "o.perator"]
    operator = next(f for f in result.findings if f.object == "o.perator")
    assert "2 read(s)" in operator.message and "operator" in operator.message
    assert [ref.rsplit("=", 1)[-1] for ref in operator.evidence] == ["op-1", "op-2"]


def test_access_entitlement_needs_the_register(builder, run_checks_on):
    state(builder, tracker(), bucket(), server())
    builder.traces([read("m.reader", "2026-07-02T10:00:00+02:00")])
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)


# -- residency.activity ------------------------------------------------------------------------

def test_activity_outside_allowed_regions_fails_and_unknown_region_errors(builder, run_checks_on):
    west1 = "https://ecs.eu-west-1.prod-cloud-ocb.orange-business.com"
    builder.traces([trace("a", "2026-07-02T10:00:00+02:00")] * 2)
    builder.traces([trace("a", "2026-07-02T10:00:00+02:00", trace_id="nl-1", endpoint=west1),
                    trace("b", "2026-07-03T10:00:00+02:00", trace_id="nl-2", endpoint=west1),
                    trace("b", "2026-06-30T10:00:00+02:00", trace_id="before", endpoint=west1),
                    trace("c", "2026-07-04T10:00:00+02:00", trace_id="nowhere", endpoint="https://example.org")],
                   name="api/listing.json", shape="envelope")
    result = run_checks_on(builder.root, RA)[RA]
    assert result.status is Status.FAIL
    assert objects(result) == ["eu-west-1"] and objects(result, Status.ERROR) == ["(unknown region)"]
    nl = next(f for f in result.findings if f.object == "eu-west-1")
    assert nl.message.startswith("2 trace(s)") and nl.evidence == ("traces/api/listing.json#trace_id=nl-1", "traces/api/listing.json#trace_id=nl-2")
    assert {r["region"]: r["traces"] for r in result.details["regions"]} == {None: 1, "eu-west-0": 2, "eu-west-1": 2}


def test_activity_in_allowed_regions_passes(builder, run_checks_on):
    builder.tenant(allowed_regions=["eu-west-0", "EU-WEST-1"])
    builder.traces([trace("a", "2026-07-02T10:00:00+02:00")])
    # another trace (its own id): the same bytes in two files would be one file copied, counted once
    builder.traces([trace("a", "2026-07-02T10:00:00+02:00", trace_id="t-west-1")], region="eu-west-1")
    assert run_checks_on(builder.root, RA)[RA].status is Status.PASS
