"""Accepted risks: a failing finding covered by an unexpired waiver becomes `waived`, never hidden."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from fnmatch import fnmatchcase

from hds_audit.calendar.instants import PARIS
from hds_audit.calendar.period import Period
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.evidence.waivers import FILE, Waiver, note_problems
from hds_audit.i18n.messages import msg
from hds_audit.states import Status


def refuse_unknown_checks(evidence: Evidence[list[Waiver]]) -> Evidence[list[Waiver]]:
    """Refuse each waiver whose check id names no check (it would waive nothing), in place; idempotent."""
    from hds_audit.checks.registry import known_ids

    known = sorted(known_ids())
    kept = []
    for waiver in evidence.data or []:
        if waiver.check in known:
            kept.append(waiver)
            continue
        close = get_close_matches(waiver.check, known, n=1, cutoff=0.6)
        why = f"'{waiver.check}' is no check id" + (f"; did you mean '{close[0]}'?" if close else " (the ids are listed in the user guide)")
        evidence.problems.append(Problem(FILE, waiver.reference.partition("#")[2], f"refused: check: {why}"))
    if len(kept) != len(evidence.data or []):
        evidence.data = kept
        evidence.problems.sort(key=_waiver_number)  # in the file's order, as they were read
        note_problems(evidence)
    return evidence


def _waiver_number(problem: Problem) -> int:
    record = problem.record or ""
    return int(record.removeprefix("waiver ")) if record.removeprefix("waiver ").isdigit() else 0


def apply_waivers(check_id: str, findings: list[Finding], waivers: list[Waiver], period: Period) -> list[Finding]:
    """Waive failing findings of `check_id` whose object matches a waiver valid at the end of the period.

    Validity is judged at the period's end, so a report is the same whenever it is produced.
    """
    mine = [w for w in waivers if w.check == check_id]
    active = [w for w in mine if w.expires >= period.end]
    expired = [w for w in mine if w.expires < period.end]
    out = []
    for finding in findings:
        waiver = next((w for w in active if finding.status is Status.FAIL and fnmatchcase(finding.object, w.object)), None)
        if waiver is not None:
            # the justification is the officer's own words, in their language: a value, never translated
            note = msg("waived until {day} by {who}: {justification} ({reference})", day=_last_day(waiver.expires),
                       who=waiver.approved_by, justification=waiver.justification, reference=waiver.reference)
            out.append(replace(finding, status=Status.WAIVED, waiver=note))
            continue
        # an expired waiver is not applied, but the finding says so (the risk was accepted once)
        old = next((w for w in expired if finding.status is Status.FAIL and fnmatchcase(finding.object, w.object)), None)
        if old is not None:
            finding = replace(finding, waiver=msg("not waived: the waiver approved by {who} expired on {day} ({reference})",
                                                  who=old.approved_by, day=_last_day(old.expires), reference=old.reference))
        out.append(finding)
    return out


def _last_day(expires: datetime) -> date:
    """The last day a waiver covers: `expires: 2026-09-30` is stored as 2026-10-01T00:00 Paris."""
    return (expires.astimezone(PARIS) - timedelta(microseconds=1)).date()
