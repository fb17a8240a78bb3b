"""Configuration fingerprints and their diff: what changed since the accepted baseline.

A fingerprint is the normalized, audit-relevant part of one resource's configuration, keyed by
its Terraform address. It keeps only what a check judges, so a change elsewhere (a description, a
flavor, a security group) is not drift:

| attribute | of | affects |
|---|---|---|
| `type`, `region`, `availability_zone` | every tracked resource | `residency.resources` (a tracker's region: `trace.tracker_enabled`) |
| `in_scope`, `scope_tags` | every tracked resource | `storage.encrypted_at_rest`, `backup.coverage`, `backup.encrypted` |
| `encryption`, `sse_algorithm`, `kms_key_id` | buckets | `storage.encrypted_at_rest` |
| `encrypted`, `kms_key_id` (`metadata.__system__encrypted` / `__system__cmkid`) | volumes | `storage.encrypted_at_rest` |
| `lifecycle_expiration_days` | buckets | `trace.retention` |
| `protocol`, `protocol_port`, `tls_ciphers_policy`, `security_policy_id` | listeners | `transport.tls_only` |
| `protocol`, `protocol_port`, `ssl_protocols` | classic ELB listeners | `transport.tls_only` |
| `disk_encryption_ids`, `backup_keep_days` | RDS instances | `storage.encrypted_at_rest`, `backup.coverage` |
| `instance_id`, `destination_region` | RDS cross-region backup strategies | `residency.replication` |
| `protocols` | ELB security policies | `transport.tls_only` |
| `status`, `bucket_name` | CTS trackers | `trace.tracker_enabled`, `trace.retention` |
| `destination_bucket`, `destination_region`, `target_region` | bucket replications | `residency.replication` |
| `policy_type`, `enabled`, `destination_region` | CBR policies | `residency.replication` |

Tracked resources (docs/ci-gate.md "Tracked resources and attributes"): every in-scope resource (the
`scope` of tenant.yaml), and, whatever their
tags, the resources a configuration check judges regardless of scope: listeners, ELB security
policies, CTS trackers and their buckets, bucket replications, CBR policies and vaults, RDS
cross-region backup strategies. An
out-of-scope server or volume is not tracked: its placement is still judged by `residency.resources`,
whose findings the gate compares with the baseline's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hds_audit.checks.configuration import CLASSIC_LISTENER, LISTENERS, SECURITY_POLICY
from hds_audit.checks.residency import CBR_POLICY, REPLICATION
from hds_audit.checks.trace import TRACKER
from hds_audit.evidence.resources import BUCKET, DATABASE, DATABASE_BACKUP_COPY, VOLUME, Inventory, Resource

CBR_VAULT = "flexibleengine_cbr_vault"
ALWAYS_TRACKED = frozenset((*LISTENERS, CLASSIC_LISTENER, SECURITY_POLICY, TRACKER, REPLICATION, CBR_POLICY, CBR_VAULT,
                            DATABASE_BACKUP_COPY))

UNKNOWN = "(known after apply)"
ABSENT = "(absent)"

_SCOPE_CHECKS = ("storage.encrypted_at_rest", "backup.coverage", "backup.encrypted", "inventory.assessed")
_ENCRYPTION = ("storage.encrypted_at_rest",)
_TLS = ("transport.tls_only",)
_TRACKER_CHECKS = ("trace.tracker_enabled", "trace.retention")
_REPLICATION = ("residency.replication",)

# (resource type or "*", fingerprint attribute) -> the checks a change of it affects
AFFECTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "type"): ("residency.resources", "inventory.assessed"),
    ("*", "region"): ("residency.resources",),
    ("*", "availability_zone"): ("residency.resources",),
    ("*", "in_scope"): _SCOPE_CHECKS,
    ("*", "scope_tags"): _SCOPE_CHECKS,
    ("*", "(resource)"): ("residency.resources", "inventory.assessed"),
    (TRACKER, "region"): ("trace.tracker_enabled", "residency.resources"),
    (BUCKET, "encryption"): _ENCRYPTION,
    (BUCKET, "sse_algorithm"): _ENCRYPTION,
    (BUCKET, "kms_key_id"): _ENCRYPTION,
    (BUCKET, "lifecycle_expiration_days"): ("trace.retention",),
    (VOLUME, "encrypted"): _ENCRYPTION,
    (VOLUME, "kms_key_id"): _ENCRYPTION,
    **{(t, a): _TLS for t in LISTENERS for a in ("protocol", "protocol_port", "tls_ciphers_policy", "security_policy_id")},
    **{(CLASSIC_LISTENER, a): _TLS for a in ("protocol", "protocol_port", "ssl_protocols")},
    (DATABASE, "disk_encryption_ids"): _ENCRYPTION,
    (DATABASE, "backup_keep_days"): ("backup.coverage",),
    **{(DATABASE_BACKUP_COPY, a): _REPLICATION for a in ("instance_id", "destination_region")},
    (SECURITY_POLICY, "protocols"): _TLS,
    (TRACKER, "status"): _TRACKER_CHECKS,
    (TRACKER, "bucket_name"): _TRACKER_CHECKS,
    **{(REPLICATION, a): _REPLICATION for a in ("destination_bucket", "destination_region", "target_region")},
    **{(CBR_POLICY, a): _REPLICATION for a in ("policy_type", "enabled", "destination_region")},
}


def affects(rtype: str, attribute: str) -> tuple[str, ...]:
    return AFFECTS.get((rtype, attribute)) or AFFECTS.get(("*", attribute)) or ()


# -- normalizing ------------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on", "enabled"):
        return True
    if lowered in ("false", "0", "no", "off", "disabled"):
        return False
    return None


def _number(value: Any) -> int | float | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = _text(value)
    try:
        return _number(float(text)) if text is not None else None
    except ValueError:
        return text


def _zones(value: Any) -> str | list[str] | None:
    if isinstance(value, list):
        zones = sorted({z for z in (_text(v) for v in value) if z})
        return zones[0] if len(zones) == 1 else (zones or None)
    return _text(value)


def _expiration_days(rules: Any) -> list | None:
    """Expiry days of the enabled lifecycle rules, sorted (OBS `lifecycle_rule[].expiration[].days`)."""
    if isinstance(rules, dict):
        rules = [rules]
    if not isinstance(rules, list):
        return None
    days = []
    for rule in rules:
        if not isinstance(rule, dict) or _flag(rule.get("enabled")) is False:
            continue
        expirations = rule.get("expiration")
        for expiration in expirations if isinstance(expirations, list) else [expirations]:
            if isinstance(expiration, dict) and _number(expiration.get("days")) is not None:
                days.append(_number(expiration.get("days")))
    return sorted(days, key=str) or None


# -- fingerprints -----------------------------------------------------------------------------------
def fingerprint(r: Resource, inventory: Inventory, scope_key: str | None = None, unknown: Iterable[str] = ()) -> dict[str, Any]:
    """The audit-relevant settings of one resource, normalized (None when not set)."""
    a = r.attributes
    fp: dict[str, Any] = {
        "type": r.type,
        "region": r.region,
        "availability_zone": _zones(a.get("availability_zone")),
        "in_scope": r.in_scope,
    }
    if scope_key:
        fp["scope_tags"] = {scope_key: _text(r.tags.get(scope_key))}
    if r.type == BUCKET:
        fp.update(encryption=_flag(a.get("encryption")), sse_algorithm=_text(a.get("sse_algorithm")),
                  kms_key_id=_text(a.get("kms_key_id")), lifecycle_expiration_days=_expiration_days(a.get("lifecycle_rule")))
    elif r.type == VOLUME:
        metadata = a.get("metadata") if isinstance(a.get("metadata"), dict) else {}
        fp.update(encrypted=_text(metadata.get("__system__encrypted")),
                  kms_key_id=_text(metadata.get("__system__cmkid")) or _text(a.get("kms_id")))
    elif r.type in LISTENERS:
        fp.update(protocol=(_text(a.get("protocol")) or "").upper() or None, protocol_port=_number(a.get("protocol_port")),
                  tls_ciphers_policy=_text(a.get("tls_ciphers_policy")), security_policy_id=_text(a.get("security_policy_id")))
    elif r.type == CLASSIC_LISTENER:
        fp.update(protocol=(_text(a.get("protocol")) or "").upper() or None, protocol_port=_number(a.get("protocol_port")),
                  ssl_protocols=_text(a.get("ssl_protocols")))
    elif r.type == DATABASE:
        volumes = a.get("volume") if isinstance(a.get("volume"), list) else []
        strategy = a.get("backup_strategy") if isinstance(a.get("backup_strategy"), list) else []
        fp.update(disk_encryption_ids=[_text(v.get("disk_encryption_id")) if isinstance(v, dict) else None for v in volumes] or None,
                  backup_keep_days=_number(strategy[0].get("keep_days")) if strategy and isinstance(strategy[0], dict) else None)
    elif r.type == DATABASE_BACKUP_COPY:
        fp.update(instance_id=_text(a.get("instance_id")), destination_region=_text(a.get("destination_region")))
    elif r.type == SECURITY_POLICY:
        protocols = a.get("protocols") if isinstance(a.get("protocols"), list) else []
        fp["protocols"] = sorted({p.upper() for p in (_text(x) for x in protocols) if p}) or None
    elif r.type == TRACKER:
        fp.update(status=(_text(a.get("status")) or "").lower() or None, bucket_name=_text(a.get("bucket_name")))
    elif r.type == REPLICATION:
        fp.update(destination_bucket=_text(a.get("destination_bucket")), destination_region=_text(a.get("destination_region")),
                  target_region=_replication_target(r, inventory))
    elif r.type == CBR_POLICY:
        fp.update(policy_type=_text(a.get("type")), enabled=_flag(a.get("enabled")),
                  destination_region=_text(a.get("destination_region")))
    for name in unknown:
        if name in fp and fp[name] is None:
            fp[name] = UNKNOWN
    if "region" in set(unknown) and r.region is None:
        fp["region"] = UNKNOWN
    return fp


def _replication_target(r: Resource, inventory: Inventory) -> str | None:
    declared = _text(r.attributes.get("destination_region"))
    if declared:
        return declared
    target = _text(r.attributes.get("destination_bucket"))
    for bucket in inventory.of_type(BUCKET):
        if target and target in (_text(bucket.attributes.get("bucket")), bucket.id):
            return bucket.region
    return None


def tracked(r: Resource, tracker_buckets: set[str]) -> bool:
    if r.in_scope or r.type in ALWAYS_TRACKED:
        return True
    return r.type == BUCKET and (_text(r.attributes.get("bucket")) or r.id) in tracker_buckets


def fingerprints(inventory: Inventory | None, scope_key: str | None = None,
                 unknown: dict[str, frozenset[str]] | None = None, everything: bool = False) -> dict[str, dict[str, Any]]:
    """Fingerprints of the tracked resources (of every resource with `everything`), by address."""
    if inventory is None:
        return {}
    unknown = unknown or {}
    buckets = {b for b in (_text(t.attributes.get("bucket_name")) for t in inventory.of_type(TRACKER)) if b}
    return {
        r.address: fingerprint(r, inventory, scope_key, unknown.get(r.address, ()))
        for r in sorted(inventory.resources, key=lambda r: r.address)
        if everything or tracked(r, buckets)
    }


def scope_key(tenant) -> str | None:
    tag = getattr(getattr(tenant, "scope", None), "tag", None)
    return tag.split("=", 1)[0].strip() if tag else None


# -- diff -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Drift:
    address: str
    type: str
    attribute: str
    was: Any
    now: Any
    change: str  # "changed", "added" or "removed"
    checks: tuple[str, ...]
    planned: str | None = None  # the plan's action on the resource (create, update, replace, delete)

    def to_json(self) -> dict[str, Any]:
        out = {"address": self.address, "type": self.type, "attribute": self.attribute, "was": self.was,
               "now": self.now, "change": self.change, "checks": list(self.checks)}
        if self.planned:
            out["planned"] = self.planned
        return out

    def line(self) -> str:
        planned = f" [plan: {self.planned}]" if self.planned else ""
        checks = f"  -> {', '.join(self.checks)}" if self.checks else ""
        return f"{self.address}  {self.attribute}: {show(self.was)} -> {show(self.now)}{planned}{checks}"


def show(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


def diff(baseline: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]],
         everything: dict[str, dict[str, Any]] | None = None, planned=None) -> list[Drift]:
    """Every difference between the baseline's fingerprints and the current ones.

    `everything` holds the fingerprints of all current resources: a baseline resource that is still
    there but no longer tracked (its scope tag was removed) shows as that change, not as removed.
    `planned(address)` gives the plan's action on a resource, if any.
    """
    everything = everything or {}
    planned = planned or (lambda _address: None)
    drifts: list[Drift] = []
    for address in sorted(set(baseline) | set(current)):
        was, now = baseline.get(address), current.get(address)
        if now is None and address in everything:
            now = everything[address]
        action = planned(address)
        if was is None or now is None:
            kind = "added" if was is None else "removed"
            fp = now if was is None else was
            rtype = str(fp.get("type") or "?")
            drifts.append(Drift(address, rtype, "(resource)", ABSENT if was is None else "present",
                                "present" if was is None else ABSENT, kind, affects(rtype, "(resource)"), action))
            if was is not None:
                continue  # a removed resource: one line says it all
            for attribute in sorted(k for k in fp if k != "type"):
                value = fp[attribute]
                if value is None:
                    continue
                drifts.append(Drift(address, rtype, attribute, ABSENT, value, kind, affects(rtype, attribute), action))
            continue
        rtype = str(now.get("type") or was.get("type") or "?")
        for attribute in sorted(set(was) | set(now)):
            if _same(was.get(attribute), now.get(attribute)):
                continue
            drifts.append(Drift(address, rtype, attribute, was.get(attribute), now.get(attribute), "changed",
                                affects(rtype, attribute), action))
    return drifts


def _same(a: Any, b: Any) -> bool:
    if a == UNKNOWN or b == UNKNOWN:
        return False  # not provable before apply
    return a == b
