"""Backup listings (CBR, CSBS, VBS) and the backup checks: coverage, encryption, restore tests, quotas."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from test_resources_reader import tf, tfstate

from hds_audit.evidence import backups as reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

UTC = UTC
COV, ENC, RESTORE, QUOTA = "backup.coverage", "backup.encrypted", "backup.restore_tested", "backup.quota"
SERVER = tf("flexibleengine_compute_instance_v2", "app", {"id": "srv-1", "name": "pacs-app", "region": "eu-west-0", "tags": {"hds": "true"}})
VOLUME = tf("flexibleengine_blockstorage_volume_v2", "data", {"id": "vol-1", "name": "pacs-data", "region": "eu-west-0", "tags": {"hds": "true"}})
OUT_OF_SCOPE = tf("flexibleengine_blockstorage_volume_v2", "scratch", {"id": "vol-9", "name": "scratch", "region": "eu-west-0", "tags": {}})


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def api(instant: datetime) -> str:
    """A CBR-style time: UTC without an offset."""
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def cbr(bid, resource_id, created: datetime, status="available", encrypted=True, rtype="OS::Cinder::Volume", az="eu-west-0a", **extra):
    extend = {} if encrypted is None else {"encrypted": encrypted}
    return {"id": bid, "name": f"autobk_{bid}", "resource_id": resource_id, "resource_type": rtype, "resource_name": resource_id,
            "resource_az": az, "status": status, "image_type": "backup", "created_at": api(created),
            "expired_at": api(created + timedelta(days=30)), "extend_info": extend, "replication_records": [], **extra}


def daily(resource_id, first: datetime, last: datetime, rtype="OS::Cinder::Volume", skip=()):
    out, day = [], first
    while day <= last:
        if day.date() not in skip:
            out.append(cbr(f"{resource_id}-{day:%m%d%H%M}", resource_id, day, rtype=rtype))
        day += timedelta(days=1)
    return out


def listing(builder, items, rel="backups/cbr.json", key="backups"):
    builder.write(rel, json.dumps({key: items, "count": len(items)}))


def state(builder, *entries):
    builder.write("resources/main.tfstate", tfstate(*entries))


# 22:30 UTC is 00:30 Paris (summer): the first backup of 2026-06-29 lies before the period
FIRST, LAST = datetime(2026, 6, 29, 22, 30, tzinfo=UTC), datetime(2026, 9, 30, 22, 30, tzinfo=UTC)


def load(builder):
    return reader.load(Bundle(str(builder.root)))


# -- the reader ----------------------------------------------------------------------------------

def test_reader_normalizes_cbr_csbs_and_vbs(builder):
    listing(builder, [cbr("b1", "vol-1", datetime(2026, 7, 1, 10, tzinfo=UTC), replication_records=[{"destination_region": "eu-west-1", "status": "available"}])])
    listing(builder, [{
        "id": "c1", "resource_id": "srv-1", "resource_type": "OS::Nova::Server", "status": "deleted",
        "created_at": "2026-01-18T01:00:17.000000", "updated_at": "2026-04-14T07:45:10.000000",
        "extend_info": {"resource_name": "lims-app", "resource_az": "eu-west-0b", "encrypted": True},
    }, {
        "id": "c2", "resource_id": "srv-1", "status": "available", "created_at": "2026-01-25T01:00:00Z",
        "extend_info": {"resource_type": "OS::Nova::Server", "resource_az": "somewhere"},
        "backup_data": {"__openstack_region_name": "eu-west-1"},
    }], rel="backups/csbs.json", key="checkpoint_items")
    listing(builder, [{"id": "v1", "volume_id": "vol-2", "status": "available", "availability_zone": "eu-west-0c",
                       "created_at": "2026-07-04T21:00:00.000000", "size": 40}], rel="backups/vbs.json")
    evidence = load(builder)
    assert evidence.problems == []
    by_id = {b.id: b for b in evidence.data}
    b1, c1, c2, v1 = by_id["b1"], by_id["c1"], by_id["c2"], by_id["v1"]
    assert (b1.source, b1.resource_id, b1.encrypted, b1.region, b1.destination_regions) == ("cbr", "vol-1", True, "eu-west-0", ["eu-west-1"])
    assert b1.created_at == datetime(2026, 7, 1, 10, tzinfo=UTC) and b1.created_at.utcoffset() == timedelta(0)
    assert b1.expired_at == datetime(2026, 7, 31, 10, tzinfo=UTC)
    assert b1.ref == "backups/cbr.json#backups[0] id=b1"
    assert (c1.source, c1.status, c1.deleted, c1.region, c1.resource_name, c1.encrypted) == ("csbs", "deleted", True, "eu-west-0", "lims-app", True)
    assert c1.updated_at == datetime(2026, 4, 14, 7, 45, 10, tzinfo=UTC)
    assert c1.ref == "backups/csbs.json#checkpoint_items[0] id=c1"
    assert (c2.region, c2.resource_type, c2.encrypted) == ("eu-west-1", "OS::Nova::Server", None)
    assert (v1.source, v1.resource_id, v1.resource_type, v1.encrypted, v1.region) == ("vbs", "vol-2", "OS::Cinder::Volume", None, "eu-west-0")
    assert sorted(f.path for f in evidence.files) == ["backups/cbr.json", "backups/csbs.json", "backups/vbs.json"]


def test_reader_region_field_wins_and_unknown_zone_gives_none(builder):
    listing(builder, [cbr("b1", "vol-1", datetime(2026, 7, 1, tzinfo=UTC), region="eu-west-1"),
                      cbr("b2", "vol-1", datetime(2026, 7, 2, tzinfo=UTC), az="zone-a"),
                      cbr("b3", "vol-1", datetime(2026, 7, 3, tzinfo=UTC), az=None)])
    regions = {b.id: b.region for b in load(builder).data}
    assert regions == {"b1": "eu-west-1", "b2": None, "b3": None}


def test_reader_bad_records_are_problems_and_the_rest_is_kept(builder):
    good = cbr("ok", "vol-1", datetime(2026, 7, 1, tzinfo=UTC))
    no_time = {**cbr("t", "vol-1", datetime(2026, 7, 1, tzinfo=UTC)), "created_at": None}
    bad_time = {**cbr("u", "vol-1", datetime(2026, 7, 1, tzinfo=UTC)), "created_at": "01/07/2026"}
    bad_flag = cbr("f", "vol-1", datetime(2026, 7, 1, tzinfo=UTC), encrypted="maybe")
    bad_repl = {**cbr("r", "vol-1", datetime(2026, 7, 1, tzinfo=UTC)), "replication_records": {"destination_region": "x"}}
    no_resource = {**cbr("n", "vol-1", datetime(2026, 7, 1, tzinfo=UTC)), "resource_id": ""}
    listing(builder, [good, no_time, bad_time, "not an object", bad_flag, bad_repl, no_resource, good])
    builder.write("backups/broken.json", "{not json")
    builder.write("backups/other.json", json.dumps({"items": []}))
    evidence = load(builder)
    assert [b.id for b in evidence.data] == ["ok"]
    where = sorted((p.file, p.record) for p in evidence.problems)
    assert where == [
        ("backups/broken.json", None),
        ("backups/cbr.json", "backups[1] id=t"), ("backups/cbr.json", "backups[2] id=u"), ("backups/cbr.json", "backups[3]"),
        ("backups/cbr.json", "backups[4] id=f"), ("backups/cbr.json", "backups[5] id=r"), ("backups/cbr.json", "backups[6] id=n"),
        ("backups/cbr.json", "backups[7] id=ok"), ("backups/other.json", None),
    ]
    reasons = {p.record: p.reason for p in evidence.problems}
    assert "created_at" in reasons["backups[1] id=t"] and "01/07/2026" in reasons["backups[2] id=u"]
    assert "already listed at backups/cbr.json#backups[0] id=ok" in reasons["backups[7] id=ok"]


def test_reader_absent_folder(builder):
    evidence = load(builder)
    assert evidence.data is None and evidence.absent and "backups/*.json" in evidence.note


# -- backup.coverage ---------------------------------------------------------------------------

def test_coverage_pass_with_daily_backups(builder, run_checks_on):
    state(builder, SERVER, VOLUME, OUT_OF_SCOPE)
    listing(builder, daily("srv-1", FIRST, LAST, rtype="OS::Nova::Server") + daily("vol-1", FIRST, LAST))
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.PASS, result.findings
    rows = {r["resource_id"]: r for r in result.details["resources"]}
    assert set(rows) == {"srv-1", "vol-1"}  # the out-of-scope volume is not judged
    assert rows["vol-1"]["backups"] == 92 and rows["vol-1"]["name"] == "pacs-data"
    # every interval is 24 hours, the first one opened by the backup just before the period
    assert rows["vol-1"]["longest_interval_hours"] == 24.0
    assert rows["vol-1"]["longest_from"] == "2026-06-30T00:30:00+02:00"


def test_coverage_fail_reports_the_longest_interval_and_ignores_failed_backups(builder, run_checks_on):
    state(builder, SERVER, VOLUME)
    items = daily("srv-1", FIRST, LAST, rtype="OS::Nova::Server")
    gap = {datetime(2026, 8, d).date() for d in (4, 5, 6)}
    items += daily("vol-1", FIRST, LAST, skip=gap)
    items += [cbr("err-1", "vol-1", datetime(2026, 8, 4, 22, 30, tzinfo=UTC), status="error"),
              cbr("err-2", "vol-1", datetime(2026, 8, 5, 22, 30, tzinfo=UTC), status="protecting")]
    listing(builder, items)
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.FAIL and objects(result) == ["vol-1"]
    finding = result.findings[0]
    assert "96 hours" in finding.message and "2026-08-04T00:30:00+02:00" in finding.message and "2026-08-08T00:30:00+02:00" in finding.message
    assert "1 error, 1 protecting" in finding.message
    assert finding.evidence[0] == "resources/main.tfstate#flexibleengine_blockstorage_volume_v2.data"
    row = next(r for r in result.details["resources"] if r["resource_id"] == "vol-1")
    assert (row["longest_interval_hours"], row["longest_from"], row["longest_to"]) == (96.0, "2026-08-04T00:30:00+02:00", "2026-08-08T00:30:00+02:00")


def test_coverage_counts_the_backup_just_before_the_period(builder, run_checks_on):
    state(builder, VOLUME)
    before = datetime(2026, 6, 30, 8, tzinfo=UTC)  # 10:00 Paris on the last day before the period
    first = datetime(2026, 7, 1, 10, tzinfo=UTC)  # 12:00 Paris: 12 hours into the period, 26 after `before`
    listing(builder, [cbr("b0", "vol-1", before)] + daily("vol-1", first, LAST))
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.FAIL
    row = result.details["resources"][0]
    assert (row["longest_interval_hours"], row["longest_from"]) == (26.0, "2026-06-30T10:00:00+02:00")
    assert "backups/cbr.json#backups[0] id=b0" in result.findings[0].evidence
    # with a 48-hour RPO the same backups pass
    builder.tenant(policy={"backup_rpo_hours": 48})
    assert run_checks_on(builder.root, COV)[COV].status is Status.PASS


def test_coverage_counts_to_the_period_end(builder, run_checks_on):
    state(builder, VOLUME)
    listing(builder, daily("vol-1", FIRST, datetime(2026, 9, 28, 22, 30, tzinfo=UTC)))  # last: 2026-09-29 00:30 Paris
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.FAIL
    row = result.details["resources"][0]
    assert (row["longest_interval_hours"], row["longest_to"]) == (47.5, "2026-10-01T00:00:00+02:00")


def test_coverage_resource_without_any_backup_fails(builder, run_checks_on):
    state(builder, SERVER, VOLUME)
    listing(builder, daily("srv-1", FIRST, LAST, rtype="OS::Nova::Server") + [cbr("late", "vol-1", datetime(2026, 10, 2, tzinfo=UTC))])
    result = run_checks_on(builder.root, COV)[COV]
    assert objects(result) == ["vol-1"] and "no successful backup in the period" in result.findings[0].message
    row = next(r for r in result.details["resources"] if r["resource_id"] == "vol-1")
    assert row["backups"] == 0 and row["longest_interval_hours"] == 2208.0  # the whole quarter: 92 days


def test_coverage_absent_or_broken_evidence_is_error(builder, run_checks_on):
    state(builder, VOLUME)
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)
    listing(builder, daily("vol-1", FIRST, LAST) + [{"id": "x", "resource_id": "vol-1", "status": "available"}])
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.ERROR
    assert any(f.object == "backups/cbr.json" and "created_at" in f.message for f in result.findings if f.status is Status.ERROR)
    builder.write("resources/main.tfstate", "{}")
    assert run_checks_on(builder.root, COV)[COV].status is Status.ERROR


# -- backup.encrypted ----------------------------------------------------------------------------

def test_encrypted_pass_fail_and_unstated(builder, run_checks_on):
    state(builder, SERVER, VOLUME, OUT_OF_SCOPE)
    day = datetime(2026, 7, 10, tzinfo=UTC)
    listing(builder, [cbr("ok", "vol-1", day), cbr("plain", "srv-1", day, encrypted=False, rtype="OS::Nova::Server"),
                      cbr("scratch", "vol-9", day, encrypted=False), cbr("gone", "vol-1", day, encrypted=False, status="deleted")])
    listing(builder, [{"id": "v1", "volume_id": "vol-1", "status": "available", "created_at": "2026-07-04T21:00:00"},
                      {"id": "v2", "volume_id": "vol-1", "status": "available", "created_at": "2026-07-11T21:00:00"}], rel="backups/vbs.json")
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL
    # out of scope and deleted backups are not judged; VBS states no encryption: vol-1 is not encrypted, so neither are they
    assert objects(result) == ["plain", "v1", "v2"]
    derived = next(f for f in result.findings if f.object == "v1")
    assert "derived from its volumes" in derived.message and "VBS listing states no encryption" in derived.message
    assert "extend_info" not in derived.message and derived.evidence[1].endswith("flexibleengine_blockstorage_volume_v2.data")


def test_encrypted_pass_and_scope_all(builder, run_checks_on):
    state(builder, VOLUME, OUT_OF_SCOPE)
    day = datetime(2026, 7, 10, tzinfo=UTC)
    listing(builder, [cbr("ok", "vol-1", day), cbr("scratch", "vol-9", day, encrypted=False), cbr("orphan", "vol-404", day, encrypted=False)])
    result = run_checks_on(builder.root, ENC)[ENC]
    # the orphan's scope cannot be told: unencrypted, it is an error (tests/test_backup_edges.py)
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["orphan"] and result.details["unknown_resource"] == 1
    builder.tenant(scope="all")
    assert objects(run_checks_on(builder.root, ENC)[ENC]) == ["orphan", "scratch"]


def test_encrypted_absent_backups_is_error(builder, run_checks_on):
    state(builder, VOLUME)
    assert run_checks_on(builder.root, ENC)[ENC].status is Status.ERROR


# -- backup.restore_tested -----------------------------------------------------------------------
RESTORE_COLUMNS = ["tested_at", "resource_id", "backup_id", "result", "record"]


def restores(builder, *rows):
    builder.table("restore_tests.csv", RESTORE_COLUMNS, [dict(zip(["tested_at", "resource_id", "result"], r)) for r in rows])


def test_restore_tested_pass_on_the_boundary_day(builder, run_checks_on):
    # 365 days before 2026-10-01 00:00 Paris is 2025-10-01 00:00 Paris: a test that day counts
    restores(builder, ("2025-10-01", "vol-1", "success"), ("2026-09-15T14:30:00+02:00", "vol-1", "failure"))
    result = run_checks_on(builder.root, RESTORE)[RESTORE]
    assert result.status is Status.PASS, result.findings
    assert result.details["since"] == "2025-10-01T00:00:00+02:00"


def test_restore_tested_fail_too_old_failed_or_after_the_period(builder, run_checks_on):
    restores(builder, ("2025-09-30T23:59:00+02:00", "vol-1", "success"), ("2026-09-15T14:30:00+02:00", "vol-1", "failure"),
             ("2026-10-01", "vol-1", "success"))
    result = run_checks_on(builder.root, RESTORE)[RESTORE]
    assert result.status is Status.FAIL and objects(result) == ["restore_tests.csv"]
    message = result.findings[0].message
    assert "2025-09-30T23:59:00+02:00" in message and "more than 365 days" in message and "1 test(s)" in message
    assert result.findings[0].evidence == ("restore_tests.csv#row 2", "restore_tests.csv#row 3")
    builder.tenant(policy={"restore_test_max_age_days": 400})
    assert run_checks_on(builder.root, RESTORE)[RESTORE].status is Status.PASS


def test_restore_tested_only_failures_fail(builder, run_checks_on):
    restores(builder, ("2026-09-15", "vol-1", "failure"))
    result = run_checks_on(builder.root, RESTORE)[RESTORE]
    assert result.status is Status.FAIL and "no successful restore test" in result.findings[0].message


def test_restore_tested_absent_or_broken_is_error(builder, run_checks_on):
    result = run_checks_on(builder.root, RESTORE)[RESTORE]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)
    restores(builder, ("2026-09-15", "vol-1", "success"), ("15/09/2026", "vol-1", "success"), ("2026-09-16", "vol-1", "maybe"))
    result = run_checks_on(builder.root, RESTORE)[RESTORE]
    assert result.status is Status.ERROR
    assert sorted(e for f in result.findings for e in f.evidence) == ["restore_tests.csv#row 3", "restore_tests.csv#row 4"]


# -- backup.quota --------------------------------------------------------------------------------

def vbs(volume, n, start=datetime(2026, 7, 1, tzinfo=UTC)):
    return [{"id": f"{volume}-{i}", "volume_id": volume, "status": "available", "availability_zone": "eu-west-0a",
             "created_at": api(start + timedelta(days=i))} for i in range(n)]


def test_quota_not_applicable_without_vbs(builder, run_checks_on):
    assert run_checks_on(builder.root, QUOTA)[QUOTA].status is Status.NOT_APPLICABLE
    listing(builder, [cbr("b1", "vol-1", datetime(2026, 7, 1, tzinfo=UTC))])
    result = run_checks_on(builder.root, QUOTA)[QUOTA]
    assert result.status is Status.NOT_APPLICABLE and "VBS" in result.note


def test_quota_pass_at_the_limits(builder, run_checks_on):
    listing(builder, vbs("vol-1", 20) + vbs("vol-2", 13), rel="backups/vbs.json")
    result = run_checks_on(builder.root, QUOTA)[QUOTA]
    assert result.status is Status.PASS and result.details["tenant_backup_sets"] == 33


def test_quota_fail_per_volume_and_per_tenant(builder, run_checks_on):
    listing(builder, vbs("vol-1", 21), rel="backups/vbs.json")
    result = run_checks_on(builder.root, QUOTA)[QUOTA]
    assert result.status is Status.FAIL and objects(result) == ["vol-1"] and "21 VBS backup sets" in result.findings[0].message
    listing(builder, [b for i in range(19) for b in vbs(f"vol-{i:02d}", 19)], rel="backups/vbs.json")  # 361 sets
    result = run_checks_on(builder.root, QUOTA)[QUOTA]
    assert objects(result) == ["7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7"] and "361 VBS backup sets" in result.findings[0].message


def test_quota_broken_listing_is_error(builder, run_checks_on):
    listing(builder, vbs("vol-1", 3) + [{"id": "bad", "volume_id": "vol-1", "status": "available"}], rel="backups/vbs.json")
    result = run_checks_on(builder.root, QUOTA)[QUOTA]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == ["backups/vbs.json"]


def test_coverage_a_server_backup_covers_the_volumes_attached_to_the_server(builder, run_checks_on):
    """A CBR server backup copies every disk of the server (its system disk and `volume_attached[]`): a volume attached
    to a server backed up daily is covered without backups of its own; a volume of no server is not."""
    attached = tf("flexibleengine_compute_instance_v2", "app", {"id": "srv-1", "name": "pacs-app", "region": "eu-west-0",
                                                                "tags": {"hds": "true"}, "volume_attached": [{"uuid": "vol-1"}]})
    loose = tf("flexibleengine_blockstorage_volume_v2", "loose", {"id": "vol-2", "name": "loose", "region": "eu-west-0", "tags": {"hds": "true"}})
    state(builder, attached, VOLUME, loose)
    listing(builder, daily("srv-1", FIRST, LAST, rtype="OS::Nova::Server"))
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.FAIL and objects(result) == ["vol-2"]
    rows = {r["resource_id"]: r for r in result.details["resources"]}
    assert rows["vol-1"]["backups"] == 92 and rows["vol-1"]["through_servers"] == ["srv-1"]
    assert "through_servers" not in rows["vol-2"]
    # the server's backups stop mid-August: its attached volume has the same gap
    listing(builder, daily("srv-1", FIRST, datetime(2026, 8, 14, 22, 30, tzinfo=UTC), rtype="OS::Nova::Server"))
    assert objects(run_checks_on(builder.root, COV)[COV]) == ["srv-1", "vol-1", "vol-2"]
