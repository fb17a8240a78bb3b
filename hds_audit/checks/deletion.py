"""Deletion checks: data after the contract end (SD §4.4) and the tenant deletion request
(SD §7.7.6.1).

deletion.contract_end conventions (docs/user-guide.md, deletion.contract_end;
README.md "Conventions the checks apply"; decided here where they are silent):

* The deadline is `contract_end` + two calendar months, counted on the Paris wall clock from the
  instant `contract_end` names (a date alone is 00:00 Europe/Paris that day): 2026-03-31 gives
  2026-05-31T00:00+02:00. When the target month is shorter, the last day of that month is taken
  (2026-12-31 -> 2027-02-28T00:00+01:00). A proof at or before the deadline is in time.
* Data resources: servers, volumes, buckets and RDS instances of the Terraform state, every backup of the
  listings, and every server, volume, bucket or backup named by a successful create trace.
* A proof is a delete trace with `trace_rating` normal about the resource's id, dated after its
  last successful create trace (a resource created again is not deleted by an earlier delete),
  or a backup listed with status `deleted` (dated by its `updated_at`; without that date it
  proves deletion by the end of the period only, so it is an `error` once the deadline is passed). Traces that delete a part
  of a resource (deleteServerMetadata, deleteBucketPolicy, DeleteObjects...) begin with `delete`
  but do not delete it: a name that begins with `delete` (any case) proves the deletion unless it
  names a part of a resource (`_PARTS`: objects, metadata, tags, policies, snapshots...). The same
  holds for `create`. A failed delete (warning, incident) proves nothing.
* The state and the listings are read as they stand at the end of the period. Once the deadline
  lies before that end, a resource still listed there fails, whatever trace says it was deleted.
  Before the deadline, a resource without proof yet is `pending` and fails nothing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime

from hds_audit.calendar.instants import PARIS, iso
from hds_audit.calendar.working_days import add_working_days, working_days_between
from hds_audit.checks.common import MAX_REFS, trace_ref
from hds_audit.checks.details import ContractEndDetails, TenantRequestDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import Message, msg, nmsg, note_fields
from hds_audit.states import Status

CONTRACT_MONTHS = 2  # §4.4 "within a maximum period of two (2) months from the contractual end date"
TENANT_DELETION_WORKING_DAYS = 10  # §7.7.6.1 "Account deletion request ... 10 working days"

STATE_KINDS = {
    "flexibleengine_compute_instance_v2": "server",
    "flexibleengine_blockstorage_volume_v2": "volume",
    "flexibleengine_obs_bucket": "bucket",
    "flexibleengine_rds_instance_v3": "database",
}
KIND_WORDS = {"server": msg("server"), "volume": msg("volume"), "bucket": msg("bucket"), "database": msg("database"),
              "backup": msg("backup")}
# every verdict the two checks write into their details (English in results.json), as a proof reads it in its language;
# "no verdict" is the proof's own word for a row without one
VERDICT_WORDS = {m.template: m for m in (
    msg("deleted"), msg("deleted in time"), msg("deleted late"), msg("not deleted"), msg("pending"), msg("no proof"),
    msg("undated proof"), msg("still listed"), msg("no verdict"))}
# CTS resource_type -> kind of data resource
TRACE_KINDS = {
    "ecs": "server", "server": "server", "servers": "server", "cloudserver": "server", "instance": "server",
    "evs": "volume", "volume": "volume", "volumes": "volume", "disk": "volume",
    "bucket": "bucket",
    "backup": "backup", "backups": "backup", "checkpoint": "backup", "checkpoint_item": "backup", "checkpointitem": "backup",
}
# CTS service -> kind of data resource, when the trace's resource_type says nothing more
SERVICE_KINDS = {"ecs": "server", "evs": "volume", "obs": "bucket", "cbr": "backup", "csbs": "backup", "vbs": "backup", "rds": "database"}
# services whose resource_type words ("instance", "backup") mean something of their own: an RDS "instance" is a database
SERVICE_FIRST = {"rds"}
# names that begin with create/delete but act on a part of a resource, not on the resource itself
_PARTS = (
    "object|objects|metadata|servermetadata|tag|tags|.*tags?|.*policy|.*policies|.*lifecycle|.*cors|.*website|"
    ".*replication|.*encryption|.*acl|.*snapshots?|.*nics?|.*interface|.*members?|.*rules?|.*listener|.*image|"
    ".*keys?|.*keypair|.*quota|.*inventory|.*logging|.*notification|.*customdomain|.*multipartupload"
)

# what a trace name acts on after its create/delete verb, when it is a part of a resource: matched in Python, not by
# any engine's regular expressions
_PART = re.compile(f"(create|delete)({_PARTS})")


def add_months(instant: datetime, months: int) -> datetime:
    """`months` calendar months later on the Paris wall clock, clamped to the target month's end."""
    local = instant.astimezone(PARIS)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(tzinfo=None, year=year, month=month, day=day).replace(tzinfo=PARIS)


