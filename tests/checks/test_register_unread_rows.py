"""A register row that cannot be read may be the authorization a check would call missing: its account is `error`
(could not conclude, naming the row), never `fail`; other accounts keep their pass or fail."""

from bundle_builder import trace
from test_trace_checks import BUCKET_NAME, bucket, read, server, state, tracker

from hds_audit.states import Status

RC, AR, NA, TA = ("access.register_covers_activity", "access.no_activity_after_revocation", "access.nominative_accounts",
                  "trace.access_entitlement")
ALICE = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}
BOB = {"account": "b.petit", "person": "Bruno Petit", "role": "operator", "granted_at": "2026-01-05"}


def by_status(result, status):
    return sorted(f.object for f in result.findings if f.status is status)


def about(result, obj):
    [finding] = [f for f in result.findings if f.object == obj]
    return finding


def test_unreadable_grant_date_makes_that_account_error_not_fail(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "granted_at": "31/02/2026"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00"), trace("a.durand", "2026-07-03T11:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert result.status is Status.ERROR  # before: fail, accusing b.petit
    assert by_status(result, Status.FAIL) == []
    bob = about(result, "b.petit")
    assert bob.status is Status.ERROR and bob.message.startswith("cannot conclude: 1 action(s)")
    assert "access_register.csv row 3 of this account could not be read" in bob.message
    assert "access_register.csv#row 3" in bob.evidence and bob.evidence[0].startswith("traces/")


def test_other_accounts_keep_their_fail(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "granted_at": "31/02/2026"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00"), trace("x.intrus", "2026-07-03T11:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert result.status is Status.FAIL
    assert by_status(result, Status.FAIL) == ["x.intrus"]
    assert about(result, "b.petit").status is Status.ERROR


def test_readable_register_still_passes_and_fails(builder, run_checks_on):
    builder.register(ALICE, BOB)
    builder.traces([trace("B.Petit", "2026-07-03T10:00:00+02:00"), trace("x.intrus", "2026-07-03T11:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert by_status(result, Status.FAIL) == ["x.intrus"] and by_status(result, Status.ERROR) == []


def test_unreadable_account_cell_leaves_every_uncovered_account_undecided(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "account": ""})
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00"), trace("x.intrus", "2026-07-03T11:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert result.status is Status.ERROR
    intrus = about(result, "x.intrus")
    assert intrus.status is Status.ERROR and "row 3 whose account is unreadable" in intrus.message
    assert [f.object for f in result.findings if f.object == "a.durand"] == []  # covered: no finding at all


def test_account_matched_as_the_traces_are(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "account": " B.PETIT ", "granted_at": "2026-13-01"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert about(result, "b.petit").status is Status.ERROR


def test_row_dropped_for_revocation_before_grant_is_undecided(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "granted_at": "2026-09-01", "revoked_at": "2026-01-01"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    assert result.status is Status.ERROR
    assert about(result, "b.petit").status is Status.ERROR
    assert any(f.object == "access_register.csv" and "not after granted_at" in f.message for f in result.findings)


def test_exact_copy_of_a_read_row_changes_nothing(builder, run_checks_on):
    revoked = {**BOB, "revoked_at": "2026-07-02"}
    builder.register(ALICE, revoked, revoked)
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, AR)[AR]
    assert result.status is Status.FAIL  # the copy authorizes nothing the first row does not
    assert about(result, "b.petit").status is Status.FAIL
    assert any("duplicate of row 3" in f.message for f in result.findings if f.status is Status.ERROR)


def test_activity_after_revocation_with_unreadable_regrant_is_undecided(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "revoked_at": "2026-07-02"}, {**BOB, "granted_at": "2026-07-03 bientôt"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00"), trace("a.durand", "2026-07-03T11:00:00+02:00")])
    results = run_checks_on(builder.root, AR, RC)
    after = about(results[AR], "b.petit")
    assert after.status is Status.ERROR and "after the authorization was revoked" in after.message and "row 4" in after.message
    assert about(results[RC], "b.petit").status is Status.ERROR


def test_activity_after_revocation_still_fails_for_others(builder, run_checks_on):
    builder.register(ALICE, {**BOB, "revoked_at": "2026-07-02"}, {**ALICE, "account": "c.roux", "role": "chef"})
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, AR)[AR]
    assert result.status is Status.FAIL and by_status(result, Status.FAIL) == ["b.petit"]


def test_nominative_account_with_unreadable_row_is_error(builder, run_checks_on):
    builder.users({"name": "a.durand"}, {"name": "b.petit"}, {"name": "x.inconnu"})
    builder.register(ALICE, {**BOB, "granted_at": "31/02/2026"})
    result = run_checks_on(builder.root, NA)[NA]
    assert result.status is Status.FAIL and by_status(result, Status.FAIL) == ["x.inconnu"]
    bob = about(result, "b.petit")
    assert bob.status is Status.ERROR and "absent from the register" in bob.message and "row 3" in bob.message


def _entitlement(builder, *rows):
    state(builder, tracker(), bucket(), server()).register(*rows)
    builder.traces([read("m.reader", "2026-07-02T10:00:00+02:00"), read("o.perator", "2026-07-02T11:00:00+02:00")])


def test_entitlement_unreadable_reader_row_is_error(builder, run_checks_on):
    _entitlement(builder, {**ALICE, "account": "m.reader", "role": "trace_reader", "granted_at": "le 5 janvier"},
                 {**ALICE, "account": "o.perator", "role": "operator"})
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.FAIL and by_status(result, Status.FAIL) == ["o.perator"]
    reader = about(result, "m.reader")
    assert reader.status is Status.ERROR and BUCKET_NAME in reader.message and "row 2" in reader.message


def test_entitlement_unreadable_row_of_another_role_does_not_excuse(builder, run_checks_on):
    # the row's role is readable and is not a reader role: whatever its dates, it grants no read of the trace bucket
    _entitlement(builder, {**ALICE, "account": "m.reader", "role": "trace_reader"},
                 {**ALICE, "account": "o.perator", "role": "operator", "granted_at": "le 5 janvier"})
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.FAIL and by_status(result, Status.FAIL) == ["o.perator"]


def test_entitlement_unreadable_role_is_error(builder, run_checks_on):
    _entitlement(builder, {**ALICE, "account": "m.reader", "role": "trace_reader"},
                 {**ALICE, "account": "o.perator", "role": "lecteur"})
    result = run_checks_on(builder.root, TA)[TA]
    assert result.status is Status.ERROR and about(result, "o.perator").status is Status.ERROR


def test_xlsx_register_with_unreadable_row(builder, run_checks_on):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["account", "person", "email", "role", "granted_at", "revoked_at"])
    sheet.append(["a.durand", "Alice Durand", None, "admin", "2026-01-05", None])
    sheet.append(["b.petit", "Bruno Petit", None, "operator", "31/02/2026", None])
    book.save(builder.root / "access_register.xlsx")
    builder.traces([trace("b.petit", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, RC)[RC]
    bob = about(result, "b.petit")
    assert bob.status is Status.ERROR and "access_register.xlsx row 3" in bob.message
