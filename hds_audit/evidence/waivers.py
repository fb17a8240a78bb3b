"""`waivers.yaml`: accepted risks (check id, object glob, justification, approver, expiry).

A waiver that cannot apply (a field missing, an `expires` that is not a date) is refused: a problem
naming it, in the evidence notes and on the console of `run`. Whether its check id names a check
is for the layer that knows the checks (hds_audit/results/waivers.py `refuse_unknown_checks`).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.interface import Evidence, Problem
from hds_audit.i18n.messages import msg
from hds_audit.evidence.yaml_errors import read_yaml
from hds_audit.calendar.instants import parse_instant

NAME = "waivers"
DESCRIPTION = "waivers.yaml: accepted risks"
FILE = "waivers.yaml"


class Waiver(BaseModel):
    # stripped, so an approver of blank spaces is no approver (refused, as an empty one)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    check: str = Field(min_length=1)
    object: str = Field(min_length=1)
    justification: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: datetime
    reference: str = ""

    @field_validator("expires", mode="before")
    @classmethod
    def _end_of_day(cls, value):
        # a date alone runs to the end of its day (docs/user-guide.md "The evidence bundle": Dates);
        # a date-time without offset (YAML gives it naive) is Paris time, so it compares with the
        # period's bounds
        # parse_instant refuses a number, which pydantic would read as seconds since 1970 (20261231)
        return parse_instant(value, end_of_day=True)


def load(bundle: Bundle, tenant=None) -> Evidence[list[Waiver]]:
    evidence: Evidence[list[Waiver]] = Evidence(NAME)
    if not bundle.exists(FILE):
        evidence.note = f"{FILE} is absent (no accepted risks)"
        evidence.data = []
        return evidence
    document, problem = read_yaml(bundle, FILE)
    if problem is not None:
        evidence.problems.append(problem)
        evidence.note = f"waivers not applied: {evidence.problems[0]}"  # no check needs this kind: the note reports it
        evidence.data = []
        return evidence
    items = document.get("waivers", []) if isinstance(document, dict) else (document or [])
    if not isinstance(items, list):
        evidence.problems.append(Problem(FILE, None, msg("expected a list of waivers")))
        items = []
    waivers = []
    for index, item in enumerate(items):
        try:
            waiver = Waiver.model_validate(item)
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'waiver'}: {e['msg'].removeprefix('Value error, ')}"
                                for e in exc.errors())
            evidence.problems.append(Problem(FILE, f"waiver {index + 1}", msg("refused: {reasons}", reasons=reasons)))
            continue
        waivers.append(waiver.model_copy(update={"reference": f"{FILE}#waiver {index + 1}"}))
    note_problems(evidence)
    read = bundle.record(FILE)
    read.records = len(items)
    evidence.files.append(read)
    evidence.data = waivers
    return evidence


def note_problems(evidence: Evidence) -> None:
    """No check needs this kind: the note is what reports its problems (evidence notes)."""
    if evidence.problems:
        evidence.note = f"{len(evidence.problems)} waiver problem(s), not applied: " + "; ".join(str(p) for p in evidence.problems)
