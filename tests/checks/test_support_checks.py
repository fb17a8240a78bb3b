"""Support plan eligibility (§3.3) and response-time objectives (§7.3.1), with French holidays."""

from __future__ import annotations

import pytest

from hds_audit.states import Status

PE, RT = "support.plan_eligible", "support.response_times"


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


def incident(ticket_id, priority, opened, responded=None, category="incident", **extra):
    return {"ticket_id": ticket_id, "category": category, "priority": priority, "opened_at": opened,
            "responded_at": responded or "", "resolved_at": "", "api_incident": "false", **extra}


def verdicts(result):
    return {row["ticket_id"]: row["verdict"] for row in result.details["tickets"]}


# -- support.plan_eligible ---------------------------------------------------------------------

@pytest.mark.parametrize("plan", ["business", "business_europe", "Business Europe", "premium", "platinum"])
def test_plan_eligible_pass(builder, run_checks_on, plan):
    builder.tenant(support_plan=plan)
    assert run_checks_on(builder.root, PE)[PE].status is Status.PASS


@pytest.mark.parametrize(("plan", "name"), [("basic", "Basic"), ("standard", "Standard")])
def test_plan_eligible_fail(builder, run_checks_on, plan, name):
    builder.tenant(support_plan=plan)
    result = run_checks_on(builder.root, PE)[PE]
    assert result.status is Status.FAIL and objects(result) == [plan]
    assert "Business support plan or higher" in result.findings[0].message and name in result.findings[0].message


# -- support.response_times ----------------------------------------------------------------------

def run(builder, run_checks_on, *tickets, plan="business", period="2026-Q2"):
    builder.tenant(support_plan=plan)
    builder.tickets(*tickets)
    return run_checks_on(builder.root, RT, period=period)[RT]


@pytest.mark.parametrize(("opened", "on_time", "late"), [
    # Ascension: opened Wed 13 May 15:00 -> 4 h that day, Thu 14 skipped, 6 h on Fri 15 -> 15:00
    ("2026-05-13T15:00:00+02:00", "2026-05-15T15:00:00+02:00", "2026-05-15T15:01:00+02:00"),
    # 1 May: opened Thu 30 Apr 17:00 -> 2 h, Fri 1 May skipped, weekend, 8 h on Mon 4 May -> 17:00
    ("2026-04-30T17:00:00+02:00", "2026-05-04T17:00:00+02:00", "2026-05-04T17:00:30+02:00"),
    # 8 May: opened Thu 7 May 18:00 -> 1 h, Fri 8 May skipped, weekend, 9 h on Mon 11 May -> 18:00
    ("2026-05-07T18:00:00+02:00", "2026-05-11T18:00:00+02:00", "2026-05-11T18:05:00+02:00"),
    # Whit Monday: opened Fri 22 May 10:00 -> 9 h, weekend, Mon 25 skipped, 1 h on Tue 26 -> 10:00
    ("2026-05-22T10:00:00+02:00", "2026-05-26T10:00:00+02:00", "2026-05-26T10:00:01+02:00"),
    # opened on a holiday (Ascension, 14 May): the clock starts on Fri 15 May at 09:00
    ("2026-05-14T11:00:00+02:00", "2026-05-15T19:00:00+02:00", "2026-05-18T09:00:01+02:00"),
])
def test_business_p3_working_hours_around_may_holidays(builder, run_checks_on, opened, on_time, late):
    result = run(builder, run_checks_on, incident("INC-1", "P3", opened, on_time), incident("INC-2", "P3", opened, late))
    assert result.status is Status.FAIL and objects(result) == ["INC-2"], result.findings
    assert verdicts(result) == {"INC-1": "on time", "INC-2": "late"}
    assert result.details["tickets"][0]["deadline"] == on_time
    assert "1 working day" in result.findings[0].message and "working hours" in result.findings[0].message


def test_business_p3_around_christmas(builder, run_checks_on):
    # opened Thu 24 Dec 17:00 -> 2 h, Fri 25 Dec skipped, weekend, 8 h on Mon 28 Dec -> 17:00
    result = run(builder, run_checks_on, incident("INC-1", "P3", "2026-12-24T17:00:00+01:00", "2026-12-28T17:00:00+01:00"),
                 incident("INC-2", "P3", "2026-12-24T17:00:00+01:00", "2026-12-28T17:30:00+01:00"), period="2026-Q4")
    assert objects(result) == ["INC-2"] and result.details["tickets"][0]["deadline"] == "2026-12-28T17:00:00+01:00"
    assert result.details["tickets"][1]["measured_hours"] == 10.5


