"""Periods in Europe/Paris and the order of result states."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hds_audit.calendar.period import PeriodError, choose_period, last_full_quarter, parse_period, period_between
from hds_audit.states import Status, worst


def test_quarter_bounds_in_paris():
    p = parse_period("2026-Q3")
    assert p.start.isoformat() == "2026-07-01T00:00:00+02:00"
    assert p.end.isoformat() == "2026-10-01T00:00:00+02:00"
    q4 = parse_period("2026-Q4")
    assert q4.start.isoformat() == "2026-10-01T00:00:00+02:00" and q4.end.isoformat() == "2027-01-01T00:00:00+01:00"


def test_month_across_dst_has_one_more_hour():
    october = parse_period("2026-10")
    assert october.hours == 31 * 24 + 1
    assert parse_period("2026-03").hours == 31 * 24 - 1


def test_start_inclusive_end_exclusive():
    p = parse_period("2026-07")
    assert p.contains(p.start) and not p.contains(p.end)


def test_explicit_dates_and_errors():
    p = period_between(date(2026, 5, 4), date(2026, 5, 19))
    assert p.label == "2026-05-04..2026-05-19"
    with pytest.raises(PeriodError):
        period_between(date(2026, 5, 4), date(2026, 5, 4))
    for bad in ("2026-Q5", "2026-13", "Q3-2026", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_default_period_is_last_full_quarter():
    assert last_full_quarter(date(2026, 11, 26)).label == "2026-Q3"
    assert last_full_quarter(date(2026, 1, 2)).label == "2025-Q4"


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_quarters_tile_the_year(year, quarter):
    p = parse_period(f"{year}-Q{quarter}")
    following = parse_period(f"{year + (quarter == 4)}-Q{quarter % 4 + 1}")
    assert p.end == following.start and p.start < p.end


def test_worst_follows_contract_order():
    assert worst([Status.PASS, Status.FAIL, Status.ERROR]) is Status.FAIL
    assert worst([Status.PASS, Status.ERROR, Status.MANUAL]) is Status.ERROR
    assert worst([Status.WAIVED, Status.MANUAL]) is Status.MANUAL
    assert worst([Status.PASS, Status.WAIVED]) is Status.WAIVED
    assert worst([Status.NOT_APPLICABLE, Status.PASS]) is Status.PASS
    assert worst([]) is Status.NOT_APPLICABLE


@given(st.lists(st.sampled_from(list(Status)), min_size=1))
def test_worst_is_one_of_its_inputs_and_order_free(statuses):
    assert worst(statuses) in statuses
    assert worst(statuses) is worst(list(reversed(statuses)))


# -- what a refused period says: the fault, and the forms accepted ---------------------------------

@pytest.mark.parametrize("label, fault", [
    ("2026-Q5", "there is no quarter Q5, a quarter is Q1 to Q4"),
    ("2026-Q0", "there is no quarter Q0, a quarter is Q1 to Q4"),
    ("2026-13", "there is no month 13, a month is 01 to 12"),
    ("2026-00", "there is no month 00, a month is 01 to 12"),
    ("2026-7", "write the month with two digits (2026-07)"),
    ("Q3-2026", "is not a period"),
    ("0000-Q1", "year 0000 is out of range"),
    ("9999-Q4", "year 9999 is out of range"),
])
def test_a_refused_period_says_why_and_what_is_accepted(label, fault):
    with pytest.raises(PeriodError) as caught:
        parse_period(label)
    message = str(caught.value)
    assert message.startswith(f"period '{label}'") and fault in message
    assert message.endswith("give YYYY-Qn (e.g. 2026-Q3), YYYY-MM (e.g. 2026-07), or --from DATE --to DATE")
    assert "neither" not in message


def test_a_refused_period_names_the_commands_own_date_options():
    with pytest.raises(PeriodError, match="or --from-date DATE --to-date DATE$"):
        choose_period("2026-Q5", None, None, ("--from-date", "--to-date"))


@pytest.mark.parametrize("label, start", [("2026-Q1", "2026-01-01T00:00:00+01:00"), ("2026-12", "2026-12-01T00:00:00+01:00"),
                                          ("9999-Q3", "9999-07-01T00:00:00+02:00")])
def test_edge_quarters_and_months_still_parse(label, start):
    assert parse_period(label).start.isoformat() == start


def test_dates_out_of_range_are_refused_without_overflow():
    with pytest.raises(PeriodError, match="out of the range"):
        period_between(date(1, 1, 1), date(1, 2, 1))


@pytest.mark.parametrize("label", ["2026-Q5", "0000-Q1"])
def test_run_refuses_a_bad_period_in_one_line(builder, tmp_path, label):
    from click.testing import CliRunner

    from hds_audit.cli import cli

    result = CliRunner().invoke(cli, ["run", str(builder.root), "--period", label, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"period '{label}'" in result.output and "--from DATE --to DATE" in result.output
