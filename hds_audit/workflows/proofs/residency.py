"""The residency proof: every resource, backup, replica and trace region, its country, the allowed list.

Facts come from the residency checks' details, in the typed form each declares (checks/details.py):
`residency.regions_allowed` {"regions": [...]}, `residency.resources` {"placements": [{object, kind,
region, country, allowed}]}, `residency.replication` {"replications": [...]} and `residency.activity`
{"regions": [...]}.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from hds_audit.checks.details import ActivityDetails, PlacementsDetails, RegionsAllowedDetails, ReplicationsDetails
from hds_audit.checks.interface import CheckDetails
from hds_audit.formats.pdf_style import text, words
from hds_audit.i18n import _, ngettext
from hds_audit.workflows.proofs import ProofKind
from hds_audit.workflows.proofs.document import table

D = TypeVar("D", bound=CheckDetails)
CHECKS = ("residency.regions_allowed", "residency.resources", "residency.replication", "residency.activity")


def _details(checks: dict, check_id: str, model: type[D]) -> D:
    """A residency check's details in the form it declares (empty when it did not run or wrote none)."""
    check = checks.get(check_id)
    return model.model_validate(check.details or {}) if check is not None else model()


def build(result, checks: dict) -> dict[str, Any]:
    allowed = _details(checks, "residency.regions_allowed", RegionsAllowedDetails).regions
    if not allowed:
        allowed = [{"region": r} for r in result.tenant.allowed_regions]
    placements = _details(checks, "residency.resources", PlacementsDetails).placements
    replications = _details(checks, "residency.replication", ReplicationsDetails).replications
    activity = _details(checks, "residency.activity", ActivityDetails).regions
    return {
        "allowed_regions": allowed,
        "by_region": by_region(placements, replications, activity),
        "backups_by_resource": backups_by_resource(placements),
        "placements": placements,
        "replications": replications,
        "activity": activity,
    }


def by_region(placements: list[dict], replications: list[dict], activity: list[dict]) -> list[dict]:
    """One line per region: its country, whether allowed, and what lies there."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"resources": 0, "backups": 0, "replicas": 0, "traces": 0})
    for group, items in (("placements", placements), ("replicas", replications), ("traces", activity)):
        for item in items:
            region = item.get("region") or ("global (no region)" if item.get("global") else "unknown")
            row = rows[region]
            row.setdefault("country", item.get("country"))
            if item.get("allowed") is not None:
                row["allowed"] = bool(item.get("allowed")) and row.get("allowed", True)
            if group == "placements":
                row["backups" if item.get("kind") == "backup" else "resources"] += 1
            elif group == "replicas":
                row["replicas"] += 1
            else:
                row["traces"] += int(item.get("traces") or item.get("count") or 1)
    return [{"region": region, **values} for region, values in sorted(rows.items())]


def backups_by_resource(placements: list[dict]) -> list[dict]:
    """The backups grouped by the resource they copy: its name, how many, the first and last, their regions."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for p in placements:
        if p.get("kind") == "backup":
            groups[str(p.get("resource_id") or "?")].append(p)
    rows = []
    for resource, items in sorted(groups.items()):
        times = sorted(str(i["created_at"]) for i in items if i.get("created_at"))
        rows.append({"resource": resource, "name": next((i["resource_name"] for i in items if i.get("resource_name")), None),
                     "backups": len(items), "first": times[0] if times else None, "last": times[-1] if times else None,
                     "regions": sorted({str(i.get("region") or "unknown") for i in items}),
                     "allowed": all(i.get("allowed") for i in items)})
    return rows


def statement(doc: dict[str, Any]) -> str | None:
    placements = doc.get("placements") or []
    backups = sum(1 for p in placements if p.get("kind") == "backup")
    regions = sorted({str(r.get("region")) for r in doc.get("by_region") or [] if r.get("region")})
    return _("{resources} and {backups}, in: {regions}.", resources=ngettext("{n} resource", "{n} resources", len(placements) - backups),
             backups=ngettext("{n} backup", "{n} backups", backups), regions=", ".join(regions) or "—")


