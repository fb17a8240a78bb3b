"""The accepted baseline (`hds-audit baseline`) and the gate's verdict against it (`hds-audit gate`).

A baseline file records, at one moment, what the organisation accepts:

* `findings`: every failing, erroring or waived finding of the run, by check id and object (the
  message is there for the reader);
* `resources`: the fingerprint of every tracked resource (see `hds_audit.workflows.drift`), by address.

The gate then fails (exit 1) on:

* a **new problem**: a `fail` or `error` finding whose check id + object is not accepted. A baseline
  finding is accepted when it was `fail` or `error` then; one that was `waived` is accepted only
  while its waiver holds (an expired waiver is a new problem). `error` counts: a pipeline must not
  pass on evidence it could not read;
* **drift**: any difference between the baseline's fingerprints and the current ones (an
  attribute changed, a tracked resource added or removed).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hds_audit import __version__
from hds_audit.calendar.instants import iso

# the kinds --config-only reads, declared with each kind: backup listings too (small JSON files), so that
# residency.resources and residency.replication place the backups instead of reporting them absent
from hds_audit.evidence import CONFIG_KINDS  # noqa: F401 - gate reads it here
from hds_audit.results.documents import UnreadableDocument, read_document
from hds_audit.results.model import RunResult
from hds_audit.states import Status
from hds_audit.workflows.drift import Drift

SCHEMA = "hds-audit/baseline/v1"
RECORDED = (Status.FAIL, Status.ERROR, Status.WAIVED)
ACCEPTING = {Status.FAIL.value, Status.ERROR.value}
PROBLEMS = (Status.FAIL, Status.ERROR)


def _config_checks() -> tuple[str, ...]:
    from hds_audit.checks.registry import all_checks

    return tuple(sorted(s.id for s in all_checks().values() if s.category == "configuration"))


# The checks that judge configuration only (no traces, no listings), as they declare it: `--config-only` runs these.
CONFIG_CHECKS: tuple[str, ...] = _config_checks()


class BaselineError(Exception):
    """The baseline file is missing or unusable: the gate cannot run (exit 2)."""


def run_findings(result: RunResult, statuses=RECORDED) -> list[dict[str, Any]]:
    """The findings of a run with the given statuses, one per check id + object, sorted."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for check in result.unique_checks():
        for f in check.findings:
            if f.status in statuses:
                seen.setdefault((check.id, f.object), {"check": check.id, "object": f.object, "status": f.status.value,
                                                       "message": f.message, "evidence": list(f.evidence)})
    return [seen[k] for k in sorted(seen)]


def build(result: RunResult, resources: dict[str, dict[str, Any]], created_at: datetime, config_only: bool,
          sources: list[str]) -> dict[str, Any]:
    tenant = result.tenant
    return {
        "schema": SCHEMA,
        "tool": {"name": "hds-audit", "version": __version__},
        "created_at": iso(created_at),
        "tenant": {"id": tenant.tenant_id, "name": tenant.name},
        "period": result.period.to_json(),
        "scope": tenant.scope.describe(),
        "checks": "configuration only" if config_only else "all",
        "configuration_from": sources,
        "findings": [{k: f[k] for k in ("check", "object", "status", "message")} for f in run_findings(result)],
        "resources": resources,
    }


@dataclass
class Baseline:
    path: str
    document: dict[str, Any]

    @property
    def tenant_id(self) -> str:
        return str(self.document["tenant"]["id"])

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.document["resources"]

    def accepted(self) -> set[tuple[str, str]]:
        return {(f["check"], f["object"]) for f in self.document["findings"] if f.get("status", "fail") in ACCEPTING}

    def recorded(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(f["check"], f["object"]): f for f in self.document["findings"]}


def load(path: Path) -> Baseline:
    try:
        document = read_document(path, SCHEMA)
    except UnreadableDocument as exc:
        hint = f"; record one with `hds-audit baseline BUNDLE --out {path}`" if exc.missing else ""
        raise BaselineError(f"baseline {path} {exc.reason}{hint}") from None
    problems = []
    if not isinstance(document.get("tenant"), dict) or not document["tenant"].get("id"):
        problems.append("tenant.id is missing")
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(isinstance(f, dict) and isinstance(f.get("check"), str)
                                                  and isinstance(f.get("object"), str) for f in findings):
        problems.append("findings must be a list of {check, object, ...}")
    resources = document.get("resources")
    if not isinstance(resources, dict) or not all(isinstance(v, dict) for v in resources.values()):
        problems.append("resources must map each address to its fingerprint")
    if problems:
        raise BaselineError(f"baseline {path} is invalid: {'; '.join(problems)}")
    return Baseline(str(path), document)


