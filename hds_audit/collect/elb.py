"""ELB listeners: dedicated load balancers' on the v3 API (`GET /v3/{project_id}/elb/listeners`), shared
load balancers' on the v2 API (`GET /v2/{project_id}/elb/listeners`), both paged by marker; and the
custom security policies of the v3 listeners (`GET /v3/{project_id}/elb/security-policies`), whose TLS
versions `transport.tls_only` judges. Classic load balancers have no SDK package: not collected."""

from __future__ import annotations

from hds_audit.collect.api import Api, pages


def listeners(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "elb", region, "list_listeners", "listeners", style="marker"), None


def shared_listeners(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "elb_v2", region, "list_listeners", "listeners", style="marker"), None


def security_policies(api: Api, region: str) -> tuple[dict, None]:
    return pages(api, "elb", region, "list_security_policies", "security_policies", style="marker"), None
