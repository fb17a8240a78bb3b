"""Backup checks (matrix: Backup security, Continuity of service; SD §8.2 backups are the
customer's duty, §6.2.4 VBS quotas).

A backup belongs to the resource whose id is its `resource_id` (`volume_id` for VBS; a volume that is a
server's disk and no volume of the state belongs to the server): a server's
whole-server backup therefore covers the server, not its volumes (docs/user-guide.md, backup.coverage:
every in-scope server and every in-scope volume needs its own backups). A backup
whose resource is not in the state (an orphan) has no known scope: encrypted it is fine, otherwise
`backup.encrypted` says `error`. No in-scope resource at all makes coverage and encryption `error`.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from hds_audit.calendar.instants import iso
from hds_audit.calendar.period import shift_days
from hds_audit.checks.backup_encryption import backup_encryption
from hds_audit.checks.common import MAX_REFS, row_ref
from hds_audit.checks.configuration import no_in_scope_resource
from hds_audit.checks.details import CoverageDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome, policy_params
from hds_audit.checks.registry import check
from hds_audit.evidence.resources import server_volumes
from hds_audit.i18n.messages import Message, msg, nmsg
from hds_audit.states import Status

SERVER = "flexibleengine_compute_instance_v2"
VOLUME = "flexibleengine_blockstorage_volume_v2"
DATABASE = "flexibleengine_rds_instance_v3"
VBS_TENANT_LIMIT = 360  # §6.2.4 "Maximum 360 backup sets for each Tenant"
VBS_VOLUME_LIMIT = 20  # §6.2.4 "Each EVS disk of a Tenant supports up to 20 backup sets"


def display_name(resource) -> str:
    """The cloud name of a Terraform resource when it has one, else its Terraform name."""
    name = resource.attributes.get("name") if isinstance(resource.attributes, dict) else None
    return str(name) if name else resource.name


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def hours_text(delta: timedelta, limit: timedelta | None = None) -> str:
    """Hours as a figure. Beside a `limit`: two decimals, more when needed so that an overrun never reads as the limit
    (24 h + 1 s is 24.0003, not 24); alone (a limit as set): up to ten decimals."""
    hours = delta.total_seconds() / 3600
    digits = 10
    if limit is not None:
        bound = limit.total_seconds() / 3600
        digits = next((d for d in range(2, 10) if f"{hours:.{d}f}" != f"{bound:.{d}f}"), 10)
    return f"{hours:.{digits}f}".rstrip("0").rstrip(".")


@check("backup.coverage", "In-scope servers and volumes are backed up within the RPO, databases by an automated policy",
       needs=("resources", "backups"),
       category="tabular", severity="high", params=policy_params("backup_rpo_hours"), details=CoverageDetails)
def coverage(inp: CheckInput) -> Outcome:
    rpo = timedelta(hours=float(inp.params["backup_rpo_hours"]))
    start, end = inp.period.start, inp.period.end
    by_resource: dict[str, list] = {}
    for backup in inp["backups"]:
        by_resource.setdefault(backup.resource_id, []).append(backup)
    # a whole-server backup (CBR server backup, CSBS) copies every disk of the server: it backs up its volumes too
    servers_of: dict[str, list[str]] = {}
    for server in inp["resources"].of_type(SERVER):
        for volume_id in server_volumes(server.attributes):
            servers_of.setdefault(volume_id, []).append(server.id)
    findings, rows = [], []
    resources = [r for r in inp["resources"].of_type(SERVER, VOLUME) if r.in_scope]
    for resource in sorted(resources, key=lambda r: (r.type, r.id)):
        own = by_resource.get(resource.id, [])
        through = [b for s in servers_of.get(resource.id, []) if resource.type == VOLUME for b in by_resource.get(s, [])]
        backups = [b for b in {id(b): b for b in own + through}.values() if b.created_at < end]
        good = sorted((b for b in backups if b.available), key=lambda b: b.created_at)
        others = Counter(b.status for b in backups if not b.available and b.created_at >= start)
        # the last successful backup before the period opens the first interval; without one,
        # the period start does (nothing says the data was protected before)
        before = [b for b in good if b.created_at < start]
        inside = [b for b in good if b.created_at >= start]
        points: list[tuple[datetime, object]] = [(before[-1].created_at, before[-1]) if before else (start, None)]
        points += [(b.created_at, b) for b in inside] + [(end, None)]
        gap, (low, low_b), (high, high_b) = max(
            ((b[0] - a[0], a, b) for a, b in zip(points, points[1:])), key=lambda g: g[0]
        )
        name = display_name(resource)
        rows.append({
            "resource_id": resource.id, "name": name, "type": resource.type, "backups": len(inside),
            **({"through_servers": sorted(set(servers_of[resource.id]))} if through else {}),
            "longest_interval_hours": _hours(gap), "longest_from": iso(low), "longest_to": iso(high),
            "unsuccessful": dict(sorted(others.items())),
        })
        if gap <= rpo:
            continue
        refs = (resource.ref,) + tuple(b.ref for b in (low_b, high_b) if b is not None)
        failed = msg("; {counts} backup(s) in the period did not succeed",
                     counts=tuple(msg("{n} {status}", n=n, status=s) for s, n in sorted(others.items()))) if others else ""
        if not inside and not before:
            message = msg("{name}: no successful backup in the period{failed}", name=name, failed=failed)
        else:
            message = nmsg("{name}: {hours} hours without a successful backup, from {low} to {high}, over the RPO of {rpo} "
                           "hours ({n} successful backup(s) in the period{failed})",
                           "{name}: {hours} hours without a successful backup, from {low} to {high}, over the RPO of {rpo} "
                           "hours ({n} successful backup(s) in the period{failed})",
                           n=len(inside), name=name, hours=Decimal(hours_text(gap, rpo)), low=low, high=high,
                           rpo=Decimal(hours_text(rpo)), failed=failed)
        findings.append(Finding(resource.id, message, refs))
    databases = sorted((r for r in inp["resources"].of_type(DATABASE) if r.in_scope), key=lambda r: r.id)
    for resource in databases:
        status, message, keep = database_backup_policy(resource.attributes)
        rows.append({"resource_id": resource.id, "name": display_name(resource), "type": resource.type, "keep_days": keep})
        if status is not None:
            findings.append(Finding(resource.id, msg("RDS instance {name}: {problem}", name=display_name(resource), problem=message),
                                    (resource.ref,), status))
    findings += no_in_scope_resource(inp, msg("no server, volume or database was checked"))
    return Outcome(findings, details={"rpo_hours": _hours(rpo), "resources": rows})


def database_backup_policy(attributes: dict) -> tuple[Status | None, Message, int | None]:
    """An RDS instance's automated backup policy (`backup_strategy[0].keep_days`): kept at least one day passes;
    0, or no backup_strategy at all, is the policy disabled (provider: "not specified or set to 0")."""
    strategy = attributes.get("backup_strategy")
    if strategy in (None, []):
        return Status.FAIL, msg("no backup_strategy recorded: the automated backup policy is disabled"), None
    first = strategy[0] if isinstance(strategy, list) else None
    keep = first.get("keep_days") if isinstance(first, dict) else None
    if isinstance(keep, str) and keep.strip().isdigit():
        keep = int(keep)
    if isinstance(keep, bool) or not isinstance(keep, int):
        return Status.ERROR, msg("backup_strategy keep_days {keep} is not a number of days: the backup policy cannot be told",
                                 keep=repr(keep)), None
    if keep < 1:
        return Status.FAIL, msg("backup_strategy keep_days is {keep}: the automated backup policy is disabled", keep=keep), keep
    return None, nmsg("automated backups kept {n} day(s)", "automated backups kept {n} day(s)", n=keep), keep


def _in_scope_backups(inp: CheckInput) -> tuple[list, list]:
    """Backups of in-scope resources (all of them with `scope: all`), and the backups whose resource the state
    does not know (an orphan, common after a resource was deleted: its scope cannot be told). A volume that is a
    server's disk has the server's scope."""
    if inp.tenant.scope.all:
        return list(inp["backups"]), []
    inventory = inp["resources"]
    kept, orphans = [], []
    for backup in inp["backups"]:
        resource, _ = inventory.owner_of(backup.resource_id)
        if resource is None:
            orphans.append(backup)
        elif resource.in_scope:
            kept.append(backup)
    return kept, orphans


def _orphan_text(resource_id: str) -> Message:
    return msg("its resource {resource} is not in the Terraform state, so whether it holds health data (its scope) cannot be told",
               resource=resource_id)


@check("backup.encrypted", "Backups of in-scope resources are encrypted", needs=("resources", "backups"),
       category="tabular", severity="high")
def encrypted(inp: CheckInput) -> Outcome:
    backups, orphans = _in_scope_backups(inp)
    inventory = inp["resources"]
    # a deleted backup holds no data any more; an encrypted orphan is fine whatever its scope
    judged = [(b, False) for b in backups if not b.deleted] + [(b, True) for b in orphans if not b.deleted and b.encrypted is not True]
    findings, derived, encrypted_count = [], [], 0
    unstated: dict[tuple[str, bool, str], list] = {}
    for backup, orphan in sorted(judged, key=lambda j: (j[0].resource_id, j[0].created_at, j[0].id)):
        verdict = backup_encryption(backup, inventory)
        encrypted_count += verdict.encrypted is True
        if backup.encrypted is None:
            derived.append({"backup": backup.id, "resource_id": backup.resource_id, "encrypted": verdict.encrypted, "how": str(verdict.how)})
        if verdict.encrypted is False:
            what = backup.resource_name or backup.resource_id
            if orphan:
                message = msg("backup of {resource} created {created} is not encrypted ({how}), and {orphan}", resource=what,
                              created=backup.created_at, how=verdict.how, orphan=_orphan_text(backup.resource_id))
            else:
                message = msg("backup of {resource} created {created} is not encrypted ({how})", resource=what,
                              created=backup.created_at, how=verdict.how)
            refs = (backup.ref,) + verdict.refs[:MAX_REFS - 1]
            findings.append(Finding(backup.id, message, refs, Status.ERROR if orphan else Status.FAIL))
        elif verdict.encrypted is None:
            unstated.setdefault((backup.resource_id, orphan, verdict.how), []).append(backup)
    for (resource_id, orphan, how), items in sorted(unstated.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))):
        what = items[0].resource_name or resource_id
        if orphan and "not in the Terraform state" not in str(how):
            message = nmsg("{n} backup(s) of {resource}: encryption cannot be told: {how}; {orphan}",
                           "{n} backup(s) of {resource}: encryption cannot be told: {how}; {orphan}",
                           n=len(items), resource=what, how=how, orphan=_orphan_text(resource_id))
        else:
            message = nmsg("{n} backup(s) of {resource}: encryption cannot be told: {how}",
                           "{n} backup(s) of {resource}: encryption cannot be told: {how}", n=len(items), resource=what, how=how)
        findings.append(Finding(resource_id, message, tuple(b.ref for b in items[:MAX_REFS]), Status.ERROR))
    if not inp.tenant.scope.all:  # with `scope: all` every backup is judged, whatever the state holds
        findings += no_in_scope_resource(inp, msg("no backup can be told to be of an in-scope resource"))
    details = {"backups_checked": len(judged), "encrypted": encrypted_count, "unknown_resource": len(orphans),
               "derived_from_volumes": derived}
    return Outcome(findings, details=details)


@check("backup.restore_tested", "A restore test succeeded recently", needs=("restore_tests",),
       category="tabular", severity="medium", params=policy_params("restore_test_max_age_days"))
def restore_tested(inp: CheckInput) -> Outcome:
    days = int(inp.params["restore_test_max_age_days"])
    end = inp.period.end
    since = shift_days(end, -days)
    file = inp.file("restore_tests", "restore_tests.csv")
    rows = sorted(inp["restore_tests"], key=lambda r: (r.values["tested_at"], r.number))
    tests = [{
        "tested_at": iso(r.values["tested_at"]), "resource_id": r.values["resource_id"],
        "backup_id": r.values.get("backup_id"), "result": r.values["result"], "ref": row_ref(file, r),
    } for r in rows]
    details = {"since": iso(since), "max_age_days": days, "tests": tests}
    current = [r for r in rows if r.values["result"] == "success" and since <= r.values["tested_at"] < end]
    if current:
        return Outcome(details=details)
    past = [r for r in rows if r.values["tested_at"] < end]
    successes = [r for r in past if r.values["result"] == "success"]
    if successes:
        message = msg("the last successful restore test ({tested}) is more than {days} days before the end of the period ({end})",
                      tested=successes[-1].values["tested_at"], days=days, end=end)
    elif rows:
        message = msg("no successful restore test recorded before the end of the period")
    else:
        message = msg("no successful restore test recorded")
    failures = [r for r in past if r.values["result"] != "success" and r.values["tested_at"] >= since]
    if failures:
        message = nmsg("{first}; {n} test(s) in the last {days} days failed, the last on {last}",
                       "{first}; {n} test(s) in the last {days} days failed, the last on {last}",
                       n=len(failures), first=message, days=days, last=failures[-1].values["tested_at"])
    refs = tuple(row_ref(file, r) for r in (successes[-1:] + failures[-MAX_REFS + 1:]))
    return Outcome([Finding(file, message, refs)], details=details)


@check("backup.quota", "VBS backup sets stay within the quotas (§6.2.4)", optional=("backups",),
       category="tabular", severity="low")
def quota(inp: CheckInput) -> Outcome:
    vbs = [b for b in (inp["backups"] or []) if b.source == "vbs" and not b.deleted]
    if not vbs:
        return Outcome(not_applicable=msg("no VBS backup in the evidence (backups/*.json with volume_id)"))
    per_volume = Counter(b.resource_id for b in vbs)
    findings = []
    if len(vbs) > VBS_TENANT_LIMIT:
        files = sorted({b.file for b in vbs})
        findings.append(Finding(inp.tenant.tenant_id, msg("{n} VBS backup sets in the tenant, over the limit of {limit} (§6.2.4)",
                                                          n=len(vbs), limit=VBS_TENANT_LIMIT), tuple(files)))
    for volume, count in sorted(per_volume.items()):
        if count > VBS_VOLUME_LIMIT:
            refs = tuple(b.ref for b in sorted((b for b in vbs if b.resource_id == volume), key=lambda b: b.created_at)[:MAX_REFS])
            findings.append(Finding(volume, msg("{n} VBS backup sets of this volume, over the limit of {limit} per EVS disk (§6.2.4)",
                                                n=count, limit=VBS_VOLUME_LIMIT), refs))
    details = {
        "tenant_backup_sets": len(vbs), "tenant_limit": VBS_TENANT_LIMIT, "volume_limit": VBS_VOLUME_LIMIT,
        "volumes": [{"volume_id": v, "backup_sets": n} for v, n in sorted(per_volume.items())],
    }
    return Outcome(findings, details=details)
