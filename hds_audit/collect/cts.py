"""CTS trackers (`GET /v3/{project_id}/trackers`): one list per region, not paged."""

from __future__ import annotations

from hds_audit.collect.api import Api


def trackers(api: Api, region: str) -> tuple[dict, None]:
    return api.call("cts", region, "list_trackers"), None
