"""trace.retention: only lifecycle rules whose prefix can reach the trace objects count.

CTS writes `CloudTraces/...`, or `{file_prefix_name}/CloudTraces/...` depending on the API version: a
rule concerns traces when its prefix is empty or compatible with one of those roots.
"""

from __future__ import annotations

import pytest
from test_trace_checks import BUCKET_NAME, bucket, server, state, tracker

from hds_audit.states import Status

TR = "trace.retention"
KEEP = {"name": "keep", "enabled": True, "prefix": "", "expiration": [{"days": 1095}]}


def rule(prefix, days=7, name="short", **extra):
    out = {"name": name, "enabled": True, "expiration": [{"days": days}], **extra}
    if prefix is not None:
        out["prefix"] = prefix
    return out


def retention(builder, run_checks_on, *rules, trackers=None):
    state(builder, *(trackers or [tracker()]), bucket([KEEP, *rules]), server())
    return run_checks_on(builder.root, TR)[TR]


@pytest.mark.parametrize("prefix", ["tmp-exports/", "other/CloudTraces/", "CloudTracesArchive/", "ch/tmp/", "chx/"])
def test_rule_whose_prefix_cannot_reach_traces_is_ignored_and_listed(builder, run_checks_on, prefix):
    result = retention(builder, run_checks_on, rule(prefix))
    assert result.status is Status.PASS, result.findings
    [row] = result.details["buckets"]
    assert row["ignored_rules"] == [{"name": "short", "prefix": prefix}]
    assert row["shortest_expiration_days"] == 1095


@pytest.mark.parametrize("prefix", [None, "", "CloudTraces/", "Cloud", "CloudTraces/eu-west-0/2026/", "ch", "ch/", "ch/CloudTraces/",
                                    "ch/CloudTraces/eu-west-0/", "cloudtraces/"])
def test_rule_whose_prefix_may_reach_traces_fails(builder, run_checks_on, prefix):
    result = retention(builder, run_checks_on, rule(prefix))
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.object == BUCKET_NAME and "7 days" in finding.message
    assert result.details["buckets"][0]["ignored_rules"] == []


def test_without_file_prefix_name_only_the_cloudtraces_root_counts(builder, run_checks_on):
    bare = tracker()
    bare["instances"][0]["attributes"].pop("file_prefix_name")
    result = retention(builder, run_checks_on, rule("ch/"), rule("CloudTraces/", name="cts"), trackers=[bare])
    assert result.status is Status.FAIL
    assert [f.message.split(" (")[0] for f in result.findings] == ["lifecycle rule 'cts'"]
    assert result.details["buckets"][0]["ignored_rules"] == [{"name": "short", "prefix": "ch/"}]


def test_each_tracker_writing_into_the_bucket_brings_its_root(builder, run_checks_on):
    nl = tracker("eu-west-1", name="nl")
    nl["instances"][0]["attributes"]["file_prefix_name"] = "nl"
    result = retention(builder, run_checks_on, rule("nl/CloudTraces/"), rule("de/", name="other"), trackers=[tracker(), nl])
    assert result.status is Status.FAIL and len(result.findings) == 1 and "'short'" in result.findings[0].message
    assert result.details["buckets"][0]["ignored_rules"] == [{"name": "other", "prefix": "de/"}]


def test_ignored_rules_are_not_judged_even_when_broken(builder, run_checks_on):
    result = retention(builder, run_checks_on, rule("tmp/", days="seven"), rule("tmp/", days="3", name="str"), rule("tmp/", name="off", enabled=False))
    assert result.status is Status.PASS, result.findings
    assert [r["name"] for r in result.details["buckets"][0]["ignored_rules"]] == ["short", "str"]  # a disabled rule expires nothing


def test_trace_rules_keep_their_handling_of_strings_and_bad_days(builder, run_checks_on):
    result = retention(builder, run_checks_on, rule("CloudTraces/", days="30"), rule("", days="seven", name="bad"),
                       rule("", name="old", enabled="false"), rule("", days=365, name="year"))
    assert result.status is Status.FAIL
    assert [(f.status, f.message.split(" ")[2]) for f in sorted(result.findings, key=lambda f: f.message)] == [
        (Status.ERROR, "'bad'"), (Status.FAIL, "'short'")]
    assert result.details["buckets"][0]["shortest_expiration_days"] == 30


def test_noncurrent_version_expiration_alone_does_not_fail(builder, run_checks_on):
    noncurrent = {"name": "nc", "enabled": True, "prefix": "", "noncurrent_version_expiration": [{"days": 7}]}
    assert retention(builder, run_checks_on, noncurrent).status is Status.PASS
