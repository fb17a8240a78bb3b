"""An evidence file that is there but cannot be read (a directory, a broken link in its place) is
named with the reason, never reported as absent, and never crashes a reader."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from bundle_builder import trace

from hds_audit.evidence import waivers
from hds_audit.evidence.bundle import Bundle
from hds_audit.states import Status

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")

RT, COVERS, BC = "support.response_times", "access.register_covers_activity", "backup.coverage"


def as_directory(builder, rel: str) -> None:
    (builder.root / rel).mkdir(parents=True)
    (builder.root / rel / "inside.txt").write_text("a file inside")


def as_broken_link(builder, rel: str) -> None:
    (builder.root / rel).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(builder.root / "gone" / rel, builder.root / rel)


PLANT = {"directory": (as_directory, "is a directory"), "broken link": (as_broken_link, "is a broken symbolic link")}


def errors(result):
    return {f.object: f.message for f in result.findings if f.status is Status.ERROR}


# -- Bundle ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", PLANT)
def test_an_entry_that_is_not_a_file_exists_and_says_why_it_cannot_be_read(builder, how):
    plant, reason = PLANT[how]
    plant(builder, "tickets.csv")
    bundle = Bundle(str(builder.root))
    assert bundle.exists("tickets.csv") and bundle.first_of("tickets.csv", "tickets.xlsx") == "tickets.csv"
    with pytest.raises(OSError, match=reason):
        bundle.read_bytes("tickets.csv")
    with pytest.raises(ValueError, match=reason):  # the readers that catch ValueError for bad content name it too
        bundle.read_bytes("tickets.csv")
    assert bundle.reads() == [], "nothing was read, nothing goes into the manifest"


def test_nothing_there_is_still_absent(builder):
    bundle = Bundle(str(builder.root))
    assert not bundle.exists("tickets.csv") and bundle.first_of("tickets.csv", "tickets.xlsx") is None


def test_a_broken_link_in_a_folder_of_files_is_listed(builder):
    as_broken_link(builder, "backups/cbr.json")
    builder.write("backups/vbs.json", '{"backups": []}')
    assert Bundle(str(builder.root)).glob("backups/*.json") == ["backups/cbr.json", "backups/vbs.json"]


# -- the readers and the checks ---------------------------------------------------------------------

@pytest.mark.parametrize("how", PLANT)
def test_tickets_in_place_of_the_file_make_the_check_error_with_the_reason(builder, run_checks_on, how):
    plant, reason = PLANT[how]
    plant(builder, "tickets.csv")
    result = run_checks_on(builder.root, RT)[RT]
    assert result.status is Status.ERROR
    assert reason in errors(result)["tickets.csv"]
    assert not any("absent" in f.message for f in result.findings)


@pytest.mark.parametrize("how", PLANT)
def test_a_register_that_cannot_be_read(builder, run_checks_on, how):
    plant, reason = PLANT[how]
    plant(builder, "access_register.csv")
    builder.users({"name": "a.durand"})
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    result = run_checks_on(builder.root, COVERS)[COVERS]
    assert result.status is Status.ERROR and reason in errors(result)["access_register.csv"]


@pytest.mark.parametrize("rel", ["iam/users.json", "backups/cbr.json", "provider/hds_certificate.yaml"])
def test_json_and_yaml_kinds_name_the_entry(builder, run_checks_on, rel):
    as_broken_link(builder, rel)
    check = {"iam/users.json": "access.mfa", "backups/cbr.json": BC, "provider/hds_certificate.yaml": "provider.certificates_valid"}[rel]
    result = run_checks_on(builder.root, check)[check]
    assert result.status is Status.ERROR and "is a broken symbolic link" in errors(result)[rel]


@pytest.mark.parametrize("how", PLANT)
def test_waivers_in_place_of_the_file_are_a_problem_not_an_absence(builder, how):
    plant, reason = PLANT[how]
    plant(builder, "waivers.yaml")
    evidence = waivers.load(Bundle(str(builder.root)))
    assert evidence.data == [] and evidence.problems[0].file == "waivers.yaml"
    assert reason in evidence.note and "absent" not in evidence.note


def test_an_attestation_document_that_is_a_directory(builder):
    from test_provider_attestation_checks import attestation_results

    as_directory(builder, "attestations/docs/ws.pdf")
    builder.write("attestations/ws.yaml", yaml.safe_dump({
        "control": "Workstation safety", "statement": "s", "owner": "o", "signed_at": "2026-08-27",
        "document": "attestations/docs/ws.pdf", "sha256": "0" * 64}))
    result = attestation_results(builder.root)["workstation-safety"]
    assert result.status is Status.ERROR and "is a directory" in result.findings[0].message


def test_a_register_directory_beside_the_workbook_does_not_crash(builder, run_checks_on):
    as_directory(builder, "tickets.csv")
    builder.write("tickets.xlsx", b"PK not really a workbook")
    result = run_checks_on(builder.root, RT)[RT]
    assert result.status is Status.ERROR and "tickets.csv" in errors(result)


def test_a_collection_log_directory_does_not_crash_the_traces(builder, run_checks_on):
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    as_directory(builder, "traces/collection-log.jsonl")
    result = run_checks_on(builder.root, "trace.continuity")["trace.continuity"]
    # the engine would turn a crash into `error`: say which error it is, or that the check judged
    assert not any("could not run" in f.message for f in result.findings), result.findings
    # the traces were read; the one error is the builder's bundle having no resources
    assert [f.object for f in result.findings] == ["resources"], result.findings


def test_a_tenant_file_that_is_a_directory_is_exit_2_naming_it(tmp_path):
    (tmp_path / "bundle" / "tenant.yaml").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(tmp_path / "bundle"), "--period", "2026-Q3",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "tenant.yaml" in proc.stderr and "is a directory" in proc.stderr
    assert "Traceback" not in proc.stderr
