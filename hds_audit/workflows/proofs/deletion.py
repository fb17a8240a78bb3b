"""The deletion proof: per resource, when it was first seen, its deletion proof and date, the
deadline (contract end + two months, §4.4) and the verdict; and the tenant deletion request (§7.7.6.1).

Facts come from `deletion.contract_end` details {"contract_end", "deadline", "timeline": [...]} and
`deletion.tenant_request` details {"requested_at", "deadline", "deleted_at", "verdict", ...}.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hds_audit.checks.deletion import KIND_WORDS, VERDICT_WORDS
from hds_audit.checks.details import ContractEndDetails
from hds_audit.formats.pdf_style import key_values, text, words
from hds_audit.i18n import _, day, ngettext, number
from hds_audit.i18n.messages import Message, details_note, msg
from hds_audit.workflows.proofs import ProofKind
from hds_audit.workflows.proofs.document import table, when

CHECKS = ("deletion.contract_end", "deletion.tenant_request")
NOTHING_TO_PROVE = "no contract_end in tenant.yaml: nothing to prove"
_DONE = {"deleted", "deleted in time"}
_WAITING = {"pending"}
# the tenant request's details (deletion.tenant_request), as the PDF labels them; other keys as written
REQUEST_LABELS = {
    "requested_at": msg("Requested at"), "deadline": msg("Deadline"), "deleted_at": msg("Deleted at"),
    "working_days_allowed": msg("Working days allowed"), "working_days_taken": msg("Working days taken"),
    "rule": msg("Rule"), "verdict": msg("Verdict")}
_INSTANTS = {"requested_at", "deadline", "deleted_at"}


def verdict_word(value: Any) -> str:
    word = VERDICT_WORDS.get(str(value))
    return word.render() if word is not None else str(value)


def kind_word(value: Any) -> str:
    word = KIND_WORDS.get(str(value))
    return word.render() if word is not None else str(value)


def _request_value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in _INSTANTS:
        return when(value)
    if key == "rule":
        return _(str(value))  # the rule's English text is its gettext id
    if key == "verdict":
        return verdict_word(value)
    return number(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "resource": item.get("resource") or item.get("resource_id") or item.get("object"),
        "kind": item.get("kind"), "name": item.get("name"),
        "first_seen": item.get("first_seen"), "proof": item.get("proof"), "proof_at": item.get("proof_at"),
        **({"proof_template": item["proof_template"]} if item.get("proof_template") else {}),
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
    if not parts:
        return None
    joined = parts[0]
    for part in parts[1:]:
        joined = _("{first}; {second}", first=joined, second=part)
    return _("Deletion timeline: {parts}.", parts=joined)


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
    pairs = [(_("Contract end"), when(doc.get("contract_end"))), (_("Deletion deadline"), when(doc.get("deadline")))]
    if doc.get("deadline_rule"):
        pairs.append((_("Rule"), _(doc["deadline_rule"])))  # the rule's English text is its gettext id
    if doc.get("note"):
        pairs.append((_("Note"), details_note(doc)))
    counts = Counter(str(r.get("verdict") or "no verdict") for r in doc["timeline"])
    if counts:
        each = ", ".join(f"{verdict_word(v)} ({number(n)})" for v, n in sorted(counts.items()))
        pairs.append((_("Resources"), _("{n}: {each}", n=number(sum(counts.values())), each=each)))
    story += [key_values(pairs, label_width=110), Spacer(1, 6)]
    rows = [r | {"proof": Message.from_json(r["proof_template"]).render()} if r.get("proof_template") else r for r in doc["timeline"]]
    story += table(rows, [("resource", _("Resource"), 95), ("kind", _("Kind"), 62), ("first_seen", _("First seen"), 68),
                                     ("proof", _("Deletion proof"), 90), ("proof_at", _("Proof date"), 68),
                                     ("deadline", _("Deadline"), 0), ("verdict", _("Verdict"), 56)],
                   "verdict", verdict_status, empty=_("No resource, bucket or backup in the evidence."),
                   shown={"verdict": verdict_word, "kind": kind_word})
    request = doc.get("tenant_request") or {}
    story += [CondPageBreak(100), text(words(s, "tenant_title"), "h2")]
    if request:
        story.append(key_values([(REQUEST_LABELS[k].render() if k in REQUEST_LABELS else k.replace("_", " ").capitalize(),
                                  _request_value(k, v)) for k, v in request.items() if not isinstance(v, (list, dict))],
                                label_width=130))
    else:
        story.append(text(_("No tenant deletion request in tenant.yaml."), "muted"))
    return story


KIND = ProofKind("deletion", CHECKS, build, sections, statement)
