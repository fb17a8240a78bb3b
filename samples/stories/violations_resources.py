"""violations/: the estate of the Clinique des Tilleuls: ids of its resources, and its Terraform state."""

from __future__ import annotations

from datetime import date

from hds_audit.bundle_writer.clock import at
from hds_audit.bundle_writer.files import BundleFiles
from hds_audit.bundle_writer.recorder import TenantTraces
from hds_audit.bundle_writer.terraform import (
    PROVIDER_NEW,
    PROVIDER_OLD,
    tf_bucket,
    tf_image,
    tf_listener,
    tf_policy,
    tf_rds,
    tf_rds_copy,
    tf_resource,
    tf_server,
    tf_state,
    tf_tracker,
    tf_user,
    tf_vault,
    tf_volume,
)
from stories.common import uuid_

R, SG = "eu-west-0", "ap-southeast-1"
org = "Clinique des Tilleuls"
mail = "clinique-tilleuls.example"

kms = uuid_("tilleuls", "kms", "hds")
hds = {"hds": "true", "app": "pacs"}
servers = [
    {"id": uuid_("tilleuls", "ecs", "app"), "name": "tilleuls-pacs-app", "region": R, "az": "eu-west-0a",
     "flavor": "s6.xlarge.2", "ip": "192.168.30.11", "kind": "server", "size": 40},
    {"id": uuid_("tilleuls", "ecs", "db"), "name": "tilleuls-pacs-db", "region": R, "az": "eu-west-0b",
     "flavor": "m6.2xlarge.8", "ip": "192.168.30.21", "kind": "server", "size": 100},
]
sg_server = {"id": uuid_("tilleuls", "ecs", "analytics-sg"), "name": "tilleuls-analytics-sg", "region": SG,
             "az": "ap-southeast-1a", "flavor": "s6.large.2", "ip": "10.20.0.11", "kind": "server", "size": 40}
volumes = [
    {"id": uuid_("tilleuls", "evs", "db-data"), "name": "tilleuls-pacs-db-data", "region": R, "az": "eu-west-0b",
     "size": 500, "kind": "volume"},
    {"id": uuid_("tilleuls", "evs", "pacs-data"), "name": "tilleuls-pacs-data", "region": R, "az": "eu-west-0a",
     "size": 2000, "kind": "volume"},
]
vault_srv = {"id": uuid_("tilleuls", "vault", "servers"), "name": "tilleuls-vault-servers", "region": R, "type": "server", "size": 2000}
vault_disk = {"id": uuid_("tilleuls", "vault", "disks"), "name": "tilleuls-vault-disks", "region": R, "type": "disk", "size": 8000}
vault_sg = {"id": uuid_("tilleuls", "vault", "sg"), "name": "tilleuls-vault-analytics", "region": SG, "type": "server", "size": 500}
policy_backup = uuid_("tilleuls", "policy", "daily")
policy_sg = uuid_("tilleuls", "policy", "sg-daily")
policy_repl = uuid_("tilleuls", "policy", "replication")
rds_id, rds_copy = uuid_("tilleuls", "rds", "lims"), uuid_("tilleuls", "rds-copy", "lims")
dr_vault = uuid_("tilleuls", "vault", "dr-eu-west-1")
tracker_bucket, data_bucket, export_bucket = "tilleuls-cts-traces", "tilleuls-pacs-images", "tilleuls-exports"
http_listener = uuid_("tilleuls", "listener", "http")
https_listener = uuid_("tilleuls", "listener", "https")
assert http_listener[:8] != https_listener[:8]  # the waiver's glob names the HTTP listener only
image = tf_image()
net = uuid_("tilleuls", "network", "app")
net_sg = uuid_("tilleuls", "network", "sg")
sec = uuid_("tilleuls", "secgroup", "app")

lb = uuid_("tilleuls", "elb", "portal")
lb3 = uuid_("tilleuls", "elb3", "portal")

start, end = date(2026, 6, 30), date(2026, 10, 1)
gap = (at(2026, 9, 7, 21, 0), at(2026, 9, 11, 7, 0))  # the transfer to OBS stopped: nothing was delivered

manual_time = at(2026, 9, 2, 16, 20, 11)
manual_id = uuid_("tilleuls", "cbr-backup", servers[1]["id"], manual_time.isoformat())


