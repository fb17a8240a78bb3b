"""`hds-audit doctor`: is a bundle ready for a run? Loads every evidence kind, runs no check (but, given a
period, the two coverage checks, so that a gap in the traces or the backups shows before the run).

It reports, per evidence kind, whether it is present, absent or broken (each problem with its
file, record and reason) and which checks need it; the placeholders `init` left; the
organisational rules that have no attestation; and one line of advice per missing kind. A bundle
is ready when everything some check needs is present and valid, nothing is broken and nothing is
left to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from hds_audit.evidence import DESCRIPTORS, KINDS, kind_module
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.workflows.scaffold import ATTESTATION_FIELDS, PLACEHOLDER, PROVIDER_FIELDS, organisational_controls

PRESENT, ABSENT, BROKEN, NO_READER = "present", "absent", "broken", "reader not available"

ADVICE: dict[str, str] = {k.name: k.advice for k in DESCRIPTORS}  # declared with each kind (hds_audit/evidence)
MAX_PROBLEMS = 10  # per kind on screen; the JSON form has them all


@dataclass
class KindReport:
    kind: str
    description: str
    status: str
    files: list[str] = field(default_factory=list)
    records: int | None = None
    problems: list[Problem] = field(default_factory=list)
    note: str | None = None
    needed_by: list[str] = field(default_factory=list)  # checks that are `error` without it
    used_by: list[str] = field(default_factory=list)  # checks that use it when present

    @property
    def blocking(self) -> bool:
        if self.status in (ABSENT, NO_READER):
            return bool(self.needed_by)
        return self.status == BROKEN

    @property
    def advice(self) -> str | None:
        if self.status == ABSENT:
            return ADVICE.get(self.kind)
        if self.status == BROKEN:
            return "correct the file(s) named above, then run hds-audit doctor again"
        if self.status == NO_READER:
            return "this installation cannot read this evidence yet; upgrade hds-audit"
        return None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "status": self.status, "files": self.files, "records": self.records,
                "problems": [{"file": p.file, "record": p.record, "reason": p.reason} for p in self.problems],
                "note": self.note, "needed_by": self.needed_by, "used_by": self.used_by, "advice": self.advice}


@dataclass
class Placeholder:
    file: str
    record: str | None
    fields: list[str]

    def __str__(self) -> str:
        where = f"{self.file} ({self.record})" if self.record else self.file
        return f"{where}: fill in {', '.join(self.fields)}"


@dataclass
class Diagnosis:
    bundle: str
    tenant: Any = None
    tenant_problem: str | None = None
    placeholders: list[Placeholder] = field(default_factory=list)
    kinds: list[KindReport] = field(default_factory=list)
    unattested: list[Any] = field(default_factory=list)  # organisational controls without an attestation
    period: Any = None
    period_problems: list[str] = field(default_factory=list)  # the bundle does not cover the period
    warnings: list[str] = field(default_factory=list)  # would make a check fail, but is evidence

    @property
    def ready(self) -> bool:
        return not (self.tenant_problem or self.placeholders or self.unattested or self.period_problems
                    or any(k.blocking for k in self.kinds))

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle, "ready": self.ready,
            "tenant": {"ok": self.tenant_problem is None, "problem": self.tenant_problem,
                       "id": getattr(self.tenant, "tenant_id", None), "name": getattr(self.tenant, "name", None)},
            "period": self.period.to_json() if self.period else None,
            "placeholders": [{"file": p.file, "record": p.record, "fields": p.fields} for p in self.placeholders],
            "kinds": [k.to_json() for k in self.kinds],
            "unattested": [{"control": c.id, "rule": c.rule} for c in self.unattested],
            "period_problems": self.period_problems, "warnings": self.warnings,
        }


def diagnose(bundle, catalog, period=None) -> Diagnosis:
    from hds_audit.checks.registry import all_checks
    from hds_audit.evidence.tenant import TenantError
    from hds_audit.evidence.tenant import load as load_tenant

    report = Diagnosis(bundle.url, period=period)
    report.placeholders += _tenant_placeholders(bundle)
    try:
        report.tenant = load_tenant(bundle)
    except TenantError as exc:
        report.tenant_problem = str(exc)
    except OSError as exc:
        report.tenant_problem = f"tenant.yaml cannot be read: {exc}"
    specs = all_checks()
    loaded: dict[str, Evidence] = {}
    for kind in KINDS:
        needed = sorted(s.id for s in specs.values() if kind in s.needs)
        used = sorted(s.id for s in specs.values() if kind in s.optional and kind not in s.needs)
        if kind == "waivers":
            used = ["every check (waived findings)"]
        try:
            module = kind_module(kind)
        except ModuleNotFoundError:
            report.kinds.append(KindReport(kind, kind, NO_READER, needed_by=needed, used_by=used))
            continue
        # a reader must never raise, but doctor is where a bundle is first tried: say so, go on
        try:
            evidence = module.load(bundle, report.tenant)
        except Exception as exc:  # noqa: BLE001
            evidence = Evidence(kind, problems=[Problem(kind, None, f"the reader failed: {type(exc).__name__}: {exc}")])
        loaded[kind] = evidence
        report.kinds.append(_kind_report(kind, getattr(module, "DESCRIPTION", kind), evidence, needed, used))
    _mfa_needed(report, loaded)
    for kind, fields in (("attestations", ATTESTATION_FIELDS), ("provider_docs", PROVIDER_FIELDS)):
        report.placeholders += _entry_placeholders(bundle, loaded.get(kind), fields)
    _entry_issues(report, loaded)
    _empty_register(report)
    report.unattested = _unattested(catalog, loaded.get("attestations"))
    if period is not None:
        _period(report, loaded)
    return report


def _mfa_needed(report: Diagnosis, loaded: dict[str, Evidence]) -> None:
    """MFA evidence is optional to the engine (a tenant without console users needs none), but with enabled console
    users access.mfa is `error` without it: then the bundle is not ready."""
    users = loaded.get("iam_users")
    console = [u for u in (users.data or []) if u.enabled and u.console_access] if users is not None else []
    for kind_report in report.kinds:
        if kind_report.kind == "iam_mfa" and console and "access.mfa" not in kind_report.needed_by:
            kind_report.needed_by.append("access.mfa")
            kind_report.used_by = [c for c in kind_report.used_by if c != "access.mfa"]


def _kind_report(kind: str, description: str, evidence: Evidence, needed: list[str], used: list[str]) -> KindReport:
    if evidence.problems:
        status = BROKEN
    elif evidence.data is None:
        status = ABSENT
    else:
        status = PRESENT
    counts = [f.records for f in evidence.files if f.records is not None]
    records = sum(counts) if counts else (len(evidence.data) if isinstance(evidence.data, list) else None)
    return KindReport(kind, description, status, [f.path for f in evidence.files], records,
                      list(evidence.problems), evidence.note, needed, used)


# --- placeholders ------------------------------------------------------------------------------

def _tenant_placeholders(bundle) -> list[Placeholder]:
    try:
        if not bundle.exists("tenant.yaml"):
            return []
        document = yaml.safe_load(bundle.read_bytes("tenant.yaml").decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # the tenant loader says what is wrong with the file
    keys = [key for key, value in _walk(document) if PLACEHOLDER in str(value)]
    return [Placeholder("tenant.yaml", None, keys)] if keys else []


def _walk(node: Any, prefix: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{prefix}[{index}]")
    else:
        yield prefix, node


def _entry_placeholders(bundle, evidence: Evidence | None, fields: tuple[str, ...]) -> list[Placeholder]:
    """Entries of attestation or provider files whose fields are still empty."""
    from hds_audit.evidence.documents import yaml_entries

    found = []
    for rel in (evidence.files if evidence else []):
        entries, problem = yaml_entries(bundle, rel.path, "documents" if rel.path.startswith("provider/") else "attestations")
        for where, entry in ([] if problem else entries):
            if isinstance(entry, dict):
                empty = [f for f in fields if entry.get(f) in (None, "") or PLACEHOLDER in str(entry.get(f))]
                if empty:
                    found.append(Placeholder(rel.path, where, empty))
    return found


def _entry_issues(report: Diagnosis, loaded: dict[str, Evidence]) -> None:
    """Attestations and certificates that were read but cannot be judged (other than placeholders)."""
    templated = {(p.file, p.record) for p in report.placeholders}
    for kind_report in report.kinds:
        evidence = loaded.get(kind_report.kind)
        if evidence is None or not isinstance(evidence.data, list):
            continue
        for item in evidence.data:
            issue, file = getattr(item, "issue", None), getattr(item, "file", None)
            ref = getattr(item, "ref", "") or ""
            record = ref.split("#", 1)[1] if "#" in ref else None
            if issue and (file, record) not in templated:
                kind_report.problems.append(Problem(file, record, issue))
                kind_report.status = BROKEN


def _empty_register(report: Diagnosis) -> None:
    for kind_report in report.kinds:
        if kind_report.kind == "access_register" and kind_report.status == PRESENT and not kind_report.records:
            report.placeholders.append(Placeholder(kind_report.files[0], None, ["one row per authorization period (the register is empty)"]))


def _unattested(catalog, evidence: Evidence | None) -> list:
    attestations = evidence.data if evidence is not None and isinstance(evidence.data, list) else []
    return [c for c in organisational_controls(catalog) if not any(a.matches(c.id, c.rule) for a in attestations)]


# --- the period ----------------------------------------------------------------------------------

def _period(report: Diagnosis, loaded: dict[str, Evidence]) -> None:
    from hds_audit.calendar.instants import UTC
    from hds_audit.calendar.period import shift_days

    period = report.period
    traces = loaded.get("traces")
    if traces is not None and traces.data is not None:
        try:
            count, first, last = traces.data.summary(period.start.astimezone(UTC), period.end.astimezone(UTC))
        except Exception:  # noqa: BLE001 - a trace store failing here fails the checks, which say why
            count = None
        if count == 0:
            report.period_problems.append(f"no trace falls within {period.label}: collect the traces of that period")
        elif count:
            report.warnings.append(f"traces: {count} in {period.label}, from {_when(first)} to {_when(last)}")
    _coverage_gaps(report, loaded)
    policy = getattr(report.tenant, "policy", None)
    max_age = getattr(policy, "attestation_max_age_days", 365)
    since = shift_days(period.end, -max_age)
    for item in _items(loaded.get("attestations")):
        signed = getattr(item, "signed_at", None)
        if signed is not None and not since <= signed < period.end:
            report.warnings.append(f"{item.file}: signed {_when(signed)}, not within the {max_age} days before {_when(period.end)}: attestation.current will not accept it")
    for item in _items(loaded.get("provider_docs")):
        start, end = getattr(item, "valid_from", None), getattr(item, "valid_until", None)
        if start is not None and end is not None and not (start <= period.start and end >= period.end):
            report.warnings.append(f"{item.file}: {item.kind} valid {_when(start)} to {_when(end)}, not over the whole of {period.label}")


# check -> (label, whether its gaps block readiness): a trace gap most often means files not collected yet, so the
# bundle does not cover the period; a backup gap is what the listing says happened, a finding to expect, not a hole
COVERAGE = {"trace.continuity": ("trace coverage", True), "backup.coverage": ("backup coverage", False)}


def _coverage_gaps(report: Diagnosis, loaded: dict[str, Evidence]) -> None:
    """The gaps trace.continuity and backup.coverage would report over the period (up to now while it runs):
    traces of one day of a quarter are not a bundle ready for that quarter."""
    from hds_audit.checks.interface import CheckInput
    from hds_audit.checks.registry import all_checks
    from hds_audit.states import Status

    if report.tenant is None:
        return  # the tenant's policy (the limits) is unknown: tenant.yaml is reported instead
    specs = all_checks()
    for check_id, (label, blocking) in COVERAGE.items():
        spec = specs[check_id]
        needed = {kind: loaded.get(kind) for kind in spec.needs + spec.optional}
        if any(needed[k] is None or needed[k].data is None or needed[k].problems for k in spec.needs):
            continue  # absent or broken evidence is reported under Evidence
        data = {kind: e.data if e is not None else None for kind, e in needed.items()}
        files = {kind: [f.path for f in e.files] if e is not None else [] for kind, e in needed.items()}
        try:
            outcome = spec.run(CheckInput(data, report.tenant.policy.model_dump(), report.period, report.tenant, files))
        except Exception as exc:  # noqa: BLE001 - doctor must still report the rest
            report.warnings.append(f"{label}: could not be computed ({type(exc).__name__}: {exc})")
            continue
        for finding in outcome.findings:
            if finding.status is Status.FAIL and blocking:
                report.period_problems.append(f"{label}: {finding.object}: {finding.message}")
            elif finding.status is Status.FAIL:
                report.warnings.append(f"{label}: {finding.object}: {finding.message} ({check_id} will fail)")


def _items(evidence: Evidence | None) -> list:
    return evidence.data if evidence is not None and isinstance(evidence.data, list) else []


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        from hds_audit.calendar.instants import PARIS

        if value.tzinfo is None:
            from hds_audit.calendar.instants import UTC

            value = value.replace(tzinfo=UTC)
        return value.astimezone(PARIS).isoformat(timespec="minutes")
    return str(value)
