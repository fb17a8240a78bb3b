"""Findings grouped by what causes them (contract §5 `root_causes[]`), so a report can say "1 expired
provider certificate → 17 controls" instead of "17 controls fail".

Every finding that needs action (fail, error, manual; a waived one is an accepted risk) belongs to
exactly one root cause, so the causes account for every such finding once:

* a check shared by several controls is one result: its finding on one object is one cause behind
  all of those controls;
* a finding may name the thing it stems from (`Finding.cause`: the server a backup copies), and
  then groups with that thing's own finding and its siblings;
* an evidence file that cannot be read is one cause, whichever checks it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hds_audit.results.ids import root_cause_id
from hds_audit.results.severity import rank, severity_of
from hds_audit.states import Status, worst

if TYPE_CHECKING:
    from hds_audit.results.model import RunResult

NEEDS_ACTION = (Status.FAIL, Status.ERROR, Status.MANUAL)
EVIDENCE_SCOPE = "evidence"
MAX_NAMED = 3  # related objects named in a summary


@dataclass
class RootCause:
    id: str
    scope: str  # the check id, or "evidence" for an unreadable file
    object: str  # the thing at fault
    checks: list[str] = field(default_factory=list)
    findings: list[tuple[str, Any]] = field(default_factory=list)  # (finding id, Finding)
    controls: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst(f.status for _, f in self.findings)

    @property
    def severity(self) -> str:
        return min((severity_of(c) for c in self.checks), key=rank)

    @property
    def head(self):
        """The finding that names the cause itself, else the first."""
        return next((f for _, f in self.findings if f.object == self.object), self.findings[0][1])

    @property
    def related(self) -> int:
        """Findings besides the head (the backups of a server...)."""
        return len(self.findings) - 1

    def summary(self) -> str:
        text = f"{self.object}: {self.head.message}"
        if self.related:
            others = [f.object for _, f in self.findings if f is not self.head]
            named = ", ".join(others[:MAX_NAMED]) + (", …" if len(others) > MAX_NAMED else "")
            text += f" (and {self.related} related finding(s): {named})"
        return text

    def sort_key(self) -> tuple:
        return (-len(self.controls), rank(self.severity), self.status.value, -len(self.findings), self.scope, self.object)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "summary": self.summary(), "object": self.object, "status": self.status.value,
                "severity": self.severity, "checks": self.checks, "finding_ids": [i for i, _ in self.findings],
                "controls": self.controls}


def root_causes(result: RunResult) -> list[RootCause]:
    """The run's root causes, those behind the most controls first."""
    unreadable = {p.file for problems in result.evidence_problems.values() for p in problems}
    causes: dict[tuple[str, str], RootCause] = {}
    placed: set[tuple[int, int]] = set()  # (check result, finding index): a shared check is counted once
    for control in result.controls:
        for check in control.checks:
            for index, (fid, finding) in enumerate(zip(check.finding_ids(), check.findings)):
                if finding.status not in NEEDS_ACTION:
                    continue
                if finding.status is Status.ERROR and finding.object in unreadable:
                    key = (EVIDENCE_SCOPE, finding.object)
                else:
                    key = (check.id, finding.cause or finding.object)
                cause = causes.get(key)
                if cause is None:
                    cause = causes[key] = RootCause(root_cause_id(*key), key[0], key[1])
                if check.id not in cause.checks:
                    cause.checks.append(check.id)
                if control.control.id not in cause.controls:
                    cause.controls.append(control.control.id)
                if (id(check), index) not in placed:
                    placed.add((id(check), index))
                    cause.findings.append((fid, finding))
    return sorted(causes.values(), key=RootCause.sort_key)