def main_resources(t: TenantTraces) -> list:
    main = [
        tf_resource("flexibleengine_images_image_v2", "ubuntu", PROVIDER_OLD, [image], mode="data"),
        tf_resource("flexibleengine_compute_instance_v2", "app", PROVIDER_OLD, [tf_server(servers[0], image, net, sec, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "db", PROVIDER_OLD, [tf_server(servers[1], image, net, sec, hds)]),
        tf_resource("flexibleengine_compute_instance_v2", "analytics", PROVIDER_OLD,
                    [tf_server(sg_server, image, net_sg, sec, {"hds": "true", "app": "analytics"})]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "db_data", PROVIDER_OLD, [tf_volume(volumes[0], kms, hds, servers[1]["id"])]),
        tf_resource("flexibleengine_blockstorage_volume_v2", "pacs_data", PROVIDER_OLD, [tf_volume(volumes[1], kms, hds, servers[0]["id"])]),
        tf_resource("flexibleengine_obs_bucket", "images", PROVIDER_OLD, [tf_bucket(data_bucket, R, kms_id=kms, versioning=True)]),
        tf_resource("flexibleengine_obs_bucket", "traces", PROVIDER_OLD, [tf_bucket(
            tracker_bucket, R, kms_id=kms, expire_days=90,
            rule_name="expire-traces-after-90-days")]),
        tf_resource("flexibleengine_obs_bucket", "exports", PROVIDER_OLD, [tf_bucket(export_bucket, R, kms_id=None)]),
        tf_resource("flexibleengine_rds_instance_v3", "lims", PROVIDER_OLD, [tf_rds(
            rds_id, "tilleuls-lims-pg", R, ["eu-west-0a", "eu-west-0b"], kms, 7, hds)]),
        tf_resource("flexibleengine_rds_cross_region_backup_strategy", "lims", PROVIDER_OLD, [tf_rds_copy(
            rds_copy, rds_id, R, SG, t.project_id(SG))]),
        tf_resource("flexibleengine_cts_tracker_v1", "paris", PROVIDER_OLD, [tf_tracker(R, tracker_bucket, "tilleuls")]),
        tf_resource("flexibleengine_cts_tracker_v1", "analytics", PROVIDER_OLD, [tf_tracker(SG, tracker_bucket, "tilleuls-sg")]),
        tf_resource("flexibleengine_cbr_policy", "daily", PROVIDER_OLD, [tf_policy(policy_backup, "tilleuls-twice-daily", R, "backup", retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "analytics_daily", PROVIDER_OLD, [tf_policy(
            policy_sg, "tilleuls-analytics-twice-daily", SG, "backup", times=("01:00", "13:00"), retention_days=180)]),
        tf_resource("flexibleengine_cbr_policy", "replication", PROVIDER_OLD, [tf_policy(
            policy_repl, "tilleuls-dr-amsterdam", R, "replication", destination_region="eu-west-1",
            destination_project_id=t.project_id("eu-west-1"), times=("00:30",), days_="SU", retention_days=90)]),
        tf_resource("flexibleengine_cbr_vault", "servers", PROVIDER_OLD, [tf_vault(
            vault_srv, [{"server_id": s["id"], "excludes": [], "includes": []} for s in servers], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "disks", PROVIDER_OLD, [tf_vault(
            vault_disk, [{"server_id": "", "excludes": [], "includes": [v["id"] for v in volumes]}], policy_backup, hds)]),
        tf_resource("flexibleengine_cbr_vault", "analytics", PROVIDER_OLD, [tf_vault(
            vault_sg, [{"server_id": sg_server["id"], "excludes": [], "includes": []}], policy_sg, {"hds": "true"})]),
    ]
    for account, email in (("i.lambert", "isabelle.lambert"), ("a.moreau", "antoine.moreau"), ("e.garnier", "emilie.garnier"),
                           ("r.petit", "romain.petit"), ("n.roche", "nathalie.roche"), ("l.bernard", "lea.bernard"),
                           ("p.henry", "paul.henry")):
        main.append(tf_resource("flexibleengine_identity_user_v3", account.replace(".", "_"), PROVIDER_OLD,
                                [tf_user(t.user_id(account), account, f"{email}@{mail}", "")]))
    return main


def network_resources() -> list:
    network = [
        tf_resource("flexibleengine_vpc_v1", "main", PROVIDER_NEW, [{
            "id": uuid_("tilleuls", "vpc", "main"), "name": "tilleuls-vpc", "region": R, "cidr": "192.168.0.0/16",
            "status": "OK", "shared": False, "routes": [], "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_loadbalancer_v2", "portal", PROVIDER_NEW, [{
            "id": lb, "name": "tilleuls-portal-elb", "region": R, "vip_subnet_id": net, "vip_address": "192.168.30.250",
            "vip_port_id": uuid_("tilleuls", "vip", lb), "admin_state_up": True, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v2", "portal_http", PROVIDER_NEW, [tf_listener(
            http_listener, "tilleuls-portal-http", R, "HTTP", 80, lb)]),
        tf_resource("flexibleengine_lb_loadbalancer_v3", "portal", PROVIDER_NEW, [{
            "id": lb3, "name": "tilleuls-portal-elb-v3", "region": R, "availability_zone": ["eu-west-0a", "eu-west-0b"],
            "ipv4_subnet_id": net, "ipv4_address": "192.168.30.251", "cross_vpc_backend": False, "tags": {"hds": "true"}}]),
        tf_resource("flexibleengine_lb_listener_v3", "portal_https", PROVIDER_NEW, [tf_listener(
            https_listener, "tilleuls-portal-https", R, "HTTPS", 443, lb3, policy="tls-1-2",
            cert=uuid_("tilleuls", "cert", "portal"), v3=True)]),
    ]
    return network


def write_resources(b: BundleFiles, t: TenantTraces) -> None:
    main = main_resources(t)
    b.json("resources/main.tfstate", tf_state("tilleuls-main", 96, main))
    network = network_resources()
    b.json("resources/network.tfstate", tf_state("tilleuls-network", 18, network))


