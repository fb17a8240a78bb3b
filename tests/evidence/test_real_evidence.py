"""Evidence exactly as the cloud writes it: backup listings (CBR, CSBS, VBS, single answers), CTS traces whose `user` is a
JSON string, IAM listings with their details, the two MFA answers, and `doctor` on them.

Fixtures follow the public API models (github.com/huaweicloud/huaweicloud-sdk-python-v3): CBR `BackupResp` and
`BackupExtendInfo` (ListBackups / ShowBackup), CSBS `CheckpointItem` (ListBackups of CSBS v1), EVS/VBS `BackupDetail`
(GET /v2/{project_id}/backups/detail), IAM `KeystoneListUsersResult` and `ShowUserResult` (GET /v3.0/OS-USER/users/{id}),
`ListUserMfaDevicesResponse` / `ListUserLoginProtectsResponse`, CTS `Traces` (ListTraces: "user ... transmitted and stored
as a string" in the older v1 API); the resources follow the FlexibleEngine provider's compute_instance_v2 and
blockstorage_volume_v2 schemas. Every quirk is kept: times with and without offsets, milli- and microseconds, a null
availability zone, extra fields, codes as strings. Tenants, people and ids are invented.
"""

from __future__ import annotations

import json

from bundle_builder import ms
from test_resources_reader import instance, tf, tfstate

from hds_audit.evidence import backups as backups_reader
from hds_audit.evidence import traces as traces_reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

ENC, RES, COV = "backup.encrypted", "residency.resources", "backup.coverage"
SYSTEM_DISK, DATA_DISK, OTHER_SYSTEM = "4f3e2d1c-0b9a-4876-9543-21fedcba0001", "4f3e2d1c-0b9a-4876-9543-21fedcba0002", "4f3e2d1c-0b9a-4876-9543-21fedcba0009"
SERVER_ID = "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def server(system_disk=SYSTEM_DISK, data_disks=(DATA_DISK,), sid=SERVER_ID, name="chx-pacs") -> dict:
    """compute_instance_v2: the system disk is `system_disk_id` and also `volume_attached[0]` (boot_index 0)."""
    attached = [{"uuid": system_disk, "boot_index": 0, "size": 40, "type": "SSD", "pci_address": "0000:02:01.0"}]
    attached += [{"uuid": d, "boot_index": -1, "size": 100, "type": "SSD", "pci_address": ""} for d in data_disks]
    return {"id": sid, "name": name, "region": "eu-west-0", "availability_zone": "eu-west-0a", "flavor_id": "s6.large.2",
            "image_id": "img-1", "system_disk_id": system_disk, "volume_attached": attached, "status": "ACTIVE",
            "tags": {"hds": "true"}, "network": [{"uuid": "net-1", "fixed_ip_v4": "192.168.0.10", "mac": "fa:16:3e:00:00:01"}]}


def volume(vid, encrypted="1", name="chx-disk") -> dict:
    """blockstorage_volume_v2: encryption in metadata.__system__encrypted ("1"), the key in __system__cmkid."""
    metadata = {"__system__encrypted": encrypted, "hds": "true"}
    if encrypted == "1":
        metadata["__system__cmkid"] = "0d6c2b1e-4a8f-4c2d-9e1b-7a5f3c2d1e0f"
    return {"id": vid, "name": name, "region": "eu-west-0", "availability_zone": "eu-west-0a", "size": 100,
            "volume_type": "SSD", "metadata": metadata, "attachment": [{"id": vid, "instance_id": SERVER_ID, "device": "/dev/vdb"}]}


