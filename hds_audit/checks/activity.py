"""`residency.activity`: no trace of the period comes from a region outside `allowed_regions` (§6.11.1).

A trace's region is the `{region}` of its `CloudTraces/{region}/` key, else the region named in its
`endpoint` (hds_audit/evidence/traces/). Traces whose region is unknown cannot prove where the
activity took place: they make the check `error`, with their count. `details` lists the traces of
the period per region, for the residency proof.
"""

from __future__ import annotations

from hds_audit.checks.common import MAX_REFS, no_trace_in_period, refs_sql, when
from hds_audit.checks.details import ActivityDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.provider.regions import norm
from hds_audit.states import Status

UNKNOWN = "(unknown region)"

# over the period's groups (TraceSet.period)
_REGIONS_SQL = "SELECT region, sum(n) AS n, min(lo), max(hi) FROM {period} GROUP BY ALL ORDER BY region NULLS FIRST"
_FAULTY = "region IS NULL OR region NOT IN (SELECT unnest(?::VARCHAR[]))"
# what a finding says of a region at fault only: distinct services and accounts cost more than the counts
_FAULTY_SQL = """
SELECT region, list(DISTINCT service_type ORDER BY service_type) FILTER (WHERE service_type IS NOT NULL),
       count(DISTINCT user_name)
FROM {period} WHERE """ + _FAULTY + " GROUP BY ALL"

# evidence for the regions at fault only, from their first traces (no list of every trace of a region)
_REFS_SQL = f"""
SELECT region, {refs_sql()} FROM (
    SELECT region, time, file, record FROM traces
    WHERE time >= ? AND time < ? AND ({_FAULTY})
    QUALIFY row_number() OVER (PARTITION BY region ORDER BY time, file, record) <= {MAX_REFS}) t
GROUP BY region"""


@check("residency.activity", "No trace of the period comes from a region outside the allowed ones", needs=("traces",),
       category="activity", severity="high", details=ActivityDetails)
def activity(inp: CheckInput) -> Outcome:
    if empty := no_trace_in_period(inp):
        return Outcome([empty], details={"regions": []})
    traces = inp["traces"]
    allowed = sorted({r for r in (norm(x) for x in inp.tenant.allowed_regions) if r})
    allowed_text = ", ".join(inp.tenant.allowed_regions)
    period = [inp.period.start, inp.period.end]
    table = traces.period(*period)
    regions = traces.rows(_REGIONS_SQL.format(period=table))
    faulty, described = [], {}
    if any(r[0] not in allowed for r in regions):
        described = {r[0]: r[1:] for r in traces.rows(_FAULTY_SQL.format(period=table), [allowed])}
        traces.materialize(f"SELECT reading FROM {table} WHERE {_FAULTY}", [allowed])
        faulty = traces.rows(_REFS_SQL, period + [allowed])
    refs = dict(zip((r[0] for r in faulty), traces.refs(r[1] for r in faulty)))
    findings, rows = [], []
    for region, n, first, last in regions:
        ok = region is not None and region in allowed
        rows.append({"region": region, "traces": n, "first": when(first), "last": when(last), "allowed": ok})
        if ok:
            continue
        services, accounts = described[region]
        span = f"from {when(first)} to {when(last)}"
        what = f"services {', '.join(services)}" if services else "no service named"
        more = f"; first {MAX_REFS} referenced" if n > MAX_REFS else ""
        evidence = tuple(refs.get(region) or ())
        if region is None:
            findings.append(Finding(UNKNOWN, f"{n} trace(s) of the period have no region (no CloudTraces/{{region}}/ key, no region in "
                                             f"their endpoint), {span}: cannot tell where this activity took place{more}",
                                    evidence, Status.ERROR))
        else:
            findings.append(Finding(region, f"{n} trace(s) of the period come from {region}, outside the allowed regions ({allowed_text}), "
                                            f"{span} ({what}; {accounts} account(s)){more}", evidence))
    return Outcome(findings, details={"regions": rows})
