"""Access-control checks (matrix: Identifiers and authorizations, Stakeholder access; SD §7.7.3)."""

from __future__ import annotations

import re
from datetime import timedelta

from hds_audit.checks.common import account_key, no_trace_in_period, person_key, register_cover, row_ref, undecided
from hds_audit.checks.interface import CheckInput, Finding, Outcome, policy_params
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import msg, nmsg
from hds_audit.states import Status

IAM_FILE = "iam/users.json"


def _register_file(inp: CheckInput) -> str:
    return inp.file("access_register", "access_register.csv")


@check("access.nominative_accounts", "Enabled IAM users are nominative", needs=("iam_users", "access_register"),
       category="tabular", severity="medium", params=policy_params("generic_account_pattern"))
def nominative_accounts(inp: CheckInput) -> Outcome:
    generic = re.compile(inp.params["generic_account_pattern"], re.IGNORECASE)
    rows_by_account: dict[str, list] = {}
    for row in inp["access_register"]:
        rows_by_account.setdefault(account_key(row.values["account"]), []).append(row)
    findings = []
    for user in sorted(inp["iam_users"], key=lambda u: u.name):
        if not user.enabled or user.is_domain_owner:
            continue
        rows = rows_by_account.get(account_key(user.name), [])
        named = [r for r in rows if r.values.get("person")]
        service = [r for r in rows if r.values["role"] == "service" and r.values.get("owner")]
        ref = (f"{IAM_FILE}#name={user.name}",)
        if named or service:
            if revoked := _all_revoked(named + service, inp.period.end):
                v = revoked.values
                findings.append(Finding(user.name, msg("enabled IAM user whose authorization was revoked {revoked} ({file} row {row}, "
                                                   "{who}) and not granted again: the account is no longer authorized",
                                                   revoked=v["revoked_at"], file=_register_file(inp), row=str(revoked.number),
                                                   who=str(v.get("person") or v.get("owner"))),
                                        ref + (row_ref(_register_file(inp), revoked),)))
            continue
        if generic.match(user.name):
            findings.append(Finding(user.name, msg("generic account name with no named person in the register"), ref))
        elif rows:
            findings.append(Finding(user.name, msg("in the register without a person (nor a service account with an owner)"), ref + tuple(row_ref(_register_file(inp), r) for r in rows)))
        else:
            findings.append(Finding(user.name, msg("enabled IAM user absent from the register of authorized persons"), ref))
    return Outcome(undecided(findings, inp["access_register"], lambda names: {n: account_key(n) for n in names}))


def _all_revoked(rows: list, end):
    """The last revocation when every authorization of the account ended before the period's end, else None.

    The register is of authorized persons: an enabled account whose authorizations all ended (granted_at <= t <
    revoked_at, so one revoked exactly at the end still covers the period) names a person no longer authorized.
    """
    if any(r.values["revoked_at"] is None or r.values["revoked_at"] >= end for r in rows):
        return None
    return max(rows, key=lambda r: (r.values["revoked_at"], r.number))


def _undecided(inp: CheckInput, findings: list[Finding]) -> Outcome:
    """The findings, those about an account with an unreadable register row made `error` (common.undecided)."""
    return Outcome(undecided(findings, inp["access_register"], lambda names: {n: account_key(n) for n in names}))


@check("access.register_covers_activity", "Every action is by an authorized account", needs=("traces", "access_register"),
       category="activity", severity="high")
def register_covers_activity(inp: CheckInput) -> Outcome:
    if empty := no_trace_in_period(inp):
        return Outcome([empty])
    found = inp["traces"].uncovered(inp.period.start, inp.period.end, register_cover(inp["access_register"]))
    return _undecided(inp, [Finding(a.key, nmsg("{n} action(s) with no authorization in the register at the time, from {first} to {last}",
                                                "{n} action(s) with no authorization in the register at the time, from {first} to {last}",
                                                n=a.n, first=a.first, last=a.last), a.refs) for a in found])


@check("access.no_activity_after_revocation", "No account acts after its revocation", needs=("traces", "access_register"),
       category="activity", severity="high")
def no_activity_after_revocation(inp: CheckInput) -> Outcome:
    if empty := no_trace_in_period(inp):
        return Outcome([empty])
    found = inp["traces"].uncovered(inp.period.start, inp.period.end, register_cover(inp["access_register"]),
                                    after_revocation=True)
    revocations: dict[str, list] = {}  # by account key, as the traces were joined
    for row in inp["access_register"]:
        if row.values["revoked_at"] is not None:
            revocations.setdefault(account_key(row.values["account"]), []).append(row.values["revoked_at"])
    findings = []
    for a in found:
        revoked = max(r for r in revocations[account_key(a.key)] if r <= a.first)
        findings.append(Finding(a.key, nmsg("{n} action(s) after the authorization was revoked at {revoked}: first {first}, last {last}",
                                            "{n} action(s) after the authorization was revoked at {revoked}: first {first}, last {last}",
                                            n=a.n, revoked=revoked, first=a.first, last=a.last), a.refs))
    return _undecided(inp, findings)


