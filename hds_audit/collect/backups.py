"""Backups of each region: CBR `backups/cbr-REGION.json` (`GET /v3/{project_id}/backups`), and
where the tenant still has them, CSBS `backups/csbs-REGION.json` (`GET /v1/{project_id}/checkpoint_items`)
and VBS `backups/vbs-REGION.json` (`GET /v2/{project_id}/backups/detail`).

CBR replaced CSBS and VBS on Flexible Engine: a tenant with no CSBS or VBS backups (an empty
listing, or a region where the service answers 404) gets no such file, and the log says why; a
refusal (403) or any other failure is a failure, named, as for CBR.
"""

from __future__ import annotations

from hds_audit.collect.api import Api, pages
from hds_audit.collect.interface import NothingToCollect, Unavailable, Unit


def cbr_backups(api: Api, region: str) -> dict:
    return pages(api, "cbr", region, "list_backups", "backups")


def csbs_backups(api: Api, region: str) -> dict:
    return _where_present(api, "csbs", region, "list_checkpoint_items", "checkpoint_items")


def vbs_backups(api: Api, region: str) -> dict:
    return _where_present(api, "vbs", region, "list_backups_details", "backups")


def _where_present(api: Api, service: str, region: str, operation: str, key: str) -> dict:
    try:
        answer = pages(api, service, region, operation, key)
    except Unavailable as exc:
        if exc.status == 404:
            raise NothingToCollect(f"{service} {region}: the service answers 404 (not offered to this tenant)") from None
        raise
    if not answer[key]:
        raise NothingToCollect(f"{service} {region}: no backups")
    return answer


def units(regions: list[str]) -> list[Unit]:
    return [Unit("backups", service, r, f"backups/{service}-{r}.json", fetch) for r in regions
            for service, fetch in (("cbr", cbr_backups), ("csbs", csbs_backups), ("vbs", vbs_backups))]
