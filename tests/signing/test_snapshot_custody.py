"""The evidence/ snapshot is exactly what was hashed, and `verify` holds it to the signed evidence list;
a link, a linked folder or a FIFO in a report folder fails verify, which never blocks on it."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from bundle_builder import trace
from test_signing import SNAPSHOT_BYTES, identity, identity_dir, pristine, report, resign  # noqa: F401 - fixtures

from hds_audit.calendar.period import parse_period
from hds_audit.catalog import load_catalog
from hds_audit.evidence.bundle import Bundle, EvidenceChanged
from hds_audit.evidence.tenant import load as load_tenant
from hds_audit.exitcodes import ExitCode
from hds_audit.pipeline.engine import run_checks
from hds_audit.pipeline.publish import AuditOptions, write_outputs
from hds_audit.signing.manifest import build_manifest, write_signed_manifest
from hds_audit.signing.verify import verify_report_dir

SNAPSHOT = "evidence/traces/CloudTraces/eu-west-0/a.json.gz"
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")


def failures(outcome) -> dict[str, str]:
    return {p.path: p.reason for p in outcome.problems if not p.untrusted}


# -- the snapshot copies what was hashed, or nothing ----------------------------------------------

def audited(builder):
    builder.users({"name": "a.durand"})
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([trace("a.durand", "2026-07-02T10:00:00+02:00")])
    bundle = Bundle(str(builder.root))
    tenant = load_tenant(bundle)
    result = run_checks(load_catalog(), bundle, tenant, parse_period("2026-Q3"))
    return bundle, tenant, result


def write(bundle, tenant, result, out, identity):  # noqa: F811 - the fixture's value
    write_outputs(result, AuditOptions(bundle, tenant, load_catalog(), result.period, out, identity, snapshot=True))


def test_the_snapshot_holds_the_very_bytes_hashed(builder, tmp_path, identity):  # noqa: F811
    bundle, tenant, result = audited(builder)
    write(bundle, tenant, result, tmp_path / "out", identity)
    for read in result.evidence_files:
        copied = (tmp_path / "out" / "evidence" / read.path).read_bytes()
        assert hashlib.sha256(copied).hexdigest() == read.sha256
    assert verify_report_dir(tmp_path / "out", tmp_path / "out" / "signer.pem").status == ExitCode.OK


def test_a_file_changed_after_it_was_read_is_refused_not_snapshotted(builder, tmp_path, identity):  # noqa: F811
    bundle, tenant, result = audited(builder)
    (builder.root / "iam" / "users.json").write_text('{"users": []}')  # the account the findings name is gone
    with pytest.raises(EvidenceChanged, match=r"iam/users\.json: changed since it was read"):
        write(bundle, tenant, result, tmp_path / "out", identity)
    assert not (tmp_path / "out").exists(), "no report folder is left behind"


# -- verify holds the snapshot to the evidence list -----------------------------------------------

def test_a_snapshot_differing_from_the_evidence_list_fails(report, identity):  # noqa: F811
    (report / SNAPSHOT).write_bytes(SNAPSHOT_BYTES + b" and more")
    resign(report, identity)  # the files list covers the new bytes; the evidence list keeps what was read
    outcome = verify_report_dir(report, report / "signer.pem")
    assert outcome.status == ExitCode.FAILED
    assert "differs from the evidence read" in failures(outcome)[SNAPSHOT]


def test_a_snapshot_file_no_evidence_entry_names_fails(report, identity):  # noqa: F811
    (report / "evidence" / "iam").mkdir()
    (report / "evidence" / "iam" / "users.json").write_text('{"users": []}')
    resign(report, identity)
    outcome = verify_report_dir(report, report / "signer.pem")
    assert "not in the signed evidence list" in failures(outcome)["evidence/iam/users.json"]


def test_a_snapshot_matching_the_evidence_list_passes(report):
    assert verify_report_dir(report, report / "signer.pem").status == ExitCode.OK


# -- only plain files in a report folder ----------------------------------------------------------

@posix_only
def test_a_linked_folder_in_a_report_folder_fails(report, identity, tmp_path):  # noqa: F811
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "users.json").write_text("{}")
    os.symlink(tmp_path / "elsewhere", report / "evidence" / "iam")
    write_signed_manifest(report, build_manifest(report, "run-1", "2026-10-01T09:00:00+02:00", []), identity)
    assert "symbolic link" in failures(verify_report_dir(report, report / "signer.pem"))["evidence/iam"]


@posix_only
def test_a_linked_file_in_a_report_folder_fails(report, tmp_path):
    (report / "junit.xml").rename(tmp_path / "junit.xml")
    os.symlink(tmp_path / "junit.xml", report / "junit.xml")
    assert "symbolic link" in failures(verify_report_dir(report, report / "signer.pem"))["junit.xml"]


@posix_only
@pytest.mark.parametrize("name", ["report.html", "manifest.json", "evidence/pipe"])
def test_a_fifo_in_a_report_folder_fails_without_hanging(report, name):
    (report / name).unlink(missing_ok=True)
    os.mkfifo(report / name)
    done = {}
    worker = threading.Thread(target=lambda: done.setdefault("outcome", verify_report_dir(report, report / "signer.pem")),
                              daemon=True)
    worker.start()
    worker.join(60)
    assert "outcome" in done, "verify hung on a FIFO"
    assert done["outcome"].status == ExitCode.FAILED
    assert "FIFO" in failures(done["outcome"])[name]


def test_run_refuses_with_exit_2_naming_the_file_that_changed(builder, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hds_audit.cli import cli

    audited(builder)

    def changed(self, read):
        raise EvidenceChanged(read.path, "changed since it was read (sha256 1 then, 2 now)")

    monkeypatch.setattr(Bundle, "read_again", changed)
    result = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "out"), "--snapshot"])
    assert result.exit_code == ExitCode.UNUSABLE, result.output
    assert "no report written: the evidence changed during the run" in result.stderr and "changed since it was read" in result.stderr
    assert "cannot write the reports" not in result.stderr and not (tmp_path / "out").exists()