@dataclass
class Verdict:
    new: list[dict[str, Any]] = field(default_factory=list)  # new fail/error findings
    accepted: list[dict[str, Any]] = field(default_factory=list)  # fail/error findings the baseline accepts
    gone: list[dict[str, Any]] = field(default_factory=list)  # baseline findings of checks that ran, no longer seen
    drift: list[Drift] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    nothing_judged: str | None = None  # why no configuration could be judged: never green then

    @property
    def green(self) -> bool:
        return not self.new and not self.drift and not self.nothing_judged

    def to_json(self) -> dict[str, Any]:
        return {"green": self.green, "new": self.new, "accepted": self.accepted, "gone": self.gone,
                "drift": [d.to_json() for d in self.drift], "checks": self.checks_run,
                "no_configuration": self.nothing_judged}


def judge(result: RunResult, baseline: Baseline, drift: list[Drift]) -> Verdict:
    accepted = baseline.accepted()
    verdict = Verdict(drift=drift, checks_run=[c.id for c in result.unique_checks()])
    now = run_findings(result, PROBLEMS)
    for f in now:
        (verdict.accepted if (f["check"], f["object"]) in accepted else verdict.new).append(f)
    current = {(f["check"], f["object"]) for f in run_findings(result)}
    ran = set(verdict.checks_run)
    verdict.gone = [f for key, f in sorted(baseline.recorded().items()) if key[0] in ran and key not in current]
    return verdict


# -- junit.xml --------------------------------------------------------------------------------------
def junit(verdict: Verdict, result: RunResult, source: str, baseline: Baseline) -> bytes:
    """One testcase per check run (failing on its new problems) and one per drifted resource."""
    suites = ET.Element("testsuites", {"name": f"hds-audit gate {result.tenant.name}"})
    properties = ET.SubElement(suites, "properties")
    for name, value in (("configuration", source), ("baseline", baseline.path),
                        ("baseline_created_at", str(baseline.document.get("created_at"))), ("period", result.period.label)):
        ET.SubElement(properties, "property", {"name": name, "value": value})
    by_check: dict[str, list[dict[str, Any]]] = {}
    for f in verdict.new:
        by_check.setdefault(f["check"], []).append(f)
    accepted: dict[str, list[dict[str, Any]]] = {}
    for f in verdict.accepted:
        accepted.setdefault(f["check"], []).append(f)
    checks = ET.SubElement(suites, "testsuite", {
        "name": "findings", "tests": str(len(verdict.checks_run)),
        "failures": str(sum(1 for c in by_check if any(f["status"] == "fail" for f in by_check[c]))),
        "errors": str(sum(1 for c in by_check if all(f["status"] == "error" for f in by_check[c]))),
    })
    for check_id in verdict.checks_run:
        case = ET.SubElement(checks, "testcase", {"classname": check_id.split(".")[0], "name": check_id})
        new = by_check.get(check_id, [])
        if new:
            tag = "failure" if any(f["status"] == "fail" for f in new) else "error"
            body = "\n".join(f"[{f['status']}] {f['object']}: {f['message']}" for f in new)
            ET.SubElement(case, tag, {"message": f"{len(new)} new finding(s) not in the baseline", "type": tag}).text = body
        if accepted.get(check_id):
            ET.SubElement(case, "system-out").text = "accepted by the baseline:\n" + "\n".join(
                f"[{f['status']}] {f['object']}: {f['message']}" for f in accepted[check_id])
    drifted: dict[str, list[Drift]] = {}
    for d in verdict.drift:
        drifted.setdefault(d.address, []).append(d)
    suite = ET.SubElement(suites, "testsuite", {"name": "drift", "tests": str(max(len(drifted), 1)), "failures": str(len(drifted))})
    for address, rows in drifted.items():
        case = ET.SubElement(suite, "testcase", {"classname": "drift", "name": address})
        ET.SubElement(case, "failure", {"message": f"{rows[0].change}: {', '.join(d.attribute for d in rows)}",
                                        "type": "drift"}).text = "\n".join(d.line() for d in rows)
    if verdict.nothing_judged:
        case = ET.SubElement(suite, "testcase", {"classname": "drift", "name": "configuration"})
        ET.SubElement(case, "failure", {"message": verdict.nothing_judged, "type": "no-configuration"})
    elif not drifted:
        ET.SubElement(suite, "testcase", {"classname": "drift", "name": "configuration matches the baseline"})
    from hds_audit.formats.junit import xml_safe

    ET.indent(xml_safe(suites))
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"