def cbr_server_backup(bid="b0c1d2e3-0000-4000-8000-000000000001", created="2026-07-02T01:12:44.209782") -> dict:
    """CBR BackupResp of a whole server: extend_info has no `encrypted` (BackupExtendInfo sets it for disk backups only)."""
    return {"checkpoint_id": "cp-1", "created_at": created, "description": "", "expired_at": "2026-08-01T01:12:44.209782",
            "extend_info": {"auto_trigger": True, "bootable": True, "incremental": True, "snapshot_id": None, "support_lld": True,
                            "supported_restore_mode": "backup", "contain_system_disk": True, "system_disk": False, "is_multi_az": False},
            "id": bid, "image_type": "backup", "name": "autobk_a1b2", "parent_id": None, "project_id": "p1",
            "protected_at": "2026-07-02T01:14:02.771206", "resource_az": "eu-west-0a", "resource_id": SERVER_ID,
            "resource_name": "chx-pacs", "resource_size": 140, "resource_type": "OS::Nova::Server", "status": "available",
            "updated_at": "2026-07-02T01:14:02.771206", "vault_id": "vault-1", "replication_records": [], "provider_id": "0daac4c5-6707-4851-97ba-169e36266b66"}


def vbs_backup(bid, volume_id, created="2026-07-03T02:00:12.000000", zone=None) -> dict:
    """EVS/VBS BackupDetail: `volume_id`, `availability_zone` (null here), no encryption field at all."""
    return {"id": bid, "name": f"vbs-{bid}", "status": "available", "description": "", "availability_zone": zone, "volume_id": volume_id,
            "fail_reason": None, "size": 40, "object_count": 0, "container": "vbs-container", "created_at": created,
            "updated_at": created, "links": [], "service_metadata": '{"type": "backup"}', "is_incremental": True,
            "snapshot_id": "snap-1", "data_timestamp": created}


def csbs_item(cid="ci-1") -> dict:
    """CSBS CheckpointItem: no encryption field; resource_az inside extend_info; a time with its offset."""
    return {"id": cid, "checkpoint_id": "cp-9", "created_at": "2026-07-04T01:00:00.000+00:00", "name": "csbs-1", "resource_id": SERVER_ID,
            "resource_type": "OS::Nova::Server", "status": "available", "updated_at": "2026-07-04T01:20:00.000+00:00", "tenant_id": "p1",
            "extend_info": {"auto_trigger": True, "resource_az": "eu-west-0a", "resource_name": "chx-pacs", "resource_type": "OS::Nova::Server",
                            "size": 140, "image_type": "backup", "progress": 100, "fail_reason": "", "volume_backups": []},
            "backup_data": {"__openstack_region_name": "eu-west-0"}}


def write_state(builder, *entries):
    builder.write("resources/main.tfstate", tfstate(*entries))


def write_listing(builder, rel, document):
    builder.write(rel, json.dumps(document))


# -- backup.encrypted derived from the volumes ---------------------------------------------------------

def test_server_backup_is_encrypted_when_every_volume_it_copies_is(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server()),
                tf("flexibleengine_blockstorage_volume_v2", "disk", instance(volume(SYSTEM_DISK), "sys"), instance(volume(DATA_DISK), "data")))
    write_listing(builder, "backups/cbr.json", {"backups": [cbr_server_backup()], "count": 1})
    write_listing(builder, "backups/csbs.json", {"checkpoint_items": [csbs_item()], "count": 1})
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.PASS, result.findings
    derived = {d["backup"]: d for d in result.details["derived_from_volumes"]}
    assert derived["ci-1"]["encrypted"] is True and f"{SYSTEM_DISK}, {DATA_DISK} encrypted" in derived["ci-1"]["how"]
    assert result.details["encrypted"] == 2


