"""`backups/*.json`: backup listings as the backup APIs return them, in one normalized list.

Three shapes are read (field names as the APIs write them):

* CBR `GET /v3/{project_id}/backups` -> `{"backups": [...]}`: `id`, `resource_id`, `resource_type`
  (`OS::Nova::Server`, `OS::Cinder::Volume`), `resource_name`, `resource_az`, `status` (available,
  protecting, deleting, restoring, error, waiting_*), `created_at`, `updated_at`, `expired_at`,
  `extend_info.encrypted`, `replication_records[].destination_region`;
* CSBS `GET /v1/{project_id}/checkpoint_items` -> `{"checkpoint_items": [...]}`: `id`,
  `resource_id`, `resource_type`, `status` (... available, error, deleting, deleted), `created_at`,
  `updated_at`, `extend_info.{resource_name, resource_type, resource_az, encrypted}`,
  `backup_data.__openstack_region_name`;
* VBS `GET /v2/{project_id}/backups/detail` -> `{"backups": [...]}` whose records carry
  `volume_id` (that is what tells them from CBR records): `id`, `volume_id`, `status`,
  `created_at`, `updated_at`, `availability_zone` (null for some). VBS records state no encryption.

A single answer (`GET .../backups/{id}` -> `{"backup": {...}}`, CSBS `{"checkpoint_item": {...}}`)
is a listing of one. Where a listing states no encryption, backup.encrypted derives it from the volumes
(hds_audit/checks/backup_encryption.py).

Times without an offset are UTC (API listings). The region of a backup is its `region` field when
the export adds one, else the CSBS `backup_data.__openstack_region_name`, else the region of its
availability zone: Flexible Engine names zones after their region plus one letter (`eu-west-0a`
is in `eu-west-0`). Otherwise it is None, and the residency checks say `error`, never `pass`.

A record that breaks this shape is a problem (file, record index, reason); the others are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem, reason_of, shown
from hds_audit.evidence.records import load_json
from hds_audit.calendar.instants import TimeParseError, parse_api_instant
from hds_audit.i18n.messages import msg

NAME = "backups"
DESCRIPTION = "backups/*.json: CBR, CSBS and VBS backup listings"
PATTERN = "backups/*.json"

SERVER_TYPE = "OS::Nova::Server"
VOLUME_TYPE = "OS::Cinder::Volume"
_ZONE = re.compile(r"^(?P<region>[a-z]{2}-[a-z]+-\d+)[a-z]$")

Source = Literal["cbr", "csbs", "vbs"]


@dataclass(frozen=True)
class Backup:
    id: str
    resource_id: str
    resource_type: str | None
    status: str  # lower-case, as the API words it
    created_at: datetime
    expired_at: datetime | None
    region: str | None
    destination_regions: list[str] = field(hash=False)
    encrypted: bool | None  # None: the listing does not say
    source: Source
    file: str
    record: int  # index in its listing
    ref: str  # backups/cbr.json#backups[3] id=...
    resource_name: str | None = None
    updated_at: datetime | None = None  # for a `deleted` backup: when it was deleted

    @property
    def available(self) -> bool:
        return self.status == "available"

    @property
    def deleted(self) -> bool:
        return self.status == "deleted"


class _Bad(Exception):
    """A record that breaks its listing's shape (the message is the reason)."""


def load(bundle: Bundle, tenant=None) -> Evidence[list[Backup]]:
    evidence: Evidence[list[Backup]] = Evidence(NAME)
    files = bundle.glob(PATTERN)
    if not files:
        evidence.absent_because(msg("no backup listing in the bundle ({pattern})", pattern=PATTERN))
        return evidence
    backups: list[Backup] = []
    seen: dict[tuple[str, str], str] = {}
    for rel in files:
        document, problem = load_json(bundle, rel)
        if problem:
            evidence.problems.append(problem)
            continue
        read = bundle.record(rel)
        evidence.files.append(read)
        key, items = _listing(document)
        if items is None:
            evidence.problems.append(Problem(rel, None, msg("expected {shapes} (CBR, VBS), {csbs} (CSBS), or one {one} / {item}",
                                                            shapes='{"backups": [...]}', csbs='{"checkpoint_items": [...]}',
                                                            one='{"backup": {...}}', item='{"checkpoint_item": {...}}')))
            continue
        read.records = len(items)
        for index, item in enumerate(items):
            where = f"{key}[{index}]"
            try:
                backup = _backup(rel, key, index, item)
            except _Bad as exc:
                name = item.get("id") if isinstance(item, dict) else None
                evidence.problems.append(Problem(rel, where + (f" id={name}" if isinstance(name, str) else ""), reason_of(exc)))
                continue
            # the same backup listed twice (overlapping exports) would be counted twice
            first = seen.get((backup.source, backup.id))
            if first:
                evidence.problems.append(Problem(rel, f"{where} id={backup.id}", msg("already listed at {first}", first=first)))
                continue
            seen[(backup.source, backup.id)] = backup.ref
            backups.append(backup)
    if evidence.files:
        evidence.data = backups
    return evidence


