"""Residency checks: health data stays in the allowed EU regions (§3.2, §6.11.1;
docs/user-guide.md "Residency").

* `residency.regions_allowed`: every region of `allowed_regions` is known (the built-in table of
  controls/regions.yaml, or `declared_regions` of tenant.yaml) and lies in the European Union. An
  unknown region is a `fail`, not an `error`: the tenant must declare a region it allows, so an
  undeclared one is a fault of tenant.yaml, not missing evidence.
* `residency.resources`: every Terraform resource of the state (in scope or not: data can move
  between resources) and every backup lies in an allowed region. A resource or backup whose region
  is unknown is an `error`, never a `pass` (IAM resources included, as the contract says: a state
  that records no region for them needs `default_region`). The placements table in `details` is
  the customer's residency proof.
* `residency.replication`: every OBS bucket replication, CBR replication policy, RDS cross-region
  backup strategy and backup copy targets an allowed region; a replication policy (`type:
  replication`) or a cross-region strategy naming no destination region is an `error`.

Both need backup evidence: without a readable `backups/*.json` listing they are `error` (the Terraform
resources are still placed and judged). An empty listing is evidence that there is no backup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from hds_audit.checks.details import PlacementsDetails, RegionsAllowedDetails, ReplicationsDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.evidence.resources import BUCKET, DATABASE, DATABASE_BACKUP_COPY, Inventory, Resource
from hds_audit.i18n.messages import Country, Message, msg, note_fields, semicolons
from hds_audit.provider.regions import conflicting_declarations, known_regions, norm, region_info
from hds_audit.states import Status

TENANT_FILE = "tenant.yaml"
REPLICATION = "flexibleengine_obs_bucket_replication"
CBR_POLICY = "flexibleengine_cbr_policy"


def _allowed(inp: CheckInput) -> set[str]:
    return {r for r in (norm(x) for x in inp.tenant.allowed_regions) if r}


def _where(region: str | None, tenant) -> str | Message:
    info = region_info(region, tenant)
    if info:  # as RegionInfo.describe() writes it, the country by its name in French
        if info.city:
            return msg("{region} ({city}, {country})", region=info.region, city=info.city, country=Country(info.country))
        return msg("{region} ({country})", region=info.region, country=Country(info.country))
    return msg("{region} (country unknown)", region=str(region))


def _allowed_text(inp: CheckInput) -> str:
    return ", ".join(inp.tenant.allowed_regions)


def _placement(obj: str, kind: str, region: str | None, inp: CheckInput, allowed: set[str], **extra) -> dict[str, Any]:
    info = region_info(region, inp.tenant)
    return {
        "object": obj, "kind": kind, "region": region,
        "country": info.country if info else None,
        "allowed": region is not None and norm(region) in allowed,
        **extra,
    }


# -- regions_allowed ---------------------------------------------------------------------------
@check("residency.regions_allowed", "Allowed regions are known EU regions", needs=(),
       category="configuration", severity="high", details=RegionsAllowedDetails)
def regions_allowed(inp: CheckInput) -> Outcome:
    tenant = inp.tenant
    ref = (f"{TENANT_FILE}#allowed_regions",)
    findings, rows = [], []
    for region in tenant.allowed_regions:
        info = region_info(region, tenant)
        rows.append({
            "region": region, "city": info.city if info else None, "country": info.country if info else None,
            "eu": bool(info and info.eu), "source": info.source if info else None, "note": info.note if info else None,
        })
        if info is None:
            known = ", ".join(sorted(known_regions()))
            message = msg("unknown region: neither in the built-in table ({known}) nor declared with its country in {file} "
                          "declared_regions", known=known, file=TENANT_FILE)
            findings.append(Finding(region, message, ref))
        elif not info.eu:
            declared = info.source == "declared"
            source = msg("declared in {file}", file=TENANT_FILE) if declared else msg("built-in table")
            refs = ref + ((f"{TENANT_FILE}#declared_regions",) if declared else ())
            findings.append(Finding(region, msg("lies in {country} ({source}), outside the European Union (§6.11.1)",
                                                country=Country(info.country) if info.country else msg("no country"), source=source), refs))
    details: dict[str, Any] = {"regions": rows}
    conflicts = conflicting_declarations(tenant)
    if conflicts:
        details |= note_fields(semicolons([msg("{file} declares {region} in {declared}, the built-in table places it in {table} (the "
                                                "table is used)", file=TENANT_FILE, region=r, declared=Country(c), table=Country(t))
                                            for r, c, t in conflicts]))
    return Outcome(findings, details=details)


# -- resources ---------------------------------------------------------------------------------
def _backups(inp: CheckInput) -> list:
    return list(inp.evidence.get("backups") or [])


def _backup_region(backup, inventory: Inventory) -> tuple[str | None, Message | None]:
    """A backup's region, else the region of the resource it protects (a backup stays in its resource's region);
    a volume that is a server's disk lies in the server's region."""
    region = getattr(backup, "region", None)
    if region:
        return region, None
    owner, how = inventory.owner_of(str(getattr(backup, "resource_id", None) or ""))
    if owner is not None and owner.region:
        return owner.region, msg("region of its volume, {how}", how=how) if how else msg("region of its resource {resource}",
                                                                                           resource=owner.id)
    return None, None


def _no_backup_evidence(inp: CheckInput, consequence: Message) -> list[Finding]:
    """Backups are optional to the engine so that resources are still judged; their absence is an `error` all the same
    (the contract's checks cover every backup: no listing read proves nothing about them). An empty listing is evidence."""
    if inp.evidence.get("backups") is not None:
        return []
    return [Finding("backups", msg("backup evidence is absent (no readable backups/*.json listing): {consequence}, so their "
                                   "residency is not shown", consequence=consequence), status=Status.ERROR)]


def _backup_ref(backup) -> tuple[str, ...]:
    ref = getattr(backup, "ref", None)
    return (ref,) if ref else ()


def _resource_findings(r: Resource, inp: CheckInput, allowed: set[str]) -> list[Finding]:
    if r.region is None:
        return [Finding(r.id, msg("{type} {address}: region unknown: the state records no region and {file} sets no default_region",
                                  type=r.type, address=r.address, file=TENANT_FILE), (r.ref,), Status.ERROR)]
    if norm(r.region) not in allowed:
        where = _where(r.region, inp.tenant)
        return [Finding(r.id, msg("{type} {address} lies in {where}, not an allowed region ({allowed})", type=r.type,
                                  address=r.address, where=where, allowed=_allowed_text(inp)), (r.ref,))]
    return []


def _named(r: Resource) -> str:
    """A resource as a person knows it: its name, then its id."""
    name = r.attributes.get("name")
    return f"{name} ({r.id})" if isinstance(name, str) and name and name != r.id else r.id


def _backup_placement(b, inventory: Inventory, inp: CheckInput, allowed: set[str]) -> tuple[dict, list[Finding]]:
    bid = str(getattr(b, "id", "") or "?")
    region, inferred = _backup_region(b, inventory)
    source = getattr(b, "source", None)
    resource_id = getattr(b, "resource_id", None)
    extra = {"region_from": str(inferred)} if inferred else {}
    owner = inventory.owner_of(str(resource_id or ""))[0]
    name = getattr(b, "resource_name", None) or (owner.attributes.get("name") if owner else None)
    row = _placement(bid, "backup", region, inp, allowed, source=source, resource_id=resource_id, ref=getattr(b, "ref", None),
                     resource_name=name if isinstance(name, str) else None, created_at=getattr(b, "created_at", None), **extra)
    whose = _named(owner) if owner else resource_id or "?"
    label = (msg("{source} backup of {resource}", source=source.upper(), resource=whose) if source
             else msg("backup of {resource}", resource=whose))
    cause = str(resource_id) if resource_id else None  # one server behind all its backups: one root cause
    if region is None:
        why = msg("its resource has no known region") if owner is not None else msg("its resource is not in the Terraform state")
        return row, [Finding(bid, msg("{label}: region unknown: the listing records none and {why}", label=label, why=why),
                             _backup_ref(b), Status.ERROR, cause=cause)]
    if norm(region) not in allowed:
        how = msg(" ({how})", how=inferred) if inferred else ""
        where = _where(region, inp.tenant)
        return row, [Finding(bid, msg("{label} lies in {where}{how}, not an allowed region ({allowed})", label=label, where=where,
                                      how=how, allowed=_allowed_text(inp)), _backup_ref(b), cause=cause)]
    return row, []


@check("residency.resources", "Resources and backups lie in allowed regions", needs=("resources",), optional=("backups",),
       category="configuration", severity="high", details=PlacementsDetails)
def resources(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    allowed = _allowed(inp)
    findings: list[Finding] = []
    placements: list[dict[str, Any]] = []
    for r in sorted(inventory.resources, key=lambda r: (r.id, r.address)):
        name = r.attributes.get("name") or r.attributes.get("bucket")
        extra = {"name": str(name)} if isinstance(name, str) and name != r.id else {}
        placements.append(_placement(r.id, r.type, r.region, inp, allowed, address=r.address, in_scope=r.in_scope, ref=r.ref, **extra))
        findings += _resource_findings(r, inp, allowed)
    for b in sorted(_backups(inp), key=lambda b: str(getattr(b, "id", ""))):
        row, faults = _backup_placement(b, inventory, inp, allowed)
        placements.append(row)
        findings += faults
    findings += _no_backup_evidence(inp, msg("backups are not placed"))
    details: dict[str, Any] = {"placements": placements}
    notes = []
    if not inventory.resources:
        notes.append(msg("the Terraform state was read ({files}) and holds no Flexible Engine resource", files=", ".join(inventory.files)))
    if inventory.note_message():
        notes.append(inventory.note_message())
    if notes:
        details |= note_fields(semicolons(notes))
    return Outcome(findings, details=details)


# -- replication -------------------------------------------------------------------------------
def _buckets(inventory: Inventory) -> dict[str, Resource]:
    return {str(b.attributes.get("bucket") or b.id): b for b in inventory.of_type(BUCKET)}


def _replication_target(r: Resource, buckets: dict[str, Resource]) -> tuple[str | None, str | Message]:
    """The destination region of a bucket replication and how it was found."""
    declared = r.attributes.get("destination_region")
    if isinstance(declared, str) and declared.strip():
        return declared.strip(), "destination_region"
    target = str(r.attributes.get("destination_bucket") or "").strip()
    if not target:
        return None, msg("the replication names no destination_bucket")
    bucket = buckets.get(target)
    if bucket is None:
        return None, msg("destination bucket {bucket} is not in the Terraform state", bucket=target)
    if bucket.region is None:
        return None, msg("destination bucket {bucket} has no known region", bucket=target)
    return bucket.region, msg("region of destination bucket {bucket}", bucket=target)


def _target_finding(obj: str, what: Message, region: str | None, how: str | Message, ref: tuple[str, ...], inp: CheckInput, allowed: set[str]) -> Finding | None:
    if region is None:
        return Finding(obj, msg("{what}: destination region unknown ({how})", what=what, how=how), ref, Status.ERROR)
    if norm(region) not in allowed:
        return Finding(obj, msg("{what} targets {where}, not an allowed region ({allowed})", what=what, where=_where(region, inp.tenant),
                               allowed=_allowed_text(inp)), ref)
    return None


@check("residency.replication", "Replications and backup copies target allowed regions", needs=("resources",), optional=("backups",),
       category="configuration", severity="high", details=ReplicationsDetails)
def replication(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    allowed = _allowed(inp)
    buckets = _buckets(inventory)
    findings: list[Finding] = []
    rows: list[dict[str, Any]] = []

    def add(obj: str, kind: str, source: str | None, target: str | None, how: str | Message, what: Message, ref: Iterable[str],
            cause: str | None = None) -> None:
        refs = tuple(x for x in ref if x)
        rows.append({**_placement(obj, kind, target, inp, allowed), "source_region": source, "found_by": str(how), "about": str(what),
                     "about_template": what.to_json(),  # additive: the proof says it in its language
                     "ref": refs[0] if refs else None})
        finding = _target_finding(obj, what, target, how, refs, inp, allowed)
        if finding:
            findings.append(replace(finding, cause=cause) if cause else finding)

    for r in sorted(inventory.of_type(REPLICATION), key=lambda r: r.address):
        target, how = _replication_target(r, buckets)
        source = r.attributes.get("bucket") or r.id
        dest = r.attributes.get("destination_bucket") or "?"
        add(r.id, r.type, r.region, target, how, msg("replication of bucket {source} to bucket {target} ({address})", source=str(source),
                                                       target=str(dest), address=r.address), (r.ref,))
    for r in sorted(inventory.of_type(CBR_POLICY), key=lambda r: r.address):
        target = _text(r.attributes.get("destination_region"))
        replicates = (_text(r.attributes.get("type")) or "").lower() == "replication"
        if target or replicates:  # a backup policy without a destination copies nothing
            what = msg("CBR replication policy {name} ({address})", name=_text(r.attributes.get("name")) or r.name, address=r.address)
            add(r.id, r.type, r.region, target, "destination_region" if target else msg("the policy names no destination_region"),
                what, (r.ref,))
    databases = {r.id: r for r in inventory.of_type(DATABASE)}
    for r in sorted(inventory.of_type(DATABASE_BACKUP_COPY), key=lambda r: r.address):
        # RDS copies the instance's backups to destination_region (flexibleengine_rds_cross_region_backup_strategy)
        instance = databases.get(_text(r.attributes.get("instance_id")) or "")
        name = (_text(instance.attributes.get("name")) or instance.id) if instance else _text(r.attributes.get("instance_id")) or "?"
        target = _text(r.attributes.get("destination_region"))
        what = msg("cross-region backup strategy of RDS instance {name} ({address})", name=name, address=r.address)
        add(r.id, r.type, instance.region if instance else r.region, target,
            "destination_region" if target else msg("the strategy names no destination_region"), what, (r.ref,) + ((instance.ref,) if instance else ()))
    for b in sorted(_backups(inp), key=lambda b: str(getattr(b, "id", ""))):
        for target in getattr(b, "destination_regions", None) or []:
            bid = str(getattr(b, "id", "") or "?")
            owner = getattr(b, "resource_id", None)
            add(bid, "backup", getattr(b, "region", None), target, "replication_records", msg("copy of the backup of {resource}", resource=str(owner or "?")),
                _backup_ref(b), cause=str(owner) if owner else None)  # copies of one resource's backups: one cause
    findings += _no_backup_evidence(inp, msg("backup copies are not checked"))
    details: dict[str, Any] = {"replications": rows}
    if not rows:
        none = msg("the Terraform state was read and holds no bucket replication, CBR replication policy nor RDS cross-region "
                   "backup strategy")
        details |= note_fields(none if inp.evidence.get("backups") is None else
                               semicolons([none, msg("no backup is copied to another region")]))
    return Outcome(findings, details=details)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