@dataclass
class _Data:
    id: str
    kind: str
    name: str | None = None
    refs: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_create: datetime | None = None
    listed: list[str] = field(default_factory=list)  # where it is still listed (not deleted)
    proofs: list[tuple[datetime | None, Message, str]] = field(default_factory=list)  # (when, what, ref)
    failed: list[str] = field(default_factory=list)  # refs of failed delete attempts
    of: str | None = None  # a backup's resource, as its listing names it

    def label(self) -> Message:
        """What the findings call it: its kind and name."""
        if self.of is not None and self.name == f"backup of {self.of}":
            return msg("backup backup of {name}", name=self.of)
        if self.name and self.name != self.id:
            return msg("{kind} {name}", kind=KIND_WORDS[self.kind], name=self.name)
        return KIND_WORDS[self.kind]

    def seen(self, instant: datetime | None) -> None:
        if instant is not None and (self.first_seen is None or instant < self.first_seen):
            self.first_seen = instant


def _collect(inp: CheckInput) -> dict[str, _Data]:
    data: dict[str, _Data] = {}

    def entry(rid: str, kind: str, name: str | None) -> _Data:
        item = data.setdefault(rid, _Data(rid, kind))
        item.name = item.name or name
        return item

    for resource in inp["resources"].resources:
        kind = STATE_KINDS.get(resource.type)
        if kind:
            name = resource.attributes.get("name") or resource.attributes.get("bucket") or resource.name
            item = entry(resource.id, kind, str(name))
            item.refs.append(resource.ref)
            item.listed.append(resource.ref)
    for backup in inp["backups"]:
        item = entry(backup.id, "backup", backup.resource_name and f"backup of {backup.resource_name}")
        if backup.resource_name and item.name == f"backup of {backup.resource_name}":
            item.of = backup.resource_name
        item.refs.append(backup.ref)
        item.seen(backup.created_at)
        if backup.deleted:
            item.proofs.append((backup.updated_at, msg("status deleted ({source} listing)", source=backup.source.upper()), backup.ref))
        else:
            item.listed.append(backup.ref)
    rows = [t for t in inp["traces"].lifecycle_traces() if not _PART.fullmatch(t.trace_name.lower())]
    for t in rows:
        kind = SERVICE_KINDS[t.service] if t.service in SERVICE_FIRST else TRACE_KINDS.get(t.resource_type) or SERVICE_KINDS.get(t.service)
        if t.action == "create" and t.rating == "normal" and kind:
            item = entry(t.resource_id, kind, t.resource_name)
            item.refs.append(trace_ref(t.file, t.trace_id, t.record))
            item.seen(t.time)
            item.last_create = t.time
    for t in rows:
        item = data.get(t.resource_id)
        if t.action != "delete" or item is None:
            continue
        ref = trace_ref(t.file, t.trace_id, t.record)
        if t.rating != "normal":
            item.failed.append(ref)
        elif item.last_create is None or t.time >= item.last_create:
            item.proofs.append((t.time, msg("trace {trace} ({name})", trace=t.trace_id or ref, name=str(t.trace_name)), ref))
    return data


@check("deletion.contract_end", "Data is deleted within two months of the contract end (§4.4)", optional=("resources", "traces", "backups"),
       applies=lambda tenant: None if tenant.contract_end else msg("no contract_end in tenant.yaml"),
       category="activity", severity="high", details=ContractEndDetails)