def annex(doc: dict[str, Any]) -> list:
    """Each backup outside the allowed regions, one line each, after the checks (the table "Backups per
    resource" accounts for all of them; the JSON beside the PDF lists every backup)."""
    from reportlab.platypus import PageBreak

    backups = [{**p, "resource": f"{p.get('resource_name')}\n{p.get('resource_id')}" if p.get("resource_name") else p.get("resource_id")}
               for p in doc.get("placements") or [] if p.get("kind") == "backup" and not p.get("allowed")]
    if not backups:
        return []
    return [PageBreak(), text(_("Annex — backups outside the allowed regions"), "h2"),
            text(_("Every backup, in or out of the allowed regions, is listed in the JSON file beside this PDF."), "muted")] + table(
        backups, [("object", _("Backup"), 150), ("resource", _("Resource"), 130), ("created_at", _("Created"), 80),
                  ("region", _("Region"), 70), ("allowed", _("Allowed"), 0)], "allowed", _allowed_status)


def _allowed_status(value: Any) -> str:
    return "pass" if value in (True, "yes") else "fail"


def sections(doc: dict[str, Any]) -> list:
    from reportlab.platypus import CondPageBreak

    s = "residency"
    story = [CondPageBreak(120), text(words(s, "allowed_title"), "h2")]
    story += table(doc["allowed_regions"], [("region", _("Region"), 110), ("city", _("City"), 110), ("country", _("Country"), 70),
                                            ("eu", _("In the EU"), 70), ("source", _("Known from"), 0)])
    story += [text(_("Where the tenant's objects lie"), "h2")]
    story += table(doc["by_region"], [("region", _("Region"), 90), ("country", _("Country"), 60), ("allowed", _("Allowed"), 60),
                                      ("resources", _("Resources"), 70), ("backups", _("Backups"), 70), ("replicas", _("Replicas"), 70),
                                      ("traces", _("Traces"), 0)], "allowed", _allowed_status)
    story += [CondPageBreak(120), text(words(s, "placements_title"), "h2")]
    # resources one by one; backups grouped by the resource they copy (every backup is in the annex)
    placements = [{**p, "object": "\n".join(str(v) for v in (p.get("name"), p.get("object"), p.get("address")) if v),
                   "region": p.get("region") or ("global" if p.get("global") else None)}
                  for p in doc["placements"] if p.get("kind") != "backup"]
    story += table(placements, [("object", _("Object"), 160), ("kind", _("Kind"), 130), ("region", _("Region"), 70),
                                ("country", _("Country"), 45), ("in_scope", _("Health data"), 45), ("allowed", _("Allowed"), 0)],
                   "allowed", _allowed_status, empty=_("No resource or backup in the evidence."))
    grouped = [{**g, "resource": f"{g['name']}\n{g['resource']}" if g.get("name") else g["resource"]}
               for g in doc.get("backups_by_resource") or []]
    if grouped:
        story += [text(_("Backups per resource"), "h3")]
        story += table(grouped, [("resource", _("Resource"), 150), ("backups", _("Backups"), 50), ("first", _("First"), 80),
                                 ("last", _("Last"), 80), ("regions", _("Regions"), 60), ("allowed", _("Allowed"), 0)],
                       "allowed", _allowed_status)
    story += [CondPageBreak(120), text(words(s, "replication_title"), "h2")]
    replications = [{**r, "object": "\n".join(str(v) for v in (r.get("object"), _about(r)) if v)} for r in doc["replications"]]
    story += table(replications, [("object", _("Object"), 130), ("kind", _("Kind"), 120), ("source_region", _("From"), 70),
                                         ("region", _("To"), 70), ("country", _("Country"), 50), ("allowed", _("Allowed"), 0)],
                   "allowed", _allowed_status, empty=_("No replication and no backup copy to another region."))
    story += [CondPageBreak(120), text(words(s, "activity_title"), "h2")]
    activity = doc["activity"]
    keys = [k for k in (activity[0].keys() if activity else []) if not isinstance(activity[0][k], (list, dict))][:5]
    columns = [(k, _(k.replace("_", " ").capitalize()), 0 if i == len(keys) - 1 else 90) for i, k in enumerate(keys)]
    story += table(activity, columns, "allowed" if "allowed" in keys else None, _allowed_status,
                   empty=_("See the residency.activity check below."))
    return story


KIND = ProofKind("residency", CHECKS, build, sections, statement, annex)


def _about(row: dict[str, Any]) -> str | None:
    """What a replication row is about, in the proof's language (its template), or as written."""
    from hds_audit.i18n.messages import Message

    if "about_template" not in row:
        return row.get("about")
    return Message.from_json(row["about_template"]).render()
