"""`terraform show -json` output, for a state and for a saved plan: the same `Resource`s as the tfstate reader.

Two documents come out of `terraform show -json`:

* a state (`terraform show -json` with no argument, or on a state file): the resources are under
  `values.root_module`, in `resources` and recursively in `child_modules`;
* a saved plan (`terraform plan -out plan.bin && terraform show -json plan.bin`): the configuration
  about to be applied is under `planned_values.root_module` (child modules included), and
  `resource_changes` lists what Terraform will do to each resource (`change.actions`: `no-op`,
  `create`, `update`, `delete`, `read`, or delete-and-create for a replacement).

Each entry becomes a `Resource` exactly as in `resources/*.tfstate` (see `hds_audit.evidence.resources`):
only `mode: "managed"` entries of the Flexible Engine provider (or, provider unrecognised, of a
`flexibleengine_*` type) count, other providers' are counted in the note; an entry's `values` are the
instance's attributes; `index` gives the address suffix; a deposed object counts; the region is the
`region` attribute, else `tenant.yaml` `default_region`, else unknown (the residency checks say
`error`). In a plan, a resource whose `region` is "known after apply" (a new resource that sets
none: it takes the provider's) lies in the region of the Flexible Engine provider configuration
when every such configuration of the plan names the same one (a constant, or a root variable
whose value the plan records); otherwise the rule above applies.

A resource deleted by the plan is absent from `planned_values`: it is no longer part of the
configuration. Attributes "known after apply" are absent from `values`; `PlanDocument.unknown`
keeps their names so the drift report can say so rather than pretend they are empty.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hds_audit.evidence.interface import Evidence, FileRead, Problem, reason_of
from hds_audit.i18n.messages import Message, msg
from hds_audit.evidence.records import DuplicateKey, strict_loads
from hds_audit.evidence.resource_model import (
    NAME as RESOURCES_KIND,
    TYPE_PREFIX,
    Inventory,
    _BadInstance,
    _instance,
    instance_address,
    provider_is_flexibleengine,
)


class TerraformJsonError(Exception):
    """The file is not usable `terraform show -json` output: `reason` says why (a message, translated in a report);
    the text is "FILE: reason" in English."""

    def __init__(self, file: object, reason: Message | str):
        super().__init__(f"{file}: {reason}")
        self.reason = reason


@dataclass
class PlanDocument:
    kind: str  # "state" or "plan"
    file: str  # how references name the file: plan.json#<address>
    inventory: Inventory
    actions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # address -> planned actions (plan only)
    unknown: dict[str, frozenset[str]] = field(default_factory=dict)  # address -> attributes known after apply
    problems: list[Problem] = field(default_factory=list)
    terraform_version: str | None = None
    read: FileRead | None = None
    provider_region: str | None = None  # the region of the plan's Flexible Engine provider, when one

    def evidence(self) -> Evidence[Inventory]:
        """The `resources` evidence kind, as the engine expects it."""
        files = [self.read] if self.read else []
        return Evidence(RESOURCES_KIND, data=self.inventory, files=files, problems=list(self.problems), note=self.inventory.note())

    def changed(self, address: str) -> str | None:
        """The planned action on a resource, in words, when it is not a no-op."""
        actions = self.actions.get(address)
        if not actions or actions == ("no-op",):
            return None
        if set(actions) == {"delete", "create"}:
            return "replace"
        return "+".join(actions)


def read_file(path: Path, tenant=None) -> PlanDocument:
    from hds_audit.evidence import limits

    try:
        reason = limits.too_large(Path(path).stat().st_size, limits.FILE_MAX_BYTES, "HDS_AUDIT_EVIDENCE_FILE_MAX_BYTES")
        if reason:
            raise TerraformJsonError(path, reason)
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise TerraformJsonError(path, msg("cannot be read: {reason}", reason=str(exc.strerror or exc))) from None
    name = Path(path).name
    try:
        document = strict_loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise TerraformJsonError(name, msg("not UTF-8 text (byte {byte}); was the binary plan given instead of `terraform show -json` output?",
                                           byte=exc.start)) from None
    except json.JSONDecodeError as exc:
        raise TerraformJsonError(name, msg("not JSON: {reason} at line {line} column {column}", reason=exc.msg, line=exc.lineno,
                                           column=exc.colno)) from None
    except DuplicateKey as exc:
        raise TerraformJsonError(name, reason_of(exc)) from None
    doc = read_document(document, tenant, name)
    doc.read = FileRead(name, hashlib.sha256(raw).hexdigest(), len(raw), records=len(doc.inventory.resources))
    return doc


def read_document(document: Any, tenant=None, file: str = "plan.json") -> PlanDocument:
    kind = _kind(document, file)
    doc = PlanDocument(kind, file, Inventory(files=[file]), terraform_version=_text(document.get("terraform_version")))
    if kind == "plan":
        if document.get("errored") is True:
            raise TerraformJsonError(file, msg("Terraform reports this plan as errored: it is incomplete and cannot be judged"))
        if document.get("complete") is False:
            doc.problems.append(Problem(file, None, msg("Terraform reports this plan as incomplete (deferred changes): "
                                                        "the configuration it shows is not all that will be applied")))
        _read_changes(document.get("resource_changes"), doc)
        root = _mapping(document.get("planned_values"), "planned_values", file).get("root_module")
        doc.provider_region = _provider_region(document)
    else:
        root = _mapping(document.get("values"), "values", file).get("root_module")
    if root is not None:
        _walk_module(root, None, "root_module", tenant, doc)
    return doc


def _kind(document: Any, file: str) -> str:
    if not isinstance(document, dict):
        raise TerraformJsonError(file, msg("not `terraform show -json` output: expected a JSON object"))
    if document.get("version") == 4 and isinstance(document.get("resources"), list):
        raise TerraformJsonError(file, msg("a raw Terraform state file (version 4), not `terraform show -json` output; "
                                           "put it under resources/ in the bundle, or run `terraform show -json` on it"))
    if "planned_values" in document or "resource_changes" in document:
        return "plan"
    if "values" in document or "format_version" in document:
        return "state"  # an empty state is just {"format_version": "1.0"}
    raise TerraformJsonError(file, msg("not `terraform show -json` output: no format_version, values nor planned_values"))


def _mapping(value: Any, what: str, file: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TerraformJsonError(file, msg("{what} is not an object", what=what))
    return value


def _walk_module(module: Any, address: str | None, where: str, tenant, doc: PlanDocument) -> None:
    if not isinstance(module, dict):
        doc.problems.append(Problem(doc.file, where, msg("a module is not an object")))
        return
    entries = module.get("resources") or []
    if not isinstance(entries, list):
        doc.problems.append(Problem(doc.file, where, msg('"resources" is not a list')))
        entries = []
    for index, entry in enumerate(entries):
        _read_entry(entry, address, f"{address or where}.resources[{index}]", tenant, doc)
    children = module.get("child_modules") or []
    if not isinstance(children, list):
        doc.problems.append(Problem(doc.file, where, msg('"child_modules" is not a list')))
        return
    for index, child in enumerate(children):
        child_address = child.get("address") if isinstance(child, dict) else None
        if not isinstance(child_address, str) or not child_address.startswith("module."):
            doc.problems.append(Problem(doc.file, f"{where}.child_modules[{index}]", msg('a child module needs an "address" (module.NAME)')))
            continue
        _walk_module(child, child_address, child_address, tenant, doc)


def _read_entry(entry: Any, module: str | None, where: str, tenant, doc: PlanDocument) -> None:
    if not isinstance(entry, dict):
        doc.problems.append(Problem(doc.file, where, msg("not an object")))
        return
    if entry.get("mode", "managed") != "managed":
        return  # data sources are look-ups, not the tenant's resources
    rtype, name = entry.get("type"), entry.get("name")
    if not (isinstance(rtype, str) and rtype and isinstance(name, str) and name):
        doc.problems.append(Problem(doc.file, entry.get("address") or where, msg('a resource needs a "type" and a "name"')))
        return
    address = entry.get("address") if isinstance(entry.get("address"), str) else instance_address(module, rtype, name, None)
    if not doc.inventory.admit(rtype, _flexibleengine(entry.get("provider_name")), f"{doc.file}#{address}"):
        return
    instance = {"index_key": entry.get("index"), "attributes": entry.get("values"), "deposed": entry.get("deposed_key")}
    if doc.provider_region and "region" in doc.unknown.get(_address(module, rtype, name, instance), ()):
        tenant = _TenantView(tenant, doc.provider_region)  # the provider's region, known after apply
    try:
        resource = _instance(doc.file, module, rtype, name, instance, tenant)
    except _BadInstance as exc:
        doc.problems.append(Problem(doc.file, exc.address or entry.get("address") or where, exc.reason))
        return
    doc.inventory.resources.append(resource)


def _flexibleengine(provider_name: Any) -> bool:
    """`registry.terraform.io/flexibleenginecloud/flexibleengine`, or `flexibleengine` as 0.12 writes it."""
    if not isinstance(provider_name, str) or not provider_name.strip():
        return False
    name = provider_name.strip()
    return provider_is_flexibleengine(f'provider["{name}"]' if "/" in name else f"provider.{name}")


def _read_changes(changes: Any, doc: PlanDocument) -> None:
    if changes is None:
        return
    if not isinstance(changes, list):
        doc.problems.append(Problem(doc.file, "resource_changes", msg("not a list")))
        return
    for index, change in enumerate(changes):
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed":
            continue
        if not _flexibleengine(change.get("provider_name")) and not str(change.get("type")).startswith(TYPE_PREFIX):
            continue  # another provider's resource (the resources themselves are counted once, in planned_values)
        address = change.get("address")
        body = change.get("change")
        if not isinstance(address, str) or not isinstance(body, dict) or not isinstance(body.get("actions"), list):
            doc.problems.append(Problem(doc.file, f"resource_changes[{index}]", msg('needs an "address" and change.actions')))
            continue
        if change.get("deposed"):
            address = f"{address} (deposed {change['deposed']})"
        doc.actions[address] = tuple(str(a) for a in body["actions"])
        unknown = _unknown_keys(body.get("after_unknown"))
        if unknown:
            doc.unknown[address] = unknown


def _unknown_keys(after_unknown: Any) -> frozenset[str]:
    """Top-level attributes of which some part is known only after apply."""
    if not isinstance(after_unknown, dict):
        return frozenset()
    return frozenset(k for k, v in after_unknown.items() if _has_true(v))


def _has_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, dict):
        return any(_has_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_true(v) for v in value)
    return False


def read_into(rel: str, document: Any, tenant, inventory: Inventory, evidence: Evidence, read: FileRead) -> None:
    """`resources/*.json` in a bundle: the resources of `terraform show -json` of a state, into the tfstate reader's
    inventory. A saved plan is not what the tenant runs: a problem."""
    try:
        doc = read_document(document, tenant, rel)
    except TerraformJsonError as exc:
        evidence.problems.append(Problem(rel, None, exc.reason))
        return
    if doc.kind == "plan":
        evidence.problems.append(Problem(rel, None, msg("a saved plan (terraform show -json plan.bin), not the state: give it to "
                                                        "hds-audit gate --plan; put `terraform show -json` of the state here")))
        return
    evidence.problems += doc.problems
    inventory.resources += doc.inventory.resources
    inventory.by_type += doc.inventory.by_type
    inventory.other_providers += doc.inventory.other_providers
    read.records = len(doc.inventory.resources)
    inventory.files.append(rel)


# -- the region of a plan's provider configuration -------------------------------------------------
def _provider_region(document: dict) -> str | None:
    """The one region every Flexible Engine provider configuration names, else None."""
    configuration = document.get("configuration")
    providers = configuration.get("provider_config") if isinstance(configuration, dict) else None
    if not isinstance(providers, dict):
        return None
    variables = document.get("variables") if isinstance(document.get("variables"), dict) else {}
    regions = set()
    for config in providers.values():
        if not isinstance(config, dict) or not _flexibleengine(config.get("full_name") or config.get("name")):
            continue
        expression = (config.get("expressions") or {}).get("region") if isinstance(config.get("expressions"), dict) else None
        regions.add(_expression_value(expression, variables, config.get("module_address")))
    if len(regions) != 1:
        return None
    return regions.pop()


def _expression_value(expression: Any, variables: dict, module_address: Any) -> str | None:
    if not isinstance(expression, dict):
        return None
    if "constant_value" in expression:
        return _text(expression["constant_value"])
    references = expression.get("references")
    if module_address or not isinstance(references, list):
        return None  # a module's variables are not recorded in the plan
    names = {r[len("var."):] for r in references if isinstance(r, str) and r.startswith("var.")}
    if len(names) != 1 or len(references) > 2:  # ["var.region"], sometimes with its parent reference
        return None
    variable = variables.get(names.pop())
    return _text(variable.get("value")) if isinstance(variable, dict) else None


class _TenantView:
    """The tenant as the reader sees it, with the plan's provider region as the default region."""

    def __init__(self, tenant, default_region: str):
        self._tenant, self.default_region = tenant, default_region

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tenant, name)


def _address(module, rtype: str, name: str, instance: dict) -> str | None:
    try:
        address = instance_address(module, rtype, name, instance.get("index_key"))
    except ValueError:
        return None
    return f"{address} (deposed {instance['deposed']})" if instance.get("deposed") else address


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None
