"""Waivers: a failing finding covered by a valid waiver is `waived` and still shown; validity is
judged at the end of the period, `expires` running to the end of its day."""

from __future__ import annotations

import yaml

from hds_audit.evidence import waivers as reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

PE, RT = "support.plan_eligible", "support.response_times"


def waiver(check=PE, object="standard", expires="2026-12-31", approved_by="Dr. Claire Martin (DPO)", **extra):
    out = {"check": check, "object": object, "justification": "migration to Business planned in Q4", "approved_by": approved_by, "expires": expires, **extra}
    return {k: v for k, v in out.items() if v is not None}


def write(builder, *items, raw: str | None = None):
    builder.write("waivers.yaml", raw if raw is not None else yaml.safe_dump({"waivers": list(items)}, sort_keys=False))


def plan_result(builder, run_checks_on, period="2026-Q3"):
    builder.tenant(support_plan="standard")
    return run_checks_on(builder.root, PE, period=period)[PE]


def test_covered_finding_is_waived_and_still_shown(builder, run_checks_on):
    write(builder, waiver())
    result = plan_result(builder, run_checks_on)
    assert result.status is Status.WAIVED
    [finding] = result.findings
    assert finding.object == "standard" and finding.status is Status.WAIVED
    assert "Business support plan" in finding.message  # the finding itself is kept
    assert finding.waiver.startswith("waived until 2026-12-31 by Dr. Claire Martin (DPO)")
    assert "waivers.yaml#waiver 1" in finding.waiver
    assert finding.to_json()["status"] == "waived"


def test_expiry_on_the_boundary_day(builder, run_checks_on):
    # 2026-Q3 ends 2026-10-01 00:00 Paris; `expires: 2026-09-30` runs to the end of that day
    write(builder, waiver(expires="2026-09-30"))
    assert plan_result(builder, run_checks_on).status is Status.WAIVED
    write(builder, waiver(expires="2026-09-29"))
    result = plan_result(builder, run_checks_on)
    assert result.status is Status.FAIL and result.findings[0].status is Status.FAIL


def test_expired_waiver_is_ignored_and_reported(builder, run_checks_on):
    write(builder, waiver(expires="2026-06-30"))
    result = plan_result(builder, run_checks_on)
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.status is Status.FAIL
    assert finding.waiver and "expired" in finding.waiver and "2026-06-30" in finding.waiver
    # the same waiver still covered an earlier period
    assert plan_result(builder, run_checks_on, period="2026-Q2").status is Status.WAIVED


def test_expiry_with_a_time_of_day(builder, run_checks_on):
    write(builder, raw="waivers:\n- {check: support.plan_eligible, object: standard, justification: j, approved_by: RSSI, expires: 2026-10-01T00:00:00}\n")
    assert plan_result(builder, run_checks_on).status is Status.WAIVED
    write(builder, raw="waivers:\n- {check: support.plan_eligible, object: standard, justification: j, approved_by: RSSI, expires: 2026-09-30T23:59:59+02:00}\n")
    assert plan_result(builder, run_checks_on).status is Status.FAIL


def test_glob_matching_and_check_id(builder, run_checks_on):
    builder.tenant(support_plan="business")
    builder.tickets(*[{"ticket_id": t, "category": "incident", "priority": "P1", "opened_at": "2026-07-06T10:00:00+02:00",
                       "responded_at": "2026-07-06T13:00:00+02:00"} for t in ("INC-0101", "INC-0102", "REQ-0001")])
    write(builder, waiver(check=RT, object="INC-01*"), waiver(check=PE, object="REQ-*"))
    result = run_checks_on(builder.root, RT)[RT]
    statuses = {f.object: f.status for f in result.findings}
    assert statuses == {"INC-0101": Status.WAIVED, "INC-0102": Status.WAIVED, "REQ-0001": Status.FAIL}
    assert result.status is Status.FAIL
    write(builder, waiver(check=RT, object="*"))
    assert run_checks_on(builder.root, RT)[RT].status is Status.WAIVED
    write(builder, waiver(check=RT, object="INC-010?"))
    assert {f.object for f in run_checks_on(builder.root, RT)[RT].findings if f.status is Status.WAIVED} == {"INC-0101", "INC-0102"}


def test_errors_are_never_waived(builder, run_checks_on):
    write(builder, waiver(check=RT, object="*"))
    result = run_checks_on(builder.root, RT)[RT]  # tickets absent
    assert result.status is Status.ERROR


def test_waiver_without_approver_is_refused(builder, run_checks_on):
    write(builder, waiver(approved_by=None), waiver(approved_by="   "), waiver(approved_by=""))
    evidence = reader.load(Bundle(str(builder.root)))
    assert evidence.data == []
    assert [p.record for p in evidence.problems] == ["waiver 1", "waiver 2", "waiver 3"]
    assert all("approved_by" in p.reason and p.reason.startswith("refused") for p in evidence.problems)
    assert "refused" in evidence.note  # reported in the results' evidence notes
    assert plan_result(builder, run_checks_on).status is Status.FAIL


def test_refused_waiver_does_not_hide_the_valid_ones(builder, run_checks_on):
    write(builder, waiver(approved_by=None), waiver())
    evidence = reader.load(Bundle(str(builder.root)))
    assert len(evidence.data) == 1 and evidence.data[0].reference == "waivers.yaml#waiver 2"
    assert plan_result(builder, run_checks_on).status is Status.WAIVED


def test_unreadable_or_absent_waivers(builder, run_checks_on):
    evidence = reader.load(Bundle(str(builder.root)))
    assert evidence.data == [] and "absent" in evidence.note
    write(builder, raw="waivers: [unclosed")
    evidence = reader.load(Bundle(str(builder.root)))
    assert evidence.data == [] and evidence.problems[0].file == "waivers.yaml"
    assert plan_result(builder, run_checks_on).status is Status.FAIL


def test_bare_list_and_unknown_field(builder):
    write(builder, raw=yaml.safe_dump([waiver(), waiver(ticket="CHG-1")]))
    evidence = reader.load(Bundle(str(builder.root)))
    assert len(evidence.data) == 1 and evidence.problems[0].record == "waiver 2"
