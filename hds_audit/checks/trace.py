"""Traceability checks (matrix: Traceability; SD §6.9.2 one CTS tracker per region;
docs/user-guide.md "Traceability").

* `trace.tracker_enabled`: every region in use (the region of an in-scope resource) has an enabled
  `flexibleengine_cts_tracker_v1` in that region. An in-scope resource of unknown region is an
  `error`: nobody can tell whether its region is traced.
* `trace.continuity`: in each region in use, no stretch of the period without any trace (any
  trace type, SystemAction included) lasts strictly longer than `trace_max_gap_hours`, counting
  period start to the first trace and the last trace to period end. Traces outside the period are
  ignored. `details` carries every gap and the number of traces per region and day (Paris).
* `trace.retention`: no enabled lifecycle rule of a tracker's bucket expires objects before
  `trace_retention_days`. Only rules whose prefix may reach the trace objects count (empty, or
  compatible with `CloudTraces/` or `{file_prefix_name}/CloudTraces/`); the others are listed in
  `details`. A tracker whose bucket is not in the state is an `error`.
* `trace.access_entitlement`: every read of a tracker's bucket (an OBS trace whose name begins
  with Get, List or Head, about the bucket) is by an account holding `trace_reader` or `auditor`
  at that time (granted_at <= t < revoked_at).

Trace checks ask the trace store (hds_audit/evidence/traces/interface.py) their questions: gaps,
hourly counts, reads of a bucket by accounts without a role at the time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hds_audit.calendar.instants import PARIS, iso
from hds_audit.checks.common import MAX_REFS, account_key, no_trace_in_period, register_cover, undecided
from hds_audit.checks.details import ContinuityDetails
from hds_audit.checks.interface import CheckInput, Finding, Outcome, policy_params
from hds_audit.checks.registry import check
from hds_audit.evidence.interface import shown as shown_value
from hds_audit.evidence.resources import BUCKET, Inventory, Resource
from hds_audit.i18n.messages import Message, msg, nmsg
from hds_audit.provider.regions import norm
from hds_audit.states import Status

TRACKER = "flexibleengine_cts_tracker_v1"
GLOBAL_PREFIXES = ("flexibleengine_identity_",)  # IAM is global: its resources lie in no region
READER_ROLES = ("trace_reader", "auditor")


# -- regions in use ----------------------------------------------------------------------------
def _is_global(r: Resource) -> bool:
    recorded = r.attributes.get("region")
    return r.type.startswith(GLOBAL_PREFIXES) and not (isinstance(recorded, str) and recorded.strip())


def regions_in_use(inventory: Inventory) -> tuple[list[str], list[Finding]]:
    """Normalised regions of in-scope resources, and an `error` finding per in-scope resource of unknown region."""
    regions = sorted({norm(r) for r in inventory.regions_in_use()} - {None})
    unknown = [
        Finding(r.id, msg("in-scope {type} {address} has no known region (the state records none and tenant.yaml sets no "
                          "default_region): cannot tell whether its region is traced", type=r.type, address=r.address),
                (r.ref,), Status.ERROR)
        for r in sorted(inventory.resources, key=lambda r: r.address)
        if r.in_scope and r.region is None and not _is_global(r)
    ]
    if not regions and not unknown:
        unknown.append(Finding("resources", msg("no in-scope resource with a region in the Terraform state: no region in use to "
                                                "check (is tenant.yaml scope right?)"), status=Status.ERROR))
    return regions, unknown


def _trackers(inventory: Inventory) -> list[Resource]:
    return sorted(inventory.of_type(TRACKER), key=lambda r: r.address)


def _status(tracker: Resource) -> str | None:
    value = tracker.attributes.get("status")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _bucket_name(tracker: Resource) -> str | None:
    value = tracker.attributes.get("bucket_name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _tracker_label(tracker: Resource) -> Message:
    name = tracker.attributes.get("tracker_name") or tracker.name
    return msg("tracker {name} ({address})", name=str(name), address=tracker.address)


# -- trace.tracker_enabled ---------------------------------------------------------------------
@check("trace.tracker_enabled", "Every region in use has an enabled CTS tracker (§6.9.2)", needs=("resources",),
       category="configuration", severity="high")
def tracker_enabled(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    regions, findings = regions_in_use(inventory)
    trackers = _trackers(inventory)
    placeless = [t for t in trackers if t.region is None]
    rows = []
    for region in regions:
        here = [t for t in trackers if norm(t.region) == region]
        enabled = [t for t in here if _status(t) == "enabled"]
        unknown = [t for t in here if _status(t) is None]
        rows.append({"region": region, "trackers": [str(_tracker_label(t)) for t in here],
                     "enabled": [str(_tracker_label(t)) for t in enabled]})
        if enabled:
            continue
        if unknown:
            findings.append(Finding(region, msg("{tracker} records no status: cannot tell whether it is enabled",
                                                tracker=_tracker_label(unknown[0])),
                                    tuple(t.ref for t in unknown), Status.ERROR))
        elif here:
            states = tuple(msg("{tracker} is {status}", tracker=_tracker_label(t), status=str(_status(t))) for t in here)
            findings.append(Finding(region, msg("no enabled CTS tracker in this region in use: {states}", states=states),
                                    tuple(t.ref for t in here)))
        elif placeless:
            findings.append(Finding(region, nmsg("no CTS tracker placed in this region; {n} tracker(s) of unknown region ({trackers}) "
                                                 "may or may not cover it",
                                                 "no CTS tracker placed in this region; {n} tracker(s) of unknown region ({trackers}) "
                                                 "may or may not cover it",
                                                 n=len(placeless), trackers=tuple(_tracker_label(t) for t in placeless)),
                                    tuple(t.ref for t in placeless), Status.ERROR))
        else:
            findings.append(Finding(region, msg("region in use (in-scope resources) without any CTS tracker (§6.9.2 requires one per "
                                                "region)")))
    return Outcome(findings, details={"regions": rows})


# -- trace.continuity --------------------------------------------------------------------------
def _days(inp: CheckInput) -> list[str]:
    first = inp.period.start.astimezone(PARIS).date()
    last = (inp.period.end - timedelta(microseconds=1)).astimezone(PARIS).date()
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _daily(traces, inp: CheckInput, regions: list[str]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], int] = {}
    for region, hour, n in traces.hourly(inp.period.start, inp.period.end):  # UTC hours; Paris offsets are whole hours
        key = (region, datetime.fromtimestamp(hour * 3600, PARIS).date().isoformat())
        counts[key] = counts.get(key, 0) + n
    shown = sorted(set(regions) | {region for region, _ in counts})
    return [{"region": region, "day": day, "count": counts.get((region, day), 0)} for region in shown for day in _days(inp)]


def _gap_text(micros: int, limit_hours: float) -> Message:
    """A gap's length in hours to one decimal; to the microsecond in h, min and s when that figure would not exceed
    the limit (24 h 1 ms must not read "24.0 hours, over the 24 hours allowed")."""
    hours = micros / 3_600_000_000
    if round(hours, 1) > limit_hours:
        return msg("{hours} hours", hours=Decimal(f"{hours:.1f}"))
    h, rest = divmod(micros, 3_600_000_000)
    m, us = divmod(rest, 60_000_000)
    seconds = f"{us / 1_000_000:.6f}".rstrip("0").rstrip(".")
    return msg("{h} h {m} min {s} s", h=h, m=m, s=Decimal(seconds))


def _gap_message(gap_start, gap_end, before, after, micros: int, limit_hours: float) -> Message:
    if before is None and after is None:
        what = msg("no trace at all in the period ({start} to {end})", start=gap_start, end=gap_end)
    elif before is None:
        what = msg("no trace from the period start {start} to the first trace at {end}", start=gap_start, end=gap_end)
    elif after is None:
        what = msg("no trace from the last trace at {start} to the period end {end}", start=gap_start, end=gap_end)
    else:
        what = msg("no trace between {start} and {end}", start=gap_start, end=gap_end)
    return msg("{what}: a gap of {gap}, over the {limit} hours allowed", what=what, gap=_gap_text(micros, limit_hours),
               limit=_figure(limit_hours))


def _figure(value: float) -> Decimal | str:
    """A number as `:g` writes it, kept a number for the reader's locale (but in exponent form)."""
    text = format(value, "g")
    return text if "e" in text else Decimal(text)


