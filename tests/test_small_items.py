"""Small things a user trips over: who signs a key made by `keys init`, JUnit and PDF texts at
a person's precision, `controls show` listing each check once, the README's openssl line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from report_fixtures import TRACE_FILE, sample_result

from hds_audit.checks.interface import Finding
from hds_audit.formats import junit
from hds_audit.formats.interface import RenderContext
from hds_audit.formats.pdf import short_ref
from hds_audit.results.model import CheckResult
from hds_audit.states import Status

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, env=None):
    full = {k: v for k, v in os.environ.items() if not k.startswith("HDS_AUDIT_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=120, env=full,
                          stdin=subprocess.DEVNULL)


def test_keys_init_off_a_terminal_needs_a_name(tmp_path):
    proc = cli("keys", "init", str(tmp_path / "k"), env={"HDS_AUDIT_KEY_PASSWORD": "pw-for-tests"})
    assert proc.returncode == 2 and "--name" in proc.stderr and not (tmp_path / "k").exists()


def test_keys_init_signs_as_the_person_and_organisation_given(tmp_path):
    from cryptography import x509

    proc = cli("keys", "init", str(tmp_path / "k"), "--name", "Claire Vidal, RSSI", "--organisation", "Clinique Exemple",
               env={"HDS_AUDIT_KEY_PASSWORD": "pw-for-tests"})
    assert proc.returncode == 0, proc.stderr
    subject = x509.load_pem_x509_certificate((tmp_path / "k" / "signer.pem").read_bytes()).subject.rfc4514_string()
    assert "CN=Claire Vidal\\, RSSI" in subject and "O=Clinique Exemple" in subject and "hds-audit" not in subject


def test_keys_init_without_a_password_off_a_terminal_is_refused(tmp_path):
    proc = cli("keys", "init", str(tmp_path / "k"), "--name", "A B")
    assert proc.returncode == 2 and "HDS_AUDIT_KEY_PASSWORD" in proc.stderr


def test_junit_times_to_the_second():
    result = sample_result()
    result.controls[0].checks = [CheckResult("access.mfa", Status.FAIL, [Finding("j.martin", "acted at 2026-08-20T21:14:26.526000+02:00")])]
    text = junit.render(RenderContext(result)).decode()
    assert "2026-08-20T21:14:26+02:00" in text and ".526000" not in text


def test_trace_references_in_the_pdf_drop_their_folders():
    reference = f"{TRACE_FILE}#trace_id=t1"
    assert short_ref(reference) == "traces/…/a.json.gz#trace_id=t1"
    assert short_ref("iam/users.json#name=x") == "iam/users.json#name=x"


def test_controls_show_lists_each_check_once():
    proc = cli("controls", "show", "identifiers-and-authorizations")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("access.nominative_accounts") == 1 and proc.stdout.count("evidenced by") == 1


def test_the_readme_openssl_line_does_not_print_the_manifest():
    for doc in ("README.md", "docs/user-guide.md"):
        # a command is a line starting with openssl, with its backslash continuations
        text = (ROOT / doc).read_text(encoding="utf-8").replace("\\\n", " ")
        lines = [line for line in text.splitlines() if line.strip().startswith("openssl cms -verify")]
        assert lines and all("-out /dev/null" in line for line in lines), doc
