"""`inventory/*.json`: the tenant's resources as its APIs list them (written by `hds-audit collect inventory`).

Each file is one API listing: `{"schema", "service", "region", "operation", "answer", "details"}`
(hds_audit.collect.inventory). Every record becomes a `Resource` of the Terraform type that
describes the same thing, with the attributes the Terraform provider would record, so every check
reads a tenant without Terraform exactly as one with it:

* ECS server (`answer.servers[]`) -> `flexibleengine_compute_instance_v2`: `system_disk_id` is the
  volume of `bootIndex` 0 in `os-extended-volumes:volumes_attached`, the others are `volume_attached[].uuid`;
  tags from the `key=value` strings of `tags`;
* EVS volume (`answer.volumes[]`) -> `flexibleengine_blockstorage_volume_v2` (`metadata` as listed);
* OBS bucket (`answer.Buckets[]`, settings in `details`) -> `flexibleengine_obs_bucket` (`encryption`,
  `sse_algorithm`, `kms_key_id`, `lifecycle_rule[].expiration[].days`) and one
  `flexibleengine_obs_bucket_replication` per replication rule (`destination_bucket`);
* RDS instance (`answer.instances[]`) -> `flexibleengine_rds_instance_v3` (`volume[].disk_encryption_id`,
  `backup_strategy[].keep_days`, `availability_zone` from its nodes) and one
  `flexibleengine_rds_cross_region_backup_strategy` per cross-region policy of `details`;
* ELB listener (`answer.listeners[]`) -> `flexibleengine_lb_listener_v3` (v3 API) or `_v2` (v2 API, shared
  load balancers) (`protocol`, `tls_ciphers_policy`, `security_policy_id`), and each custom security
  policy -> `flexibleengine_elb_security_policy` (`protocols`);
* CTS tracker (`answer.trackers[]`) -> `flexibleengine_cts_tracker_v1` (`bucket_name`, `file_prefix_name`
  from `obs_info`, `status`);
* CBR vault and policy -> `flexibleengine_cbr_vault`, `flexibleengine_cbr_policy` (`type`, `destination_region`).

The region of a record is its own `region` when it states one, else the file's. A record's
reference is `inventory/FILE#id`. A record without an id, a file that is not such a listing, and
a resource listed twice (counted once) are problems naming the file and the record.
"""

from __future__ import annotations

from typing import Any, Callable

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem, reason_of
from hds_audit.i18n.messages import msg
from hds_audit.evidence.records import read_json_file
from hds_audit.evidence.resource_model import BUCKET, SERVER, VOLUME, Inventory, Resource, _tags, in_scope

SCHEMA = "hds-audit/inventory/v1"
PATTERN = "inventory/*.json"
COLLECTION_LOG = "collection-log.jsonl"


def read_into(bundle: Bundle, tenant, inventory: Inventory, evidence: Evidence) -> None:
    """Add the resources of `inventory/*.json` to `inventory` (beside those of the Terraform state)."""
    files = bundle.glob(PATTERN)
    if bundle.exists(COLLECTION_LOG):  # what `collect` asked and got: hashed into the manifest too
        bundle.record(COLLECTION_LOG)
    seen = {(r.type, r.id): r.ref for r in inventory.resources}  # a bucket and its replication share an id, as in Terraform
    for rel in files:
        _read_file(bundle, rel, tenant, inventory, evidence, seen)


def _read_file(bundle: Bundle, rel: str, tenant, inventory: Inventory, evidence: Evidence, seen: dict) -> None:
    parsed, document, read = read_json_file(bundle, rel, evidence)
    if not parsed:
        return
    if not isinstance(document, dict) or document.get("schema") != SCHEMA or not isinstance(document.get("answer"), dict):
        evidence.problems.append(Problem(rel, None, msg('not an inventory listing: expected "schema": "{schema}" and an "answer" '
                                                        "object (files written by hds-audit collect inventory)", schema=SCHEMA)))
        return
    service, operation = str(document.get("service")), str(document.get("operation"))
    reader = BY_OPERATION[service].get(operation) if service in BY_OPERATION else READERS.get(service)
    if reader is None:
        evidence.problems.append(Problem(rel, None, msg("unknown listing {service} {operation}", service=service, operation=operation)))
        return
    key, mapper = reader
    records = document["answer"].get(key)
    if not isinstance(records, list):
        evidence.problems.append(Problem(rel, None, msg('the answer has no "{key}" list', key=key)))
        return
    details = document.get("details") if isinstance(document.get("details"), dict) else {}
    region = _text(document.get("region"))
    count = 0
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            evidence.problems.append(Problem(rel, f"{key}[{index}]", msg("not an object")))
            continue
        try:
            produced = mapper(record, details, region)
        except ValueError as exc:
            evidence.problems.append(Problem(rel, f"{key}[{index}]", reason_of(exc)))
            continue
        for rtype, rid, name, attributes in produced:
            resource = _resource(rel, rtype, rid, name, attributes, region, tenant)
            key = (resource.type, resource.id)
            if key in seen:
                evidence.problems.append(Problem(rel, resource.id, msg("listed twice (also {first}): counted once", first=seen[key])))
                continue
            seen[key] = resource.ref
            inventory.resources.append(resource)
            count += 1
    read.records = count
    inventory.files.append(rel)