def test_a_listing_that_states_it_is_believed_and_named(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_blockstorage_volume_v2", "disk", volume(DATA_DISK)))  # an encrypted volume
    disk_backup = {**cbr_server_backup(), "resource_id": DATA_DISK, "resource_type": "OS::Cinder::Volume",
                   "extend_info": {"encrypted": False, "bootable": False, "system_disk": False}}
    write_listing(builder, "backups/cbr.json", {"backups": [disk_backup]})
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL and "(extend_info.encrypted is false in the CBR listing)" in result.findings[0].message


def test_server_backup_with_one_plain_volume_fails_saying_how(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server()),
                tf("flexibleengine_blockstorage_volume_v2", "disk", instance(volume(SYSTEM_DISK), "sys"), instance(volume(DATA_DISK, "0"), "data")))
    write_listing(builder, "backups/cbr.json", {"backups": [cbr_server_backup()]})
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL
    message = result.findings[0].message
    assert "derived from its volumes" in message and f"{DATA_DISK} not encrypted" in message
    assert any(ref.endswith('flexibleengine_blockstorage_volume_v2.disk["data"]') for ref in result.findings[0].evidence)


def test_server_backup_whose_system_disk_is_no_volume_of_the_state_is_error(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server()),
                tf("flexibleengine_blockstorage_volume_v2", "disk", volume(DATA_DISK)))
    write_listing(builder, "backups/cbr.json", {"backups": [cbr_server_backup()]})
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.ERROR and objects(result, Status.ERROR) == [SERVER_ID]
    assert f"{SYSTEM_DISK} are not in the Terraform state" in result.findings[0].message


def test_vbs_backup_of_a_system_disk_resolves_through_the_server(builder, run_checks_on):
    # the system disk was created with the server: no blockstorage_volume_v2 of its own
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server(data_disks=())))
    write_listing(builder, "backups/vbs.json", {"backups": [vbs_backup("v1", SYSTEM_DISK)], "count": 1})
    results = run_checks_on(builder.root, ENC, RES)
    encrypted = results[ENC]
    assert encrypted.status is Status.ERROR and objects(encrypted, Status.ERROR) == [SYSTEM_DISK]
    message = encrypted.findings[0].message
    assert f"the system disk of server {SERVER_ID}" in message and "VBS listing states no encryption" in message
    assert "extend_info" not in message and "is not in the Terraform state" not in message and encrypted.details["unknown_resource"] == 0
    placed = results[RES]
    assert placed.status is Status.PASS, placed.findings  # null availability_zone: the region of the volume, through the server
    row = next(p for p in placed.details["placements"] if p["object"] == "v1")
    assert row["region"] == "eu-west-0" and row["region_from"] == f"region of its volume, the system disk of server {SERVER_ID}"


def test_vbs_backup_of_a_system_disk_held_as_a_volume_is_judged_by_it(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server(data_disks=())),
                tf("flexibleengine_blockstorage_volume_v2", "sys", volume(SYSTEM_DISK)))
    write_listing(builder, "backups/vbs.json", {"backups": [vbs_backup("v1", SYSTEM_DISK)]})
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.PASS, result.findings


def test_vbs_backup_of_an_unknown_volume_is_still_an_orphan(builder, run_checks_on):
    write_state(builder, tf("flexibleengine_compute_instance_v2", "pacs", server(data_disks=())))
    write_listing(builder, "backups/vbs.json", {"backups": [vbs_backup("v9", OTHER_SYSTEM)]})
    results = run_checks_on(builder.root, ENC, RES)
    assert objects(results[ENC], Status.ERROR) == [OTHER_SYSTEM]
    assert "not in the Terraform state" in results[ENC].findings[0].message and "extend_info" not in results[ENC].findings[0].message
    assert objects(results[RES], Status.ERROR) == ["v9"]


def test_a_single_show_backup_answer_is_a_listing_of_one(builder):
    write_listing(builder, "backups/one.json", {"backup": cbr_server_backup()})
    write_listing(builder, "backups/item.json", {"checkpoint_item": csbs_item()})
    evidence = backups_reader.load(Bundle(str(builder.root)))
    assert evidence.problems == []
    assert sorted((b.source, b.ref) for b in evidence.data) == [
        ("cbr", "backups/one.json#backup[0] id=b0c1d2e3-0000-4000-8000-000000000001"), ("csbs", "backups/item.json#checkpoint_item[0] id=ci-1")]
    assert [f.records for f in evidence.files] == [1, 1]


