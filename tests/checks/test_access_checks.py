"""Access-control checks: pass, fail, absent or broken evidence, and the boundaries of the register."""

from bundle_builder import trace

from hds_audit.states import Status

ALICE = {"account": "a.durand", "person": "Alice Durand", "email": "a.durand@ch-test.example", "role": "admin", "granted_at": "2026-01-05"}
BOB = {"account": "b.petit", "person": "Bruno Petit", "role": "operator", "granted_at": "2026-01-05", "revoked_at": "2026-08-14T18:00:00+02:00"}


def objects(result, status=Status.FAIL):
    return sorted(f.object for f in result.findings if f.status is status)


# -- access.nominative_accounts ------------------------------------------------------------------

def test_nominative_accounts_pass(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "svc-backup", "access_mode": "programmatic"}, {"name": "chtest", "is_domain_owner": True},
                  {"name": "old.user", "enabled": False})
    builder.register(ALICE, {"account": "svc-backup", "role": "service", "granted_at": "2026-01-01", "owner": "Alice Durand"})
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.PASS, result.findings


def test_nominative_accounts_fail_generic_and_unregistered(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "admin"}, {"name": "Test"}, {"name": "x.inconnu"})
    builder.register(ALICE)
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.FAIL
    assert objects(result) == ["Test", "admin", "x.inconnu"]
    generic = next(f for f in result.findings if f.object == "admin")
    assert "generic" in generic.message and generic.evidence == ("iam/users.json#name=admin",)