def _resource(rel: str, rtype: str, rid: str, name: str, attributes: dict, region: str | None, tenant) -> Resource:
    tags = _tags(rtype, attributes) or {}
    scope = getattr(tenant, "scope", None)
    region = _text(attributes.get("region")) or region or _text(getattr(tenant, "default_region", None))
    attributes = {**attributes, "id": rid, "region": region}
    return Resource(address=f"{rtype}.{name}", type=rtype, name=name, id=rid, region=region,
                    availability_zone=_text(attributes.get("availability_zone")), attributes=attributes, tags=tags,
                    in_scope=in_scope(scope, rtype, attributes, tags), file=rel, ref=f"{rel}#{rid}")


def _id(record: dict, field: str = "id") -> str:
    value = _text(record.get(field))
    if not value:
        raise ValueError(msg('no "{field}"', field=field))
    return value


# -- one mapper per service: API record -> [(terraform type, id, name, attributes)] --------------------
Produced = list[tuple[str, str, str, dict]]


def _server(record: dict, _details: dict, _region) -> Produced:
    attached = record.get("os-extended-volumes:volumes_attached") or []
    system = [v.get("id") for v in attached if isinstance(v, dict) and str(v.get("bootIndex")) == "0"]
    data = [{"uuid": v.get("id")} for v in attached if isinstance(v, dict) and str(v.get("bootIndex")) != "0" and v.get("id")]
    tags = dict(t.split("=", 1) if "=" in t else (t, "") for t in record.get("tags") or [] if isinstance(t, str))
    rid = _id(record)
    return [(SERVER, rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "status": record.get("status"), "availability_zone": record.get("OS-EXT-AZ:availability_zone"),
        "flavor_id": (record.get("flavor") or {}).get("id") if isinstance(record.get("flavor"), dict) else None,
        "system_disk_id": system[0] if system else None, "volume_attached": data, "tags": tags,
        "metadata": record.get("metadata") if isinstance(record.get("metadata"), dict) else {}})]


def _volume(record: dict, _details: dict, _region) -> Produced:
    rid = _id(record)
    tags = record.get("tags") if isinstance(record.get("tags"), dict) else {}
    return [(VOLUME, rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "status": record.get("status"), "availability_zone": record.get("availability_zone"),
        "size": record.get("size"), "volume_type": record.get("volume_type"),
        "metadata": record.get("metadata") if isinstance(record.get("metadata"), dict) else {}, "tags": tags})]


def _bucket(record: dict, details: dict, _region) -> Produced:
    name = _id(record, "Name")
    settings = details.get(name)
    if not isinstance(settings, dict):
        raise ValueError(msg("bucket {name}: its settings were not collected (no details entry)", name=name))
    rule = (((settings.get("encryption") or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or [{}])[0]
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = _text(default.get("SSEAlgorithm"))
    lifecycle = [{"name": r.get("ID"), "enabled": r.get("Status") == "Enabled",
                  "prefix": r.get("Prefix", (r.get("Filter") or {}).get("Prefix", "")),
                  "expiration": [{"days": r["Expiration"]["Days"]}] if isinstance(r.get("Expiration"), dict) and "Days" in r["Expiration"] else []}
                 for r in (settings.get("lifecycle") or {}).get("Rules") or [] if isinstance(r, dict)]
    region = _text(settings.get("location"))
    produced = [(BUCKET, name, name, {"bucket": name, "region": region, "encryption": algorithm is not None,
                                      "sse_algorithm": algorithm, "kms_key_id": _text(default.get("KMSMasterKeyID")),
                                      "lifecycle_rule": lifecycle})]
    rules = [r for r in ((settings.get("replication") or {}).get("ReplicationConfiguration") or {}).get("Rules") or []
             if isinstance(r, dict)]
    if rules:  # one replication per bucket, as the provider's resource (its id is the bucket's name)
        destinations = sorted({str((r.get("Destination") or {}).get("Bucket") or "").rsplit(":", 1)[-1] for r in rules} - {""})
        if len(destinations) > 1:
            raise ValueError(msg("bucket {name}: replication rules name {n} destination buckets", name=name, n=len(destinations)))
        produced.append(("flexibleengine_obs_bucket_replication", name, name, {
            "bucket": name, "region": region, "destination_bucket": destinations[0] if destinations else None,
            "rule": [{"id": r.get("ID"), "enabled": r.get("Status") == "Enabled",
                      "prefix": r.get("Prefix", (r.get("Filter") or {}).get("Prefix", ""))} for r in rules]}))
    return produced


def _rds(record: dict, details: dict, _region) -> Produced:
    rid = _id(record)
    nodes = [n for n in record.get("nodes") or [] if isinstance(n, dict)]
    volume = record.get("volume") if isinstance(record.get("volume"), dict) else {}
    strategy = record.get("backup_strategy") if isinstance(record.get("backup_strategy"), dict) else None
    tags = {t.get("key"): t.get("value", "") for t in record.get("tags") or [] if isinstance(t, dict) and t.get("key")}
    produced = [("flexibleengine_rds_instance_v3", rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "status": record.get("status"), "region": record.get("region"),
        "availability_zone": sorted({n["availability_zone"] for n in nodes if n.get("availability_zone")}),
        "volume": [{"type": volume.get("type"), "size": volume.get("size"), "disk_encryption_id": record.get("disk_encryption_id")}],
        "backup_strategy": [strategy] if strategy else [], "tags": tags})]
    policy = ((details.get(rid) or {}).get("offsite_backup_policy") or {}).get("policy_para") or []
    active = [p for p in (policy if isinstance(policy, list) else []) if isinstance(p, dict) and _text(p.get("destination_region"))]
    if active:  # one strategy per instance, as the provider's resource (its id is the instance's)
        regions = sorted({_text(p["destination_region"]) for p in active})
        if len(regions) > 1:
            raise ValueError(msg("instance {id}: cross-region backups to {n} regions ({regions})", id=rid, n=len(regions),
                                 regions=", ".join(regions)))
        produced.append(("flexibleengine_rds_cross_region_backup_strategy", rid, _text(record.get("name")) or rid, {
            "instance_id": rid, "region": record.get("region"), "destination_region": regions[0],
            "destination_project_id": active[0].get("destination_project_id"),
            "backup_type": ",".join(sorted({str(p.get("backup_type")) for p in active})),
            "keep_days": min((p.get("keep_days") for p in active if isinstance(p.get("keep_days"), int)), default=None)}))
    return produced


def _listener(record: dict, _details: dict, _region, rtype: str = "flexibleengine_lb_listener_v3") -> Produced:
    rid = _id(record)
    return [(rtype, rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "protocol": record.get("protocol"), "protocol_port": record.get("protocol_port"),
        "tls_ciphers_policy": record.get("tls_ciphers_policy"), "security_policy_id": record.get("security_policy_id"),
        "loadbalancer_id": ((record.get("loadbalancers") or [{}])[0] or {}).get("id")})]


