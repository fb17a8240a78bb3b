"""What to do about each root cause, who owns it and by when: the executive summary's top actions
and the workbook's "Root causes" sheet.

The action is the check's own advice (report_templates/actions.yaml). The owner and the due date
are the officer's: filled in the workbook and kept by `review import` (`RunResult.actions`); until
then the owner is suggested from the controls' responsibility and the due date from the severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from hds_audit.paths import data_dir
from hds_audit.results.root_causes import RootCause

if TYPE_CHECKING:
    from hds_audit.results.model import RunResult

ACTIONS_FILE = "actions.yaml"
# who acts, by the responsibility of the controls a cause stops (matrix column "responsibility")
OWNERS = {"customer": "tenant", "provider": "provider", "shared": "tenant and provider"}


@cache
def _table() -> dict[str, Any]:
    return yaml.safe_load((data_dir("report_templates") / ACTIONS_FILE).read_text(encoding="utf-8"))


def advice(scope: str) -> str:
    """The English advice for a check id (or `evidence`); reports translate it."""
    actions = _table()["actions"]
    return str(actions.get(scope) or actions["default"])


@dataclass
class Action:
    cause: RootCause
    advice: str  # English, as actions.yaml says it
    owner: str | None  # set by the officer (workbook), else None
    suggested_owner: str  # "tenant", "provider" or "tenant and provider"
    due: date  # the officer's date, else the suggested one
    due_set: bool  # whether `due` is the officer's

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.advice, "suggested_owner": self.suggested_owner}
        if self.owner:
            out["owner"] = self.owner
        out["due"] = self.due.isoformat()
        out["due_set_by_owner"] = self.due_set
        return out


def actions(result: RunResult) -> list[Action]:
    """One action per root cause, in the root causes' order."""
    responsibility = {c.control.id: c.control.responsibility for c in result.controls}
    start = result.period.end.date()  # not the run's date: the same evidence gives the same plan
    days = _table()["due_days"]
    out = []
    for cause in result.root_causes():
        kept = result.actions.get(cause.id) or {}
        parties = {responsibility.get(c) for c in cause.controls} - {None}
        party = parties.pop() if len(parties) == 1 else "shared"
        due = _date(kept.get("due"))
        out.append(Action(cause, advice(cause.scope), kept.get("owner") or None, OWNERS.get(party, OWNERS["shared"]),
                          due or start + timedelta(days=int(days.get(cause.severity, days["medium"]))), due is not None))
    return out


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