def test_generic_name_with_a_person_is_nominative(builder, run_checks_on):
    builder.users({"name": "admin"})
    builder.register({"account": "admin", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    assert run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"].status is Status.PASS


NA = "access.nominative_accounts"


def test_enabled_account_whose_authorization_was_revoked_fails(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "b.petit"})
    builder.register(ALICE, BOB)
    result = run_checks_on(builder.root, NA)[NA]
    assert result.status is Status.FAIL and objects(result) == ["b.petit"]
    [finding] = result.findings
    assert "revoked 2026-08-14T18:00:00+02:00" in finding.message
    assert "access_register.csv row 3" in finding.message and "Bruno Petit" in finding.message
    assert finding.evidence == ("iam/users.json#name=b.petit", "access_register.csv#row 3")


def test_revoked_before_the_period_and_revoked_service_account_fail(builder, run_checks_on):
    builder.users({"name": "b.petit"}, {"name": "svc-old", "access_mode": "programmatic"})
    builder.register({**BOB, "revoked_at": "2026-03-01"},
                     {"account": "svc-old", "role": "service", "granted_at": "2026-01-01", "revoked_at": "2026-06-30", "owner": "Alice Durand"})
    result = run_checks_on(builder.root, NA)[NA]
    assert objects(result) == ["b.petit", "svc-old"]
    assert "revoked 2026-06-30T00:00:00+02:00" in next(f.message for f in result.findings if f.object == "svc-old")


def test_revoked_exactly_at_period_end_still_covers_the_period(builder, run_checks_on):
    builder.users({"name": "b.petit"})
    builder.register({**BOB, "revoked_at": "2026-10-01T00:00:00+02:00"})
    assert run_checks_on(builder.root, NA)[NA].status is Status.PASS
    builder.register({**BOB, "revoked_at": "2026-09-30T23:59:59+02:00"})
    assert objects(run_checks_on(builder.root, NA)[NA]) == ["b.petit"]


def test_revoked_then_granted_again_or_disabled_passes(builder, run_checks_on):
    builder.users({"name": "b.petit"}, {"name": "c.leroy", "enabled": False})
    builder.register(BOB, {**BOB, "granted_at": "2026-09-01", "revoked_at": ""},
                     {"account": "c.leroy", "person": "Chloé Leroy", "role": "operator", "granted_at": "2026-01-05", "revoked_at": "2026-07-10"})
    result = run_checks_on(builder.root, NA)[NA]
    assert result.status is Status.PASS, result.findings


def test_revoked_account_with_an_unreadable_row_is_error(builder, run_checks_on):
    builder.users({"name": "b.petit"})
    builder.register(BOB, {**BOB, "granted_at": "someday", "revoked_at": ""})
    result = run_checks_on(builder.root, NA)[NA]
    assert result.status is Status.ERROR
    finding = next(f for f in result.findings if f.object == "b.petit")
    assert finding.status is Status.ERROR and finding.message.startswith("cannot conclude: enabled IAM user whose authorization was revoked")
    assert "access_register.csv row 3 of this account could not be read" in finding.message


def test_iam_file_not_json_is_error_naming_file(builder, run_checks_on):
    builder.write("iam/users.json", "{not json")
    builder.register(ALICE)
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.ERROR
    assert any(f.object == "iam/users.json" and "not JSON" in f.message for f in result.findings)


def test_absent_register_is_error(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.ERROR
    assert any("absent" in f.message for f in result.findings)


def test_register_with_unparseable_date_is_error_naming_row(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    builder.register(ALICE, {**BOB, "granted_at": "14/08/2026"})
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.ERROR
    bad = [f for f in result.findings if f.status is Status.ERROR]
    assert bad[0].object == "access_register.csv" and "row 3" in bad[0].message and "granted_at" in bad[0].message


def test_register_missing_column_is_error(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    builder.table("access_register.csv", ["account", "person", "granted_at"], [ALICE])
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert result.status is Status.ERROR
    assert "missing column(s): role" in result.findings[0].message


def test_register_with_bom_and_semicolons(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    builder.register(ALICE, delimiter=";", bom=True)
    assert run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"].status is Status.PASS


def test_register_unknown_role_and_revoked_before_granted(builder, run_checks_on):
    builder.register({**ALICE, "role": "superuser"}, {**BOB, "revoked_at": "2026-01-01"})
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert result.status is Status.ERROR
    messages = " | ".join(f.message for f in result.findings)
    assert "row 2" in messages and "unknown value 'superuser'" in messages
    assert "row 3" in messages and "not after granted_at" in messages


# -- activity against the register -----------------------------------------------------------------

def _activity_bundle(builder, *records):
    builder.register(ALICE, BOB, {**BOB, "granted_at": "2026-09-01", "revoked_at": ""})
    builder.traces(list(records))


def test_action_exactly_at_granted_at_is_covered(builder, run_checks_on):
    _activity_bundle(builder, trace("a.durand", "2026-07-02T10:00:00+02:00"))
    builder.register({**ALICE, "granted_at": "2026-07-02T10:00:00+02:00"})
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.PASS


def test_action_exactly_at_revoked_at_is_after_revocation(builder, run_checks_on):
    _activity_bundle(builder, trace("b.petit", "2026-08-14T18:00:00+02:00"))
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    assert objects(results["access.register_covers_activity"]) == ["b.petit"]
    after = results["access.no_activity_after_revocation"]
    assert objects(after) == ["b.petit"]
    assert "2026-08-14T18:00:00+02:00" in after.findings[0].message
    assert after.findings[0].evidence[0].startswith("traces/CloudTraces/eu-west-0/") and "#trace_id=" in after.findings[0].evidence[0]


def test_one_second_before_revocation_is_covered(builder, run_checks_on):
    _activity_bundle(builder, trace("b.petit", "2026-08-14T17:59:59+02:00"))
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    assert results["access.register_covers_activity"].status is Status.PASS
    assert results["access.no_activity_after_revocation"].status is Status.PASS


def test_regrant_after_revocation_covers_later_actions(builder, run_checks_on):
    _activity_bundle(builder, trace("b.petit", "2026-09-02T09:00:00+02:00"))
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    assert results["access.register_covers_activity"].status is Status.PASS
    assert results["access.no_activity_after_revocation"].status is Status.PASS


def test_action_between_revocation_and_regrant_fails(builder, run_checks_on):
    _activity_bundle(builder, trace("b.petit", "2026-08-20T09:00:00+02:00"), trace("b.petit", "2026-09-02T09:00:00+02:00"))
    result = run_checks_on(builder.root, "access.no_activity_after_revocation")["access.no_activity_after_revocation"]
    assert objects(result) == ["b.petit"] and result.findings[0].message.startswith("1 action(s)")


def test_action_before_any_grant_is_not_after_revocation(builder, run_checks_on):
    _activity_bundle(builder, trace("a.durand", "2026-07-01T08:00:00+02:00"))
    builder.register({**ALICE, "granted_at": "2026-07-15"})
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    assert objects(results["access.register_covers_activity"]) == ["a.durand"]
    assert results["access.no_activity_after_revocation"].status is Status.PASS


def test_system_actions_and_out_of_period_traces_are_ignored(builder, run_checks_on):
    _activity_bundle(builder, trace(None, "2026-07-03T10:00:00+02:00"), trace("intrus", "2026-06-30T23:59:59+02:00"),
                     trace("intrus", "2026-10-01T00:00:00+02:00"))
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.PASS


def test_trace_file_not_gzip_is_error_and_others_still_read(builder, run_checks_on):
    builder.register(ALICE)
    builder.traces([trace("intrus", "2026-07-03T10:00:00+02:00")])
    builder.write("traces/CloudTraces/eu-west-0/2026/7/4/system/ECS/broken.json.gz", b"this is not gzip")
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.FAIL  # the good file still shows the unauthorized account
    errors = [f for f in result.findings if f.status is Status.ERROR]
    assert errors and errors[0].object.endswith("broken.json.gz") and "gzip" in errors[0].message
    assert objects(result) == ["intrus"]


def test_no_traces_is_error(builder, run_checks_on):
    builder.register(ALICE)
    result = run_checks_on(builder.root, "access.register_covers_activity")["access.register_covers_activity"]
    assert result.status is Status.ERROR


# -- credentials, MFA, provider support --------------------------------------------------------------

def test_account_granted_twice_to_same_person_is_not_reassignment(builder, run_checks_on):
    builder.register(BOB, {**BOB, "person": "bruno  PETIT", "granted_at": "2026-09-01", "revoked_at": ""})
    assert run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"].status is Status.PASS


def test_account_granted_to_two_persons_fails(builder, run_checks_on):
    builder.register(BOB, {**BOB, "person": "Nadia Roux", "granted_at": "2026-09-01", "revoked_at": ""})
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert objects(result) == ["b.petit"]
    assert "Bruno Petit" in result.findings[0].message and "Nadia Roux" in result.findings[0].message
    assert result.findings[0].evidence == ("access_register.csv#row 2", "access_register.csv#row 3")


def test_mfa(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "owner", "is_domain_owner": True}, {"name": "api", "access_mode": "programmatic"},
                  {"name": "gone", "enabled": False})
    builder.mfa("id-a.durand")
    result = run_checks_on(builder.root, "access.mfa")["access.mfa"]
    assert objects(result) == ["owner"]  # the domain owner needs MFA too; programmatic and disabled users do not
    builder.write("iam/mfa.json", '{"virtual_mfa_devices": [{"user_id": "id-a.durand"}], "login_protects": [{"user_id": "id-owner", "enabled": true, "verification_method": "vmfa"}]}')
    assert run_checks_on(builder.root, "access.mfa")["access.mfa"].status is Status.PASS


def test_mfa_absent_is_error(builder, run_checks_on):
    builder.users({"name": "a.durand"})
    assert run_checks_on(builder.root, "access.mfa")["access.mfa"].status is Status.ERROR


SUPPORT = {"account": "fe-support", "person": "Provider Support Desk", "role": "provider_support", "granted_at": "2026-07-01", "ticket": "INC-7"}
TICKET = {"ticket_id": "INC-7", "category": "incident", "priority": "P3", "opened_at": "2026-07-01T09:00:00+02:00",
          "responded_at": "2026-07-01T10:00:00+02:00", "resolved_at": "2026-07-10T12:00:00+02:00", "api_incident": "false"}


def test_provider_support_removed_in_time(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "fe-support", "enabled": False})
    builder.register({**SUPPORT, "revoked_at": "2026-07-17T12:00:00+02:00"})  # exactly 7 days after resolution
    builder.tickets(TICKET)
    assert run_checks_on(builder.root, "access.provider_support_removed")["access.provider_support_removed"].status is Status.PASS


def test_provider_support_removed_late_and_user_still_enabled(builder, run_checks_on):
    builder.users({"name": "fe-support"})
    builder.register({**SUPPORT, "revoked_at": "2026-07-17T12:00:01+02:00"})
    builder.tickets(TICKET)
    result = run_checks_on(builder.root, "access.provider_support_removed")["access.provider_support_removed"]
    assert result.status is Status.FAIL
    messages = " | ".join(f.message for f in result.findings)
    assert "after the deadline" in messages and "still enabled" in messages


def test_provider_support_never_revoked(builder, run_checks_on):
    builder.users({"name": "chtest", "is_domain_owner": True})  # the support user is gone from IAM
    builder.register(SUPPORT)
    builder.tickets(TICKET)
    result = run_checks_on(builder.root, "access.provider_support_removed")["access.provider_support_removed"]
    assert objects(result) == ["fe-support"] and "still authorized" in result.findings[0].message


def test_provider_support_unknown_ticket_is_error(builder, run_checks_on):
    builder.users({"name": "chtest", "is_domain_owner": True})
    builder.register({**SUPPORT, "ticket": "INC-404"})
    builder.tickets(TICKET)
    result = run_checks_on(builder.root, "access.provider_support_removed")["access.provider_support_removed"]
    assert result.status is Status.ERROR and "INC-404" in result.findings[0].message


def test_duplicate_register_row_is_reported(builder, run_checks_on):
    builder.register(ALICE, BOB, ALICE)
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert result.status is Status.ERROR
    assert any("row 4" in f.message and "duplicate of row 2" in f.message for f in result.findings)


def test_register_as_xlsx(builder, run_checks_on):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["account", "person", "email", "role", "granted_at", "revoked_at"])
    sheet.append(["a.durand", "Alice Durand", "a.durand@ch-test.example", "Admin", "2026-01-05", None])
    book.save(builder.root / "access_register.xlsx")
    builder.users({"name": "a.durand"})
    assert run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"].status is Status.PASS


def test_xlsx_with_merged_header_cells_is_error(builder, run_checks_on):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["account", "person", "email", "role", "granted_at", "revoked_at"])
    sheet.merge_cells("A1:B1")
    book.save(builder.root / "access_register.xlsx")
    builder.users({"name": "a.durand"})
    result = run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"]
    assert result.status is Status.ERROR and "merged" in result.findings[0].message
