"""IAM listings that would pass by accident: a user listed twice, an empty listing, a key given twice in JSON."""

from __future__ import annotations

import json

import pytest
from bundle_builder import trace

from hds_audit.evidence import iam_users
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.records import DuplicateKey, strict_loads
from hds_audit.states import Status

SUPPORT = {"account": "fe-support", "person": "Provider Support Desk", "role": "provider_support", "granted_at": "2026-07-01",
           "ticket": "INC-7", "revoked_at": "2026-07-17T12:00:00+02:00"}
TICKET = {"ticket_id": "INC-7", "category": "incident", "priority": "P3", "opened_at": "2026-07-01T09:00:00+02:00",
          "responded_at": "2026-07-01T10:00:00+02:00", "resolved_at": "2026-07-10T12:00:00+02:00", "api_incident": "false"}
PSR = "access.provider_support_removed"


def _write_users(builder, users: list[dict]) -> None:
    builder.write("iam/users.json", json.dumps({"users": users}))


def test_a_support_user_listed_twice_once_disabled_is_an_error_not_a_pass(builder, run_checks_on):
    builder.register(SUPPORT)
    builder.tickets(TICKET)
    enabled = {"id": "id-fe", "name": "fe-support", "enabled": True}
    _write_users(builder, [{"id": "id-owner", "name": "chtest", "enabled": True, "is_domain_owner": True}, enabled])
    assert run_checks_on(builder.root, PSR)[PSR].status is Status.FAIL  # still enabled
    _write_users(builder, [{"id": "id-owner", "name": "chtest", "enabled": True, "is_domain_owner": True},
                           enabled, {**enabled, "enabled": False}])
    result = run_checks_on(builder.root, PSR)[PSR]
    assert result.status is Status.ERROR
    [finding] = [f for f in result.findings if f.status is Status.ERROR]
    assert finding.object == "iam/users.json"
    assert finding.message == ("users[2] name=fe-support: id 'id-fe' is listed twice (users[1] and users[2]): "
                               "which record is current cannot be told")


def test_a_user_listed_twice_by_name_under_two_ids_is_refused_and_neither_record_kept(builder):
    _write_users(builder, [{"id": "a", "name": "J.Martin", "enabled": True}, {"id": "b", "name": "j.martin", "enabled": False},
                           {"id": "c", "name": "chtest", "enabled": True, "is_domain_owner": True}])
    evidence = iam_users.load(Bundle(str(builder.root)))
    assert [p.reason for p in evidence.problems] == [
        "name 'j.martin' is listed twice (users[0] and users[1]): which record is current cannot be told"]
    assert [u.name for u in evidence.data] == ["chtest"]


@pytest.mark.parametrize("text", ['{"users": []}', '{"users": [{"id": "x", "name": "a.durand", "enabled": true}], "users": []}'])
def test_an_empty_listing_or_a_key_given_twice_makes_mfa_and_nominative_accounts_error(builder, run_checks_on, text):
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.mfa("x")
    builder.traces([trace("a.durand", "2026-08-10T10:00:00+02:00")])
    builder.write("iam/users.json", text)
    results = run_checks_on(builder.root, "access.mfa", "access.nominative_accounts")
    for result in results.values():
        assert result.status is Status.ERROR, result
        [finding] = result.findings
        assert finding.object == "iam/users.json"
        assert ("the listing is empty" in finding.message) if text == '{"users": []}' else (
            finding.message == 'duplicate key "users" in one object: which value counts cannot be told')


def test_duplicate_keys_are_refused_at_any_depth():
    with pytest.raises(DuplicateKey, match='duplicate key "enabled"'):
        strict_loads('{"users": [{"name": "a", "enabled": true, "enabled": false}]}')
    assert strict_loads('{"a": {"b": 1}, "b": {"a": 2}}') == {"a": {"b": 1}, "b": {"a": 2}}


def test_duplicate_keys_in_a_terraform_state_and_a_backup_listing_are_errors(builder):
    from hds_audit.evidence import backups, resources

    builder.write("resources/main.tfstate", '{"version": 4, "resources": [], "resources": [{"mode": "managed"}]}')
    builder.write("backups/cbr.json", '{"backups": [{"id": "b1", "id": "b2"}]}')
    bundle = Bundle(str(builder.root))
    assert [p.reason for p in resources.load(bundle, None).problems] == [
        'duplicate key "resources" in one object: which value counts cannot be told']
    assert [p.reason for p in backups.load(bundle, None).problems] == [
        'duplicate key "id" in one object: which value counts cannot be told']


def test_duplicate_keys_in_a_trace_are_an_error_naming_the_file(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.write("traces/extra/dup.json", '[{"trace_id": "t1", "trace_type": "ConsoleAction", "time": 1786352400000, '
                  '"user": {"name": "x.inconnu"}, "user": {"name": "a.durand"}}]')
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.ERROR
    assert any(f.object == "traces/extra/dup.json" and 'duplicate key "user"' in f.message for f in result.findings)
