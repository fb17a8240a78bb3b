"""`residency.activity`: no trace of the period comes from a region outside `allowed_regions` (§6.11.1).

A trace's region is the `{region}` of its `CloudTraces/{region}/` key, else the region named in its
`endpoint` (hds_audit/evidence/traces/). Traces whose region is unknown cannot prove where the
activity took place: they make the check `error`, with their count. `details` lists the traces of
the period per region, for the residency proof.
"""

from __future__ import annotations

from hds_audit.checks.common import MAX_REFS, no_trace_in_period, when
from hds_audit.checks.details import ActivityDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import msg, nmsg
from hds_audit.provider.regions import norm
from hds_audit.states import Status

UNKNOWN = "(unknown region)"


@check("residency.activity", "No trace of the period comes from a region outside the allowed ones", needs=("traces",),
       category="activity", severity="high", details=ActivityDetails)
def activity(inp: CheckInput) -> Outcome:
    if empty := no_trace_in_period(inp):
        return Outcome([empty], details={"regions": []})
    traces = inp["traces"]
    allowed = sorted({r for r in (norm(x) for x in inp.tenant.allowed_regions) if r})
    allowed_text = ", ".join(inp.tenant.allowed_regions)
    regions = traces.regions(inp.period.start, inp.period.end)
    faults = {}
    if any(r.region not in allowed for r in regions):  # services, accounts and references of the regions at fault only
        faults = {f.key: f for f in traces.regions_outside(inp.period.start, inp.period.end, allowed)}
    findings, rows = [], []
    for count in regions:
        region, n, first, last = count.region, count.n, count.first, count.last
        ok = region is not None and region in allowed
        rows.append({"region": region, "traces": n, "first": when(first), "last": when(last), "allowed": ok})
        if ok:
            continue
        fault = faults[region]
        services, accounts = fault.services, fault.accounts
        what = msg("services {services}", services=tuple(services)) if services else msg("no service named")
        more = msg("; first {n} referenced", n=MAX_REFS) if n > MAX_REFS else ""
        evidence = fault.refs
        if region is None:
            findings.append(Finding(UNKNOWN, nmsg(
                "{n} trace(s) of the period have no region (no CloudTraces/{{region}}/ key, no region in their endpoint), "
                "from {first} to {last}: cannot tell where this activity took place{more}",
                "{n} trace(s) of the period have no region (no CloudTraces/{{region}}/ key, no region in their endpoint), "
                "from {first} to {last}: cannot tell where this activity took place{more}",
                n=n, first=first, last=last, more=more), evidence, Status.ERROR))
        else:
            findings.append(Finding(region, nmsg(
                "{n} trace(s) of the period come from {region}, outside the allowed regions ({allowed}), from {first} to "
                "{last} ({what}; {accounts}){more}",
                "{n} trace(s) of the period come from {region}, outside the allowed regions ({allowed}), from {first} to "
                "{last} ({what}; {accounts}){more}",
                n=n, region=region, allowed=allowed_text, first=first, last=last, what=what,
                accounts=nmsg("{n} account(s)", "{n} account(s)", n=accounts), more=more), evidence))
    return Outcome(findings, details={"regions": rows})
