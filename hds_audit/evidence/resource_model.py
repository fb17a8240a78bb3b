"""The tenant's resources as the checks see them, whichever file they were read from: Terraform
state (resources.py), `terraform show -json` (terraform_json.py) or the cloud's APIs (inventory.py).

What counts as a resource of the tenant, and which are in scope, is written in resources.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hds_audit.evidence.interface import reason_of, shown
from hds_audit.i18n.messages import Message, msg


NAME = "resources"
DESCRIPTION = "resources/*.tfstate (Terraform state v4) or resources/*.json (terraform show -json) of the Flexible Engine provider; inventory/*.json: the same from the APIs"
PATTERN = "resources/*.tfstate"
SHOW_JSON = "resources/*.json"  # `terraform show -json` of a state (hds_audit.evidence.terraform_json)
PROVIDER_TYPE = "flexibleengine"
TYPE_PREFIX = PROVIDER_TYPE + "_"
NAMED = 5  # entries named in the evidence note; the count says how many there were
BUCKET = "flexibleengine_obs_bucket"
VOLUME = "flexibleengine_blockstorage_volume_v2"
SERVER = "flexibleengine_compute_instance_v2"
DATABASE = "flexibleengine_rds_instance_v3"
DATABASE_BACKUP_COPY = "flexibleengine_rds_cross_region_backup_strategy"
# provider.flexibleengine[.alias]  |  provider["host/namespace/flexibleengine"][.alias], after an optional module path
_PROVIDER = re.compile(
    r'^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*provider'
    r'(?:\.(?P<legacy>[A-Za-z0-9_-]+)|\["(?P<source>[^"]+)"\])(?:\.[A-Za-z0-9_-]+)?$'
)


@dataclass(frozen=True)
class Resource:
    """One resource of the tenant, whatever file it was read from (a tfstate, `terraform show -json`, or an API
    inventory): the checks see only this record. `attributes` holds the provider's attribute names, as the state
    writes them; the checks read, per type:

    * `flexibleengine_compute_instance_v2`: `name`, `system_disk_id`, `volume_attached[].uuid`, `tags`;
    * `_blockstorage_volume_v2`: `name`, `metadata.__system__encrypted` ("1"), user tags in `metadata`;
    * `_obs_bucket`: `bucket`, `encryption`, `kms_key_id`, `sse_algorithm`, `lifecycle_rule` (no tags: `scope.buckets`);
    * `_obs_bucket_replication`: `bucket`, `destination_bucket`; `_cts_tracker_v1`: `bucket_name`, `status`;
    * `_cbr_policy`: `name`, `type`, `destination_region`;
    * `_rds_instance_v3`: `name`, `availability_zone` (a list), `volume[].disk_encryption_id`,
      `backup_strategy[].keep_days`, `tags`; `_rds_cross_region_backup_strategy`: `instance_id`, `destination_region`;
    * `_lb_listener_v2` / `_v3`: `name`, `protocol`, `tls_ciphers_policy`, `security_policy_id`;
      `_elb_listener` (classic): `protocol`, `ssl_protocols`.

    `region` is the attribute `region`, else `tenant.yaml` `default_region`, else None; `availability_zone` a text
    (zones joined by commas); `in_scope` per `tenant.yaml` `scope`; `ref` is `file#address` (an inventory reader
    uses `inventory/FILE#id`).
    """

    address: str  # module.net.flexibleengine_lb_listener_v2.web[0]
    type: str
    name: str
    id: str  # attribute `id`, else `bucket` for buckets, else the address
    region: str | None
    availability_zone: str | None
    attributes: dict = field(hash=False, compare=False, repr=False)
    tags: dict = field(hash=False, compare=False)
    in_scope: bool
    file: str
    ref: str  # resources/main.tfstate#<address>

    @property
    def label(self) -> str:
        """How findings name it: its id, with the address when they differ."""
        return self.id if self.id == self.address else f"{self.id} ({self.address})"


@dataclass
class Inventory:
    resources: list[Resource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # state files read successfully
    by_type: list[str] = field(default_factory=list)  # refs of entries read by their type: provider missing or not recognised
    other_providers: list[str] = field(default_factory=list)  # refs of other providers' entries, not read
    _owners: tuple | None = field(default=None, repr=False, compare=False)  # owner_of's index, built on first use

    def of_type(self, *types: str) -> list[Resource]:
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    def in_scope(self) -> list[Resource]:
        return [r for r in self.resources if r.in_scope]

    def regions_in_use(self) -> set[str]:
        """Regions of in-scope resources; resources of unknown region are left for callers to report."""
        return {r.region for r in self.resources if r.in_scope and r.region}

    def by_id(self) -> dict[str, Resource]:
        return {r.id: r for r in self.resources}

    def owner_of(self, resource_id: str | None) -> tuple[Resource | None, str | None]:
        """The resource a backup's `resource_id` (VBS: `volume_id`) names, and how it was found (None: by its id).

        A volume not in the state may be a server's disk (`system_disk_id`, `volume_attached[].uuid`: a system disk
        is no `blockstorage_volume_v2` of its own): the server is then the owner, and its region the volume's."""
        if self._owners is None or self._owners[0] != len(self.resources):
            owners: dict[str, tuple[Resource, str | None]] = {}
            for server in self.of_type(SERVER):
                for position, volume in enumerate(server_volumes(server.attributes)):
                    role = "system disk" if position == 0 and _text(server.attributes.get("system_disk_id")) else "data disk"
                    owners.setdefault(volume, (server, f"the {role} of server {server.id}"))
            owners.update({r.id: (r, None) for r in reversed(self.resources)})  # a resource's own id first
            self._owners = (len(self.resources), owners)
        return self._owners[1].get(resource_id or "", (None, None))

    def scope_matches_nothing(self, scope):
        """Why no resource is in scope, when none is (a message): checks of in-scope resources would otherwise pass on
        nothing."""
        from hds_audit.i18n.messages import msg

        if self.in_scope():
            return None
        if not self.resources:
            return msg("no in-scope resource: the Terraform state ({files}) holds no resource",
                       files=", ".join(self.files) if self.files else msg("no file"))
        return msg("no in-scope resource: {scope} match none of the {n} resources of the Terraform state (is tenant.yaml "
                   "scope right?)", scope=scope.describe_message(), n=len(self.resources))

    def admit(self, rtype: str, flexibleengine: bool, ref: str) -> bool:
        """Whether a managed entry is read: its provider is Flexible Engine, or its type says so (recorded);
        another provider's entry is recorded and not read."""
        if flexibleengine:
            return True
        if rtype.startswith(TYPE_PREFIX):
            self.by_type.append(ref)
            return True
        self.other_providers.append(ref)
        return False

    def note(self) -> str | None:
        """What was read by its type and what was left to other providers, for the evidence note."""
        said = self.note_message()
        return None if said is None else str(said)

    def note_message(self):
        from hds_audit.i18n.messages import msg, nmsg, semicolons

        parts = []
        if self.by_type:
            parts.append(nmsg("{n} resource(s) read by its type ({prefix}*) although the provider is missing or not recognised: "
                              "{names}", "{n} resource(s) read by its type ({prefix}*) although the provider is missing or not "
                              "recognised: {names}", n=len(self.by_type), prefix=TYPE_PREFIX, names=_named(self.by_type)))
        if self.other_providers:
            parts.append(nmsg("{n} resource(s) of other providers, not the tenant's Flexible Engine resources, not read: {names}",
                              "{n} resource(s) of other providers, not the tenant's Flexible Engine resources, not read: {names}",
                              n=len(self.other_providers), names=_named(self.other_providers)))
        return semicolons(parts) if parts else None


