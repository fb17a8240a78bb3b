"""Support plans, their response-time objectives (§7.3.1) and HDS eligibility (§3.3).

The table itself is data, in `controls/support_plans.yaml`; this module validates it and turns a
ticket's plan, priority and opening time into a deadline and a verdict.

How an objective is counted (see hds_audit/calendar/working_days.py for the calendar):

* ``clock: 24x7``: plain elapsed time; the deadline is opening + objective.
* ``clock: working_hours``: only time in Working Hours (09:00-19:00 Paris, Monday-Friday, French
  public holidays excluded) counts, as §7.2 defines Response Time ("minus the periods during
  which the Provider' engagements do not apply"); ``working_days: 1`` is 10 working hours.

Verdicts come from `is_response_on_time`, which measures the response time as §7.2 does and
accepts it when it is at most the objective: a response at exactly the deadline is on time. It
agrees with ``responded_at <= response_deadline(...)`` except for a working-hours objective that
runs out exactly at 19:00: a response given after that but before the next opening has the same
measured response time (the clock is stopped) and is on time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hds_audit.calendar.working_days import PARIS, WORKING_DAY, add_working_hours, working_time_between

# §3.3: "Flexible Engine used in conjunction with Business support solution or higher is
# certified [HDS]". Fixed by the contract (support.plan_eligible); the YAML must agree.
HDS_ELIGIBLE_PLANS: frozenset[str] = frozenset({"business", "business_europe", "premium", "platinum"})
KNOWN_PLANS: tuple[str, ...] = ("basic", "standard", "business", "business_europe", "premium", "platinum")
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
FILE_NAME = "support_plans.yaml"

Clock = Literal["24x7", "working_hours"]
Priority = Literal["P1", "P2", "P3", "P4"]


class SupportPlansError(ValueError):
    """The support plans file cannot be read or breaks its schema."""

    def __init__(self, path: Path, message: str, plan: str | None = None, field: str | None = None):
        self.path, self.plan, self.field = path, plan, field
        where = ", ".join(
            part for part in (f"plan {plan!r}" if plan else "", f"field {field}" if field else "") if part
        )
        super().__init__(f"{path}: {where + ': ' if where else ''}{message}")


class _Strict(BaseModel):
    # strict: a quoted "2" or a "yes" must not slip through as a number or a boolean
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Objective(_Strict):
    """One cell of the table: the seed's wording and, when it gives one, the objective."""

    seed: str
    minutes: int | None = Field(default=None, gt=0)
    hours: int | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, gt=0)
    clock: Clock | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Objective:
        given = [k for k in ("minutes", "hours", "working_days") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of minutes, hours, working_days, not {' and '.join(given)}")
        if given and self.clock is None:
            raise ValueError("an objective needs its clock (24x7 or working_hours)")
        if not given and self.clock is not None:
            raise ValueError("clock given without an objective (minutes, hours or working_days)")
        if self.working_days is not None and self.clock != "working_hours":
            raise ValueError("working_days only makes sense with clock: working_hours")
        return self

    @property
    def duration(self) -> timedelta | None:
        """The objective on its clock (working_days as 10 working hours each), or None."""
        if self.minutes is not None:
            return timedelta(minutes=self.minutes)
        if self.hours is not None:
            return timedelta(hours=self.hours)
        if self.working_days is not None:
            return self.working_days * WORKING_DAY
        return None


class Plan(_Strict):
    name: str
    table_column: str | None
    hds_eligible: bool
    processing_hours: str | None
    response_time: dict[Priority, Objective | None]

    @model_validator(mode="after")
    def _all_priorities(self) -> Plan:
        missing = [p for p in PRIORITIES if p not in self.response_time]
        if missing:
            raise ValueError(f"response_time lacks {', '.join(missing)} (write null when the table has none)")
        return self


class SupportPlans(_Strict):
    schema_id: Literal["hds-audit/support-plans/v1"] = Field(alias="schema")
    source: str
    plans: dict[str, Plan]

    def plan(self, name: str) -> Plan:
        key = normalise_plan(name)
        if key not in self.plans:
            raise ValueError(f"unknown support plan {name!r}; known: {', '.join(self.plans)}")
        return self.plans[key]

    def objective(self, plan: str, priority: str) -> Objective | None:
        """The cell for (plan, priority); None when the table has no column for the plan."""
        return self.plan(plan).response_time[normalise_priority(priority)]


def normalise_plan(name: str) -> str:
    """'Business Europe', 'business-europe' and 'business_europe' all name business_europe."""
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def normalise_priority(priority: str) -> str:
    key = str(priority).strip().upper()
    if key not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")
    return key


def default_path() -> Path:
    """The bundled file: beside the package in a wheel, in controls/ in a checkout."""
    try:
        from hds_audit.paths import data_dir
    except ImportError:  # the helper is optional; look where it would look
        package = Path(__file__).resolve().parents[1]  # hds_audit/
        for folder in (package.parent / "controls", package / "_data" / "controls"):
            if (folder / FILE_NAME).is_file():
                return folder / FILE_NAME
        raise FileNotFoundError(f"bundled {FILE_NAME} is missing from this installation") from None
    return data_dir("controls") / FILE_NAME


@lru_cache(maxsize=8)
def load_support_plans(path: str | Path | None = None) -> SupportPlans:
    """Read and validate the support plans file (the bundled one by default).

    Raises SupportPlansError naming the file, and the plan and field at fault.
    """
    path = Path(path) if path is not None else default_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SupportPlansError(path, f"cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise SupportPlansError(path, "expected a mapping with schema, source and plans")
    try:
        catalog = SupportPlans.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        plan, field = _locate(first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        message = first["msg"].removeprefix("Value error, ")
        raise SupportPlansError(path, message + more, plan, field) from exc
    for key in catalog.plans:
        if key != normalise_plan(key):  # lookups normalise, so such a key could never be found
            raise SupportPlansError(path, f"write the key as {normalise_plan(key)!r}", key)
    for key in KNOWN_PLANS:
        if key not in catalog.plans:
            raise SupportPlansError(path, "missing: tenant.yaml may name this plan (write null cells)", key)
    for key, plan in catalog.plans.items():
        if plan.hds_eligible != (key in HDS_ELIGIBLE_PLANS):
            expected = str(key in HDS_ELIGIBLE_PLANS).lower()
            raise SupportPlansError(path, f"must be {expected} (§3.3: Business or higher)", key, "hds_eligible")
    return catalog


def _locate(loc: tuple) -> tuple[str | None, str | None]:
    """('plans', 'business', 'response_time', 'P3', 'clock') -> 'business', 'response_time.P3.clock'."""
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] == "plans":
        return parts[1], ".".join(parts[2:]) or None
    return None, ".".join(parts) or None


def response_deadline(
    plan: str, priority: str, opened_at: datetime, *, catalog: SupportPlans | None = None
) -> datetime | None:
    """When a ticket opened at `opened_at` must be answered, in Europe/Paris; None if no objective.

    24x7 objectives add plain elapsed time (so 1 hour across the spring DST change still ends
    one real hour later); working-hours objectives use calendar_fr.add_working_hours, so the
    clock starts at the next opening when the ticket is opened outside Working Hours.
    """
    objective = (catalog or load_support_plans()).objective(plan, priority)
    duration = objective.duration if objective else None
    if duration is None:
        return None
    if objective.clock == "working_hours":
        return add_working_hours(opened_at, duration)
    return (_utc(opened_at) + duration).astimezone(PARIS)


def measured_response_time(
    plan: str,
    priority: str,
    opened_at: datetime,
    responded_at: datetime,
    *,
    catalog: SupportPlans | None = None,
) -> timedelta | None:
    """Response Time as §7.2 measures it, on the clock of the cell; None if no objective."""
    objective = (catalog or load_support_plans()).objective(plan, priority)
    if objective is None or objective.duration is None:
        return None
    if objective.clock == "working_hours":
        return working_time_between(opened_at, responded_at)
    return max(_utc(responded_at) - _utc(opened_at), timedelta(0))


def is_response_on_time(
    plan: str,
    priority: str,
    opened_at: datetime,
    responded_at: datetime,
    *,
    catalog: SupportPlans | None = None,
) -> bool | None:
    """Whether the measured response time is at most the objective; None if there is no objective."""
    catalog = catalog or load_support_plans()
    measured = measured_response_time(plan, priority, opened_at, responded_at, catalog=catalog)
    if measured is None:
        return None
    return measured <= catalog.objective(plan, priority).duration


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give it a time zone")
    return instant.astimezone(UTC)