@check("access.credentials_not_reassigned", "No account name was granted to two persons", needs=("access_register",),
       category="tabular", severity="medium")
def credentials_not_reassigned(inp: CheckInput) -> Outcome:
    persons: dict[str, dict[str, list]] = {}
    names: dict[str, str] = {}
    for row in inp["access_register"]:
        person = row.values.get("person")
        if not person:
            continue
        key = account_key(row.values["account"])
        names.setdefault(key, row.values["account"])
        persons.setdefault(key, {}).setdefault(person_key(person), []).append(row)
    findings = []
    file = _register_file(inp)
    for key in sorted(persons):
        if len(persons[key]) > 1:
            holders = [rows[0] for rows in persons[key].values()]
            holders.sort(key=lambda r: r.values["granted_at"])
            who = tuple(msg("{person} (from {granted})", person=r.values["person"], granted=r.values["granted_at"]) for r in holders)
            findings.append(Finding(names[key], msg("account granted to {n} different persons: {who}", n=len(holders), who=who),
                                    tuple(row_ref(file, r) for r in holders)))
    return Outcome(findings)


@check("access.mfa", "Console users have MFA", needs=("iam_users",), optional=("iam_mfa",),
       category="tabular", severity="high")
def mfa(inp: CheckInput) -> Outcome:
    console = [u for u in inp["iam_users"] if u.enabled and u.console_access]
    protected = inp["iam_mfa"]
    if protected is None:
        if not console:
            return Outcome()
        return Outcome([Finding("iam/mfa.json", nmsg(
            "absent or unreadable (iam/mfa.json, or iam/virtual-mfa-devices.json and iam/login-protects.json): cannot tell "
            "whether {n} enabled console user(s) have MFA",
            "absent or unreadable (iam/mfa.json, or iam/virtual-mfa-devices.json and iam/login-protects.json): cannot tell "
            "whether {n} enabled console user(s) have MFA", n=len(console)), status=Status.ERROR)])
    findings = [
        Finding(u.name, msg("enabled user with console access ({mode}) has no MFA device nor login protection", mode=str(u.access_mode)),
                (f"{IAM_FILE}#name={u.name}",))
        for u in sorted(console, key=lambda u: u.name) if u.id not in protected
    ]
    return Outcome(findings)


@check("access.provider_support_removed", "Provider support invitations are removed in time", needs=("access_register", "tickets", "iam_users"),
       category="tabular", severity="medium", params=policy_params("support_invitation_max_days"))
def provider_support_removed(inp: CheckInput) -> Outcome:
    max_days = timedelta(days=inp.params["support_invitation_max_days"])
    tickets = {t.values["ticket_id"]: t for t in inp["tickets"]}
    users = {account_key(u.name): u for u in inp["iam_users"]}
    file = _register_file(inp)
    findings = []
    rows = [r for r in inp["access_register"] if r.values["role"] == "provider_support" and r.values["granted_at"] < inp.period.end]
    for row in sorted(rows, key=lambda r: (r.values["account"], r.number)):
        v = row.values
        ref = (row_ref(file, row),)
        ticket = tickets.get(v.get("ticket") or "")
        if ticket is None:
            findings.append(Finding(v["account"], msg("provider_support authorization without a known ticket ('{ticket}'): its removal deadline "
                                                      "cannot be computed", ticket=str(v.get("ticket") or "")), ref, Status.ERROR))
            continue
        resolved = ticket.values["resolved_at"]
        if resolved is None or resolved + max_days >= inp.period.end:
            continue  # the ticket is open, or its removal deadline lies after the period
        deadline = resolved + max_days
        if v["revoked_at"] is not None and v["revoked_at"] < inp.period.start and v["revoked_at"] <= deadline:
            pass  # removed in time, before the period
        elif v["revoked_at"] is None:
            findings.append(Finding(v["account"], msg("still authorized; ticket {ticket} was resolved {resolved}, removal was due by {deadline}",
                                                      ticket=str(ticket.values["ticket_id"]), resolved=resolved, deadline=deadline), ref))
        elif v["revoked_at"] > deadline:
            findings.append(Finding(v["account"], msg("revoked {revoked}, after the deadline {deadline} (ticket {ticket} resolved {resolved})",
                                                      revoked=v["revoked_at"], deadline=deadline,
                                                      ticket=str(ticket.values["ticket_id"]), resolved=resolved), ref))
        user = users.get(account_key(v["account"]))
        if user is not None and user.enabled:
            findings.append(Finding(v["account"], msg("IAM user still enabled although removal was due by {deadline}", deadline=deadline),
                                    (f"{IAM_FILE}#name={user.name}",)))
    return Outcome(findings)
