"""CTS trackers (`GET /v3/{project_id}/trackers`): one list per region, not paged."""

from __future__ import annotations

from hds_audit.collect.api import Api, listing


def trackers(api: Api, region: str) -> tuple[dict, None]:
    return listing(api, "cts", region, "list_trackers", "trackers"), None
