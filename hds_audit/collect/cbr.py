"""CBR vaults (`GET /v3/{project_id}/vaults`, paged) and policies (`GET /v3/{project_id}/policies`)."""

from __future__ import annotations

from hds_audit.collect.api import Api, listing, pages


def vaults(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "cbr", region, "list_vault", "vaults"), None


def policies(api: Api, region: str) -> tuple[dict, None]:
    return listing(api, "cbr", region, "list_policies", "policies"), None
