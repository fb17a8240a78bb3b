"""What a check is: a pure function of evidence tables, parameters and the period, returning findings.

Checks never read files; the engine hands them the evidence kinds they declare in `needs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hds_audit.evidence.tenant import Tenant
from hds_audit.period import Period
from hds_audit.states import Status


@dataclass(frozen=True)
class Finding:
    object: str  # the thing at fault, as the evidence names it
    message: str
    evidence: tuple[str, ...] = ()  # "file#record" references
    status: Status = Status.FAIL
    waiver: str | None = None  # why a failing finding is waived
    cause: str | None = None  # the object this one stems from (a backup's server): its root cause

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.object, "message": self.message, "evidence": list(self.evidence)}
        if self.status is not Status.FAIL:
            out["status"] = self.status.value
        if self.waiver:
            out["waiver"] = self.waiver
        if self.cause:
            out["cause"] = self.cause
        return out

    def sort_key(self) -> tuple:
        return (self.status.value, self.object, self.message)


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    not_applicable: str | None = None  # reason the check does not apply
    manual: str | None = None  # what a human must attest
    details: dict[str, Any] = field(default_factory=dict)  # tables for reports (gaps, deletion timeline...)


@dataclass(frozen=True)
class CheckInput:
    evidence: dict[str, Any]  # kind name -> its data (None for an absent optional kind)
    params: dict[str, Any]  # tenant policy with binding overrides
    period: Period
    tenant: Tenant
    files: dict[str, list[str]] = field(default_factory=dict)  # kind name -> files it was read from

    def file(self, kind: str, default: str = "") -> str:
        """The (first) file a kind was read from, for evidence references."""
        return (self.files.get(kind) or [default])[0]

    def __getitem__(self, kind: str) -> Any:
        return self.evidence[kind]


CheckFunction = Callable[[CheckInput], Outcome]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    needs: tuple[str, ...]  # evidence kinds without which the check is `error`
    optional: tuple[str, ...]  # kinds used when present
    run: CheckFunction
    # whether the check applies to this tenant at all (e.g. only after a contract end): decided
    # from tenant.yaml before any evidence is read, so broken evidence cannot make it `error`
    applies: Callable[[Tenant], str | None] | None = None  # returns the reason it does not apply
