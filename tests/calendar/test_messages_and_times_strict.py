"""Smaller ways to pass or mislead by accident: a local time that never existed, problems in text order, Python's None."""

from __future__ import annotations

import json

import pytest

from hds_audit.calendar.instants import TimeParseError, parse_api_instant, parse_instant
from hds_audit.checks.interface import Finding
from hds_audit.evidence.interface import shown
from hds_audit.ordering import natural_key
from hds_audit.states import Status


@pytest.mark.parametrize("text", ["2026-03-29T02:30", "2026-03-29T02:00:00", "2026-03-29 02:59:59"])
def test_a_paris_time_the_clocks_skipped_is_refused_not_shifted(text):
    with pytest.raises(TimeParseError, match="never happened in Europe/Paris: the clocks skipped that hour"):
        parse_instant(text)


def test_times_around_the_gap_and_with_an_offset_are_read():
    assert parse_instant("2026-03-29T01:59:59").isoformat() == "2026-03-29T01:59:59+01:00"
    assert parse_instant("2026-03-29T03:00").isoformat() == "2026-03-29T03:00:00+02:00"
    assert parse_instant("2026-03-29T02:30+01:00").isoformat() == "2026-03-29T02:30:00+01:00"
    assert parse_api_instant("2026-03-29T02:30").isoformat() == "2026-03-29T02:30:00+00:00"  # UTC has no gap


@pytest.mark.parametrize("text", ["2026-10-25T02:00", "2026-10-25T02:30:00", "2026-10-25 02:59:59"])
def test_a_paris_time_the_clocks_showed_twice_is_refused_not_guessed(text):
    with pytest.raises(TimeParseError, match="happened twice in Europe/Paris: the clocks went back an hour"):
        parse_instant(text)


def test_times_around_the_repeated_hour_and_with_an_offset_are_read():
    assert parse_instant("2026-10-25T01:59:59").isoformat() == "2026-10-25T01:59:59+02:00"
    assert parse_instant("2026-10-25T03:00").isoformat() == "2026-10-25T03:00:00+01:00"
    assert parse_instant("2026-10-25T02:30+02:00").isoformat() == "2026-10-25T02:30:00+02:00"
    assert parse_instant("2026-10-25T02:30+01:00").isoformat() == "2026-10-25T02:30:00+01:00"
    assert parse_api_instant("2026-10-25T02:30").isoformat() == "2026-10-25T02:30:00+00:00"  # UTC shows no hour twice
    assert parse_instant("2026-10-25").isoformat() == "2026-10-25T00:00:00+02:00"  # midnight is not in the repeated hour


def test_a_register_row_in_the_gap_is_an_error_naming_the_row(builder):
    from hds_audit.evidence import access_register
    from hds_audit.evidence.bundle import Bundle

    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-03-29T02:30"})
    [problem] = access_register.load(Bundle(str(builder.root))).problems
    assert problem.record == "row 2" and "'granted_at': '2026-03-29T02:30' never happened" in problem.reason


def test_findings_sort_naturally_by_row():
    findings = [Finding("access_register.csv", f"row {n}: bad", status=Status.ERROR) for n in (100000, 10000, 9999, 10)]
    assert [f.message for f in sorted(findings, key=Finding.sort_key)] == [
        "row 10: bad", "row 9999: bad", "row 10000: bad", "row 100000: bad"]
    assert sorted(["row 10", "row 9"], key=natural_key) == ["row 9", "row 10"]


def test_values_are_shown_as_json_never_as_none():
    assert [shown(v) for v in (None, True, "1", 1, [1])] == ["null", "true", '"1"', "1", "[1]"]


def test_an_unencrypted_volume_without_the_flag_says_so_in_words(builder, run_checks_on):
    builder.tenant(scope="all")
    provider = 'provider["registry.terraform.io/flexibleenginecloud/flexibleengine"]'
    volumes = [{"mode": "managed", "type": "flexibleengine_blockstorage_volume_v2", "name": name, "provider": provider,
                "instances": [{"attributes": {"id": name, "name": name, "region": "eu-west-0", "metadata": metadata}}]}
               for name, metadata in (("v-none", {}), ("v-zero", {"__system__encrypted": "0"}))]
    builder.write("resources/main.tfstate", json.dumps({"version": 4, "resources": volumes}))
    result = run_checks_on(builder.root, "storage.encrypted_at_rest")["storage.encrypted_at_rest"]
    messages = {f.object: f.message for f in result.findings}
    assert messages["v-none"].endswith("is not encrypted (no metadata.__system__encrypted)")
    assert messages["v-zero"].endswith('is not encrypted (metadata.__system__encrypted is "0", not 1)')
    assert not any("None" in m for m in messages.values())


def test_a_trace_time_that_is_null_or_missing_is_said_in_words():
    from hds_audit.evidence.traces.files import trace_row

    assert str(trace_row("t.json", 0, {"time": None})[1]) == "'time' must be milliseconds since the epoch, got null"
    assert str(trace_row("t.json", 0, {})[1]) == "'time' must be milliseconds since the epoch, got no time at all"


def test_a_state_without_a_version_says_null_not_none(builder):
    from hds_audit.evidence import resources
    from hds_audit.evidence.bundle import Bundle

    builder.write("resources/main.tfstate", json.dumps({"resources": []}))
    [problem] = resources.load(Bundle(str(builder.root)), None).problems
    assert "None" not in problem.reason