def _listing(document: Any) -> tuple[str, list | None]:
    """The records of a listing, under its key; a single answer (CBR/VBS ShowBackup `{"backup": {...}}`, CSBS
    `{"checkpoint_item": {...}}`) is a listing of one."""
    if isinstance(document, dict):
        for key in ("backups", "checkpoint_items"):
            if isinstance(document.get(key), list):
                return key, document[key]
        for key in ("backup", "checkpoint_item"):
            if isinstance(document.get(key), dict):
                return key, [document[key]]
    return "", None


def _backup(rel: str, key: str, index: int, item: Any) -> Backup:
    if not isinstance(item, dict):
        raise _Bad(msg("a backup must be a JSON object"))
    backup_id = _required_text(item, "id")
    extend = item.get("extend_info")
    if extend is None:
        extend = {}
    if not isinstance(extend, dict):
        raise _Bad(msg("'extend_info' is not an object"))
    if key.startswith("checkpoint_item"):
        source: Source = "csbs"
        resource_id = _required_text(item, "resource_id")
        resource_type = _text(item.get("resource_type")) or _text(extend.get("resource_type"))
        resource_name = _text(extend.get("resource_name")) or _text(item.get("resource_name"))
        zone = _text(extend.get("resource_az")) or _text(item.get("resource_az"))
        data = item.get("backup_data")
        named_region = _text(data.get("__openstack_region_name")) if isinstance(data, dict) else None
    elif "volume_id" in item:
        source = "vbs"
        resource_id = _required_text(item, "volume_id")
        resource_type = VOLUME_TYPE
        resource_name = None
        zone = _text(item.get("availability_zone"))
        named_region = None
    else:
        source = "cbr"
        resource_id = _required_text(item, "resource_id")
        resource_type = _text(item.get("resource_type"))
        resource_name = _text(item.get("resource_name"))
        zone = _text(item.get("resource_az"))
        named_region = None
    status = _required_text(item, "status").lower()
    return Backup(
        id=backup_id,
        resource_id=resource_id,
        resource_type=resource_type,
        status=status,
        created_at=_instant(item, "created_at", required=True),
        expired_at=_instant(item, "expired_at"),
        region=_text(item.get("region")) or named_region or _zone_region(zone),
        destination_regions=_destinations(item.get("replication_records")),
        encrypted=_flag(extend.get("encrypted"), "extend_info.encrypted"),
        source=source,
        file=rel,
        record=index,
        ref=f"{rel}#{key}[{index}] id={backup_id}",
        resource_name=resource_name,
        updated_at=_instant(item, "updated_at"),
    )


def _required_text(item: dict, name: str) -> str:
    value = _text(item.get(name))
    if value is None:
        raise _Bad(msg("'{name}' is missing or empty", name=name))
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def _instant(item: dict, name: str, required: bool = False) -> datetime | None:
    value = item.get(name)
    if value in (None, ""):
        if required:
            raise _Bad(msg("'{name}' is missing", name=name))
        return None
    if not isinstance(value, str):
        raise _Bad(msg("'{name}' is not a date-time text: {value}", name=name, value=shown(value)))
    try:
        return parse_api_instant(value)
    except TimeParseError as exc:
        raise _Bad(msg("'{name}': {reason}", name=name, reason=reason_of(exc))) from None


def _flag(value: Any, name: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"  # some exports write booleans as text
    raise _Bad(msg("'{name}' is neither true nor false: {value}", name=name, value=shown(value)))


def _destinations(records: Any) -> list[str]:
    if records in (None, ""):
        return []
    if not isinstance(records, list):
        raise _Bad(msg("'replication_records' is not a list"))
    regions = []
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            raise _Bad(msg("replication_records[{position}] is not an object", position=str(position)))
        region = _text(record.get("destination_region"))
        if region is None:
            raise _Bad(msg("replication_records[{position}] has no destination_region", position=str(position)))
        regions.append(region)
    return regions


def _zone_region(zone: str | None) -> str | None:
    match = _ZONE.match(zone) if zone else None
    return match["region"] if match else None
