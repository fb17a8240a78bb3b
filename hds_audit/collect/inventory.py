"""`inventory/SERVICE-REGION.json`: the tenant's resources as the APIs list them.

Each file keeps the API answer whole (pages merged) under `answer`, the answers about single
records (an RDS instance's cross-region backup policy, an OBS bucket's settings) under `details`
by record id, and says which service, region and operation it comes from: the inventory reader
(hds_audit.evidence.inventory) needs the region, which most answers do not repeat per record.
"""

from __future__ import annotations

from datetime import datetime

from hds_audit.calendar.instants import PARIS
from hds_audit.collect import cbr, compute, cts, elb, obs, rds
from hds_audit.collect.interface import Unit
from hds_audit.evidence.inventory import SCHEMA


def envelope(service: str, region: str | None, operation: str, answer: dict, details: dict | None = None) -> dict:
    document = {"schema": SCHEMA, "service": service, "region": region, "operation": operation,
                "collected_at": datetime.now(PARIS).replace(microsecond=0).isoformat(), "answer": answer}
    if details is not None:
        document["details"] = details
    return document


def _regional(service: str, operation: str, fetch):
    def unit_fetch(api, region):
        answer, details = fetch(api, region)
        return envelope(service, region, operation, answer, details)
    return unit_fetch


# (service, file stem, SDK operation, fetch(api, region) -> (answer, details))
REGIONAL = [
    ("ecs", "ecs", "list_servers_details", compute.servers),
    ("evs", "evs", "list_volumes", compute.volumes),
    ("rds", "rds", "list_instances", rds.instances),
    ("elb", "elb", "list_listeners", elb.listeners),
    ("elb_v2", "elb-v2", "list_listeners", elb.shared_listeners),
    ("elb", "elb-security-policies", "list_security_policies", elb.security_policies),
    ("cts", "cts", "list_trackers", cts.trackers),
    ("cbr", "cbr-vaults", "list_vault", cbr.vaults),
    ("cbr", "cbr-policies", "list_policies", cbr.policies),
]


def units(regions: list[str]) -> list[Unit]:
    found = [Unit("inventory", service, region, f"inventory/{stem}-{region}.json", _regional(service, operation, fetch))
             for region in regions for service, stem, operation, fetch in REGIONAL]
    found.append(Unit("inventory", "obs", None, "inventory/obs.json",
                      lambda api, _r: envelope("obs", None, "list_buckets", *obs.buckets(api, regions))))
    return found
