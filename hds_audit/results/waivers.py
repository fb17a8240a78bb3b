"""Accepted risks: a failing finding covered by an unexpired waiver becomes `waived`, never hidden."""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase

from hds_audit.checks.interface import Finding
from hds_audit.evidence.waivers import Waiver
from hds_audit.period import Period
from hds_audit.states import Status


def apply_waivers(check_id: str, findings: list[Finding], waivers: list[Waiver], period: Period) -> list[Finding]:
    """Waive failing findings of `check_id` whose object matches a waiver valid at the end of the period.

    Validity is judged at the period's end, so a report is the same whenever it is produced.
    """
    active = [w for w in waivers if w.check == check_id and w.expires >= period.end]
    out = []
    for finding in findings:
        waiver = next((w for w in active if finding.status is Status.FAIL and fnmatchcase(finding.object, w.object)), None)
        if waiver is None:
            out.append(finding)
        else:
            note = f"waived until {waiver.expires.date().isoformat()} by {waiver.approved_by}: {waiver.justification} ({waiver.reference})"
            out.append(replace(finding, status=Status.WAIVED, waiver=note))
    return out