@check("trace.continuity", "Traces cover the period without a gap over the limit", needs=("traces", "resources"),
       category="activity", severity="high", params=policy_params("trace_max_gap_hours"), details=ContinuityDetails)
def continuity(inp: CheckInput) -> Outcome:
    traces = inp["traces"]
    regions, findings = regions_in_use(inp["resources"])
    limit_hours = float(inp.params["trace_max_gap_hours"])
    start, end = inp.period.start, inp.period.end
    limit = round(limit_hours * 3600 * 1_000_000)
    found = traces.gaps(start, end, regions, limit) if regions else []
    # the trace at each end of a gap, but at the period's bounds
    ends = traces.traces_at([(g.region, at) for g in found for at in (g.start, g.end) if at not in (start, end)])
    gaps: list[dict[str, Any]] = []
    for g in found:
        hours = g.micros / 3_600_000_000
        gaps.append({"region": g.region, "start": iso(g.start), "end": iso(g.end), "hours": round(hours, 2)})
        before = ends.get((g.region, g.start)) if g.start != start else None
        after = ends.get((g.region, g.end)) if g.end != end else None
        refs = tuple(r for r in (before, after) if r)
        findings.append(Finding(g.region, _gap_message(g.start, g.end, before, after, g.micros, limit_hours), refs))
    return Outcome(findings, details={"gaps": gaps, "daily": _daily(traces, inp, regions), "max_gap_hours": limit_hours})


