"""The result of a run, and its `results.json` form (docs/user-guide.md "Reading the results"),
ordered stably."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hds_audit import __version__
from hds_audit.calendar.instants import iso
from hds_audit.calendar.period import Period
from hds_audit.catalog.matching import DroppedBinding
from hds_audit.catalog.models import Control
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import FileRead, Problem
from hds_audit.evidence.tenant import Tenant
from hds_audit.i18n.messages import Message
from hds_audit.results.ids import finding_ids
from hds_audit.results.severity import severity_of
from hds_audit.states import SEVERITY, Status, is_blocking

SCHEMA = "hds-audit/results/v1"


@dataclass
class CheckResult:
    id: str
    status: Status
    findings: list[Finding]
    note: str | None = None  # in English: a check may give a Message, kept as `note_template` for other languages
    details: dict[str, Any] = field(default_factory=dict)
    note_template: Message | None = None

    def __post_init__(self) -> None:
        if isinstance(self.note, Message):
            self.note_template, self.note = self.note, str(self.note)

    def note_text(self) -> str | None:
        """The note in the language being rendered."""
        return self.note_template.render() if self.note_template is not None else self.note

    def finding_ids(self) -> list[str]:
        return finding_ids(self.id, (f.object for f in self.findings))

    def to_json(self) -> dict[str, Any]:
        level = severity_of(self.id)
        findings = [{"id": fid, "severity": level} | f.to_json() for fid, f in zip(self.finding_ids(), self.findings)]
        out: dict[str, Any] = {"id": self.id, "status": self.status.value, "severity": level, "findings": findings}
        if self.note:
            out["note"] = self.note
        if self.note and self.note_template is not None:  # additive, as a finding's message_template
            words = self.note_template.to_json()
            out["note_template"] = words["template"]
            out["note_params"] = words["params"]
        if self.details:
            out["details"] = _jsonable(self.details)
        return out


@dataclass
class ControlResult:
    control: Control
    status: Status
    checks: list[CheckResult]
    unbound: bool = False
    review: dict[str, Any] | None = None  # an auditor's verdict, imported from the workbook

    def to_json(self) -> dict[str, Any]:
        c = self.control
        out = {
            "id": c.id, "domain": c.domain, "rule": c.rule, "detail": c.detail,
            "responsibility": c.responsibility, "section": c.section, "source": c.source,
            "customer_responsibility": c.customer_responsibility, "provider_responsibility": c.provider_responsibility,
            "status": self.status.value, "checks": [r.to_json() for r in self.checks],
        }
        if self.unbound:
            out["note"] = "no evidence is bound to this rule in controls/bindings.yaml"
        if self.review:
            out["review"] = self.review
        return out


@dataclass
class RunResult:
    tenant: Tenant
    period: Period
    controls: list[ControlResult]
    evidence_files: list[FileRead]
    evidence_notes: dict[str, str]
    run_id: str
    generated_at: datetime | None = None
    # every evidence file, row or record that could not be read, by kind: what made checks `error`, said once
    evidence_problems: dict[str, list[Problem]] = field(default_factory=dict)
    # bindings the user dropped on purpose with a replaced matrix: their checks did not run, and every report says so
    dropped: list[DroppedBinding] = field(default_factory=list)
    sample: bool = False  # a run on the bundled fictional sample, not on a tenant's evidence
    language: str = "en"  # of the reports (hds_audit/i18n/__init__.py); results.json itself is in English
    # root cause id -> {"owner", "due"}: what the officer wrote in the workbook, kept by `review import`
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)

    # finding id -> an auditor's verdict on that finding, imported from the workbook (hds_audit/results/reviews.py)
    finding_reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    # how the trace cache served the run (results.json `tool.cache`); None when no trace file was read
    trace_cache: dict[str, Any] | None = None

    @property
    def interim(self) -> bool:
        return self.period.interim

    def summary(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.controls)
        return {s.value: counts.get(s, 0) for s in SEVERITY}

    def check_summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.unique_checks())
        return {s.value: counts.get(s, 0) for s in SEVERITY}

    def root_causes(self):
        from hds_audit.results.root_causes import root_causes

        return root_causes(self)

    def planned_actions(self):
        from hds_audit.results.actions import actions

        return actions(self)

    def unique_checks(self) -> list[CheckResult]:
        seen: dict[int, CheckResult] = {}
        for control in self.controls:
            for result in control.checks:
                seen.setdefault(id(result), result)
        return sorted(seen.values(), key=lambda r: r.id)

    def not_assessed(self) -> list[dict[str, Any]] | None:
        """In-scope resources no check judges (inventory.assessed); None when that check did not run."""
        result = next((r for r in self.unique_checks() if r.id == "inventory.assessed"), None)
        if result is None or not isinstance(result.details.get("not_assessed"), list):
            return None
        return _jsonable(result.details["not_assessed"])

    @property
    def blocking(self) -> bool:
        return any(is_blocking(c.status) for c in self.controls)

    def to_json(self) -> dict[str, Any]:
        from hds_audit.results.reviews import review_json

        out = {
            "schema": SCHEMA,
            "tool": {"name": "hds-audit", "version": __version__, "engine": getattr(self.tenant, "engine", "duckdb")}
            | ({"cache": self.trace_cache} if self.trace_cache is not None else {}),
            "run_id": self.run_id,
            "generated_at": iso(self.generated_at),
            "tenant": {"id": self.tenant.tenant_id, "name": self.tenant.name, "support_plan": self.tenant.support_plan,
                       "allowed_regions": list(self.tenant.allowed_regions), "scope": self.tenant.scope.describe()},
            "period": self.period.to_json(),
            "interim": self.interim,
            "sample": self.sample,
            "controls": [c.to_json() for c in self.controls],
            "summary": self.summary(),
            "check_summary": self.check_summary(),
            "language": self.language,
            "root_causes": [action.cause.to_json() | action.to_json() for action in self.planned_actions()],
            "evidence": [
                {"path": f.path, "sha256": f.sha256, "size": f.size, "records": f.records,
                 "first": iso(f.first), "last": iso(f.last)}
                for f in self.evidence_files
            ],
            "not_assessed": self.not_assessed(),
            "evidence_notes": self.evidence_notes,
            "evidence_problems": [{"kind": kind, "file": p.file, "record": p.record, "reason": p.reason}
                                  for kind, problems in sorted(self.evidence_problems.items()) for p in problems],
        } | review_json(self)
        if self.dropped:
            out["dropped_checks"] = [d.to_json() for d in self.dropped]
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Status):
        return value.value
    return value
