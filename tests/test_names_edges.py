"""Account and person names: one matching rule (Unicode NFC, trimmed, lower-cased) across the register, IAM and traces."""

from __future__ import annotations

import unicodedata

from bundle_builder import trace
from test_trace_checks import bucket, read, server, state, tracker

from hds_audit.checks.common import account_key, person_key
from hds_audit.states import Status

NFC_NAME = "Hélène Marchand"
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)
NFC_ACCOUNT = "h.marchand-éq"
NFD_ACCOUNT = unicodedata.normalize("NFD", NFC_ACCOUNT)
HELENE = {"account": "h.marchand", "person": NFC_NAME, "role": "admin", "granted_at": "2026-01-05", "revoked_at": "2026-03-01"}


def test_the_two_forms_differ_as_bytes():
    assert NFC_NAME != NFD_NAME and len(NFD_NAME) == len(NFC_NAME) + 2


def test_person_key_normalises_unicode_blanks_and_case():
    assert person_key(NFD_NAME) == person_key(NFC_NAME) == person_key("  HÉLÈNE\u00a0 marchand ")
    assert person_key("Hélène Marchand") != person_key("Helene Marchand")  # accents still tell persons apart
    assert person_key(None) == person_key("") == ""


def test_account_key_normalises_unicode_and_case():
    names = [NFC_ACCOUNT, NFD_ACCOUNT, " H.Marchand-ÉQ "]
    assert len({account_key(n) for n in names}) == 1
    assert account_key("STRASSE") != account_key("Straße")  # two IAM names


def test_same_person_in_nfd_and_nfc_is_not_a_reassignment(builder, run_checks_on):
    builder.register(HELENE, {**HELENE, "person": NFD_NAME, "granted_at": "2026-04-01", "revoked_at": ""})
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert result.status is Status.PASS, result.findings


def test_account_in_nfd_and_nfc_is_one_account_granted_to_two_persons(builder, run_checks_on):
    builder.register({**HELENE, "account": NFC_ACCOUNT}, {**HELENE, "account": NFD_ACCOUNT, "person": "Nadia Roux", "granted_at": "2026-04-01", "revoked_at": ""})
    result = run_checks_on(builder.root, "access.credentials_not_reassigned")["access.credentials_not_reassigned"]
    assert result.status is Status.FAIL and len(result.findings) == 1
    assert "2 different persons" in result.findings[0].message


def test_nfd_register_account_matches_nfc_iam_user(builder, run_checks_on):
    builder.users({"name": NFC_ACCOUNT})
    builder.register({**HELENE, "account": NFD_ACCOUNT, "revoked_at": ""})
    assert run_checks_on(builder.root, "access.nominative_accounts")["access.nominative_accounts"].status is Status.PASS


def test_nfd_register_account_covers_nfc_trace_account(builder, run_checks_on):
    builder.register({**HELENE, "account": NFD_ACCOUNT, "granted_at": "2026-07-01", "revoked_at": "2026-08-01"})
    builder.traces([trace(NFC_ACCOUNT.upper(), "2026-07-02T10:00:00+02:00"), trace(NFC_ACCOUNT, "2026-08-02T10:00:00+02:00")])
    results = run_checks_on(builder.root, "access.register_covers_activity", "access.no_activity_after_revocation")
    covers, after = results["access.register_covers_activity"], results["access.no_activity_after_revocation"]
    assert [(f.object, f.message[:12]) for f in covers.findings] == [(NFC_ACCOUNT, "1 action(s) ")]  # the August one only
    assert [f.object for f in after.findings] == [NFC_ACCOUNT]
    assert "revoked at 2026-08-01T00:00:00+02:00" in after.findings[0].message


def test_trace_reader_in_nfd_reads_the_trace_bucket(builder, run_checks_on):
    state(builder, tracker(), bucket(), server())
    builder.register({"account": unicodedata.normalize("NFD", "m.lecteur-é"), "person": "Marc Lecteur", "role": "trace_reader", "granted_at": "2026-01-05"},
                     {"account": "o.perator", "person": "Odile Perator", "role": "operator", "granted_at": "2026-01-05"})
    builder.traces([read("M.Lecteur-É", "2026-07-02T10:00:00+02:00"), read("o.perator", "2026-07-02T11:00:00+02:00")])
    result = run_checks_on(builder.root, "trace.access_entitlement")["trace.access_entitlement"]
    assert [f.object for f in result.findings] == ["o.perator"]
    assert "roles in the register: operator" in result.findings[0].message