# -- tracker buckets ---------------------------------------------------------------------------
def _buckets_by_name(inventory: Inventory) -> dict[str, list[Resource]]:
    out: dict[str, list[Resource]] = {}
    for b in inventory.of_type(BUCKET):
        name = b.attributes.get("bucket") or b.id
        if isinstance(name, str) and name:
            out.setdefault(name.strip().lower(), []).append(b)
    return out


def _tracker_buckets(inventory: Inventory) -> tuple[dict[str, list[Resource]], list[Finding]]:
    """bucket name (lower case) -> trackers writing into it; `error` findings for trackers naming none."""
    out: dict[str, list[Resource]] = {}
    problems = []
    trackers = _trackers(inventory)
    for t in trackers:
        name = _bucket_name(t)
        if name is None:
            problems.append(Finding(t.id, msg("{tracker} names no bucket_name", tracker=_tracker_label(t)), (t.ref,), Status.ERROR))
        else:
            out.setdefault(name.lower(), []).append(t)
    if not trackers:
        problems.append(Finding(TRACKER, msg("no CTS tracker in the Terraform state: no trace bucket to assess"), status=Status.ERROR))
    return out, problems


# -- trace.retention ---------------------------------------------------------------------------
def _expiration_days(rule: dict) -> list[Any]:
    expiration = rule.get("expiration") or []
    if isinstance(expiration, dict):
        expiration = [expiration]
    return [e.get("days") for e in expiration if isinstance(e, dict) and e.get("days") is not None]


def _said(value) -> str:
    """A text quoted as written, anything else (null included) as JSON writes it: never Python's None."""
    return repr(value) if isinstance(value, str) else shown_value(value)


def _enabled(rule: dict) -> bool:
    value = rule.get("enabled", True)  # a rule that does not say is taken as enforced
    return value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "disabled", "0")


def _trace_roots(writers: list[Resource]) -> list[str]:
    """Where CTS writes the trackers' objects: `CloudTraces/`, and `{file_prefix_name}/CloudTraces/` since some API
    versions put the tracker's file prefix first. Both are kept: a rule that may reach either concerns traces."""
    roots = {"cloudtraces/"}
    for t in writers:
        prefix = t.attributes.get("file_prefix_name")
        if isinstance(prefix, str) and prefix.strip("/ "):
            roots.add(f"{prefix.strip('/ ').lower()}/cloudtraces/")
    return sorted(roots)


def _reaches_traces(rule: dict, roots: list[str]) -> bool:
    """Whether a rule's prefix may match a trace object: empty, or a prefix of a root, or under one. Compared without
    case: a rule that only differs from a root in case is counted rather than trusted to miss the traces."""
    prefix = rule.get("prefix")
    prefix = prefix.lower() if isinstance(prefix, str) else ""
    return not prefix or any(root.startswith(prefix) or prefix.startswith(root) for root in roots)


@check("trace.retention", "Tracker buckets keep traces for the retention period", needs=("resources",),
       category="configuration", severity="medium", params=policy_params("trace_retention_days"))
