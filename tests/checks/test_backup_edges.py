"""Backup checks at their edges: orphan backups (resource not in the state), a scope that matches nothing, an RPO
overrun by a second, and the VBS quota beside bad CBR evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_backup_checks import COV, ENC, FIRST, LAST, OUT_OF_SCOPE, SERVER, VOLUME, cbr, daily, listing, state
from test_resources_reader import tf

from hds_audit.checks.backup import hours_text
from hds_audit.states import Status

UTC = UTC
DAY = datetime(2026, 7, 10, tzinfo=UTC)


def by_status(result, status):
    return sorted(f.object for f in result.findings if f.status is status)


# -- backup.encrypted: orphan backups --------------------------------------------------------------
def test_unencrypted_orphan_backup_is_error_naming_it(builder, run_checks_on):
    state(builder, VOLUME)
    listing(builder, [cbr("ok", "vol-1", DAY), cbr("orphan", "vol-404", DAY, encrypted=False)])
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.ERROR and by_status(result, Status.ERROR) == ["orphan"]
    finding = result.findings[0]
    assert "not encrypted" in finding.message and "vol-404 is not in the Terraform state" in finding.message
    assert "scope" in finding.message and finding.evidence == ("backups/cbr.json#backups[1] id=orphan",)
    assert result.details["unknown_resource"] == 1


def test_encrypted_or_deleted_orphan_backups_stay_fine(builder, run_checks_on):
    state(builder, VOLUME)
    listing(builder, [cbr("ok", "vol-1", DAY), cbr("orphan", "vol-404", DAY),
                      cbr("gone", "vol-404", DAY - timedelta(days=1), encrypted=False, status="deleted")])
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.PASS, result.findings


def test_orphan_backup_of_unstated_encryption_is_error(builder, run_checks_on):
    state(builder, VOLUME)
    listing(builder, [cbr("ok", "vol-1", DAY), cbr("o1", "vol-404", DAY, encrypted=None), cbr("o2", "vol-404", DAY + timedelta(days=1), encrypted=None)])
    result = run_checks_on(builder.root, ENC)[ENC]
    assert by_status(result, Status.ERROR) == ["vol-404"]
    assert "2 backup(s)" in result.findings[0].message and "not in the Terraform state" in result.findings[0].message


def test_orphan_unencrypted_with_scope_all_is_a_fail(builder, run_checks_on):
    builder.tenant(scope="all")
    state(builder, VOLUME)
    listing(builder, [cbr("orphan", "vol-404", DAY, encrypted=False)])
    result = run_checks_on(builder.root, ENC)[ENC]
    assert result.status is Status.FAIL and by_status(result, Status.FAIL) == ["orphan"]


# -- a scope that matches no resource --------------------------------------------------------------
@pytest.mark.parametrize("check_id", [COV, ENC, "storage.encrypted_at_rest"])
def test_scope_matching_nothing_is_error(builder, run_checks_on, check_id):
    builder.tenant(scope={"tag": "hds=yes", "buckets": ["chx-*"]})  # the state tags hds=true, the bucket is not chx-*
    state(builder, SERVER, VOLUME, OUT_OF_SCOPE, tf("flexibleengine_obs_bucket", "b", {"bucket": "plain", "region": "eu-west-0"}))
    listing(builder, daily("vol-1", FIRST, LAST))
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.ERROR and by_status(result, Status.ERROR) == ["resources"]
    message = result.findings[0].message
    assert "no in-scope resource" in message and "hds=yes" in message and "none of the 4" in message
    assert "is tenant.yaml scope right?" in message


@pytest.mark.parametrize("check_id", [COV, "storage.encrypted_at_rest"])
def test_empty_state_has_no_in_scope_resource_either(builder, run_checks_on, check_id):
    state(builder)
    listing(builder, [])
    result = run_checks_on(builder.root, check_id)[check_id]
    assert result.status is Status.ERROR and "holds no resource" in result.findings[0].message


def test_scope_all_with_an_empty_state_still_judges_the_backups(builder, run_checks_on):
    builder.tenant(scope="all")
    state(builder)
    listing(builder, [cbr("ok", "vol-1", DAY)])
    assert run_checks_on(builder.root, ENC)[ENC].status is Status.PASS


def test_in_scope_resources_without_server_or_volume_pass_with_nothing_to_back_up(builder, run_checks_on):
    state(builder, tf("flexibleengine_obs_bucket", "b", {"bucket": "ch", "region": "eu-west-0", "tags": {"hds": "true"}, "encryption": True}))
    listing(builder, [])
    assert run_checks_on(builder.root, COV)[COV].status is Status.PASS


# -- backup.coverage: an overrun never reads as the limit ------------------------------------------
def test_rpo_overrun_by_one_second_reads_above_the_rpo(builder, run_checks_on):
    state(builder, VOLUME)
    items = daily("vol-1", FIRST, LAST)
    late = next(b for b in items if b["created_at"].startswith("2026-08-10"))
    late["created_at"] = late["created_at"].replace("22:30:00", "22:30:01")  # 24 h + 1 s after the day before
    listing(builder, items)
    result = run_checks_on(builder.root, COV)[COV]
    assert result.status is Status.FAIL
    message = result.findings[0].message
    assert "24.0003 hours without a successful backup" in message and "over the RPO of 24 hours" in message


@pytest.mark.parametrize("gap, rpo, text", [
    (24, 24, "24"),
    (96, 24, "96"),
    (24 + 1 / 3600, 24, "24.0003"),
    (24 + 1e-6 / 3600, 24, "24.0000000003"),
    (24.004, 24, "24.004"),
    (1.5, 0.25, "1.5"),
    (0.51, 0.5, "0.51"),
    (24.25, 24.125, "24.25"),
    (0.0011, 0.001, "0.0011"),
])
def test_hours_text(gap, rpo, text):
    assert hours_text(timedelta(hours=gap), timedelta(hours=rpo)) == text
    assert hours_text(timedelta(hours=rpo)) == f"{rpo:.10f}".rstrip("0").rstrip(".")  # a limit reads as set: 0.001, not 0
