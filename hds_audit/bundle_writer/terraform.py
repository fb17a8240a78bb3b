"""Terraform state (version 4) as the Flexible Engine provider writes it, and the attributes of its resources."""

from __future__ import annotations

from hds_audit.bundle_writer.ids import Ids
from hds_audit.bundle_writer.traces import FE_DOMAIN

PROVIDER_NEW = 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]'
PROVIDER_OLD = "provider.flexibleengine"
TF_VERSION = "1.9.8"
IDS = Ids("hds-audit-samples")  # the ids a resource derives from its own (ports, disks, nodes)


def tf_state(key: str, serial: int, resources: list, outputs: dict | None = None, *, lineage: str | None = None,
             terraform_version: str = TF_VERSION, version: int = 4) -> dict:
    return {"version": version, "terraform_version": terraform_version, "serial": serial,
            "lineage": lineage or IDS.uuid(key, "lineage"), "outputs": outputs or {}, "resources": resources,
            "check_results": None}


def tf_resource(rtype: str, name: str, provider: str, attrs_list: list[dict], *, mode: str = "managed",
                counted: bool = False, deps: tuple = (), private: bool = True) -> dict:
    """`private`: the provider's opaque per-instance blob, as a real state carries it."""
    r = {"mode": mode, "type": rtype, "name": name, "provider": provider}
    if counted:
        r["each"] = "list"
    instances = []
    for index, attrs in enumerate(attrs_list):
        inst = {"schema_version": 0}
        if counted:
            inst["index_key"] = index
        inst["attributes"] = attrs
        inst["sensitive_attributes"] = []
        if mode == "managed" and private:
            inst["private"] = "bnVsbA=="
            if deps:
                inst["dependencies"] = list(deps)
        instances.append(inst)
    r["instances"] = instances
    return r
def tf_server(s: dict, image: dict, network_id: str, sg_id: str, tags: dict) -> dict:
    return {
        "id": s["id"], "name": s["name"], "region": s["region"], "availability_zone": s["az"],
        "flavor_id": s["flavor"], "flavor_name": s["flavor"], "image_id": image["id"], "image_name": image["name"],
        "key_pair": s.get("key_pair", ""), "security_groups": ["default", sg_id], "admin_pass": None,
        "network": [{"uuid": network_id, "name": "", "port": IDS.uuid("port", s["id"]), "fixed_ip_v4": s["ip"],
                     "fixed_ip_v6": "", "mac": "fa:16:3e:" + ":".join(IDS.hex("mac", s["id"], n=6)[i:i + 2] for i in (0, 2, 4)),
                     "access_network": False}],
        "block_device": [], "scheduler_hints": [], "metadata": {}, "user_data": None,
        "power_state": "active", "status": "ACTIVE", "auto_recovery": True, "stop_before_destroy": False,
        "system_disk_id": IDS.uuid("sysdisk", s["id"]), "tags": tags, "timeouts": None,
    }


def tf_volume(v: dict, kms_id: str | None, tags: dict, instance_id: str | None) -> dict:
    metadata = {"attached_mode": "rw", "readonly": "False"}
    if kms_id:
        metadata = {"__system__cmkid": kms_id, "__system__encrypted": "1", **metadata}
    return {
        "id": v["id"], "name": v["name"], "region": v["region"], "availability_zone": v["az"], "size": v["size"],
        "volume_type": "SSD", "description": v.get("description", ""), "metadata": metadata,
        "attachment": [] if not instance_id else [{"id": v["id"], "instance_id": instance_id, "device": v.get("device", "/dev/vdb")}],
        "multiattach": False, "cascade": False, "image_id": "", "snapshot_id": "", "source_vol_id": "",
        "consistency_group_id": None, "tags": tags, "timeouts": None,
    }


def tf_bucket(name: str, region: str, *, kms_id: str | None, expire_days: int | None = None,
              rule_name: str = "expire", prefix: str = "", versioning: bool = False) -> dict:
    lifecycle = []
    if expire_days is not None:
        lifecycle = [{"name": rule_name, "enabled": True, "prefix": prefix, "expiration": [{"days": expire_days}],
                      "transition": [], "noncurrent_version_expiration": [], "noncurrent_version_transition": []}]
    return {
        "id": name, "bucket": name, "region": region, "acl": "private", "policy": "", "storage_class": "STANDARD",
        "versioning": versioning, "encryption": kms_id is not None, "sse_algorithm": "kms" if kms_id else "",
        "kms_key_id": kms_id or "", "lifecycle_rule": lifecycle, "logging": [], "website": [], "cors_rule": [],
        "force_destroy": False, "multi_az": True, "bucket_domain_name": f"{name}.oss.{region}.{FE_DOMAIN}",
    }  # no "tags": flexibleengine_obs_bucket has none (tenant.yaml scope.buckets selects buckets)


