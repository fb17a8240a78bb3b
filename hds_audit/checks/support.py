"""Support checks: HDS eligibility of the support plan (SD §3.3) and the response-time objectives
of the support plans table (SD §7.3.1), counted as hds_audit/provider/support_plans.py says.

support.response_times conventions:

* Tickets judged: category `incident`, opened in the period. The plan is the tenant's.
* A response is on time when its measured Response Time (§7.2) is at most the objective
  (`is_response_on_time`). Without `responded_at`, a ticket whose deadline lies before the end
  of the period fails; one still within its deadline is `pending`.
* P4 tickets "are not related to Incidents" and carry commitments "only for Platinum" (§7.2):
  under any other plan they have no objective and are listed, not judged.
* A plan whose table cell gives no objective for the priority — Basic (N/A everywhere) and
  Platinum (Tableau n° 1 has no Platinum column) — is `manual`: the tool cannot judge the ticket,
  a person compares it with what the contract promises. Basic is not HDS-eligible anyway, which
  support.plan_eligible reports as a failure.
"""

from __future__ import annotations

from decimal import Decimal

from hds_audit.calendar.instants import iso
from hds_audit.checks.common import row_ref
from hds_audit.checks.interface import CheckInput, Finding, Outcome
from hds_audit.checks.registry import check
from hds_audit.i18n.messages import Quote, msg
from hds_audit.provider.support_plans import HDS_ELIGIBLE_PLANS, is_response_on_time, load_support_plans, measured_response_time, response_deadline
from hds_audit.states import Status


@check("support.plan_eligible", "The support plan is eligible for HDS (§3.3)",
       category="document", severity="medium")
def plan_eligible(inp: CheckInput) -> Outcome:
    plan = inp.tenant.support_plan
    details = {"plan": plan, "eligible_plans": sorted(HDS_ELIGIBLE_PLANS)}
    if plan in HDS_ELIGIBLE_PLANS:
        return Outcome(details=details)
    name = load_support_plans().plan(plan).name
    return Outcome([Finding(plan, msg("HDS needs the Business support plan or higher (§3.3); the tenant has {plan}", plan=name),
                             ("tenant.yaml#support_plan",))], details=details)


@check("support.response_times", "Incident tickets are answered within the plan's objective (§7.3.1)", needs=("tickets",),
       category="tabular", severity="low")
def response_times(inp: CheckInput) -> Outcome:
    plans = load_support_plans()
    plan = inp.tenant.support_plan
    file = inp.file("tickets", "tickets.csv")
    findings, rows = [], []
    tickets = [t for t in inp["tickets"] if t.values["category"] == "incident" and inp.period.contains(t.values["opened_at"])]
    for ticket in sorted(tickets, key=lambda t: (t.values["opened_at"], t.values["ticket_id"])):
        v = ticket.values
        priority = v["priority"].upper()
        opened, responded = v["opened_at"], v["responded_at"]
        objective = plans.objective(plan, priority)
        ref = (row_ref(file, ticket),)
        row = {"ticket_id": v["ticket_id"], "priority": priority, "opened_at": iso(opened), "responded_at": iso(responded),
               "objective": objective.seed if objective else None, "clock": objective.clock if objective else None}
        rows.append(row)
        if objective is None or objective.duration is None:
            if priority == "P4" and plan != "platinum":
                row["verdict"] = "no objective (P4)"
                continue
            row["verdict"] = "manual"
            why = (msg("the support plans table has no Platinum column") if plan == "platinum" else
                   msg("the table gives no objective ('{seed}')", seed=Quote(objective.seed if objective else "N/A")))
            findings.append(Finding(v["ticket_id"], msg("{priority} incident opened {opened} under the {plan} plan: {why}; compare the "
                                                        "response with the contract", priority=priority, opened=opened,
                                                        plan=plans.plan(plan).name, why=why), ref, Status.MANUAL))
            continue
        deadline = response_deadline(plan, priority, opened, catalog=plans)
        row["deadline"] = iso(deadline)
        if responded is None:
            if deadline < inp.period.end:
                row["verdict"] = "not answered"
                findings.append(Finding(v["ticket_id"], msg("{priority} incident opened {opened} has no response; the {objective} objective "
                                                            "ran out {deadline}", priority=priority, opened=opened,
                                                            objective=Quote(objective.seed), deadline=deadline), ref))
            else:
                row["verdict"] = "pending"
            continue
        measured = measured_response_time(plan, priority, opened, responded, catalog=plans)
        row["measured_hours"] = round(measured.total_seconds() / 3600, 2)
        if is_response_on_time(plan, priority, opened, responded, catalog=plans):
            row["verdict"] = "on time"
            continue
        row["verdict"] = "late"
        hours = format(row["measured_hours"], "g")
        hours = Decimal(hours) if "e" not in hours else hours  # a figure the reader's locale writes
        template = (msg("{priority} incident opened {opened}, answered {responded}: {hours} working hours, over the {objective} "
                        "objective of the {plan} plan (due {deadline})", priority=priority, opened=opened, responded=responded,
                        hours=hours, objective=Quote(objective.seed), plan=plans.plan(plan).name, deadline=deadline)
                    if objective.clock == "working_hours" else
                    msg("{priority} incident opened {opened}, answered {responded}: {hours} hours, over the {objective} "
                        "objective of the {plan} plan (due {deadline})", priority=priority, opened=opened, responded=responded,
                        hours=hours, objective=Quote(objective.seed), plan=plans.plan(plan).name, deadline=deadline))
        findings.append(Finding(v["ticket_id"], template, ref))
    return Outcome(findings, details={"plan": plan, "tickets": rows})
