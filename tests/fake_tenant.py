"""One invented tenant ("Clinique des Tilleuls", eu-west-0) described twice: as its APIs answer, and as its
Terraform state. The collect tests serve the first from a fake API server and compare the run on what
`collect all` wrote with the run on the second.

API answers are shaped like the examples of the public API references (Huawei Cloud / Flexible Engine, the
same APIs; the SDK models named beside each are those of huaweicloudsdk* 3.1):
  IAM  KeystoneListAuthDomains GET /v3/auth/domains, KeystoneListAuthProjects GET /v3/auth/projects,
       KeystoneListUsers GET /v3/users, ShowUser GET /v3.0/OS-USER/users/{user_id},
       ListUserMfaDevices GET /v3.0/OS-MFA/virtual-mfa-devices, ListUserLoginProtects GET /v3.0/OS-USER/login-protects
  ECS  ListServersDetails GET /v1/{project_id}/cloudservers/detail
  EVS  ListVolumes GET /v2/{project_id}/cloudvolumes/detail
  RDS  ListInstances GET /v3/{project_id}/instances, ShowOffSiteBackupPolicy .../backups/offsite-policy
  ELB  ListListeners GET /v3/{project_id}/elb/listeners (v3) and /v2/{project_id}/elb/listeners (v2),
       ListSecurityPolicies GET /v3/{project_id}/elb/security-policies
  CTS  ListTrackers GET /v3/{project_id}/trackers
  CBR  ListBackups GET /v3/{project_id}/backups, ListVault GET /v3/{project_id}/vaults, ListPolicies GET /v3/{project_id}/policies
The Terraform state follows the Flexible Engine provider's resource documentation (attribute names).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DOMAIN = "d7c1e0a4b2f94c3e8a5b6c7d8e9f0a1b"
PROJECTS = {"eu-west-0": "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5", "eu-west-1": "5c4b3a2f1e0d49c8b7a6f5e4d3c2b1a0"}
P = PROJECTS["eu-west-0"]
KMS = "6b1f0c2e-3d4a-4b5c-9e8f-7a6b5c4d3e2f"
TENANT_YAML = {
    "tenant_id": DOMAIN, "name": "Clinique des Tilleuls", "support_plan": "business",
    "allowed_regions": ["eu-west-0"], "scope": {"tag": "hds=true"},
}

# -- servers and volumes --------------------------------------------------------------------------
SRV_APP, SRV_WEB = "3c9e2b7a-1d4f-4e6a-8b5c-0f9e8d7c6b5a", "8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d"
VOL_APP_SYS, VOL_APP_DATA = "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b", "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b"
VOL_WEB_SYS, VOL_SCRATCH = "a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b", "a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a5b"
SERVERS = [  # (id, name, az, tags, [(volume id, bootIndex)])
    (SRV_APP, "tilleuls-dpi", "eu-west-0a", ["hds=true"], [(VOL_APP_SYS, "0"), (VOL_APP_DATA, "1")]),
    (SRV_WEB, "tilleuls-vitrine", "eu-west-0b", ["hds=false"], [(VOL_WEB_SYS, "0")]),
]
VOLUMES = [  # (id, name, az, encrypted, tags)
    (VOL_APP_SYS, "tilleuls-dpi-sys", "eu-west-0a", True, {"hds": "true"}),
    (VOL_APP_DATA, "tilleuls-dpi-data", "eu-west-0a", True, {"hds": "true"}),
    (VOL_WEB_SYS, "tilleuls-vitrine-sys", "eu-west-0b", False, {"hds": "false"}),
    (VOL_SCRATCH, "tilleuls-scratch", "eu-west-0a", False, {"hds": "true"}),  # not encrypted, never backed up: fails
]


def ecs_server(sid, name, az, tags, volumes) -> dict:
    return {
        "id": sid, "name": name, "status": "ACTIVE", "tenant_id": P, "user_id": "1f2e3d4c5b6a47988796a5b4c3d2e1f0",
        "created": "2026-01-12T09:31:02Z", "updated": "2026-08-02T07:10:44Z", "hostId": "c6c0d7f1e5b4", "key_name": None,
        "OS-EXT-AZ:availability_zone": az, "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1,
        "flavor": {"id": "s6.large.2", "name": "s6.large.2", "disk": "0", "vcpus": "2", "ram": "4096"},
        "image": {"id": "5d4c2b6a-7c1b-4f0e-9a3d-2e8f6b1c0d9e"},
        "addresses": {"f3a4b5c6-0000-4d7e-8f90-a1b2c3d4e5f6": [{"addr": "192.168.0.10", "version": 4, "OS-EXT-IPS:type": "fixed"}]},
        "security_groups": [{"name": "default", "id": "e3bd81ec-b3b0-4847-b563-1070c99a957b"}],
        "os-extended-volumes:volumes_attached": [
            {"id": vid, "delete_on_termination": "false", "bootIndex": boot, "device": f"/dev/vd{'ab'[int(boot)]}"}
            for vid, boot in volumes],
        "metadata": {"image_name": "OBS Ubuntu 22.04", "os_type": "Linux", "vpc_id": "f3a4b5c6-0000-4d7e-8f90-a1b2c3d4e5f6"},
        "tags": tags, "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
    }


def evs_volume(vid, name, az, encrypted, tags) -> dict:
    metadata = {"attached_mode": "rw", "readonly": "False"}
    if encrypted:
        metadata |= {"__system__encrypted": "1", "__system__cmkid": KMS}
    server = next((s for s, *_rest, vols in SERVERS if any(v == vid for v, _ in vols)), None)
    return {
        "id": vid, "name": name, "status": "in-use" if server else "available", "size": 40, "availability_zone": az,
        "volume_type": "SSD", "bootable": "true" if name.endswith("-sys") else "false", "encrypted": encrypted,
        "multiattach": False, "created_at": "2026-01-12T09:30:11.000000", "updated_at": "2026-08-02T07:10:40.000000",
        "metadata": metadata, "tags": tags, "os-vol-tenant-attr:tenant_id": P,
        "attachments": [{"server_id": server, "attachment_id": f"att-{vid[:8]}", "volume_id": vid, "device": "/dev/vdb",
                         "attached_at": "2026-01-12T09:32:00.000000", "id": vid}] if server else [],
        "links": [{"href": f"https://evs.eu-west-0.example/v2/{P}/os-vendor-volumes/{vid}", "rel": "self"}],
    }


# -- RDS, ELB, CTS, CBR ------------------------------------------------------------------------------
RDS_ID = "b5d0c9e8f7a64b3c8d2e1f0a9b8c7d6ein03"
RDS = {
    "id": RDS_ID, "name": "tilleuls-dpi-db", "status": "ACTIVE", "region": "eu-west-0", "type": "Single",
    "datastore": {"type": "PostgreSQL", "version": "14"}, "port": 5432, "private_ips": ["192.168.0.20"], "public_ips": [],
    "volume": {"type": "ULTRAHIGH", "size": 100}, "disk_encryption_id": KMS,
    "backup_strategy": {"start_time": "01:00-02:00", "keep_days": 7},
    "nodes": [{"id": "c1d2e3f4a5b6no03", "name": "tilleuls-dpi-db_node0", "role": "master", "status": "ACTIVE",
               "availability_zone": "eu-west-0a"}],
    "tags": [{"key": "hds", "value": "true"}], "created": "2026-01-12T10:02:00+0000", "updated": "2026-08-01T10:02:00+0000",
    "flavor_ref": "rds.pg.n1.large.2", "time_zone": "UTC", "enterprise_project_id": "0",
}
RDS_OFFSITE = {"policy_para": [{"backup_type": "all", "keep_days": 7, "destination_region": "eu-west-0",
                                "destination_project_id": P}]}
LISTENERS = [  # ELB v3 ListListeners answer records
    {"id": "0b1c2d3e-aaaa-4f5a-8b9c-0d1e2f3a4b5c", "name": "tilleuls-https", "protocol": "HTTPS", "protocol_port": 443,
     "tls_ciphers_policy": "tls-1-2", "security_policy_id": None, "admin_state_up": True,
     "loadbalancers": [{"id": "9e8d7c6b-0000-4a5b-8c7d-6e5f4a3b2c1d"}], "default_tls_container_ref": "c0ffee00aa",
     "created_at": "2026-01-12T10:10:00Z", "project_id": P},
    {"id": "0b1c2d3e-bbbb-4f5a-8b9c-0d1e2f3a4b5c", "name": "tilleuls-http", "protocol": "HTTP", "protocol_port": 80,
     "tls_ciphers_policy": None, "security_policy_id": None, "admin_state_up": True,
     "loadbalancers": [{"id": "9e8d7c6b-0000-4a5b-8c7d-6e5f4a3b2c1d"}], "created_at": "2026-01-12T10:11:00Z", "project_id": P},
]
SHARED_LISTENERS = [  # ELB v2 ListListeners (shared load balancers)
    {"id": "5f6a7b8c-cccc-4d9e-8f0a-1b2c3d4e5f6a", "name": "tilleuls-portail", "protocol": "TERMINATED_HTTPS",
     "protocol_port": 443, "tls_ciphers_policy": "tls-1-2-strict", "admin_state_up": True, "http2_enable": False,
     "loadbalancers": [{"id": "7d8e9f0a-0000-4b1c-8d2e-3f4a5b6c7d8e"}], "default_tls_container_ref": "c0ffee00bb",
     "sni_container_refs": [], "connection_limit": -1, "tenant_id": P, "project_id": P, "tags": []},
]
TRACKER = {"id": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", "tracker_name": "system", "tracker_type": "system",
           "status": "enabled", "domain_id": DOMAIN, "project_id": P, "create_time": 1768213800000,
           "obs_info": {"bucket_name": "tilleuls-cts", "file_prefix_name": "tilleuls", "is_obs_created": False,
                        "is_authorized_bucket": True, "bucket_lifecycle": 1095},
           "is_support_trace_files_encryption": False, "lts": {"is_lts_enabled": False}}
VAULT_ID, POLICY_ID = "e282abdf-0000-4dea-9c24-692dd3ecfd6a", "9b312278-0000-4298-abff-fbdb3b462567"
VAULT = {"id": VAULT_ID, "name": "tilleuls-vault", "project_id": P, "provider_id": "0daac4c5-6707-4851-97ba-169e36266b66",
         "billing": {"object_type": "server", "protect_type": "backup", "size": 500, "status": "available",
                     "allocated": 80, "used": 42, "consistent_level": "crash_consistent", "charging_mode": "post_paid"},
         "resources": [{"id": SRV_APP, "type": "OS::Nova::Server", "name": "tilleuls-dpi", "protect_status": "available"}],
         "tags": [{"key": "hds", "value": "true"}], "auto_bind": False, "created_at": "2026-01-12T10:20:00.000000"}
POLICY = {"id": POLICY_ID, "name": "tilleuls-twice-daily", "operation_type": "backup", "enabled": True,
          "operation_definition": {"max_backups": -1, "retention_duration_days": 30, "timezone": "UTC+01:00"},
          "trigger": {"properties": {"pattern": ["FREQ=DAILY;INTERVAL=1;BYHOUR=11,23;BYMINUTE=30"]}},
          "associated_vaults": [{"vault_id": VAULT_ID}]}

# -- buckets (served by the S3-compatible fake) -------------------------------------------------------
BUCKETS = {  # name -> (kms encrypted, lifecycle days or None, replication destination or None)
    "tilleuls-dossiers": (True, None, "tilleuls-dossiers-copie"),
    "tilleuls-dossiers-copie": (True, None, None),
    "tilleuls-cts": (True, 1095, None),
    "tilleuls-public": (False, None, None),  # not encrypted: fails (every bucket is in scope)
}

# -- IAM ----------------------------------------------------------------------------------------------
USERS = [  # (id, name, enabled, access_mode, domain owner, mfa)
    ("1f2e3d4c5b6a47988796a5b4c3d2e1f0", "tilleuls-admin", True, "default", True, True),
    ("2a3b4c5d6e7f48091a2b3c4d5e6f7a8b", "a.bernard", True, "default", False, True),
    ("3b4c5d6e7f8049a1b2c3d4e5f6a7b8c9", "l.moreau", True, "console", False, False),  # console without MFA: fails
    ("4c5d6e7f8091a4b2c3d4e5f6a7b8c9d0", "svc-export", True, "programmatic", False, False),
]


def iam_user_listed(uid, name, enabled, *_rest) -> dict:
    return {"id": uid, "name": name, "enabled": enabled, "domain_id": DOMAIN, "pwd_status": True,
            "password_expires_at": None, "description": "", "links": {"self": f"https://iam.example/v3/users/{uid}"}}


def iam_user_details(uid, name, enabled, mode, owner, _mfa) -> dict:
    return {"id": uid, "name": name, "enabled": enabled, "domain_id": DOMAIN, "access_mode": mode,
            "is_domain_owner": owner, "last_login_time": "2026-09-01 08:12:30.0", "create_time": "2026-01-10 09:00:00.0",
            "pwd_status": True, "xuser_id": "", "xuser_type": "", "email": "", "areacode": "", "phone": ""}


def mfa_devices() -> dict:
    return {"virtual_mfa_devices": [{"serial_number": f"iam/mfa/{DOMAIN}/{u[1]}", "user_id": u[0]} for u in USERS if u[5]]}


def login_protects() -> dict:
    return {"login_protects": [{"user_id": u[0], "enabled": u[5], "verification_method": "vmfa" if u[5] else "none"}
                               for u in USERS]}


# -- CBR backups: the server and its data volume, twice a day over September 2026 -------------------------
def cbr_backups() -> list[dict]:
    start = datetime(2026, 8, 31, 23, 30, tzinfo=UTC)
    records = []
    for n in range(62):
        at = start + timedelta(hours=12 * n)
        for rid, rtype, name in ((SRV_APP, "OS::Nova::Server", "tilleuls-dpi"), (VOL_APP_DATA, "OS::Cinder::Volume", "tilleuls-dpi-data")):
            extend = {"app_consistency": {}, "auto_trigger": True, "bootable": False, "incremental": n > 0, "support_lld": True}
            if rtype == "OS::Cinder::Volume":
                extend["encrypted"] = True  # CBR states encryption of disk backups only
            records.append({
                "id": f"{rid[:8]}-bk{n:03d}-4c5d-8e9f-0a1b2c3d4e5f", "name": f"autobk_{n:03d}", "checkpoint_id": f"cp-{rid[:8]}-{n:03d}",
                "resource_id": rid, "resource_type": rtype, "resource_name": name, "resource_az": "eu-west-0a",
                "resource_size": 40, "vault_id": VAULT_ID, "project_id": P, "provider_id": VAULT["provider_id"],
                "status": "available", "protected_at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"), "updated_at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "expired_at": (at + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.%f"), "image_type": "backup",
                "extend_info": extend, "replication_records": [], "children": [], "description": "",
            })
    return records


# -- the same tenant as a Terraform state (Flexible Engine provider) ---------------------------------------
def terraform_state() -> dict:
    def managed(rtype, name, attributes):
        return {"mode": "managed", "type": rtype, "name": name,
                "provider": 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]',
                "instances": [{"schema_version": 0, "attributes": attributes}]}

    resources = []
    for sid, name, az, tags, volumes in SERVERS:
        resources.append(managed("flexibleengine_compute_instance_v2", name.replace("-", "_"), {
            "id": sid, "name": name, "region": "eu-west-0", "availability_zone": az, "status": "ACTIVE",
            "system_disk_id": volumes[0][0], "volume_attached": [{"uuid": v} for v, boot in volumes if boot != "0"],
            "tags": dict(t.split("=") for t in tags), "metadata": {}}))
    for vid, name, az, encrypted, tags in VOLUMES:
        metadata = {"__system__encrypted": "1", "__system__cmkid": KMS} if encrypted else {}
        resources.append(managed("flexibleengine_blockstorage_volume_v2", name.replace("-", "_"), {
            "id": vid, "name": name, "region": "eu-west-0", "availability_zone": az, "size": 40, "volume_type": "SSD",
            "metadata": metadata, "tags": tags}))
    for bucket, (encrypted, days, destination) in BUCKETS.items():
        resources.append(managed("flexibleengine_obs_bucket", bucket.replace("-", "_"), {
            "id": bucket, "bucket": bucket, "region": "eu-west-0", "encryption": encrypted,
            "sse_algorithm": "kms" if encrypted else "", "kms_key_id": KMS if encrypted else "",
            "lifecycle_rule": [{"name": "expire", "enabled": True, "prefix": "tilleuls/", "expiration": [{"days": days}]}] if days else []}))
        if destination:
            resources.append(managed("flexibleengine_obs_bucket_replication", bucket.replace("-", "_"), {
                "id": bucket, "bucket": bucket, "destination_bucket": destination, "region": "eu-west-0"}))
    resources.append(managed("flexibleengine_rds_instance_v3", "dpi_db", {
        "id": RDS_ID, "name": RDS["name"], "region": "eu-west-0", "availability_zone": ["eu-west-0a"],
        "volume": [{"type": "ULTRAHIGH", "size": 100, "disk_encryption_id": KMS}],
        "backup_strategy": [{"start_time": "01:00-02:00", "keep_days": 7}], "tags": {"hds": "true"}}))
    resources.append(managed("flexibleengine_rds_cross_region_backup_strategy", "dpi_db", {
        "id": RDS_ID, "instance_id": RDS_ID, "region": "eu-west-0", "destination_region": "eu-west-0", "keep_days": 7}))
    for listener in LISTENERS:
        resources.append(managed("flexibleengine_lb_listener_v3", listener["name"].replace("-", "_"), {
            k: listener[k] for k in ("id", "name", "protocol", "protocol_port", "tls_ciphers_policy", "security_policy_id")} | {"region": "eu-west-0"}))
    for listener in SHARED_LISTENERS:
        resources.append(managed("flexibleengine_lb_listener_v2", listener["name"].replace("-", "_"), {
            k: listener[k] for k in ("id", "name", "protocol", "protocol_port", "tls_ciphers_policy")} | {"region": "eu-west-0"}))
    resources.append(managed("flexibleengine_cts_tracker_v1", "system", {
        "id": "system", "tracker_name": "system", "region": "eu-west-0", "bucket_name": "tilleuls-cts",
        "file_prefix_name": "tilleuls", "status": "enabled"}))
    resources.append(managed("flexibleengine_cbr_vault", "vault", {
        "id": VAULT_ID, "name": VAULT["name"], "region": "eu-west-0", "type": "server", "protection_type": "backup",
        "resources": [{"server_id": SRV_APP, "includes": []}], "tags": {"hds": "true"}}))
    resources.append(managed("flexibleengine_cbr_policy", "twice_daily", {
        "id": POLICY_ID, "name": POLICY["name"], "region": "eu-west-0", "type": "backup", "enabled": True,
        "destination_region": "", "destination_project_id": ""}))
    return {"version": 4, "terraform_version": "1.9.5", "serial": 12, "lineage": "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7",
            "outputs": {}, "resources": resources}