def tf_rds(rid: str, name: str, region: str, zones: list[str], kms_id: str | None, keep_days: int, tags: dict) -> dict:
    """flexibleengine_rds_instance_v3 (provider docs/resources/rds_instance_v3.md): zones a list, volume and
    backup_strategy blocks; the password is not written out."""
    return {
        "id": rid, "name": name, "region": region, "availability_zone": zones, "flavor": "rds.pg.n1.large.2.ha",
        "ha_replication_mode": "async", "vpc_id": IDS.uuid(rid, "vpc"), "subnet_id": IDS.uuid(rid, "subnet"),
        "security_group_id": IDS.uuid(rid, "sg"), "fixed_ip": "", "param_group_id": "", "time_zone": "UTC", "ssl_enable": False,
        "db": [{"type": "PostgreSQL", "version": "14", "port": 5432, "password": "", "user_name": "root"}],
        "volume": [{"type": "ULTRAHIGH", "size": 200, "disk_encryption_id": kms_id or ""}],
        "backup_strategy": [{"keep_days": keep_days, "start_time": "01:00-02:00"}],
        "nodes": [{"availability_zone": z, "id": IDS.uuid(rid, "node", z), "name": f"{name}_node{i}", "role": ["master", "slave"][i % 2],
                   "status": "ACTIVE"} for i, z in enumerate(zones)],
        "private_ips": ["192.168.20.50"], "public_ips": [], "status": "ACTIVE", "created": "2026-01-12T09:41:06+0000",
        "description": "", "parameters": [], "tags": tags, "timeouts": None,
    }


def tf_rds_copy(sid: str, instance_id: str, region: str, destination: str, project_id: str) -> dict:
    """flexibleengine_rds_cross_region_backup_strategy: the instance's backups copied to destination_region."""
    return {"id": sid, "instance_id": instance_id, "region": region, "backup_type": "all", "keep_days": 7,
            "destination_region": destination, "destination_project_id": project_id, "timeouts": None}


def tf_tracker(region: str, bucket: str, prefix: str) -> dict:
    return {"id": "system", "tracker_name": "system", "region": region, "bucket_name": bucket,
            "file_prefix_name": prefix, "status": "enabled", "is_support_smn": False, "topic_id": "",
            "operations": [], "is_send_all_key_operation": False, "need_notify_user_list": []}


def tf_vault(vault: dict, resources: list, policy_id: str, tags: dict) -> dict:
    return {
        "id": vault["id"], "name": vault["name"], "region": vault["region"], "type": vault["type"],
        "protection_type": vault.get("protection_type", "backup"), "consistent_level": "crash_consistent",
        "size": vault["size"], "auto_expand": False, "auto_bind": False, "bind_rules": {},
        "enterprise_project_id": "0", "policy_id": policy_id, "resources": resources,
        "allocated": 0, "used": 0, "spec_code": "", "status": "available", "storage": "", "tags": tags,
    }


def tf_policy(pid: str, name: str, region: str, ptype: str, *, destination_region: str = "",
              destination_project_id: str = "", times=("23:30", "11:30"), retention_days: int | None = None,
              interval: int = 1, days_: str = "") -> dict:
    return {
        "id": pid, "name": name, "region": region, "type": ptype, "enabled": True,
        "destination_region": destination_region, "destination_project_id": destination_project_id,
        "enable_acceleration": False, "time_zone": "UTC+01:00", "time_period": retention_days or 0,
        "backup_quantity": 0, "long_term_retention": [],
        "backup_cycle": [{"days": days_, "interval": 0 if days_ else interval, "execution_times": list(times)}],
    }


def tf_listener(lid: str, name: str, region: str, protocol: str, port: int, lb_id: str, *, policy: str = "",
                cert: str = "", v3: bool = False) -> dict:
    attrs = {"id": lid, "name": name, "region": region, "protocol": protocol, "protocol_port": port,
             "loadbalancer_id": lb_id, "description": "", "tls_ciphers_policy": policy, "tags": {}}
    if v3:
        attrs.update({"server_certificate": cert, "ca_certificate": "", "sni_certificate": [], "forward_eip": False,
                      "http2_enable": True, "idle_timeout": 60, "request_timeout": 60, "response_timeout": 60})
    else:
        attrs.update({"default_tls_container_ref": cert, "sni_container_refs": [], "default_pool_id": "",
                      "connection_limit": -1, "admin_state_up": True, "http2_enable": False,
                      "tenant_id": IDS.hex("lb-tenant", lb_id)})
    return attrs


def tf_user(user_id: str, account: str, email: str, description: str, access_type: str = "default", enabled: bool = True) -> dict:
    return {"id": user_id, "name": account, "enabled": enabled, "description": description,
            "email": email, "phone": "", "country_code": "", "access_type": access_type,
            "pwd_reset": True, "password_strength": "Strong", "create_time": "", "last_login": ""}


def tf_image() -> dict:
    return {"id": "5d4c2b6a-7c1b-4f0e-9a3d-2e8f6b1c0d9e", "name": "OBS Ubuntu 22.04", "region": "eu-west-0",
            "most_recent": True, "visibility": "public", "container_format": "bare", "disk_format": "zvhd2",
            "min_disk_gb": 40, "min_ram_mb": 0, "size_bytes": 0, "status": "active", "tags": []}
