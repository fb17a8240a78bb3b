"""Backups as the CBR API lists them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hds_audit.bundle_writer.clock import api_utc, at, days
from hds_audit.bundle_writer.recorder import TenantTraces

# CBR "provider_id" constants: which kind of resource a backup protects
CBR_PROVIDER = {"server": "0daac4c5-6707-4851-97ba-169e36266b66", "disk": "d1603440-187d-4516-af25-121250c7cc97"}


def cbr_backup(t: TenantTraces, res: dict, vault: dict, created: datetime, *, encrypted: bool = True,
               status: str = "available", auto: bool = True, replicate_to: tuple | None = None,
               keep_days: int = 180, name: str | None = None) -> dict:
    bid = t.ids.uuid(t.key, "cbr-backup", res["id"], created.isoformat())
    server = res["kind"] == "server"
    done = created + timedelta(minutes=4 + t.rng.int(0, 20))
    item = {
        "id": bid,
        "name": name or f"autobk_{t.ids.hex('name', bid, n=4)}",
        "checkpoint_id": t.ids.uuid(t.key, "checkpoint", vault["id"], created.isoformat()),
        "resource_id": res["id"],
        "resource_name": res["name"],
        "resource_type": "OS::Nova::Server" if server else "OS::Cinder::Volume",
        "resource_az": res["az"],
        "resource_size": res["size"],
        "status": status,
        "image_type": "backup",
        "created_at": api_utc(created),
        "updated_at": api_utc(done),
        "protected_at": api_utc(done),
        "expired_at": api_utc(created + timedelta(days=keep_days)),
        "vault_id": vault["id"],
        "project_id": t.project_id(res["region"]),
        "provider_id": CBR_PROVIDER["server" if server else "disk"],
        "enterprise_project_id": "0",
        "extend_info": {"auto_trigger": auto, "bootable": server, "contain_system_disk": server,
                        "encrypted": encrypted, "incremental": auto, "supported_restore_mode": "backup"},
        "replication_records": [],
    }
    if replicate_to:
        region, dest_vault = replicate_to
        item["replication_records"].append({
            "id": t.ids.uuid(t.key, "replication", bid),
            "created_at": api_utc(done + timedelta(minutes=10)),
            "source_region": res["region"],
            "source_backup_id": bid,
            "source_checkpoint_id": item["checkpoint_id"],
            "destination_region": region,
            "destination_project_id": t.project_id(region),
            "destination_vault_id": dest_vault,
            "destination_backup_id": t.ids.uuid(t.key, "replica", bid),
            "destination_checkpoint_id": t.ids.uuid(t.key, "replica-checkpoint", bid),
            "status": "available",
            "vault_id": vault["id"],
            "extra_info": {"progress": 100, "fail_code": None, "fail_reason": None, "auto_trigger": True},
        })
    return item


def find_backup(backups: list, resource_id: str, utc_prefix: str) -> str:
    """Id of the backup of a resource whose created_at (UTC) starts with utc_prefix."""
    found = [x["id"] for x in backups if x["resource_id"] == resource_id and x["created_at"].startswith(utc_prefix)]
    assert len(found) == 1, (resource_id, utc_prefix, found)
    return found[0]


def twice_daily(start: date, end_inclusive: date, hm1=(1, 30), hm2=(13, 30)):
    for d in days(start, end_inclusive):
        yield at(d, *hm1)
        yield at(d, *hm2)