def contract_end(inp: CheckInput) -> Outcome:
    end_of_contract = inp.tenant.contract_end
    if end_of_contract is None:
        return Outcome(not_applicable=msg("no contract_end in tenant.yaml"))
    # optional for the engine only so that a tenant without contract end is not_applicable;
    # with one, all three are needed to prove deletion
    missing = [k for k in ("resources", "traces", "backups") if inp[k] is None]
    if missing:
        return Outcome([Finding(k, msg("evidence absent: {kind} is needed to prove deletion after the contract end", kind=k),
                                status=Status.ERROR) for k in missing])
    deadline = add_months(end_of_contract, CONTRACT_MONTHS)
    due = deadline < inp.period.end
    findings, timeline = [], []
    for item in sorted(_collect(inp).values(), key=lambda d: (d.kind, d.first_seen or deadline, d.id)):
        dated = sorted((p for p in item.proofs if p[0] is not None), key=lambda p: p[0])
        proof = dated[0] if dated else (item.proofs[0] if item.proofs else None)
        refs = tuple(dict.fromkeys(item.refs[:MAX_REFS] + ([proof[2]] if proof else [])))
        label = item.label()
        if item.listed and due:
            verdict = "still listed"
            message = (msg("{label} still listed after the deletion deadline {deadline} although {proof} on {at}", label=label,
                           deadline=deadline, proof=proof[1], at=proof[0]) if proof else
                       msg("{label} still listed after the deletion deadline {deadline}", label=label, deadline=deadline))
            findings.append(Finding(item.id, message, tuple(dict.fromkeys(item.listed[:MAX_REFS] + list(refs)))))
        elif proof is not None and proof[0] is None and not due:
            verdict = "deleted"  # the listing, as of the end of the period, already says deleted
        elif proof is not None and proof[0] is None:
            verdict = "undated proof"
            findings.append(Finding(item.id, msg("{label}: {proof} without a date (no updated_at): cannot tell it was deleted by {deadline}",
                                                 label=label, proof=proof[1], deadline=deadline), refs, Status.ERROR))
        elif proof is not None and proof[0] > deadline:
            verdict = "deleted late"
            findings.append(Finding(item.id, msg("{label} deleted {at} ({proof}), after the deadline {deadline}", label=label,
                                                 at=proof[0], proof=proof[1], deadline=deadline), refs))
        elif proof is not None and not item.listed:
            verdict = "deleted"
        elif due:
            verdict = "no proof"
            attempts = (nmsg("; {n} failed delete attempt(s)", "; {n} failed delete attempt(s)", n=len(item.failed))
                        if item.failed else "")
            findings.append(Finding(item.id, msg("{label}: no deletion proof by the deadline {deadline}{attempts}", label=label,
                                                 deadline=deadline, attempts=attempts),
                                    tuple(dict.fromkeys(list(refs) + item.failed[:MAX_REFS]))))
        else:
            verdict = "pending"
        timeline.append({
            "resource_id": item.id, "kind": item.kind, "name": item.name, "first_seen": iso(item.first_seen),
            "known_from": item.refs, "proof": str(proof[1]) if proof else None, "proof_ref": proof[2] if proof else None,
            "proof_at": iso(proof[0]) if proof else None, "failed_attempts": item.failed,
            "still_listed": item.listed, "deadline": iso(deadline), "verdict": verdict,
        } | ({"proof_template": proof[1].to_json()} if proof and isinstance(proof[1], Message) else {}))
    details = {
        "contract_end": iso(end_of_contract), "deadline": iso(deadline),
        "deadline_rule": str(DEADLINE_RULE),
        "deadline_passed": due, "timeline": timeline,
    }
    if not due:
        details |= note_fields(msg("the deletion deadline {deadline} lies after the end of the period: resources without proof are "
                                   "pending", deadline=deadline))
    return Outcome(findings, details=details)


# the rules as results.json states them (in English; the proof shows their translation, the text being the gettext id)
DEADLINE_RULE = msg("contract_end (00:00 Europe/Paris for a date) + 2 calendar months; a proof at or before the deadline is in time")
TENANT_DELETION_RULE = msg("day 0 is the request's day; the limit ends at 24:00 Europe/Paris of the 10th French working day after it")


@check("deletion.tenant_request", "The tenant is deleted within 10 working days of the request (§7.7.6.1)",
       applies=lambda tenant: None if tenant.tenant_deletion_requested_at else msg("no tenant_deletion_requested_at in tenant.yaml"),
       category="document", severity="medium", details=TenantRequestDetails)
def tenant_request(inp: CheckInput) -> Outcome:
    tenant = inp.tenant
    requested = tenant.tenant_deletion_requested_at
    if requested is None:
        return Outcome(not_applicable=msg("no tenant_deletion_requested_at in tenant.yaml"))
    deadline = add_working_days(requested, TENANT_DELETION_WORKING_DAYS)
    deleted = tenant.tenant_deleted_at
    details = {
        "requested_at": iso(requested), "deadline": iso(deadline), "deleted_at": iso(deleted),
        "working_days_allowed": TENANT_DELETION_WORKING_DAYS,
        "rule": str(TENANT_DELETION_RULE),
    }
    ref = ("tenant.yaml",)
    if deleted is not None:
        if deleted < requested:
            return Outcome([Finding(tenant.tenant_id, msg("tenant_deleted_at {deleted} is before the request {requested}", deleted=deleted,
                                                         requested=requested), ref, Status.ERROR)], details=details)
        taken = working_days_between(requested, deleted)
        details["working_days_taken"] = taken
        if deleted <= deadline:
            details["verdict"] = "deleted in time"
            return Outcome(details=details)
        details["verdict"] = "deleted late"
        return Outcome([Finding(tenant.tenant_id, msg("tenant deleted {deleted}, {taken} working days after the request of {requested}; "
                                                     "due by {deadline}", deleted=deleted, taken=taken, requested=requested,
                                                     deadline=deadline), ref)], details=details)
    if deadline < inp.period.end:
        details["verdict"] = "not deleted"
        return Outcome([Finding(tenant.tenant_id, msg("tenant deletion requested {requested} and not done; it was due by {deadline}",
                                                     requested=requested, deadline=deadline), ref)], details=details)
    details["verdict"] = "pending"
    details |= note_fields(msg("deletion requested {requested}, not yet due (deadline {deadline}, after the end of the period)",
                               requested=requested, deadline=deadline))
    return Outcome(details=details)