def test_vbs_null_zone_and_times_with_offsets_are_read(builder):
    write_listing(builder, "backups/vbs.json", {"backups": [vbs_backup("v1", SYSTEM_DISK, "2026-07-03T04:00:12.123+02:00")]})
    backup = backups_reader.load(Bundle(str(builder.root))).data[0]
    assert (backup.source, backup.region, backup.encrypted, backup.created_at.isoformat()) == ("vbs", None, None, "2026-07-03T04:00:12.123000+02:00")


# -- CTS traces: `user` as a JSON string ------------------------------------------------------------------

def old_trace(user: str, at: str, trace_id: str) -> dict:
    """A trace as the older CTS API stores it: `user`, `request` and `response` serialised as JSON strings, code an int."""
    return {"trace_id": trace_id, "trace_name": "deleteServer", "trace_rating": "normal", "trace_type": "ApiCall",
            "event_type": "system", "service_type": "ECS", "resource_type": "ecs", "resource_id": "srv-1", "resource_name": "chx-app",
            "source_ip": "192.0.2.44", "time": ms(at), "record_time": ms(at) + 812, "code": 200,
            "user": json.dumps({"id": f"id-{user}", "name": user, "domain": {"id": "d1", "name": "chx"}}),
            "request": '{"server": {"id": "srv-1"}}', "response": "{}", "endpoint": "https://ecs.eu-west-0.prod-cloud-ocb.orange-business.com"}


def test_user_as_a_json_string_is_read_and_names_the_account(builder, run_checks_on):
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([old_trace("a.durand", "2026-07-02T10:00:00+02:00", "t1"), old_trace("z.intrus", "2026-07-02T11:00:00+02:00", "t2")])
    evidence = traces_reader.load(Bundle(str(builder.root)))
    assert evidence.problems == []
    evidence.data.details()
    assert evidence.data.rows("SELECT trace_id, user_name FROM trace_details ORDER BY trace_id") == [("t1", "a.durand"), ("t2", "z.intrus")]
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.FAIL and objects(result) == ["z.intrus"]


def test_user_string_that_is_not_an_object_is_refused_by_record(builder):
    bad = {**old_trace("a.durand", "2026-07-02T10:00:00+02:00", "t1"), "user": '["a.durand"]'}
    builder.traces([old_trace("a.durand", "2026-07-02T09:00:00+02:00", "t0"), bad])
    evidence = traces_reader.load(Bundle(str(builder.root)))
    assert [(p.record, p.reason) for p in evidence.problems] == [("record 1", "'user' is a string that is not a JSON object")]


def test_cts_layout_without_service_folder_uncompressed_beside_digests(builder):
    # tracker settings: no {Service} folder, no compression; CTS writes its integrity files under {tracker}/Digest/
    day = "CloudTraces/eu-west-0/2026/7/2/system"
    builder.write(f"traces/{day}/cts_CloudTrace_eu-west-0_2026-07-02T08-00-00Z_9f3a.json",
                  json.dumps([old_trace("a.durand", "2026-07-02T10:00:00+02:00", "t1")]))
    builder.write(f"traces/{day}/Digest/cts_CloudTrace-Digest_eu-west-0_2026-07-02T09-00-00Z.json",
                  json.dumps({"project_id": "p1", "digest_start_time": "2026-07-02T08-00-00Z", "log_files": []}))
    evidence = traces_reader.load(Bundle(str(builder.root)))
    assert evidence.problems == [] and evidence.data.count() == 1 and [f.path for f in evidence.files] == [f"traces/{day}/cts_CloudTrace_eu-west-0_2026-07-02T08-00-00Z_9f3a.json"]


# -- IAM: listing + details, and the two MFA answers ----------------------------------------------------------

