"""What an API collector is made of: units (one bundle file each), the read-only calls, the faults.

A *unit* is one file of the bundle (`inventory/ecs-eu-west-0.json`) and the function that fills
it from the APIs. A unit is written whole or not at all, so a failure leaves the other units and
the files already written intact, and a re-run collects only what is missing.

Every call a collector may make is listed in READ_ONLY_OPERATIONS (service -> SDK method names);
`Api.call` refuses any other, and the tests check that each one is an HTTP GET.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DOMAIN = "prod-cloud-ocb.orange-business.com"  # Flexible Engine's public API domain
# service -> default endpoint; `{region}` is replaced by the region collected
DEFAULT_ENDPOINTS: dict[str, str] = {
    "iam": f"https://iam.eu-west-0.{DOMAIN}",  # IAM is global: one endpoint serves every region
    "ecs": f"https://ecs.{{region}}.{DOMAIN}",
    "evs": f"https://evs.{{region}}.{DOMAIN}",
    "rds": f"https://rds.{{region}}.{DOMAIN}",
    "elb": f"https://elb.{{region}}.{DOMAIN}",
    "cts": f"https://cts.{{region}}.{DOMAIN}",
    "cbr": f"https://cbr.{{region}}.{DOMAIN}",
    "csbs": f"https://csbs.{{region}}.{DOMAIN}",
    "vbs": f"https://vbs.{{region}}.{DOMAIN}",
    "obs": f"https://oss.{{region}}.{DOMAIN}",
}

# The only SDK operations a collector may call: lists and shows, never a create, update or delete.
READ_ONLY_OPERATIONS: dict[str, tuple[str, ...]] = {
    "iam": ("keystone_list_auth_domains", "keystone_list_auth_projects", "keystone_list_users", "show_user",
            "list_user_mfa_devices", "list_user_login_protects"),
    "ecs": ("list_servers_details",),
    "evs": ("list_volumes",),
    "rds": ("list_instances", "show_off_site_backup_policy"),
    "elb": ("list_listeners", "list_security_policies"),
    "elb_v2": ("list_listeners",),  # shared load balancers' listeners, on the v2 API
    "cts": ("list_trackers",),
    "cbr": ("list_backups", "list_vault", "list_policies"),
    # no SDK package: documented GET paths through the SDK's core (hds_audit/collect/rest.py)
    "csbs": ("list_checkpoint_items",),
    "vbs": ("list_backups_details",),
}
# OBS goes through its S3-compatible API (boto3), with these read-only calls only
OBS_OPERATIONS = ("list_buckets", "get_bucket_location", "get_bucket_encryption", "get_bucket_lifecycle_configuration",
                  "get_bucket_replication")

KINDS = ("iam", "backups", "inventory")


class Unavailable(Exception):
    """Something could not be collected; the message names what and why, in one line, without secrets."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status the API answered, when it answered


class NothingToCollect(Exception):
    """The tenant has none of what a unit collects (no CSBS backups): no file is written, the log says so."""


class CannotStart(Exception):
    """Collection cannot begin (no credentials, SDK missing, bad option): exit 2."""


# SDK services that share another's endpoint
ENDPOINT_OF = {"elb_v2": "elb"}


@dataclass(frozen=True)
class Unit:
    kind: str  # iam, backups, inventory
    service: str
    region: str | None  # None: a global service (IAM, the OBS bucket listing)
    path: str  # the file written, relative to the bundle
    fetch: Callable[[Any, str | None], dict]  # (api, region) -> the document to write; NothingToCollect: none

    @property
    def label(self) -> str:
        return f"{self.service} {self.region}" if self.region else self.service
