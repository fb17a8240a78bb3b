"""Waivers that cannot apply are said, in the evidence notes and on the console: a check id no
check has, an `expires` that is a number rather than a date."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import yaml

from hds_audit.evidence import waivers as reader
from hds_audit.evidence.bundle import Bundle
from hds_audit.results.waivers import refuse_unknown_checks
from hds_audit.states import Status

PE = "support.plan_eligible"


def waiver(check=PE, expires="2026-12-31", **extra):
    return {"check": check, "object": "standard", "justification": "migration planned", "approved_by": "RSSI",
            "expires": expires, **extra}


def load(builder, *items):
    builder.write("waivers.yaml", yaml.safe_dump({"waivers": list(items)}, sort_keys=False))
    return refuse_unknown_checks(reader.load(Bundle(str(builder.root))))


def test_an_unknown_check_id_is_refused_with_the_closest_one(builder):
    evidence = load(builder, waiver(check="transport.tls-only"), waiver())
    assert [w.check for w in evidence.data] == [PE]
    [problem] = evidence.problems
    assert problem.file == "waivers.yaml" and problem.record == "waiver 1"
    assert "'transport.tls-only' is no check id" in problem.reason and "did you mean 'transport.tls_only'" in problem.reason
    assert "not applied" in evidence.note and "transport.tls-only" in evidence.note


def test_a_check_id_like_none_gets_no_suggestion(builder):
    [problem] = load(builder, waiver(check="coffee")).problems
    assert "'coffee' is no check id" in problem.reason and "did you mean" not in problem.reason


@pytest.mark.parametrize("expires", [20261231, 1798675200, 2026.5, True])
def test_a_number_is_not_an_expiry_date(builder, expires):
    evidence = load(builder, waiver(expires=expires))
    assert evidence.data == []
    [problem] = evidence.problems
    assert problem.record == "waiver 1" and "expires" in problem.reason and "not a date" in problem.reason
    assert "1970" not in problem.reason


@pytest.mark.parametrize(("expires", "last_day"), [
    (dt.date(2026, 12, 31), "2026-12-31"), ("2026-12-31", "2026-12-31"),
    (dt.datetime(2026, 12, 31, 12, 0), "2026-12-31"), ("2026-12-31T23:00:00+01:00", "2026-12-31"),
])
def test_dates_date_times_and_iso_strings_are_accepted(builder, expires, last_day):
    [item] = load(builder, waiver(expires=expires)).data
    assert item.expires.astimezone(dt.UTC).date().isoformat() <= last_day


def test_an_unknown_check_id_waives_nothing(builder, run_checks_on):
    builder.tenant(support_plan="standard")
    load(builder, waiver(check="support.plan-eligible"))
    assert run_checks_on(builder.root, PE)[PE].status is Status.FAIL


def test_run_prints_each_waiver_problem_on_stderr(builder, tmp_path):
    builder.tenant(support_plan="standard")
    load(builder, waiver(check="transport.tls-only"), waiver(expires=20261231), waiver())
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(builder.root), "--period", "2026-Q3",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "waivers.yaml" in line]
    assert len(lines) == 2, proc.stderr
    assert "(waiver 1)" in lines[0] and "transport.tls-only" in lines[0]
    assert "(waiver 2)" in lines[1] and "expires" in lines[1]
    # and once each in the summary's list of evidence problems, which names every unreadable evidence
    listed = [line for line in proc.stdout.splitlines() if "waivers.yaml" in line]
    assert len(listed) == 2 and "#waiver 1:" in listed[0] and "#waiver 2:" in listed[1], proc.stdout


def test_a_run_without_the_command_line_still_refuses_a_waiver_naming_no_check(builder):
    # the engine refuses it itself (not only `run`'s console warning): the run's evidence notes name it
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.tenant import load as load_tenant
    from hds_audit.pipeline.engine import run_checks

    load(builder, waiver(check="transport.tls-only"))
    bundle = Bundle(str(builder.root))
    result = run_checks(load_catalog(), bundle, load_tenant(bundle), parse_period("2026-Q3"), only={"provider.certificates_valid"})
    note = result.evidence_notes.get("waivers", "")
    assert "not applied" in note and "'transport.tls-only' is no check id" in note, result.evidence_notes
