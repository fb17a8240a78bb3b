"""`resources/*.tfstate`: the tenant's resources, from Terraform state version 4 (Flexible Engine).

What counts as a resource of the tenant (docs/ci-gate.md "Terraform JSON: states and plans"):

* only `mode: "managed"` entries (`mode: "data"` entries are look-ups, not the tenant's resources);
* only entries whose `provider` is the Flexible Engine provider, in either form Terraform writes:
  `provider.flexibleengine` (0.12) or `provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]`
  (0.13+; registry addresses are case-insensitive), with or without an alias (`.x`) and a `module.` prefix;
  an entry of a `flexibleengine_*` type whose provider is missing or not recognised is read all the same
  (the type prefix is the provider's) and named in the evidence note; other providers' resources
  (`aws_*`, `random_*`...) are not the tenant's Flexible Engine resources: the note counts them;
* every instance counts: `index_key` 0 / "a" gives the address suffix `[0]` / `["a"]`, and a
  deposed object (still alive in the cloud until Terraform deletes it) counts too;
* the region is the instance's `region` attribute, else `tenant.yaml` `default_region`, else
  unknown (None): the residency checks then say `error`, never `pass`.

In scope (holding health data) per `tenant.yaml` `scope`: the tag `key=value` in `tags` (for
volumes, also in `metadata`), or every resource with `scope: all`.

Several state files are merged, in file-name order. Each problem names the file, the resource
address and the reason, and the rest of the file is still read.
"""

from __future__ import annotations

from typing import Any

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem, shown
from hds_audit.i18n.messages import msg
from hds_audit.evidence.records import read_json_file
from hds_audit.evidence.resource_model import (  # noqa: F401 - the kind's public names, where they always were
    NAME, DESCRIPTION, PATTERN, SHOW_JSON, PROVIDER_TYPE, TYPE_PREFIX, NAMED, BUCKET, VOLUME, SERVER, DATABASE,
    DATABASE_BACKUP_COPY, _PROVIDER, Resource, Inventory, server_volumes, _named, provider_is_flexibleengine,
    instance_address, _BadInstance, _instance, in_scope, _zones, _tags, _text,
)


def load(bundle: Bundle, tenant=None) -> Evidence[Inventory]:
    from hds_audit.evidence import inventory as api_inventory

    evidence: Evidence[Inventory] = Evidence(NAME)
    files = sorted(set(bundle.glob(PATTERN)) | set(bundle.glob(SHOW_JSON)))
    if not files and not bundle.glob(api_inventory.PATTERN):
        evidence.absent_because(msg("no Terraform state in the bundle ({state} or {show_json}) and no API inventory ({inventory})",
                                    state=PATTERN, show_json=SHOW_JSON, inventory=api_inventory.PATTERN))
        return evidence
    inventory = Inventory()
    for rel in files:
        _read_file(bundle, rel, tenant, inventory, evidence)
    _drop_repeats(inventory, evidence)
    api_inventory.read_into(bundle, tenant, inventory, evidence)  # the same resources, as the APIs list them
    if inventory.files:
        evidence.data = inventory
        said = inventory.note_message()
        evidence.note, evidence.note_message = (str(said), said) if said else (None, None)
    return evidence


def _read_file(bundle: Bundle, rel: str, tenant, inventory: Inventory, evidence: Evidence) -> None:
    parsed, state, read = read_json_file(bundle, rel, evidence)
    if not parsed:
        return
    if rel.endswith(".json") and not (isinstance(state, dict) and state.get("version") == 4):
        from hds_audit.evidence.terraform_json import read_into

        read_into(rel, state, tenant, inventory, evidence, read)
        return
    problem = _version_problem(state)
    if problem:
        evidence.problems.append(Problem(rel, None, problem))
        return
    entries = state.get("resources")
    if entries is None:  # terraform writes "resources": [] for an empty state; none at all is not a state
        evidence.problems.append(Problem(rel, None, msg('no "resources" list: not a Terraform state')))
        return
    if not isinstance(entries, list):
        evidence.problems.append(Problem(rel, None, msg('"{key}" is not a list', key="resources")))
        return
    before = len(inventory.resources)
    for index, entry in enumerate(entries):
        _read_entry(rel, index, entry, tenant, inventory, evidence)
    read.records = len(inventory.resources) - before
    inventory.files.append(rel)


def _drop_repeats(inventory: Inventory, evidence: Evidence) -> None:
    """A resource read from two files (a state and its `terraform show -json`, or two copies of a state) is counted
    once: the later copy is named as a problem and left out."""
    first: dict[tuple[str, str], Resource] = {}
    kept = []
    for resource in inventory.resources:
        key = (resource.type, resource.id)
        seen = first.get(key)
        if seen is not None and seen.file != resource.file:
            evidence.problems.append(Problem(resource.file, resource.address, msg("{type} {id} is already read from {first}: counted once",
                                                                                  type=resource.type, id=resource.id, first=seen.ref)))
            continue
        first.setdefault(key, resource)
        kept.append(resource)
    inventory.resources = kept


def _version_problem(state: Any) -> str | None:
    if not isinstance(state, dict):
        return "not a Terraform state: expected a JSON object"
    version = state.get("version")
    if version == 4:
        return None
    if version is None:
        return 'not a Terraform state: no "version" (expected 4)'
    if version in (1, 2, 3):
        return (f"Terraform state version {version} is not supported; run terraform 0.12+ "
                "(terraform apply or terraform state push) to upgrade it to version 4")
    return f"Terraform state version {shown(version)} is not supported; hds-audit reads version 4"


def _read_entry(rel: str, index: int, entry: Any, tenant, inventory: Inventory, evidence: Evidence) -> None:
    where = f"resources[{index}]"
    if not isinstance(entry, dict):
        evidence.problems.append(Problem(rel, where, msg("not an object")))
        return
    if entry.get("mode", "managed") != "managed":
        return  # data sources are look-ups, not the tenant's resources
    rtype, name, module = entry.get("type"), entry.get("name"), entry.get("module")
    if not (isinstance(rtype, str) and rtype and isinstance(name, str) and name):
        evidence.problems.append(Problem(rel, where, msg('a resource needs a "type" and a "name"')))
        return
    if module is not None and not isinstance(module, str):
        evidence.problems.append(Problem(rel, where, msg('"module" is not a string')))
        return
    where = f"{module}.{rtype}.{name}" if module else f"{rtype}.{name}"
    if not inventory.admit(rtype, provider_is_flexibleengine(entry.get("provider")), f"{rel}#{where}"):
        return
    instances = entry.get("instances", [])
    if not isinstance(instances, list):
        evidence.problems.append(Problem(rel, where, msg('"{key}" is not a list', key="instances")))
        return
    for position, instance in enumerate(instances):
        try:
            resource = _instance(rel, module, rtype, name, instance, tenant)
        except _BadInstance as exc:
            evidence.problems.append(Problem(rel, exc.address or f"{where} instances[{position}]", exc.reason))
            continue
        inventory.resources.append(resource)
