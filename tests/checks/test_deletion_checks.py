"""Deletion after the contract end (§4.4) and tenant deletion in 10 French working days (§7.7.6.1)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from bundle_builder import trace
from test_resources_reader import tf, tfstate

from hds_audit.calendar.working_days import PARIS
from hds_audit.checks.deletion import add_months
from hds_audit.states import Status

CE, TR = "deletion.contract_end", "deletion.tenant_request"
SRV, VOL, BKT = "srv-lims", "vol-lims", "lac-resultats"


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def act(name, at, rid, rtype, service, rating="normal", **extra):
    return trace("a.vidal", at, name=name, service=service, resource_id=rid, resource_name=rid, resource_type=rtype,
                 trace_rating=rating, trace_id=extra.pop("trace_id", f"{name}-{rid}-{at}"), **extra)


CREATED = [
    act("createServer", "2026-01-13T10:05:09+01:00", SRV, "ecs", "ECS"),
    act("createVolume", "2026-01-13T10:20:03+01:00", VOL, "evs", "EVS"),
    act("createBucket", "2026-01-12T16:00:15+01:00", BKT, "bucket", "OBS"),
]
DELETED = [
    act("deleteVolume", "2026-04-14T10:15:37+02:00", VOL, "evs", "EVS", trace_id="t-del-vol"),
    act("deleteServer", "2026-04-14T10:30:04+02:00", SRV, "ecs", "ECS", trace_id="t-del-srv"),
    act("deleteBucket", "2026-04-16T09:55:13+02:00", BKT, "bucket", "OBS", trace_id="t-del-bkt"),
]


def csbs(cid, status="deleted", updated="2026-04-14T07:45:10.000000"):
    item = {"id": cid, "resource_id": SRV, "resource_type": "OS::Nova::Server", "status": status,
            "created_at": "2026-01-18T01:00:17.000000", "extend_info": {"resource_name": "lims-app", "resource_az": "eu-west-0a", "encrypted": True}}
    if updated:
        item["updated_at"] = updated
    return item


def terminated(builder, traces=CREATED + DELETED, backups=(csbs("cp-1"),), state=()):
    builder.tenant(contract_end="2026-03-31", scope="all")
    builder.write("resources/main.tfstate", tfstate(*state))
    builder.traces(list(traces), name="CloudTraces/eu-west-0/2026/4/14/system/ECS/lac_CloudTrace_eu-west-0_2026-04-14T08-00-00Z_0001.json")
    builder.write("backups/csbs.json", json.dumps({"checkpoint_items": list(backups)}))
    return builder


def timeline(result):
    return {row["resource_id"]: row for row in result.details["timeline"]}


# -- the deadline ------------------------------------------------------------------------------

@pytest.mark.parametrize(("end", "deadline"), [
    (paris(2026, 3, 31), paris(2026, 5, 31)),
    (paris(2026, 12, 31), paris(2027, 2, 28)),  # the last day of a shorter month
    (paris(2027, 12, 31), paris(2028, 2, 29)),
    (paris(2026, 1, 31), paris(2026, 3, 31)),  # winter to summer time: still 00:00 Paris
    (paris(2026, 3, 14), paris(2026, 5, 14)),  # Ascension: calendar months, not extended
    (datetime.fromisoformat("2026-03-31T18:00:00+00:00"), paris(2026, 5, 31, 20)),
])
def test_add_months(end, deadline):
    assert add_months(end, 2) == deadline and add_months(end, 2).utcoffset() == deadline.utcoffset()


# -- deletion.contract_end ---------------------------------------------------------------------

def test_contract_end_not_applicable_without_contract_end(builder, run_checks_on):
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.NOT_APPLICABLE and "contract_end" in result.note


def test_contract_end_pass_with_a_timeline(builder, run_checks_on):
    terminated(builder)
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.PASS, result.findings
    assert result.details["deadline"] == "2026-05-31T00:00:00+02:00" and result.details["deadline_passed"] is True
    rows = timeline(result)
    assert set(rows) == {SRV, VOL, BKT, "cp-1"}
    assert all(r["verdict"] == "deleted" and r["deadline"] == "2026-05-31T00:00:00+02:00" for r in rows.values())
    server = rows[SRV]
    assert (server["kind"], server["first_seen"], server["proof_at"]) == ("server", "2026-01-13T10:05:09+01:00", "2026-04-14T10:30:04+02:00")
    assert server["proof"] == "trace t-del-srv (deleteServer)" and server["proof_ref"].endswith("#trace_id=t-del-srv")
    backup = rows["cp-1"]
    assert (backup["kind"], backup["proof"], backup["proof_at"]) == ("backup", "status deleted (CSBS listing)", "2026-04-14T09:45:10+02:00")
    assert backup["first_seen"] == "2026-01-18T02:00:17+01:00"


def test_contract_end_failed_delete_proves_nothing(builder, run_checks_on):
    failed = act("deleteVolume", "2026-04-14T10:02:18+02:00", VOL, "evs", "EVS", rating="warning", code="400", trace_id="t-fail")
    terminated(builder, traces=CREATED + [failed] + DELETED[1:])
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.FAIL and objects(result) == [VOL]
    assert "no deletion proof" in result.findings[0].message and "1 failed delete attempt" in result.findings[0].message
    row = timeline(result)[VOL]
    assert row["verdict"] == "no proof" and row["failed_attempts"][0].endswith("#trace_id=t-fail")


def test_contract_end_proof_on_the_deadline_passes_one_second_later_fails(builder, run_checks_on):
    on_time = act("deleteVolume", "2026-05-31T00:00:00+02:00", VOL, "evs", "EVS")
    terminated(builder, traces=CREATED + [on_time] + DELETED[1:])
    assert run_checks_on(builder.root, CE, period="2026-Q2")[CE].status is Status.PASS
    late = act("deleteVolume", "2026-05-31T00:00:01+02:00", VOL, "evs", "EVS")
    terminated(builder, traces=CREATED + [late] + DELETED[1:])
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert objects(result) == [VOL] and "after the deadline" in result.findings[0].message
    assert timeline(result)[VOL]["verdict"] == "deleted late"


def test_contract_end_still_listed_after_the_deadline_fails(builder, run_checks_on):
    server = tf("flexibleengine_compute_instance_v2", "app", {"id": SRV, "name": "lims-app", "region": "eu-west-0"})
    bucket = tf("flexibleengine_obs_bucket", "exports", {"id": "lac-exports", "bucket": "lac-exports", "region": "eu-west-0"})
    terminated(builder, state=(server, bucket), backups=(csbs("cp-1"), csbs("cp-2", status="available")))
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.FAIL and objects(result) == ["cp-2", "lac-exports", SRV]
    messages = {f.object: f.message for f in result.findings}
    assert "still listed" in messages[SRV] and "although trace t-del-srv" in messages[SRV]
    assert "resources/main.tfstate#flexibleengine_obs_bucket.exports" in next(f for f in result.findings if f.object == "lac-exports").evidence
    assert timeline(result)["lac-exports"]["verdict"] == "still listed" and timeline(result)["lac-exports"]["first_seen"] is None


def test_contract_end_before_the_deadline_is_pending(builder, run_checks_on):
    server = tf("flexibleengine_compute_instance_v2", "app", {"id": SRV, "name": "lims-app", "region": "eu-west-0"})
    terminated(builder, traces=CREATED, state=(server,), backups=(csbs("cp-2", status="available"),))
    result = run_checks_on(builder.root, CE, period="2026-Q1")[CE]
    assert result.status is Status.PASS, result.findings
    assert result.details["deadline_passed"] is False and "pending" in result.details["note"]
    assert {r["verdict"] for r in result.details["timeline"]} == {"pending"}


def test_contract_end_recreated_resource_needs_a_later_delete(builder, run_checks_on):
    again = act("createVolume", "2026-04-20T09:00:00+02:00", VOL, "evs", "EVS")
    terminated(builder, traces=CREATED + DELETED + [again])
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert objects(result) == [VOL] and timeline(result)[VOL]["proof"] is None


def test_contract_end_partial_deletes_are_not_proofs(builder, run_checks_on):
    parts = [act("deleteServerMetadata", "2026-04-14T10:00:00+02:00", SRV, "ecs", "ECS"),
             act("DeleteObjects", "2026-04-16T09:50:00+02:00", BKT, "bucket", "OBS"),
             act("DELETEVOLUME", "2026-04-14T10:15:37+02:00", VOL, "evs", "EVS", trace_id="t-upper")]
    terminated(builder, traces=CREATED + parts)
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert objects(result) == [BKT, SRV]
    assert timeline(result)[VOL]["proof"] == "trace t-upper (DELETEVOLUME)"


def test_contract_end_any_delete_of_the_resource_proves_it(builder, run_checks_on):
    # names outside the usual ECS/EVS/OBS spellings still delete the resource named by resource_id
    other = [act("deleteCloudServers", "2026-04-14T10:30:04+02:00", SRV, "instance", "ECS", trace_id="t-srv"),
             act("deleteEvsVolume", "2026-04-14T10:15:37+02:00", VOL, "disk", "EVS", trace_id="t-vol"),
             act("DeleteBucket", "2026-04-16T09:55:13+02:00", BKT, "bucket", "OBS", trace_id="t-bkt")]
    terminated(builder, traces=CREATED + other)
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.PASS, result.findings
    assert timeline(result)[VOL]["proof"] == "trace t-vol (deleteEvsVolume)"


def test_contract_end_resource_created_under_an_unusual_name_is_tracked(builder, run_checks_on):
    created = act("createInstance", "2026-02-01T10:00:00+01:00", "srv-extra", "", "ECS")
    terminated(builder, traces=CREATED + DELETED + [created])
    assert objects(run_checks_on(builder.root, CE, period="2026-Q2")[CE]) == ["srv-extra"]


def test_contract_end_resource_known_only_from_traces(builder, run_checks_on):
    created = act("createVolume", "2026-02-01T10:00:00+01:00", "vol-extra", "evs", "EVS")
    ignored = act("createTracker", "2026-02-01T10:00:00+01:00", "system", "tracker", "CTS")
    terminated(builder, traces=CREATED + DELETED + [created, ignored])
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert objects(result) == ["vol-extra"] and "system" not in timeline(result)


def test_contract_end_undated_deleted_status(builder, run_checks_on):
    terminated(builder, backups=(csbs("cp-1", updated=None),))
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["cp-1"]
    # before the deadline, the listing itself shows the backup deleted
    assert run_checks_on(builder.root, CE, period="2026-04")[CE].status is Status.PASS


def test_contract_end_absent_evidence_is_error(builder, run_checks_on):
    builder.tenant(contract_end="2026-03-31")
    builder.write("resources/main.tfstate", tfstate())
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["backups", "traces"]


def test_contract_end_broken_evidence_is_error(builder, run_checks_on):
    terminated(builder)
    builder.write("backups/cbr.json", "{broken")
    result = run_checks_on(builder.root, CE, period="2026-Q2")[CE]
    assert result.status is Status.ERROR and "backups/cbr.json" in objects(result, Status.ERROR)


# -- deletion.tenant_request -------------------------------------------------------------------

def test_tenant_request_not_applicable(builder, run_checks_on):
    result = run_checks_on(builder.root, TR)[TR]
    assert result.status is Status.NOT_APPLICABLE and "tenant_deletion_requested_at" in result.note


@pytest.mark.parametrize(("requested", "deadline"), [
    # Mon 4 May: 5, 6, 7, (8 May), 11, 12, 13, (14 Ascension), 15, 18, 19, 20 -> end of Wed 20 May
    ("2026-05-04T09:00:00+02:00", "2026-05-21T00:00:00+02:00"),
    # Thu 30 Apr at 18:00: (1 May), 4, 5, 6, 7, (8 May), 11, 12, 13, (14), 15, 18, 19 -> end of Tue 19 May
    ("2026-04-30T18:00:00+02:00", "2026-05-20T00:00:00+02:00"),
    # Fri 15 May: 18..22, (25 Whit Monday), 26..29, 1 June -> end of Mon 1 June
    ("2026-05-15T10:00:00+02:00", "2026-06-02T00:00:00+02:00"),
    # Wed 23 Dec: 24, (25), 28, 29, 30, 31, (1 Jan), 4, 5, 6, 7, 8 -> end of Fri 8 January
    ("2026-12-23T11:00:00+01:00", "2027-01-09T00:00:00+01:00"),
    # Mon 27 Apr: 28, 29, 30, (1 May), 4..7, (8 May), 11, 12, 13 -> the limit ends as Ascension Day begins
    ("2026-04-27T09:00:00+02:00", "2026-05-14T00:00:00+02:00"),
])
def test_tenant_request_deadlines_around_holidays(builder, run_checks_on, requested, deadline):
    end = datetime.fromisoformat(deadline)
    builder.tenant(tenant_deletion_requested_at=requested, tenant_deleted_at=end.isoformat())
    result = run_checks_on(builder.root, TR, period="2026-Q2")[TR]
    assert result.status is Status.PASS and result.details["deadline"] == deadline
    assert result.details["working_days_taken"] == 10
    builder.tenant(tenant_deletion_requested_at=requested, tenant_deleted_at=(end + timedelta(seconds=1)).isoformat())
    result = run_checks_on(builder.root, TR, period="2026-Q2")[TR]
    assert result.status is Status.FAIL and objects(result) == ["7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7"]
    assert result.details["working_days_taken"] == 11 and f"due by {end.isoformat()}" in result.findings[0].message


def test_tenant_request_deleted_on_a_holiday_after_the_deadline(builder, run_checks_on):
    builder.tenant(tenant_deletion_requested_at="2026-04-27T09:00:00+02:00", tenant_deleted_at="2026-05-14T10:00:00+02:00")
    result = run_checks_on(builder.root, TR, period="2026-Q2")[TR]
    assert result.status is Status.FAIL and result.details["working_days_taken"] == 11


def test_tenant_request_in_time_sample(builder, run_checks_on):
    builder.tenant(tenant_deletion_requested_at="2026-05-04T09:00:00+02:00", tenant_deleted_at="2026-05-15T17:00:00+02:00")
    result = run_checks_on(builder.root, TR, period="2026-Q2")[TR]
    assert result.status is Status.PASS and result.details["working_days_taken"] == 7 and result.details["verdict"] == "deleted in time"


def test_tenant_request_not_deleted(builder, run_checks_on):
    builder.tenant(tenant_deletion_requested_at="2026-09-01T09:00:00+02:00")
    result = run_checks_on(builder.root, TR)[TR]
    assert result.status is Status.FAIL and "not done" in result.findings[0].message
    # requested on Monday 28 September: due mid-October, after the end of 2026-Q3
    builder.tenant(tenant_deletion_requested_at="2026-09-28T09:00:00+02:00")
    result = run_checks_on(builder.root, TR)[TR]
    assert result.status is Status.PASS and result.details["verdict"] == "pending" and "not yet due" in result.details["note"]
    assert result.details["deadline"] == "2026-10-13T00:00:00+02:00"


def test_tenant_request_deleted_before_the_request_is_error(builder, run_checks_on):
    builder.tenant(tenant_deletion_requested_at="2026-05-04T09:00:00+02:00", tenant_deleted_at="2026-05-01")
    assert run_checks_on(builder.root, TR, period="2026-Q2")[TR].status is Status.ERROR


def test_broken_evidence_does_not_make_an_inapplicable_check_error(builder, run_checks_on):
    # no contract_end and no deletion request: whatever the traces hold, nothing is to be proven
    builder.write("traces/CloudTraces/eu-west-0/2026/8/1/broken.json.gz", b"not gzip")
    results = run_checks_on(builder.root, CE, TR, "trace.continuity")
    assert results[CE].status is Status.NOT_APPLICABLE and results[CE].note == "no contract_end in tenant.yaml"
    assert results[TR].status is Status.NOT_APPLICABLE
    assert results["trace.continuity"].status is Status.ERROR  # the broken file still shows where it matters
