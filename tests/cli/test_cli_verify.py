"""The `verify` command's words: where the trusted certificate lies, what the manifest lists."""

from __future__ import annotations

import hashlib
import shutil

from click.testing import CliRunner
from test_signing import identity, identity_dir, keys_in_tmp, pristine, report, resign  # noqa: F401 - fixtures

from hds_audit.cli import cli
from hds_audit.exitcodes import ExitCode
from hds_audit.signing.manifest import build_manifest, write_signed_manifest


def verify_cli(*args):
    return CliRunner().invoke(cli, ["verify", *map(str, args)])


def test_trusting_the_folders_own_certificate_is_warned_but_passes(report):
    result = verify_cli(report, "--trust", report / "signer.pem")
    assert result.exit_code == ExitCode.OK, result.output
    assert "warning: --trust" in result.stderr and "lies in the folder being verified" in result.stderr


def test_a_certificate_obtained_apart_is_not_warned_about(report, identity_dir):
    # the same bytes as the folder's signer.pem (self-signed), but kept apart from the folder
    assert (identity_dir / "signer.pem").read_bytes() == (report / "signer.pem").read_bytes()
    result = verify_cli(report, "--trust", identity_dir / "signer.pem")
    assert result.exit_code == ExitCode.OK and "warning" not in result.stderr


def test_run_prints_the_throwaway_certificates_fingerprint_and_leaves_no_file(tmp_path, keys_in_tmp, capsys):
    from hds_audit.cli.common import signing_identity
    from hds_audit.signing.cms import fingerprint

    made = signing_identity(None, tmp_path / "out")
    assert capsys.readouterr().err.strip().endswith(f"its certificate's SHA-256 fingerprint: {fingerprint(made.certificate)}")
    assert made.is_demo and list(tmp_path.iterdir()) == []  # no hds-audit-demo-key-* folder piles up


def test_evidence_hashes_without_a_snapshot_are_said_unchecked(report, identity):
    shutil.rmtree(report / "evidence")
    resign(report, identity)  # its manifest lists one evidence file, the snapshot's
    result = verify_cli(report, "--trust", report / "signer.pem")
    assert result.exit_code == ExitCode.OK, result.output
    assert (f"{report}: intact, 6 report file(s) checked; 1 evidence file hash listed but not checked "
            "(no evidence/ snapshot); signed by hds-audit signer, hds-audit") in result.stdout


def test_evidence_hashes_with_their_snapshot_count_as_checked(report, identity):
    snapshot = report / "evidence/traces/CloudTraces/eu-west-0/a.json.gz"
    listed = [{"path": "traces/CloudTraces/eu-west-0/a.json.gz", "sha256": hashlib.sha256(snapshot.read_bytes()).hexdigest(), "size": 1}]
    write_signed_manifest(report, build_manifest(report, "run-1", "2026-10-01T09:00:00+02:00", listed), identity)
    result = verify_cli(report)
    assert result.exit_code == ExitCode.UNTRUSTED, result.output
    assert result.stdout.startswith(f"{report}: intact, 6 report file(s) and 1 evidence file(s) of the evidence/ snapshot "
                                    "checked; but the signer is not trusted (no --trust given)")
