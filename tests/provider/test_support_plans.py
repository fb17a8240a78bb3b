"""Support plans table (§7.3.1) as data, response deadlines and verdicts, counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hds_audit.calendar.working_days import PARIS
from hds_audit.provider.support_plans import (
    HDS_ELIGIBLE_PLANS,
    SupportPlansError,
    default_path,
    is_response_on_time,
    load_support_plans,
    measured_response_time,
    normalise_plan,
    response_deadline,
)

UTC = UTC
H = timedelta(hours=1)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- the table --------------------------------------------------------------------------

# (plan, priority, wording in the Service Description, objective, clock)
TABLE = [
    ("standard", "P1", "12 working hours", 12 * H, "working_hours"),
    ("standard", "P2", "1 working day", 10 * H, "working_hours"),
    ("standard", "P3", "1 working day", 10 * H, "working_hours"),
    ("business", "P1", "1 hour", 1 * H, "24x7"),
    ("business", "P2", "2 hours", 2 * H, "24x7"),
    ("business", "P3", "1 working day", 10 * H, "working_hours"),
    ("business_europe", "P1", "1 hour", 1 * H, "24x7"),
    ("business_europe", "P2", "2 hours", 2 * H, "24x7"),
    ("business_europe", "P3", "12 working hours", 12 * H, "working_hours"),
    ("premium", "P1", "15 mins", timedelta(minutes=15), "24x7"),
    ("premium", "P2", "1 hour", 1 * H, "24x7"),
    ("premium", "P3", "8 hours", 8 * H, "24x7"),
]


@pytest.mark.parametrize("plan, priority, seed, duration, clock", TABLE)
def test_bundled_table_matches_the_service_description(plan, priority, seed, duration, clock):
    cell = load_support_plans().objective(plan, priority)
    assert (cell.seed, cell.duration, cell.clock) == (seed, duration, clock)


@pytest.mark.parametrize(
    "plan, priority, seed",
    [
        *[("basic", p, "N/A") for p in ("P1", "P2", "P3", "P4")],
        ("standard", "P4", "N/A"),
        ("business", "P4", "N/A"),
        ("business_europe", "P4", "N/A"),
        ("premium", "P4", "24 hours / 5 working days"),  # ambiguous: kept as wording only
    ],
)
def test_cells_without_objective_keep_the_wording(plan, priority, seed):
    cell = load_support_plans().objective(plan, priority)
    assert cell.seed == seed
    assert cell.duration is None and cell.clock is None


def test_platinum_has_no_column_in_the_table():
    platinum = load_support_plans().plan("platinum")
    assert platinum.table_column is None
    assert all(cell is None for cell in platinum.response_time.values())
    assert response_deadline("platinum", "P1", paris(2026, 5, 4, 10)) is None


def test_hds_eligibility():
    assert HDS_ELIGIBLE_PLANS == {"business", "business_europe", "premium", "platinum"}
    catalog = load_support_plans()
    assert {key for key, plan in catalog.plans.items() if plan.hds_eligible} == HDS_ELIGIBLE_PLANS


def test_plan_and_priority_spellings():
    assert normalise_plan("Business Europe") == "business_europe"
    assert normalise_plan(" business-europe ") == "business_europe"
    assert response_deadline("Business Europe", "p1", paris(2026, 5, 4, 10)) == paris(2026, 5, 4, 11)
    with pytest.raises(ValueError, match="unknown support plan"):
        response_deadline("gold", "P1", paris(2026, 5, 4, 10))
    with pytest.raises(ValueError, match="unknown priority"):
        response_deadline("business", "P5", paris(2026, 5, 4, 10))


# --- deadlines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plan, priority, opened, expected",
    [
        # 24x7: plain elapsed time, weekends and holidays included
        ("business", "P1", paris(2026, 5, 2, 3), "2026-05-02T04:00:00+02:00"),
        ("premium", "P3", paris(2026, 12, 24, 20), "2026-12-25T04:00:00+01:00"),
        # spring DST: 01:50 CET + 15 min of real time is 03:05 CEST
        ("premium", "P1", paris(2026, 3, 29, 1, 50), "2026-03-29T03:05:00+02:00"),
        # autumn DST: 01:30 CEST + 2 h of real time is the second 02:30, in CET
        ("business", "P2", paris(2026, 10, 25, 1, 30), "2026-10-25T02:30:00+01:00"),
        # working hours: 1 working day = 10 working hours
        ("business", "P3", paris(2026, 5, 13, 14), "2026-05-15T14:00:00+02:00"),  # Ascension
        ("business", "P3", paris(2026, 5, 22, 18, 30), "2026-05-26T18:30:00+02:00"),  # Whit Monday
        ("business", "P3", paris(2026, 6, 6, 10), "2026-06-08T19:00:00+02:00"),  # Saturday
        ("business", "P3", paris(2026, 6, 1, 9), "2026-06-01T19:00:00+02:00"),
        ("standard", "P2", paris(2026, 5, 29, 19), "2026-06-01T19:00:00+02:00"),  # at 19:00 Friday
        ("standard", "P1", paris(2026, 12, 24, 17), "2026-12-28T19:00:00+01:00"),  # Christmas
        ("standard", "P3", paris(2026, 4, 30, 18, 30), "2026-05-04T18:30:00+02:00"),  # 1 May
        ("business_europe", "P3", paris(2026, 5, 7, 15), "2026-05-11T17:00:00+02:00"),  # 8 May
        ("standard", "P3", paris(2026, 10, 23, 15), "2026-10-26T15:00:00+01:00"),  # autumn DST
    ],
)
def test_response_deadline(plan, priority, opened, expected):
    assert response_deadline(plan, priority, opened).isoformat() == expected


@pytest.mark.parametrize("plan, priority", [("basic", "P1"), ("business", "P4"), ("premium", "P4")])
def test_no_objective_no_deadline(plan, priority):
    assert response_deadline(plan, priority, paris(2026, 5, 4, 10)) is None
    assert is_response_on_time(plan, priority, paris(2026, 5, 4, 10), paris(2026, 6, 4, 10)) is None


# --- verdicts ---------------------------------------------------------------------------


def test_response_at_exactly_the_deadline_is_on_time():
    opened = paris(2026, 5, 4, 10)
    assert is_response_on_time("business", "P1", opened, paris(2026, 5, 4, 11))
    assert not is_response_on_time("business", "P1", opened, paris(2026, 5, 4, 11, 0, 1))
    opened = paris(2026, 5, 13, 14)  # business P3, deadline Fri 15 May 14:00
    assert is_response_on_time("business", "P3", opened, paris(2026, 5, 15, 14))
    assert not is_response_on_time("business", "P3", opened, paris(2026, 5, 15, 14, 0, 1))


def test_verdict_with_response_in_another_zone_across_dst():
    opened = paris(2026, 10, 25, 1, 30)  # 23:30 UTC on the 24th
    assert is_response_on_time("business", "P2", opened, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert not is_response_on_time("business", "P2", opened, datetime(2026, 10, 25, 1, 31, tzinfo=UTC))


def test_working_hours_clock_is_stopped_after_a_deadline_at_closing():
    # opened Friday 09:00, 1 working day: due 19:00; nothing counts until Monday 09:00
    opened = paris(2026, 6, 5, 9)
    assert response_deadline("business", "P3", opened) == paris(2026, 6, 5, 19)
    assert measured_response_time("business", "P3", opened, paris(2026, 6, 6, 10)) == 10 * H
    assert is_response_on_time("business", "P3", opened, paris(2026, 6, 6, 10))
    assert is_response_on_time("business", "P3", opened, paris(2026, 6, 8, 9))
    assert not is_response_on_time("business", "P3", opened, paris(2026, 6, 8, 9, 0, 1))


# --- malformed files --------------------------------------------------------------------

BUSINESS_P2 = 'P2: {seed: "2 hours", hours: 2, clock: 24x7}'


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = default_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "support_plans.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, plan, field, reason",
    [
        (BUSINESS_P2, BUSINESS_P2.replace("hours: 2", 'hours: "2"'), "business", "response_time.P2.hours", "integer"),
        (BUSINESS_P2, BUSINESS_P2.replace("hours: 2", "hours: -2"), "business", "response_time.P2.hours", "greater"),
        (BUSINESS_P2, BUSINESS_P2.replace("hours", "hour"), "business", "response_time.P2.hour", "Extra"),
        (BUSINESS_P2, BUSINESS_P2.replace("24x7", "24/7"), "business", "response_time.P2.clock", "24x7"),
        (BUSINESS_P2, BUSINESS_P2.replace(", clock: 24x7", ""), "business", "response_time.P2", "needs its clock"),
        (BUSINESS_P2, BUSINESS_P2.replace("hours: 2", "hours: 2, minutes: 5"), "business", "response_time.P2", "one of"),
        ("hds_eligible: false", "hds_eligible: true", "basic", "hds_eligible", "§3.3"),
    ],
)
def test_malformed_file_names_file_plan_and_field(tmp_path, old, new, plan, field, reason):
    path = _broken(tmp_path, old, new)
    with pytest.raises(SupportPlansError) as caught:
        load_support_plans(path)
    error = caught.value
    assert error.path == path and str(path) in str(error)
    assert reason in str(error)
    assert (error.plan, error.field) == (plan, field)
    assert f"plan {plan!r}" in str(error) and f"field {field}" in str(error)


def test_missing_plan_is_named(tmp_path):
    text = default_path().read_text(encoding="utf-8")
    cut = text.index("  platinum:")
    path = tmp_path / "support_plans.yaml"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(SupportPlansError, match="plan 'platinum'.*missing"):
        load_support_plans(path)


def test_plan_key_must_be_written_as_looked_up(tmp_path):
    path = _broken(tmp_path, "  business_europe:", "  Business Europe:")
    with pytest.raises(SupportPlansError, match="plan 'Business Europe': write the key as 'business_europe'"):
        load_support_plans(path)


def test_unreadable_file_is_named(tmp_path):
    path = _broken(tmp_path, "plans:", "plans: [")
    with pytest.raises(SupportPlansError, match="cannot be read"):
        load_support_plans(path)
    with pytest.raises(SupportPlansError, match="cannot be read"):
        load_support_plans(tmp_path / "absent.yaml")


def test_file_is_found_without_the_paths_helper(monkeypatch):
    import sys

    expected = default_path()
    monkeypatch.setitem(sys.modules, "hds_audit.paths", None)  # makes the import fail
    assert default_path() == expected
