"""The deletion proof: per resource, when it was first seen, its deletion proof and date, the
deadline (contract end + two months, §4.4) and the verdict; and the tenant deletion request (§7.7.6.1).

Facts come from `deletion.contract_end` details {"contract_end", "deadline", "timeline": [...]} and
`deletion.tenant_request` details {"requested_at", "deadline", "deleted_at", "verdict", ...}.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hds_audit.checks.details import ContractEndDetails
from hds_audit.formats.pdf_style import key_values, text, words
from hds_audit.i18n import _, day, ngettext
from hds_audit.i18n.messages import details_note
from hds_audit.workflows.proofs import ProofKind
from hds_audit.workflows.proofs.document import table

CHECKS = ("deletion.contract_end", "deletion.tenant_request")
NOTHING_TO_PROVE = "no contract_end in tenant.yaml: nothing to prove"
_DONE = {"deleted", "deleted in time"}
_WAITING = {"pending"}


def _row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource": item.get("resource") or item.get("resource_id") or item.get("object"),
        "kind": item.get("kind"), "name": item.get("name"),
        "first_seen": item.get("first_seen"), "proof": item.get("proof"), "proof_at": item.get("proof_at"),
        "deadline": item.get("deadline"), "verdict": item.get("verdict"),
    }


def build(result, checks: dict) -> dict[str, Any]:
    contract = checks.get("deletion.contract_end")
    details = ContractEndDetails.model_validate(contract.details or {} if contract else {})  # the form the check declares
    request = checks.get("deletion.tenant_request")
    contract_end = details.contract_end or (result.tenant.contract_end and result.tenant.contract_end.isoformat())
    return {
        "contract_end": contract_end,
        "deadline": details.deadline,
        "deadline_rule": details.deadline_rule,
        "deadline_passed": details.deadline_passed,
        "note": details.note,
        **{k: v for k, v in ((contract.details or {}) if contract else {}).items() if k in ("note_template", "note_params")},
        "timeline": [_row(i) for i in details.timeline],
        "tenant_request": dict(request.details or {}) if request else {},
    }


def _day(value: Any) -> str | None:
    from hds_audit.calendar.instants import parse_instant

    try:
        return day(parse_instant(value)) if value else None
    except (TypeError, ValueError):
        return str(value)


def statement(doc: dict[str, Any]) -> str | None:
    """The deletion timeline the proof covers (not the audit period, which says nothing here): the
    contract end, the dates of the first and last deletion proofs, the deadline."""
    proofs = sorted(str(r["proof_at"]) for r in doc.get("timeline") or [] if r.get("proof_at"))
    parts = []
    if doc.get("contract_end"):
        parts.append(_("contract end {date}", date=_day(doc["contract_end"])))
    if proofs:
        parts.append(ngettext("{n} deletion proof dated {first}", "{n} deletion proofs dated {first} to {last}", len(proofs),
                              first=_day(proofs[0]), last=_day(proofs[-1])))
    if doc.get("deadline"):
        parts.append(_("deadline {date}", date=_day(doc["deadline"])))
    request = doc.get("tenant_request") or {}
    if request.get("deleted_at"):
        parts.append(_("tenant deleted {date}", date=_day(request["deleted_at"])))
    return _("Deletion timeline: {parts}.", parts="; ".join(parts)) if parts else None


def verdict_status(value: Any) -> str:
    word = str(value or "").lower()
    if word in _DONE:
        return "pass"
    if word in _WAITING:
        return "manual"
    return "fail"


def sections(doc: dict[str, Any]) -> list:
    from reportlab.platypus import CondPageBreak, Spacer

    s = "deletion"
    story = [CondPageBreak(140), text(words(s, "timeline_title"), "h2")]
    pairs = [(_("Contract end"), doc.get("contract_end") or "—"), (_("Deletion deadline"), doc.get("deadline") or "—")]
    if doc.get("deadline_rule"):
        pairs.append((_("Rule"), _(doc["deadline_rule"])))  # the rule's English text is its gettext id
    if doc.get("note"):
        pairs.append((_("Note"), details_note(doc)))
    counts = Counter(str(r.get("verdict") or "no verdict") for r in doc["timeline"])
    if counts:
        pairs.append((_("Resources"), f"{sum(counts.values())}: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))))
    story += [key_values(pairs, label_width=110), Spacer(1, 6)]
    story += table(doc["timeline"], [("resource", _("Resource"), 95), ("kind", _("Kind"), 62), ("first_seen", _("First seen"), 68),
                                     ("proof", _("Deletion proof"), 90), ("proof_at", _("Proof date"), 68),
                                     ("deadline", _("Deadline"), 0), ("verdict", _("Verdict"), 56)],
                   "verdict", verdict_status, empty=_("No resource, bucket or backup in the evidence."))
    request = doc.get("tenant_request") or {}
    story += [CondPageBreak(100), text(words(s, "tenant_title"), "h2")]
    if request:
        story.append(key_values([(k.replace("_", " ").capitalize(), v if v is not None else "—") for k, v in request.items()
                                 if not isinstance(v, (list, dict))], label_width=130))
    else:
        story.append(text(_("No tenant deletion request in tenant.yaml."), "muted"))
    return story


KIND = ProofKind("deletion", CHECKS, build, sections, statement)