def test_24x7_objectives_run_through_holidays(builder, run_checks_on):
    # Premium P1, 15 minutes: opened Christmas Eve 23:50, due on Christmas Day 00:05
    result = run(builder, run_checks_on, incident("INC-1", "P1", "2026-12-24T23:50:00+01:00", "2026-12-25T00:05:00+01:00"),
                 incident("INC-2", "P1", "2026-12-24T23:50:00+01:00", "2026-12-25T00:06:00+01:00"), plan="premium", period="2026-Q4")
    assert objects(result) == ["INC-2"] and result.details["tickets"][0]["deadline"] == "2026-12-25T00:05:00+01:00"
    # Business P1, 1 hour, on Ascension Day
    result = run(builder, run_checks_on, incident("INC-3", "P1", "2026-05-14T10:00:00+02:00", "2026-05-14T11:00:00+02:00"),
                 incident("INC-4", "P2", "2026-05-14T10:00:00+02:00", "2026-05-14T12:30:00+02:00"))
    assert objects(result) == ["INC-4"] and "2 hours objective" in result.findings[0].message


def test_standard_p1_sample_case(builder, run_checks_on):
    # Friday 10 July 17:00 -> 2 h; weekend; Mon 13: 10 h; Tue 14 July holiday; Wed 15 09:00-11:30: 2.5 h
    result = run(builder, run_checks_on, incident("INC-2026-0571", "P1", "2026-07-10T17:00:00+02:00", "2026-07-15T11:30:00+02:00"),
                 plan="standard", period="2026-Q3")
    assert objects(result) == ["INC-2026-0571"]
    assert "14.5 working hours" in result.findings[0].message and "12 working hours objective of the Standard plan" in result.findings[0].message


def test_only_incidents_opened_in_the_period_are_judged(builder, run_checks_on):
    result = run(builder, run_checks_on,
                 incident("REQ-1", "P1", "2026-05-04T09:00:00+02:00", "2026-05-20T09:00:00+02:00", category="request"),
                 incident("INC-OLD", "P1", "2026-03-31T23:00:00+02:00", "2026-04-03T09:00:00+02:00"),
                 incident("INC-OK", "P1", "2026-04-01T00:00:00+02:00", "2026-04-01T00:30:00+02:00"))
    assert result.status is Status.PASS and verdicts(result) == {"INC-OK": "on time"}


def test_unanswered_tickets_fail_once_due_and_are_pending_before(builder, run_checks_on):
    result = run(builder, run_checks_on, incident("INC-1", "P2", "2026-06-30T20:00:00+02:00"),
                 incident("INC-2", "P3", "2026-06-30T18:00:00+02:00"))
    # P2 (2 hours) was due at 22:00; P3 (10 working hours) only on Wednesday 1 July at 18:00
    assert objects(result) == ["INC-1"] and "has no response" in result.findings[0].message
    assert verdicts(result) == {"INC-1": "not answered", "INC-2": "pending"}


def test_p4_has_no_objective_outside_platinum(builder, run_checks_on):
    result = run(builder, run_checks_on, incident("INC-1", "P4", "2026-05-04T09:00:00+02:00"), plan="premium")
    assert result.status is Status.PASS and verdicts(result) == {"INC-1": "no objective (P4)"}


@pytest.mark.parametrize(("plan", "why"), [("platinum", "no Platinum column"), ("basic", "no objective ('N/A')")])
def test_plans_without_objectives_are_manual(builder, run_checks_on, plan, why):
    result = run(builder, run_checks_on, incident("INC-1", "P1", "2026-05-04T09:00:00+02:00", "2026-05-04T09:10:00+02:00"),
                 incident("INC-2", "P4", "2026-05-04T09:00:00+02:00"), plan=plan)
    expected = ["INC-1", "INC-2"] if plan == "platinum" else ["INC-1"]
    assert result.status is Status.MANUAL and objects(result, Status.MANUAL) == expected
    assert why in result.findings[0].message


def test_response_times_absent_or_broken_tickets_is_error(builder, run_checks_on):
    result = run_checks_on(builder.root, RT)[RT]
    assert result.status is Status.ERROR and any("absent" in f.message for f in result.findings)
    result = run(builder, run_checks_on, incident("INC-1", "P1", "2026-05-04T09:00:00+02:00", "2026-05-04T09:10:00+02:00"),
                 incident("INC-2", "P9", "2026-05-04T09:00:00+02:00"), incident("INC-3", "P1", "04/05/2026"))
    assert result.status is Status.ERROR
    assert sorted(e for f in result.findings for e in f.evidence) == ["tickets.csv#row 3", "tickets.csv#row 4"]
