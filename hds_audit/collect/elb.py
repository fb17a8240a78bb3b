"""ELB listeners (`GET /v3/{project_id}/elb/listeners`, paged by marker): dedicated and shared load
balancers' listeners alike on the v3 API. Classic load balancers have no SDK package: not collected."""

from __future__ import annotations

from hds_audit.collect.api import Api, pages


def listeners(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "elb", region, "list_listeners", "listeners", style="marker"), None