def _shared_listener(record: dict, details: dict, region) -> Produced:
    return _listener(record, details, region, "flexibleengine_lb_listener_v2")


def _security_policy(record: dict, _details: dict, _region) -> Produced:
    rid = _id(record)
    return [("flexibleengine_elb_security_policy", rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "protocols": record.get("protocols") or [], "ciphers": record.get("ciphers") or []})]


def _tracker(record: dict, _details: dict, _region) -> Produced:
    name = _id(record, "tracker_name")
    obs = record.get("obs_info") if isinstance(record.get("obs_info"), dict) else {}
    return [("flexibleengine_cts_tracker_v1", name, name, {
        "tracker_name": name, "status": record.get("status"), "bucket_name": obs.get("bucket_name"),
        "file_prefix_name": obs.get("file_prefix_name"), "tracker_type": record.get("tracker_type")})]


def _vault(record: dict, _details: dict, _region) -> Produced:
    rid = _id(record)
    billing = record.get("billing") if isinstance(record.get("billing"), dict) else {}
    return [("flexibleengine_cbr_vault", rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "type": billing.get("object_type"), "protection_type": billing.get("protect_type"),
        "size": billing.get("size"), "status": billing.get("status"),
        "resources": [{"server_id": r.get("id") if r.get("type") == "OS::Nova::Server" else "",
                       "includes": [r.get("id")] if r.get("type") == "OS::Cinder::Volume" else []}
                      for r in record.get("resources") or [] if isinstance(r, dict)],
        "tags": {t.get("key"): t.get("value", "") for t in record.get("tags") or [] if isinstance(t, dict) and t.get("key")}})]


def _policy(record: dict, _details: dict, _region) -> Produced:
    rid = _id(record)
    definition = record.get("operation_definition") if isinstance(record.get("operation_definition"), dict) else {}
    return [("flexibleengine_cbr_policy", rid, _text(record.get("name")) or rid, {
        "name": record.get("name"), "type": record.get("operation_type"), "enabled": record.get("enabled"),
        "destination_region": definition.get("destination_region") or "",
        "destination_project_id": definition.get("destination_project_id") or ""})]


READERS: dict[str, tuple[str, Callable[[dict, dict, Any], Produced]]] = {
    "ecs": ("servers", _server), "evs": ("volumes", _volume), "obs": ("Buckets", _bucket), "rds": ("instances", _rds),
    "elb_v2": ("listeners", _shared_listener), "cts": ("trackers", _tracker),
}
BY_OPERATION = {  # services with several listings
    "cbr": {"list_vault": ("vaults", _vault), "list_policies": ("policies", _policy)},
    "elb": {"list_listeners": ("listeners", _listener), "list_security_policies": ("security_policies", _security_policy)},
}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None