def keystone_user(name, uid, **details) -> dict:
    """KeystoneListUsersResult, merged with ShowUserResult details when given (null where IAM keeps its default)."""
    listed = {"id": uid, "name": name, "enabled": True, "domain_id": "d1", "description": "", "pwd_status": False,
              "password_expires_at": None, "last_project_id": "p1", "pwd_strength": "high",
              "links": {"self": f"https://iam.eu-west-0.prod-cloud-ocb.orange-business.com/v3/users/{uid}"}}
    return {**listed, **details}


def mfa_bundle(builder, protects=True, devices=True):
    builder.write("iam/users.json", json.dumps({"users": [
        keystone_user("chx-owner", "u0", is_domain_owner=True, access_mode=None, last_login_time="2026-06-30 08:12:45.0", create_time="2025-11-02 09:00:00.0"),
        keystone_user("a.durand", "u1", is_domain_owner=False, access_mode="console", last_login_time=None, create_time="2026-01-05 10:00:00.0"),
        keystone_user("b.petit", "u2"),  # listing only: IAM's default access mode, console included
        keystone_user("svc-backup", "u3", access_mode="programmatic", is_domain_owner=None),
        keystone_user("c.roux", "u4", access_mode="default"),
    ], "links": {"self": "https://iam.example/v3/users"}}))
    if devices:
        builder.write("iam/virtual-mfa-devices.json", json.dumps({"virtual_mfa_devices": [
            {"user_id": "u0", "serial_number": "iam/mfa/u0"}, {"user_id": "u1", "serial_number": "iam/mfa/u1"}]}))
    if protects:
        builder.write("iam/login-protects.json", json.dumps({"login_protects": [
            {"user_id": "u2", "enabled": True, "verification_method": "email"},
            {"user_id": "u4", "enabled": False, "verification_method": "none"}]}))


def test_iam_listing_with_details_and_the_two_mfa_files(builder, run_checks_on):
    mfa_bundle(builder)
    result = run_checks_on(builder.root, "access.mfa")["access.mfa"]
    assert result.status is Status.FAIL and objects(result) == ["c.roux"]  # login protection disabled (method none) is no MFA
    from hds_audit.evidence import iam_users

    users = {u.name: u for u in iam_users.load(Bundle(str(builder.root))).data}
    assert users["chx-owner"].is_domain_owner and users["chx-owner"].access_mode == "default"
    assert users["chx-owner"].create_time.isoformat() == "2025-11-02T09:00:00+00:00"
    assert users["b.petit"].console_access and not users["svc-backup"].console_access and not users["svc-backup"].is_domain_owner
    note = iam_users.load(Bundle(str(builder.root))).note
    assert note.startswith("1 user(s) without the details of GET /v3.0/OS-USER/users/{id}") and note.endswith(": b.petit")


def test_one_mfa_answer_alone_is_error_naming_the_other(builder, run_checks_on):
    mfa_bundle(builder, protects=False)
    result = run_checks_on(builder.root, "access.mfa")["access.mfa"]
    assert result.status is Status.ERROR
    assert any(f.object == "iam/login-protects.json" and "absent beside iam/virtual-mfa-devices.json" in f.message for f in result.findings)


def test_doctor_is_not_ready_while_access_mfa_would_be_error(builder):
    from hds_audit.catalog import load_catalog
    from hds_audit.workflows.doctor import diagnose

    mfa_bundle(builder, protects=False, devices=False)
    report = diagnose(Bundle(str(builder.root)), load_catalog())
    mfa = next(k for k in report.kinds if k.kind == "iam_mfa")
    assert mfa.status == "absent" and mfa.needed_by == ["access.mfa"] and mfa.blocking and not report.ready
    assert "virtual-mfa-devices" in mfa.advice
    mfa_bundle(builder)
    mfa = next(k for k in diagnose(Bundle(str(builder.root)), load_catalog()).kinds if k.kind == "iam_mfa")
    assert mfa.status == "present" and mfa.records == 4 and not mfa.blocking
