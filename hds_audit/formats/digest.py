"""The words every report leads with, in the report's language: the headline, the root causes and
the top actions, and the trend against a previous run (contract §5; docs/user-guide.md "Root causes
first"). The PDF, the HTML, the workbook and the terminal summary all take them from here, so they
say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from hds_audit.formats.interface import to_seconds
from hds_audit.i18n import _, current, day, ngettext, number
from hds_audit.results.actions import Action
from hds_audit.results.model import RunResult
from hds_audit.results.root_causes import EVIDENCE_SCOPE, RootCause
from hds_audit.states import is_blocking

TOP = 5  # root causes and actions on the executive summary


def status_word(status: str) -> str:
    """The contract's status word in English (CI logs and filters look for it), the translated one otherwise."""
    from hds_audit.formats.pdf_style import status_label

    return status if current() == "en" else status_label(status)


def severity_label(level: str) -> str:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(level, level)


def owner_label(action: Action) -> str:
    if action.owner:
        return action.owner
    suggested = {"tenant": _("tenant"), "provider": _("provider"), "tenant and provider": _("tenant and provider")}
    return _("{who} (suggested)", who=suggested.get(action.suggested_owner, action.suggested_owner))


def due_label(action: Action) -> str:
    return day(action.due) if action.due_set else _("{date} (suggested)", date=day(action.due))


def advice_label(action: Action) -> str:
    return _(action.advice)


@dataclass
class CauseText:
    object: str
    message: str
    related: str  # "" or "and 187 related findings (…)"
    where: str  # the check, or "unreadable evidence"


def cause_text(cause: RootCause) -> CauseText:
    related = ""
    if cause.related:
        related = ngettext("and {n} related finding", "and {n} related findings", cause.related)
    where = _("unreadable evidence") if cause.scope == EVIDENCE_SCOPE else ", ".join(cause.checks)
    return CauseText(cause.object, to_seconds(cause.head.text()), related, where)


def headline(result: RunResult) -> str:
    """One sentence: how many controls fail or cannot be concluded, and from how many root causes."""
    summary, total = result.summary(), len(result.controls)
    causes = len(result.root_causes())
    if not any(is_blocking(c.status) for c in result.controls):
        return _("No control fails: {passed} pass, {manual} need a human attestation, {waived} waived.",
                 passed=number(summary["pass"]), manual=number(summary["manual"]), waived=number(summary["waived"]))
    parts = []
    if summary["fail"]:
        parts.append(_("{fail} of {total} controls fail", fail=number(summary["fail"]), total=number(total)))
    if summary["error"]:
        parts.append(_("{error} of {total} could not be concluded (evidence absent or invalid)",
                       error=number(summary["error"]), total=number(total)))
    return _("{what}, from {causes}.", what=_(" and ").join(parts),
             causes=ngettext("{n} root cause", "{n} root causes", causes))


def cause_counts(result: RunResult) -> str:
    """"28 root causes behind 218 findings; the first 5 account for 31 of the 33 controls at fault"."""
    causes = result.root_causes()
    findings = sum(len(c.findings) for c in causes)
    text = _("{causes} behind {findings}.", causes=ngettext("{n} root cause", "{n} root causes", len(causes)),
             findings=ngettext("{n} finding", "{n} findings", findings))
    blocking = {c.control.id for c in result.controls if is_blocking(c.status)}
    if len(causes) > TOP and blocking:
        covered = {cid for cause in causes[:TOP] for cid in cause.controls} & blocking
        text += " " + _("The first {top} account for {covered} of the {blocking} controls that fail or could not be concluded.",
                        top=number(TOP), covered=number(len(covered)), blocking=number(len(blocking)))
    return text


def trend(result: RunResult, comparison: dict | None) -> str | None:
    """Against `--previous`: controls failing then and now, root causes then and now, new and fixed findings."""
    if not comparison:
        return None
    before = comparison.get("previous_summary") or {}
    now = result.summary()
    parts = []
    if before:
        parts.append(_("controls failing: {before} → {now}", before=number(before.get("fail", 0)), now=number(now["fail"])))
    if comparison.get("previous_root_causes") is not None:
        parts.append(_("root causes: {before} → {now}", before=number(comparison["previous_root_causes"]),
                       now=number(len(result.root_causes()))))
    counts = comparison.get("counts") or {}
    parts.append(_("findings: {new} new, {fixed} fixed, {persisting} persisting", new=number(counts.get("new", 0)),
                   fixed=number(counts.get("fixed", 0)), persisting=number(counts.get("persisting", 0))))
    return _("Since {period}: {changes}.", period=comparison.get("previous_period") or _("the previous run"),
             changes="; ".join(parts))
