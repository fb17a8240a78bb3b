"""CBR backups of each region: `backups/cbr-REGION.json`, as `GET /v3/{project_id}/backups` lists them.

CSBS and VBS have no package in the Huawei Cloud Python SDK: their listings are still exported
by hand (docs/user-guide.md); CBR replaced both on Flexible Engine.
"""

from __future__ import annotations

from hds_audit.collect.api import Api, pages
from hds_audit.collect.interface import Unit


def cbr_backups(api: Api, region: str) -> dict:
    return pages(api, "cbr", region, "list_backups", "backups")


def units(regions: list[str]) -> list[Unit]:
    return [Unit("backups", "cbr", r, f"backups/cbr-{r}.json", cbr_backups) for r in regions]
