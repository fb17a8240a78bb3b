"""compliant/: Centre Hospitalier de Valmont, 2026-Q3, where every check passes (samples/README.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from hds_audit.bundle_writer.backups import cbr_backup, find_backup, twice_daily
from hds_audit.bundle_writer.clock import UTC, api_utc, at, days
from hds_audit.bundle_writer.files import REGISTER_COLUMNS, BundleFiles
from hds_audit.bundle_writer.iam import iam_user
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.register import Register, reg
from hds_audit.bundle_writer.tenant import tenant_yaml
from hds_audit.bundle_writer.terraform import (
    PROVIDER_NEW,
    PROVIDER_OLD,
    tf_bucket,
    tf_image,
    tf_listener,
    tf_policy,
    tf_rds,
    tf_resource,
    tf_server,
    tf_state,
    tf_tracker,
    tf_user,
    tf_vault,
    tf_volume,
)
from stories.common import IDS, mfa, routine_day, uuid_, write_attestations, write_provider

R = "eu-west-0"
org = "Centre Hospitalier de Valmont"
mail = "ch-valmont.example"

kms = uuid_("valmont", "kms", "hds")
servers = [
    {"id": uuid_("valmont", "ecs", f"app-{i}"), "name": f"valmont-dpi-app-{i}", "region": R,
     "az": ["eu-west-0a", "eu-west-0b"][i], "flavor": "s6.xlarge.2", "ip": f"192.168.10.{11 + i}",
     "kind": "server", "size": 40} for i in (0, 1)
] + [
    {"id": uuid_("valmont", "ecs", "db"), "name": "valmont-dpi-db", "region": R, "az": "eu-west-0b",
     "flavor": "m6.2xlarge.8", "ip": "192.168.20.11", "kind": "server", "size": 100},
]
bastion = {"id": uuid_("valmont", "ecs", "bastion"), "name": "valmont-bastion", "region": R, "az": "eu-west-0a",
           "flavor": "s6.medium.2", "ip": "192.168.1.10", "kind": "server", "size": 40}
volumes = [
    {"id": uuid_("valmont", "evs", "db-data"), "name": "valmont-dpi-db-data", "region": R, "az": "eu-west-0b",
     "size": 500, "kind": "volume", "device": "/dev/vdb"},
    {"id": uuid_("valmont", "evs", "db-archive"), "name": "valmont-dpi-db-archive", "region": R, "az": "eu-west-0b",
     "size": 1000, "kind": "volume", "device": "/dev/vdc"},
]
bastion_vol = {"id": uuid_("valmont", "evs", "bastion-data"), "name": "valmont-bastion-data", "region": R,
               "az": "eu-west-0a", "size": 40, "kind": "volume"}
vault_srv = {"id": uuid_("valmont", "vault", "servers"), "name": "valmont-vault-servers", "region": R, "type": "server", "size": 2000}
vault_disk = {"id": uuid_("valmont", "vault", "disks"), "name": "valmont-vault-disks", "region": R, "type": "disk", "size": 6000}
vault_replica = {"id": uuid_("valmont", "vault", "replica"), "name": "valmont-vault-replica", "region": R,
                 "type": "server", "size": 2000, "protection_type": "replication"}
policy_backup = uuid_("valmont", "policy", "daily")
policy_repl = uuid_("valmont", "policy", "replication")
tracker_bucket, data_bucket, export_bucket = "ch-valmont-cts-traces", "ch-valmont-imagerie", "ch-valmont-exports"
image = tf_image()
net = uuid_("valmont", "network", "app")
sg = uuid_("valmont", "secgroup", "app")
hds = {"hds": "true", "app": "dpi"}

lb = uuid_("valmont", "elb", "dpi")
lb3 = uuid_("valmont", "elb3", "api")
vpc = uuid_("valmont", "vpc", "main")

people = {
    "c.fournier": ("Camille Fournier", "Infrastructure lead"),
    "t.lefebvre": ("Thomas Lefebvre", "Systems engineer"),
    "n.girard": ("Nadia Girard", "Systems engineer"),
    "s.roussel": ("Sophie Roussel", "Internal auditor"),
    "m.dubois": ("Marc Dubois", "Security analyst"),
}


def em(person):
    return person.lower().replace(" ", ".").replace("é", "e").replace("è", "e") + "@" + mail


def new_tenant() -> TenantTraces:
    return TenantTraces(IDS, "valmont", "ch-valmont", 20260701, {R: "valmont"}, {
        "ch-valmont": "203.0.113.10", "c.fournier": "203.0.113.11", "t.lefebvre": "203.0.113.12",
        "n.girard": "203.0.113.13", "s.roussel": "203.0.113.14", "m.dubois": "203.0.113.15",
        "svc-backup-sync": "192.168.10.21", "ob-support-0412": "198.51.100.77",
    })


def main_resources(t: TenantTraces) -> list:
    main = [
        tf_resource("flexibleengine_images_image_v2", "ubuntu", PROVIDER_NEW, [image], mode="data"),
        tf_resource("flexibleengine_kms_key_v1", "hds", PROVIDER_NEW, [{
            "id": kms, "key_alias": "valmont-hds", "key_description": "Health data at rest", "region": R,
            "pending_days": "7", "is_enabled": True, "rotation_enabled": True, "rotation_interval": 365,
            "domain_id": t.domain_id, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_compute_instance_v2", "app", PROVIDER_NEW,
                    [tf_server(s, image, net, sg, hds) for s in servers[:2]], counted=True),
        tf_resource("flexibleengine_compute_instance_v2", "db", PROVIDER_NEW, [tf_server(servers[2], image, net, sg, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "bastion", PROVIDER_NEW,
                    [tf_server(bastion, image, net, sg, {"hds": "false", "role": "bastion"})]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_data", PROVIDER_NEW,
                    [tf_volume(volumes[0], kms, hds, servers[2]["id"])], deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_archive", PROVIDER_NEW,
                    [tf_volume(volumes[1], kms, hds, servers[2]["id"])], deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_blockstorage_volume_v2", "bastion_data", PROVIDER_NEW,
                    [tf_volume(bastion_vol, kms, {"hds": "false", "role": "bastion"}, bastion["id"])]),
        tf_resource("flexibleengine_obs_bucket", "imagerie", PROVIDER_NEW,
                    [tf_bucket(data_bucket, R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket", "imagerie_replica", PROVIDER_NEW,
                    [tf_bucket(data_bucket + "-replica", R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket_replication", "imagerie", PROVIDER_NEW, [{
            "id": data_bucket, "bucket": data_bucket, "destination_bucket": data_bucket + "-replica",
            "region": R, "destination_region": R, "agency": "obs-replication-agency",
            "rule": [{"id": "all-objects", "enabled": True, "prefix": "", "storage_class": "STANDARD"}]}]),
        tf_resource("flexibleengine_obs_bucket", "traces", PROVIDER_NEW,
                    [tf_bucket(tracker_bucket, R, kms_id=kms,
                               expire_days=1095, rule_name="expire-traces-after-3-years", prefix="valmont/")]),
        tf_resource("flexibleengine_obs_bucket", "exports", PROVIDER_NEW,
                    [tf_bucket(export_bucket, R, kms_id=kms, expire_days=30, rule_name="expire-exports")]),
        tf_resource("flexibleengine_rds_instance_v3", "dossiers", PROVIDER_NEW, [tf_rds(
            uuid_("valmont", "rds", "dossiers"), "valmont-dossiers-pg", R, ["eu-west-0a", "eu-west-0b"], kms, 7, hds)],
                    deps=("flexibleengine_kms_key_v1.hds",)),
        tf_resource("flexibleengine_cts_tracker_v1", "system", PROVIDER_NEW, [tf_tracker(R, tracker_bucket, "valmont")],
                    deps=("flexibleengine_obs_bucket.traces",)),
        tf_resource("flexibleengine_cbr_policy", "daily", PROVIDER_NEW, [
            tf_policy(policy_backup, "valmont-twice-daily", R, "backup", retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "replication", PROVIDER_NEW, [
            tf_policy(policy_repl, "valmont-weekly-copy", R, "replication", destination_region=R,
                      destination_project_id=t.project_id(R), times=("00:30",), days_="SU", retention_days=180)]),
        tf_resource("flexibleengine_cbr_vault", "servers", PROVIDER_NEW, [tf_vault(
            vault_srv, [{"server_id": s["id"], "excludes": [], "includes": []} for s in servers], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "disks", PROVIDER_NEW, [tf_vault(
            vault_disk, [{"server_id": "", "excludes": [], "includes": [v["id"] for v in volumes]}], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "replica", PROVIDER_NEW, [tf_vault(vault_replica, [], "", hds)]),
    ]
    for account, (person, role) in people.items():
        email = person.lower().replace(" ", ".") + "@" + mail
        main.append(tf_resource("flexibleengine_identity_user_v3", account.replace(".", "_"), PROVIDER_NEW,
                                [tf_user(t.user_id(account), account, email, role)]))
    main.append(tf_resource("flexibleengine_identity_user_v3", "svc_backup_sync", PROVIDER_NEW,
                            [tf_user(t.user_id("svc-backup-sync"), "svc-backup-sync", "", "Nightly export to OBS (owner: Camille Fournier)", "programmatic")]))
    return main


def network_resources() -> list:
    network = [
        # no "region": this resource takes tenant.yaml's default_region
        tf_resource("flexibleengine_vpc_v1", "main", PROVIDER_OLD, [{
            "id": vpc, "name": "valmont-vpc", "cidr": "192.168.0.0/16", "status": "OK", "shared": False,
            "routes": [], "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_vpc_subnet_v1", "app", PROVIDER_OLD, [{
            "id": net, "name": "valmont-app", "region": R, "vpc_id": vpc, "cidr": "192.168.10.0/24",
            "gateway_ip": "192.168.10.1", "availability_zone": "", "dhcp_enable": True,
            "primary_dns": "100.125.0.41", "secondary_dns": "100.126.0.41", "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_loadbalancer_v2", "dpi", PROVIDER_OLD, [{
            "id": lb, "name": "valmont-dpi-elb", "region": R, "vip_subnet_id": net, "vip_address": "192.168.10.250",
            "vip_port_id": uuid_("valmont", "vip", lb), "admin_state_up": True, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v2", "https", PROVIDER_OLD, [tf_listener(
            uuid_("valmont", "listener", "https"), "valmont-dpi-https", R, "TERMINATED_HTTPS", 443, lb,
            policy="tls-1-2", cert=uuid_("valmont", "cert", "dpi"))]),
        tf_resource("flexibleengine_lb_loadbalancer_v3", "api", PROVIDER_OLD, [{
            "id": lb3, "name": "valmont-api-elb", "region": R, "availability_zone": ["eu-west-0a", "eu-west-0b"],
            "ipv4_subnet_id": net, "ipv4_address": "192.168.10.251", "cross_vpc_backend": False, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v3", "api_https", PROVIDER_OLD, [tf_listener(
            uuid_("valmont", "listener", "api"), "valmont-api-https", R, "HTTPS", 8443, lb3,
            policy="tls-1-2", cert=uuid_("valmont", "cert", "api"), v3=True)]),
    ]
    return network


def write_resources(b: BundleFiles, t: TenantTraces) -> None:
    main = main_resources(t)
    b.json("resources/main.tfstate", tf_state("valmont-main", 214, main, {
        "dpi_url": {"value": "https://dpi.ch-valmont.example", "type": "string"},
        "traces_bucket": {"value": tracker_bucket, "type": "string"},
    }))
    network = network_resources()
    b.json("resources/network.tfstate", tf_state("valmont-network", 37, network))


def the_register() -> Register:
    return Register([
        reg("ch-valmont", "Hélène Marchand", em("Hélène Marchand"), "admin", "2023-11-06", approved_by="Pierre Anselme"),
        reg("c.fournier", "Camille Fournier", em("Camille Fournier"), "admin", "2024-02-01", approved_by="Hélène Marchand"),
        reg("t.lefebvre", "Thomas Lefebvre", em("Thomas Lefebvre"), "operator", "2024-03-11", approved_by="Camille Fournier"),
        reg("j.blanc", "Juliette Blanc", em("Juliette Blanc"), "operator", "2024-03-11", "2026-03-31T18:00:00+02:00",
            approved_by="Camille Fournier"),
        reg("n.girard", "Nadia Girard", em("Nadia Girard"), "operator", "2024-09-02", "2026-07-17T18:00:00+02:00",
            approved_by="Camille Fournier"),
        reg("s.roussel", "Sophie Roussel", em("Sophie Roussel"), "auditor", "2025-01-06", approved_by="Hélène Marchand"),
        reg("svc-backup-sync", None, None, "service", "2025-02-03", approved_by="Hélène Marchand", owner="Camille Fournier"),
        reg("m.dubois", "Marc Dubois", em("Marc Dubois"), "trace_reader", "2025-04-14", approved_by="Hélène Marchand"),
        reg("ob-support-0412", "Julien Perrot", "julien.perrot@fe-support.example", "provider_support",
            "2026-08-05T10:00:00+02:00", "2026-08-10T12:00:00+02:00", approved_by="Camille Fournier", ticket="INC-2026-0412"),
        reg("n.girard", "Nadia Girard", em("Nadia Girard"), "operator", "2026-08-24T09:00:00+02:00",
            approved_by="Camille Fournier"),
    ])


def write_iam(b: BundleFiles, t: TenantTraces, register: Register) -> None:
    b.table("access_register.csv", REGISTER_COLUMNS, register.rows)

    b.listing("iam/users.json", "users", [
        iam_user(t, "ch-valmont", owner=True, created=at(2023, 11, 6, 9, 14), last_login=at(2026, 9, 2, 9, 40),
                 email=em("Hélène Marchand"), description="Domain owner (break-glass account)"),
        iam_user(t, "c.fournier", created=at(2024, 2, 1, 10, 2), last_login=at(2026, 9, 30, 8, 12), email=em("Camille Fournier")),
        iam_user(t, "t.lefebvre", mode="console", created=at(2024, 3, 11, 9, 30), last_login=at(2026, 9, 30, 8, 29),
                 email=em("Thomas Lefebvre")),
        iam_user(t, "n.girard", mode="console", created=at(2024, 9, 2, 9, 5), last_login=at(2026, 9, 29, 8, 27),
                 email=em("Nadia Girard")),
        iam_user(t, "s.roussel", mode="console", created=at(2025, 1, 6, 14, 0), last_login=at(2026, 9, 29, 13, 52),
                 email=em("Sophie Roussel")),
        iam_user(t, "m.dubois", created=at(2025, 4, 14, 9, 45), last_login=at(2026, 9, 29, 13, 51), email=em("Marc Dubois")),
        iam_user(t, "svc-backup-sync", mode="programmatic", created=at(2025, 2, 3, 11, 20), last_login=None,
                 description="Nightly export to OBS; owner Camille Fournier"),
    ])
    b.json("iam/mfa.json", mfa(t, ["ch-valmont", "c.fournier", "t.lefebvre", "s.roussel"],
                                        [("n.girard", True, "sms"), ("m.dubois", True, "email"), ("c.fournier", True, "vmfa")]))


def write_backups(b: BundleFiles, t: TenantTraces) -> list:
    start, end = date(2026, 6, 30), date(2026, 10, 1)
    backups = []
    for when in twice_daily(start, end):
        if when > at(2026, 10, 1, 8, 0):  # listed on 2026-10-01 at 08:00
            break
        when = when + timedelta(seconds=t.rng.int(0, 240))
        weekly = when.weekday() == 6 and when.hour == 1
        for s in servers:
            backups.append(cbr_backup(t, s, vault_srv, when, replicate_to=(R, vault_replica["id"]) if weekly else None))
        for v in volumes:
            backups.append(cbr_backup(t, v, vault_disk, when))
    b.listing("backups/cbr.json", "backups", backups, count=len(backups))
    return backups


def write_vbs(b: BundleFiles, t: TenantTraces) -> None:
    vbs = []
    for d in days(date(2026, 7, 4), date(2026, 9, 26)):
        if d.weekday() == 5:  # weekly, Saturday night: 13 backup sets, far under the quotas of 20/360
            when = at(d, 23, 0, t.rng.int(0, 59))
            bid = uuid_("valmont", "vbs", d.isoformat())
            vbs.append({
                "id": bid, "name": f"bastion-data-weekly-{d.isoformat()}", "description": "weekly copy of the bastion tools volume",
                "status": "available", "size": 40, "object_count": 0, "volume_id": bastion_vol["id"],
                "availability_zone": "eu-west-0a", "container": bastion_vol["id"], "snapshot_id": uuid_("valmont", "snap", bid),
                "is_incremental": d != date(2026, 7, 4), "has_dependent_backups": False, "fail_reason": None,
                "created_at": api_utc(when), "updated_at": api_utc(when + timedelta(minutes=9)),
                "data_timestamp": api_utc(when), "os-bak-tenant-attr:tenant_id": t.project_id(R),
            })
    b.listing("backups/vbs.json", "backups", vbs)


def routine(t: TenantTraces, register: Register) -> None:
    start, end = date(2026, 6, 30), date(2026, 10, 1)
    t.day_dest[(R, date(2026, 8, 15))] = "jsonl.gz"  # one day delivered as JSON lines
    t.day_dest[(R, date(2026, 9, 30))] = ("envelope", "traces/api/cts-list-traces-eu-west-0-2026-09-30.json")
    cfg = {
        "region": R,
        "checkpoints": [(1, 30, vault_srv), (1, 31, vault_disk), (13, 30, vault_srv), (13, 31, vault_disk)],
        "service": ("svc-backup-sync", export_bucket, 2, 15, "dpi"),
        "operators": ["c.fournier", "t.lefebvre", "n.girard"],
        "servers": servers, "volumes": volumes, "data_bucket": data_bucket,
        "readers": {1: "s.roussel", 3: "m.dubois"},
        "tracker_bucket": tracker_bucket, "tracker_prefix": "valmont",
    }
    for d in days(start, end):
        routine_day(t, register, d, cfg)


def record_story(t: TenantTraces, backups: list) -> None:
    """The events of the quarter beside the routine."""
    t.add(at(2026, 7, 6, 10, 15, 12), R, "CTS", "updateTracker", "tracker", "system", "system", account="c.fournier",
          ttype="ConsoleAction", request={"bucket_name": tracker_bucket, "file_prefix_name": "valmont", "status": "enabled"},
          path=f"/v3/{t.project_id(R)}/tracker")
    t.iam(at(2026, 7, 17, 18, 2, 41), R, "c.fournier", "updateUser", "n.girard", request={"user": {"enabled": False}})
    t.iam(at(2026, 8, 5, 10, 0, 33), R, "c.fournier", "createUser", "ob-support-0412",
          request={"user": {"name": "ob-support-0412", "access_mode": "console", "description": "INC-2026-0412"}})
    t.login(at(2026, 8, 5, 10, 24, 5), R, "ob-support-0412")
    t.login(at(2026, 8, 6, 9, 41, 50), R, "ob-support-0412")
    t.iam(at(2026, 8, 10, 11, 58, 2), R, "c.fournier", "deleteUser", "ob-support-0412")
    t.iam(at(2026, 8, 24, 9, 5, 19), R, "c.fournier", "updateUser", "n.girard", request={"user": {"enabled": True}})
    restore_backup = find_backup(backups, volumes[0]["id"], "2026-08-17T11:3")  # the 13:30 backup of the day before
    restore_name = next(x["name"] for x in backups if x["id"] == restore_backup)
    t.add(at(2026, 8, 18, 14, 2, 7), R, "CBR", "restoreBackup", "backup", restore_backup, restore_name,
          account="t.lefebvre", ttype="ConsoleAction",
          request={"restore": {"volume_id": uuid_("valmont", "evs", "restore-test"), "power_on": False}},
          path=f"/v3/{t.project_id(R)}/backups/{restore_backup}/restore")


def check_story(t: TenantTraces, register: Register) -> None:
    """Invariants of this bundle: nobody acts without an authorization, only readers read the archive."""
    for _region, service, _, tr in t.traces:
        if tr["user"]:
            when = datetime.fromtimestamp(tr["time"] / 1000, tz=UTC)
            assert register.ok(tr["user"]["name"], when), (tr["user"]["name"], when)
            if service == "OBS" and tr["resource_name"] == tracker_bucket:
                assert register.roles(tr["user"]["name"], when) & {"trace_reader", "auditor"}


def write_restore_tests(b: BundleFiles, backups: list) -> None:
    restore_backup = find_backup(backups, volumes[0]["id"], "2026-08-17T11:3")  # the 13:30 backup of the day before
    b.table("restore_tests.csv", ["tested_at", "resource_id", "backup_id", "result", "record"], [
        ["2026-02-16T14:30:00+01:00", servers[2]["id"], uuid_("valmont", "cbr-backup-old", "2026-02-15"), "success",
         "PV-RESTORE-2026-02: full restore of valmont-dpi-db on the test network, application started"],
        ["2026-08-18T14:00:00+02:00", volumes[0]["id"], restore_backup, "success",
         "PV-RESTORE-2026-08: restore of valmont-dpi-db-data to a test volume, database integrity check passed"],
    ])


def write_tickets(b: BundleFiles) -> None:
    b.table("tickets.csv", ["ticket_id", "category", "priority", "opened_at", "responded_at", "resolved_at", "api_incident"], [
        ["INC-2026-0387", "incident", "P3", "2026-07-08T10:12:00+02:00", "2026-07-08T10:31:00+02:00", "2026-07-09T15:05:00+02:00", "false"],
        ["INC-2026-0412", "incident", "P2", "2026-08-05T09:20:00+02:00", "2026-08-05T09:41:00+02:00", "2026-08-07T16:30:00+02:00", "true"],
        ["REQ-2026-0430", "request", "P4", "2026-08-12T11:00:00+02:00", "2026-08-12T14:45:00+02:00", "2026-08-14T10:00:00+02:00", "false"],
        ["INC-2026-0455", "incident", "P1", "2026-09-12T02:47:00+02:00", "2026-09-12T03:05:00+02:00", "2026-09-12T05:40:00+02:00", "true"],
        ["INF-2026-0461", "information", "P4", "2026-09-16T15:20:00+02:00", "2026-09-17T09:30:00+02:00", "2026-09-17T09:30:00+02:00", "false"],
        ["INC-2026-0478", "incident", "P2", "2026-09-23T18:40:00+02:00", "2026-09-23T19:02:00+02:00", "2026-09-24T11:15:00+02:00", "false"],
    ])


def write_documents(b: BundleFiles) -> None:
    dso, rssi, dpo = "Hélène Marchand (DSI)", "Olivier Chevalier (RSSI)", "Claire Vasseur (DPO)"
    owners = {"default": rssi, "patient-information": dpo, "access-consent": dpo, "gdpr-rights": dpo,
              "disclosure-notification": dpo, "processing-purpose": dpo, "data-breach-notification": dpo,
              "business-continuity": dso, "change-management": dso, "stakeholder-access": dso}
    signed = {"default": "2026-06-15", "business-continuity": "2026-09-10", "change-management": "2026-07-02",
              "pgssi-s": "2026-06-03", "workstation-safety": "2026-08-27", "data-breach-notification": "2026-06-22"}
    write_attestations(b, org, owners, signed)
    write_provider(b, hds_until="2027-02-28", iso_until="2028-01-14")
    b.write("waivers.yaml", "# Accepted risks (check, object glob, justification, approved_by, expires).\n"
                            "# None for 2026-Q3: every check is expected to pass.\n[]\n")


def write_tenant(b: BundleFiles, t: TenantTraces) -> None:
    b.write("tenant.yaml", tenant_yaml(
        f"{org}: sample tenant where every check passes for 2026-Q3.", t.domain_id, org, "business",
        '{tag: "hds=true", buckets: ["ch-valmont-*"]}',
        notes={"default_region": "      # the VPC in resources/network.tfstate records no region",
               "scope": "   # buckets carry no tags: selected by name"}))


def build(root: Path) -> None:
    """The bundle, in the order its jitter is drawn (backups, then traces)."""
    b = BundleFiles(root)
    t = new_tenant()
    register = the_register()
    write_resources(b, t)
    write_iam(b, t, register)
    backups = write_backups(b, t)
    write_vbs(b, t)
    routine(t, register)
    record_story(t, backups)
    t.write(b)
    check_story(t, register)
    write_restore_tests(b, backups)
    write_tickets(b)
    write_documents(b)
    write_tenant(b, t)
