"""ECS servers (`GET /v1/{project_id}/cloudservers/detail`, paged by page number) and EVS volumes
(`GET /v2/{project_id}/cloudvolumes/detail`, paged by record offset)."""

from __future__ import annotations

from hds_audit.collect.api import Api, pages


def servers(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "ecs", region, "list_servers_details", "servers", style="pages"), None


def volumes(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "evs", region, "list_volumes", "volumes"), None