def retention(inp: CheckInput) -> Outcome:
    inventory: Inventory = inp["resources"]
    keep = int(inp.params["trace_retention_days"])
    trackers, findings = _tracker_buckets(inventory)
    buckets = _buckets_by_name(inventory)
    rows = []
    for name, writers in sorted(trackers.items()):
        label = _bucket_name(writers[0])
        found = buckets.get(name)
        who = tuple(_tracker_label(t) for t in writers)
        if not found:
            findings.append(Finding(label, msg("bucket of {trackers} is not in the Terraform state: its lifecycle rules cannot be seen",
                                               trackers=who),
                                    tuple(t.ref for t in writers), Status.ERROR))
            continue
        roots = _trace_roots(writers)
        for bucket in found:
            rules = bucket.attributes.get("lifecycle_rule") or []
            shortest, ignored = None, []
            for rule in rules if isinstance(rules, list) else []:
                if not isinstance(rule, dict) or not _enabled(rule):
                    continue
                if not _reaches_traces(rule, roots):
                    ignored.append({"name": rule.get("name"), "prefix": rule.get("prefix")})
                    continue
                for days in _expiration_days(rule):
                    try:
                        days = float(days)
                    except (TypeError, ValueError):
                        findings.append(Finding(label, msg("lifecycle rule {rule} has expiration days {days}, not a number",
                                                           rule=_said(rule.get("name")), days=_said(days)),
                                                (bucket.ref,), Status.ERROR))
                        continue
                    shortest = days if shortest is None else min(shortest, days)
                    if days < keep:
                        prefix = rule.get("prefix") or ""
                        scope = msg(" (prefix '{prefix}')", prefix=str(prefix)) if prefix else msg(" (whole bucket)")
                        findings.append(Finding(label, msg("lifecycle rule {rule}{scope} expires objects after {days} days, under "
                                                           "the {keep} days traces must be kept", rule=repr(rule.get("name")),
                                                           scope=scope, days=_figure(days), keep=keep), (bucket.ref,)))
            rows.append({"bucket": label, "trackers": [str(_tracker_label(t)) for t in writers], "shortest_expiration_days": shortest,
                         "ignored_rules": ignored})
    return Outcome(findings, details={"buckets": rows, "retention_days": keep})


# -- trace.access_entitlement ------------------------------------------------------------------
@check("trace.access_entitlement", "Only trace readers and auditors read the trace buckets",
       needs=("traces", "resources", "access_register"),
       category="activity", severity="medium")
def access_entitlement(inp: CheckInput) -> Outcome:
    traces = inp["traces"]
    register = inp["access_register"]
    buckets, findings = _tracker_buckets(inp["resources"])
    if empty := no_trace_in_period(inp):
        findings.append(empty)
    if not buckets or empty:
        return Outcome(findings)
    roles: dict[str, set[str]] = {}
    for row in register:
        roles.setdefault(account_key(row.values["account"]), set()).add(row.values["role"])
    shown = {name: _bucket_name(writers[0]) for name, writers in buckets.items()}  # as the trackers write them
    for reads in traces.bucket_reads(inp.period.start, inp.period.end, register_cover(register, READER_ROLES), sorted(buckets)):
        user, n = reads.key, reads.n
        labels = tuple(shown.get(b, b) for b in reads.buckets if b)
        what = nmsg("{n} read(s) of the trace bucket(s) {buckets}, from {first} to {last}",
                    "{n} read(s) of the trace bucket(s) {buckets}, from {first} to {last}",
                    n=n, buckets=labels, first=reads.first, last=reads.last)
        more = msg(" (first {n} referenced)", n=MAX_REFS) if n > MAX_REFS else ""
        if user is None:
            findings.append(Finding("(no account)", msg("{what}, by no identified account (user is null): cannot tell whether a "
                                                        "trace reader or an auditor made them{more}", what=what, more=more),
                                    reads.refs, Status.ERROR))
            continue
        held = sorted(roles.get(account_key(user), set()))
        holding = msg("roles in the register: {roles}", roles=tuple(held)) if held else msg("not in the register")
        findings.append(Finding(user, msg("{what}, without a trace_reader or auditor authorization at the time ({holding}){more}",
                                          what=what, holding=holding, more=more), reads.refs))
    return Outcome(undecided(findings, register, lambda names: {n: account_key(n) for n in names}, READER_ROLES))