def server_volumes(attributes: dict) -> list[str]:
    """The ids of a server's volumes: its system disk, then each of `volume_attached[].uuid`, once each."""
    ids = [_text(attributes.get("system_disk_id"))]
    attached = attributes.get("volume_attached")
    for item in attached if isinstance(attached, list) else []:
        ids.append(_text(item.get("uuid")) if isinstance(item, dict) else None)
    return list(dict.fromkeys(i for i in ids if i))


def _named(refs: list[str]):
    from hds_audit.i18n.messages import msg

    more = len(refs) - NAMED
    return msg("{names} and {more} more", names=", ".join(refs[:NAMED]), more=more) if more > 0 else ", ".join(refs[:NAMED])


def provider_is_flexibleengine(provider: Any) -> bool:
    if not isinstance(provider, str):
        return False
    match = _PROVIDER.match(provider.strip())
    if not match:
        return False
    # registry source addresses are case-insensitive (FlexibleEngineCloud/FlexibleEngine is the same provider)
    if match.group("legacy"):
        return match.group("legacy").lower() == PROVIDER_TYPE
    return match.group("source").rsplit("/", 1)[-1].lower() == PROVIDER_TYPE


def instance_address(module: Any, rtype: str, name: str, index_key: Any) -> str:
    base = f"{module}.{rtype}.{name}" if module else f"{rtype}.{name}"
    if index_key is None:
        return base
    if isinstance(index_key, bool) or not isinstance(index_key, (int, str)):
        raise ValueError(msg("index_key {value} is neither a number nor a string", value=shown(index_key)))
    return f"{base}[{index_key}]" if isinstance(index_key, int) else f"{base}[{json.dumps(index_key)}]"


