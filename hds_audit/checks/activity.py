"""`residency.activity`: no trace of the period comes from a region outside `allowed_regions` (§6.11.1).

A trace's region is the `{region}` of its `CloudTraces/{region}/` key, else the region named in its
`endpoint` (hds_audit/evidence/traces.py). Traces whose region is unknown cannot prove where the
activity took place: they make the check `error`, with their count. `details` lists the traces of
the period per region, for the residency proof.
"""

from __future__ import annotations

from hds_audit.checks.common import MAX_REFS, refs_sql, when
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.regions import norm
from hds_audit.states import Status

UNKNOWN = "(unknown region)"

_ACTIVITY_SQL = f"""
SELECT lower(trim(t.region)) AS region, count(*) AS n, min(t.time), max(t.time),
       list(DISTINCT t.service_type ORDER BY t.service_type) FILTER (WHERE t.service_type IS NOT NULL),
       count(DISTINCT t.user_name), {refs_sql()}
FROM traces t
WHERE t.time >= ? AND t.time < ?
GROUP BY ALL ORDER BY region NULLS FIRST"""


@check("residency.activity", "No trace of the period comes from a region outside the allowed ones", needs=("traces",))
def activity(inp: CheckInput) -> Outcome:
    allowed = {r for r in (norm(x) for x in inp.tenant.allowed_regions) if r}
    allowed_text = ", ".join(inp.tenant.allowed_regions)
    findings, rows = [], []
    for region, n, first, last, services, accounts, refs in inp["traces"].rows(_ACTIVITY_SQL, [inp.period.start, inp.period.end]):
        ok = region is not None and region in allowed
        rows.append({"region": region, "traces": n, "first": when(first), "last": when(last), "allowed": ok})
        if ok:
            continue
        span = f"from {when(first)} to {when(last)}"
        what = f"services {', '.join(services)}" if services else "no service named"
        more = f"; first {MAX_REFS} referenced" if n > MAX_REFS else ""
        if region is None:
            findings.append(Finding(UNKNOWN, f"{n} trace(s) of the period have no region (no CloudTraces/{{region}}/ key, no region in "
                                             f"their endpoint), {span}: cannot tell where this activity took place{more}",
                                    tuple(refs), Status.ERROR))
        else:
            findings.append(Finding(region, f"{n} trace(s) of the period come from {region}, outside the allowed regions ({allowed_text}), "
                                            f"{span} ({what}; {accounts} account(s)){more}", tuple(refs)))
    return Outcome(findings, details={"regions": rows})
