"""A RunResult made by hand for the report tests: every status, long finding lists, hostile
strings from "evidence", and the `details` the charts and proofs read. No bundle needed."""

from __future__ import annotations

from datetime import datetime, timedelta

from hds_audit.calendar.instants import PARIS, iso
from hds_audit.calendar.period import parse_period
from hds_audit.catalog.load import load_catalog
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import FileRead
from hds_audit.evidence.tenant import Tenant
from hds_audit.results.model import CheckResult, ControlResult, RunResult
from hds_audit.states import Status, worst

RUN_ID = "0123456789abcdef0123"
SCRIPT = "<script>document.title='owned'</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = "<font size=40>big</font> & <b>bold"
TRACE_FILE = "traces/CloudTraces/eu-west-0/2026/7/1/system/ECS/a.json.gz"


def tenant(**overrides) -> Tenant:
    base = {"tenant_id": "7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7", "name": "Centre Hospitalier de Test",
            "support_plan": "business", "allowed_regions": ["eu-west-0"], "scope": {"tag": "hds=true"}}
    return Tenant.model_validate({**base, **overrides})


def _continuity(period) -> dict:
    daily, day = [], period.start
    while day < period.end:
        if not (datetime(2026, 8, 10, tzinfo=PARIS) <= day < datetime(2026, 8, 14, tzinfo=PARIS)):
            daily.append({"region": "eu-west-0", "day": day.date().isoformat(), "count": 900 + (day.day * 37) % 400})
        day += timedelta(days=1)
    gaps = [{"region": "eu-west-0", "start": "2026-08-09T23:10:00+02:00", "end": "2026-08-14T00:20:00+02:00", "hours": 97.2}]
    return {"daily": daily, "gaps": gaps, "max_gap_hours": 24}


BACKUPS = {"rpo_hours": 24, "resources": [
    {"resource_id": "srv-1", "name": "dpi-app-01", "backups": 92, "longest_interval_hours": 24.0},
    {"resource_id": "vol-1", "name": "dpi-db-data", "backups": 60, "longest_interval_hours": 71.5},
    {"resource_id": "vol-2", "name": SCRIPT, "backups": 0, "longest_interval_hours": None},
]}

PLACEMENTS = {"placements": [
    {"object": "srv-1", "kind": "flexibleengine_compute_instance_v2", "region": "eu-west-0", "country": "FR", "allowed": True},
    {"object": "bkp-1", "kind": "backup", "region": "eu-west-0", "country": "FR", "allowed": True},
    {"object": MARKUP, "kind": "flexibleengine_obs_bucket", "region": "eu-west-0", "country": "FR", "allowed": True},
]}

TIMELINE = {"contract_end": "2026-03-31T00:00:00+02:00", "deadline": "2026-05-31T00:00:00+02:00", "timeline": [
    {"resource_id": "srv-1", "kind": "server", "first_seen": "2025-01-02T10:00:00+01:00", "proof": "delete trace deleteServer",
     "proof_at": "2026-04-12T09:00:00+02:00", "deadline": "2026-05-31T00:00:00+02:00", "verdict": "deleted"},
    {"resource_id": "bkp-9", "kind": "backup", "first_seen": "2025-02-01T00:00:00+01:00", "proof": "status deleted",
     "proof_at": "2026-05-02T09:00:00+02:00", "deadline": "2026-05-31T00:00:00+02:00", "verdict": "deleted"},
]}


def check_result(check_id: str, period) -> CheckResult:
    """A made-up outcome per check id: fails, errors, long lists, details."""
    if check_id == "access.nominative_accounts":
        return CheckResult(check_id, Status.FAIL, [
            Finding(SCRIPT, "enabled IAM user absent from the register of authorized persons", ("iam/users.json#name=x",)),
            Finding(FORMULA, "generic account name with no named person in the register", (f"iam/users.json#name={FORMULA}",)),
            Finding(MARKUP, "in the register without a person", ("access_register.csv#row 7",)),
        ])
    if check_id == "access.register_covers_activity":
        return CheckResult(check_id, Status.FAIL, [
            Finding(f"user{i:02d}", f"{i + 1} action(s) with no authorization in the register", (f"{TRACE_FILE}#trace_id=t{i}",))
            for i in range(40)
        ])
    if check_id == "trace.continuity":
        return CheckResult(check_id, Status.FAIL, [Finding("eu-west-0", "97.2 h without any trace from 2026-08-09 to 2026-08-14", (TRACE_FILE,))],
                           details=_continuity(period))
    if check_id == "backup.coverage":
        return CheckResult(check_id, Status.FAIL, [Finding("vol-1", "71.5 h between two backups", ("backups/cbr.json#id=b2",)),
                                                   Finding("vol-2", "no backup in the period", ("backups/cbr.json",))], details=BACKUPS)
    if check_id == "residency.resources":
        return CheckResult(check_id, Status.PASS, [], details=PLACEMENTS)
    if check_id == "deletion.contract_end":
        return CheckResult(check_id, Status.PASS, [], details=TIMELINE)
    if check_id == "support.response_times":
        return CheckResult(check_id, Status.ERROR, [Finding("tickets.csv", "evidence absent: tickets.csv", status=Status.ERROR)])
    if check_id == "transport.tls_only":
        return CheckResult(check_id, Status.WAIVED, [Finding("lst-1", "HTTP listener", ("resources/main.tfstate#lst-1",), Status.WAIVED,
                                                             "waived until 2027-01-31 by RSSI: portal redirect")])
    if check_id == "backup.quota":
        return CheckResult(check_id, Status.NOT_APPLICABLE, [], note="no VBS evidence")
    if check_id == "attestation.current":
        return CheckResult(check_id, Status.MANUAL, [], note="no attestation for this rule")
    return CheckResult(check_id, Status.PASS, [])


def sample_result(**tenant_overrides) -> RunResult:
    catalog = load_catalog()
    period = parse_period("2026-Q3")
    memo: dict[str, CheckResult] = {}
    controls = []
    for control in catalog.controls:
        binding = catalog.bindings.get(control.id)
        refs = binding.check_refs(control) if binding else []
        checks = [memo.setdefault(ref.id, check_result(ref.id, period)) for ref in refs]
        controls.append(ControlResult(control, worst(c.status for c in checks) if binding else Status.MANUAL, checks, unbound=binding is None))
    files = [
        FileRead(TRACE_FILE, "a" * 64, 12345, 81234, datetime(2026, 7, 1, tzinfo=PARIS), datetime(2026, 9, 30, 23, tzinfo=PARIS)),
        FileRead("iam/users.json", "b" * 64, 2048, 12),
        FileRead(f"attestations/{FORMULA}.yaml", "c" * 64, 300, 1),
    ]
    return RunResult(tenant(**tenant_overrides), period, controls, files, {"restore_tests": "restore_tests.csv is absent"},
                     run_id=RUN_ID, generated_at=datetime(2026, 10, 2, 9, 30, tzinfo=PARIS))


def plain(flowables) -> str:
    """The text of a story, walking into tables and kept-together groups."""
    out = []

    def walk(item):
        if item is None:
            return
        if isinstance(item, (list, tuple)):
            for x in item:
                walk(x)
        elif hasattr(item, "getPlainText"):
            out.append(item.getPlainText())
        elif hasattr(item, "_cellvalues"):
            walk(item._cellvalues)
        elif hasattr(item, "_content"):
            walk(item._content)
        elif isinstance(item, str):
            out.append(item)

    walk(flowables)
    return "\n".join(out)


__all__ = ["sample_result", "tenant", "iso", "RUN_ID", "SCRIPT", "FORMULA", "MARKUP", "plain"]