class _BadInstance(Exception):
    def __init__(self, address: str | None, reason: Message | str):
        super().__init__(reason)
        self.address, self.reason = address, reason


def _instance(rel: str, module, rtype: str, name: str, instance: Any, tenant) -> Resource:
    if not isinstance(instance, dict):
        raise _BadInstance(None, msg("instance is not an object"))
    try:
        address = instance_address(module, rtype, name, instance.get("index_key"))
    except ValueError as exc:
        raise _BadInstance(None, reason_of(exc)) from None
    deposed = instance.get("deposed")
    if deposed:
        address = f"{address} (deposed {deposed})"
    attributes = instance.get("attributes")
    if attributes is None and "attributes_flat" in instance:
        raise _BadInstance(address, msg("attributes in the legacy flat form; run terraform refresh with 0.12+ to rewrite them"))
    if not isinstance(attributes, dict):
        raise _BadInstance(address, msg('no "attributes" object'))
    tags = _tags(rtype, attributes)
    if tags is None:
        raise _BadInstance(address, msg('"tags" is not a map'))
    region = _text(attributes.get("region")) or _text(getattr(tenant, "default_region", None))
    return Resource(
        address=address, type=rtype, name=name,
        id=_text(attributes.get("id")) or (_text(attributes.get("bucket")) if rtype == BUCKET else None) or address,
        region=region, availability_zone=_zones(attributes.get("availability_zone")),
        attributes=attributes, tags=tags,
        in_scope=in_scope(getattr(tenant, "scope", None), rtype, attributes, tags),
        file=rel, ref=f"{rel}#{address}",
    )


def in_scope(scope, rtype: str, attributes: dict, tags: dict) -> bool:
    """Whether a resource holds health data per `tenant.yaml` `scope`: a bucket by `scope.buckets` (buckets have no
    tags in the provider), anything else by the tag."""
    if scope is None:
        return True
    if rtype == BUCKET:
        return bool(scope.matches_bucket(_text(attributes.get("bucket")) or _text(attributes.get("id"))))
    return bool(scope.matches(tags))


def _zones(value: Any) -> str | None:
    """`availability_zone`: a text, or a list of zones (RDS instances, primary and standby): joined by commas."""
    if isinstance(value, list):
        zones = [z for z in (_text(v) for v in value) if z]
        return ",".join(zones) or None
    return _text(value)


def _tags(rtype: str, attributes: dict) -> dict | None:
    tags = attributes.get("tags")
    if tags is None:
        tags = {}
    if not isinstance(tags, dict):
        return None
    if rtype == VOLUME and isinstance(attributes.get("metadata"), dict):
        # EVS volumes carry user tags in `metadata` beside the `__system__*` keys
        extra = {k: v for k, v in attributes["metadata"].items() if not str(k).startswith("__system__")}
        return {**extra, **tags}
    return dict(tags)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None
