"""RDS instances (`GET /v3/{project_id}/instances`, with their automated backup policy in
`backup_strategy`) and each one's cross-region backup policy
(`GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy`)."""

from __future__ import annotations

from hds_audit.collect.api import Api, pages


def instances(api: Api, region: str) -> tuple[dict, dict]:
    answer = pages(api, "rds", region, "list_instances", "instances")
    details = {}
    for instance in answer["instances"]:
        if isinstance(instance, dict) and instance.get("id"):
            policy = api.call("rds", region, "show_off_site_backup_policy",
                              instance_id=str(instance["id"]))
            details[str(instance["id"])] = {"offsite_backup_policy": policy}
    return answer, details
