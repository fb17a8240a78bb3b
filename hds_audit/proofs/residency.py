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

from hds_audit.proofs import ProofKind
from hds_audit.proofs.document import table
from hds_audit.formats.pdf_style import text, words

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


def _allowed_status(value: Any) -> str:
    return "pass" if value in (True, "yes") else "fail"


def sections(doc: dict[str, Any]) -> list:
    from reportlab.platypus import CondPageBreak

    s = "residency"
    story = [CondPageBreak(120), text(words(s, "allowed_title"), "h2")]
    story += table(doc["allowed_regions"], [("region", "Region", 110), ("city", "City", 110), ("country", "Country", 70),
                                            ("eu", "In the EU", 70), ("source", "Known from", 0)])
    story += [text("Where the tenant's objects lie", "h2")]
    story += table(doc["by_region"], [("region", "Region", 90), ("country", "Country", 60), ("allowed", "Allowed", 60),
                                      ("resources", "Resources", 70), ("backups", "Backups", 70), ("replicas", "Replicas", 70),
                                      ("traces", "Traces", 0)], "allowed", _allowed_status)
    story += [CondPageBreak(120), text(words(s, "placements_title"), "h2")]
    placements = [{**p, "object": "\n".join(str(v) for v in (p.get("name"), p.get("object"), p.get("address")) if v),
                   "region": p.get("region") or ("global" if p.get("global") else None)} for p in doc["placements"]]
    story += table(placements, [("object", "Object", 160), ("kind", "Kind", 130), ("region", "Region", 70),
                                ("country", "Country", 45), ("in_scope", "Health data", 45), ("allowed", "Allowed", 0)],
                   "allowed", _allowed_status, empty="No resource or backup in the evidence.")
    story += [CondPageBreak(120), text(words(s, "replication_title"), "h2")]
    replications = [{**r, "object": "\n".join(str(v) for v in (r.get("object"), r.get("about")) if v)} for r in doc["replications"]]
    story += table(replications, [("object", "Object", 130), ("kind", "Kind", 120), ("source_region", "From", 70),
                                         ("region", "To", 70), ("country", "Country", 50), ("allowed", "Allowed", 0)],
                   "allowed", _allowed_status, empty="No replication and no backup copy to another region.")
    story += [CondPageBreak(120), text(words(s, "activity_title"), "h2")]
    activity = doc["activity"]
    keys = [k for k in (activity[0].keys() if activity else []) if not isinstance(activity[0][k], (list, dict))][:5]
    columns = [(k, k.replace("_", " ").capitalize(), 0 if i == len(keys) - 1 else 90) for i, k in enumerate(keys)]
    story += table(activity, columns, "allowed" if "allowed" in keys else None, _allowed_status,
                   empty="See the residency.activity check below.")
    return story


KIND = ProofKind("residency", CHECKS, build, sections)
