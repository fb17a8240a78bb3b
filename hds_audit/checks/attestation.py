"""Organisational rules, evidenced by signed attestations (attestations/*.yaml).

attestation.current runs once per organisational control, with `params["control"]` (its id) and
`params["rule"]` (its rule's name). An attestation is about the control when its `control` equals
either, ignoring case and spacing.

* None about the control: `manual` (a person must attest; absent attestations are never `error`).
* It passes when one is signed within `attestation_max_age_days` before the end of the period
  (end - N calendar days <= signed_at < end) and its document matches its `sha256`.
* Every matching attestation is judged, even when another passes: a document that does not match
  its hash fails, one that cannot be verified (path leaving the bundle, absent document, missing
  field) is an `error`. Without a current one, one too old fails; one signed only after the end of
  the period cannot evidence it and is left to a person (`manual`).
* An attestation whose `control` names no control (no id, no rule name) evidences nothing and is
  an `error`: of the organisational rule it most resembles (difflib), said with a "did you mean";
  of every organisational rule when it resembles none of them. The names come from the catalog of
  the run (`params["catalog"]`: the bundled matrix, or the one given with `--matrix`), so a rule the
  user's matrix renames, adds or removes is named, known or unknown as that matrix says.
"""

from __future__ import annotations

from difflib import get_close_matches

from hds_audit.calendar.instants import iso
from hds_audit.calendar.period import shift_days
from hds_audit.checks.details import AttestationDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome, policy_params
from hds_audit.checks.registry import check
from hds_audit.evidence.attestations import words
from hds_audit.i18n.messages import Message, Rule, msg
from hds_audit.states import Status


class AttestationParams(policy_params("attestation_max_age_days")):
    control: str = ""  # the binding's control id and rule name (Binding.check_refs sets them)
    rule: str | None = None


@check("attestation.current", "A current signed attestation evidences the organisational rule", optional=("attestations",),
       category="document", severity="medium", params=AttestationParams, details=AttestationDetails)
def current(inp: CheckInput) -> Outcome:
    control = str(inp.params.get("control") or "")
    rule = inp.params.get("rule")
    label = Rule(rule, control)  # the rule's name in the report's language
    days = int(inp.params["attestation_max_age_days"])
    end = inp.period.end
    since = shift_days(end, -days)
    matching = [a for a in (inp["attestations"] or []) if a.matches(control, rule)]
    details = {"control": control, "rule": rule, "since": iso(since), "max_age_days": days, "attestations": [{
        "file": a.file, "owner": a.owner, "signed_at": iso(a.signed_at), "document": a.document,
        "sha256_matches": a.hash_matches, "issue": a.issue,
    } for a in matching]}
    findings = _unattributed(inp["attestations"] or [], control, rule, inp.params["catalog"])
    if not matching:
        return Outcome(findings, manual=msg("no signed attestation for {label} in attestations/", label=label), details=details)
    for a in matching:
        if a.issue:
            findings.append(Finding(a.file, msg("attestation for {label}: {issue}", label=label, issue=a.issue_message or str(a.issue)), (a.ref,), Status.ERROR))
        elif not a.hash_matches:
            findings.append(Finding(a.file, msg("attestation for {label}: the document {document} has sha256 {actual}, the attestation "
                                                "declares {declared}", label=label, document=str(a.document),
                                                actual=str(a.actual_sha256), declared=str(a.sha256)), (a.ref, a.document)))
    good = [a for a in matching if not a.issue and a.hash_matches]
    if any(since <= a.signed_at < end for a in good):
        return Outcome(findings, details=details)
    for a in good:
        if a.signed_at < since:
            findings.append(Finding(a.file, msg("attestation for {label} signed {signed}, more than {days} days before the end of the "
                                                "period ({end})", label=label, signed=a.signed_at, days=days, end=end), (a.ref,)))
        else:
            findings.append(Finding(a.file, msg("attestation for {label} signed {signed}, after the end of the period ({end}): it does "
                                                "not evidence the period", label=label, signed=a.signed_at, end=end),
                                    (a.ref,), Status.MANUAL))
    return Outcome(findings, details=details)


def rule_named(message: Message | None, details: dict) -> Message | None:
    """A message of this check read back from results.json, its rule's name typed again (messages.Rule), so that a
    report rendered from the JSON form names the rule in its own language as the run's report did."""
    control = details.get("control")
    if message is None or not isinstance(control, str):
        return message
    rule = details.get("rule")
    return message.naming(Rule(rule if isinstance(rule, str) else None, control))


SIMILAR = 0.75  # difflib ratio from which a name not found is taken for a misspelling of a rule


def _unattributed(attestations, control: str, rule: str | None, catalog) -> list[Finding]:
    """Attestations naming no control, reported in this rule's run when they are about it or about none."""
    names, organisational = _catalog_names(catalog)
    names = names | {words(control): (control, rule or control)}
    if rule:
        names[words(rule)] = (control, rule)
    findings = []
    for a in attestations:
        mine = words(a.control)
        if mine in names:
            continue
        close = get_close_matches(mine, list(names), n=1, cutoff=SIMILAR)
        target, target_rule = names[close[0]] if close else (None, None)
        if target is not None and target != control and target in organisational:
            continue  # a misspelling of another organisational rule: that rule's run reports it
        hint = msg("; did you mean '{rule}'?", rule=target_rule) if target is not None else ""
        findings.append(Finding(a.file, msg("{ref}: its control '{control}' matches no control id or rule name, so it "
                                            "evidences nothing{hint}", ref=a.ref, control=str(a.control), hint=hint),
                                (a.ref,), Status.ERROR))
    return findings


def _catalog_names(catalog) -> tuple[dict[str, tuple[str, str]], frozenset[str]]:
    """Every control id and rule name of the catalog (as matched) -> (id, rule); the ids judged on attestations."""
    names = {}
    for c in catalog.controls:
        names[words(c.id)] = names[words(c.rule)] = (c.id, c.rule)
    bound = frozenset(c.id for c in catalog.controls if (b := catalog.bindings.get(c.id)) and b.attestation)
    return names, bound
