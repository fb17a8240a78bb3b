"""`--out` is only ever a missing path, an empty folder, or a folder hds-audit wrote: anything else
(a user's folder, a file, the evidence bundle or a folder around it) is refused, untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.outdir import OutDirError, check_out, staged
from hds_audit.signing.manifest import SCHEMA

REG = {"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"}


def report_folder(path: Path, files=("results.json", "signer.pem"), schema=SCHEMA) -> Path:
    """A folder as a previous run leaves it: its files and a manifest listing them."""
    path.mkdir(parents=True)
    for name in files:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text("x")
    manifest = {"schema": schema, "run_id": "r", "files": [{"path": f, "sha256": "0" * 64, "size": 1} for f in files]}
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / "manifest.json.sig").write_bytes(b"sig")
    return path


def tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


# -- the rule, unit by unit ----------------------------------------------------------------------

def test_missing_empty_and_report_folders_are_accepted(tmp_path):
    assert check_out(tmp_path / "new" / "deeper") == (tmp_path / "new" / "deeper").resolve()
    (tmp_path / "empty").mkdir()
    assert check_out(tmp_path / "empty") == (tmp_path / "empty").resolve()
    previous = report_folder(tmp_path / "previous", files=("results.json", "evidence/tenant.yaml"))
    assert check_out(previous) == previous.resolve()
    mac = report_folder(tmp_path / "browsed")
    (mac / ".DS_Store").write_bytes(b"\0")  # a file browser's, not the user's
    assert check_out(mac) == mac.resolve()


def test_a_users_folder_is_refused_naming_it_and_its_file(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    with pytest.raises(OutDirError) as caught:
        check_out(precious)
    message = str(caught.value)
    assert str(precious) in message and "notes.txt" in message and "\n" not in message


def test_a_report_folder_with_a_file_added_is_refused(tmp_path):
    previous = report_folder(tmp_path / "previous")
    (previous / "sub").mkdir()
    (previous / "sub" / "comments.docx").write_text("the auditor's")
    with pytest.raises(OutDirError, match="sub/comments.docx"):
        check_out(previous)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_inside_a_report_folder_is_not_ours(tmp_path):
    previous = report_folder(tmp_path / "previous")
    (tmp_path / "elsewhere").mkdir()
    (previous / "data").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutDirError, match="data"):
        check_out(previous)


@pytest.mark.parametrize("manifest", ['{"schema": "someone-else/v1", "files": []}', "not json", '["a list"]'])
def test_a_manifest_that_is_not_ours_does_not_make_a_report_folder(tmp_path, manifest):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "manifest.json").write_text(manifest)
    with pytest.raises(OutDirError, match="manifest.json"):
        check_out(folder)


def test_a_regular_file_is_refused(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    with pytest.raises(OutDirError, match="is a file"):
        check_out(target)
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(("out", "why"), [(".", "is the evidence bundle"), ("reports", "inside the evidence bundle"),
                                          ("..", "contains the evidence bundle")])
def test_the_bundle_is_never_an_output(tmp_path, out, why):
    bundle = tmp_path / "b" / "bundle"
    bundle.mkdir(parents=True)
    with pytest.raises(OutDirError, match=why):
        check_out(bundle / out, {"the evidence bundle": bundle})
    check_out(tmp_path / "b" / "bundle-reports", {"the evidence bundle": bundle})  # a sibling with a common prefix is fine


def test_staged_refuses_too_and_touches_nothing(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    with pytest.raises(OutDirError):
        with staged(precious) as staging:
            (staging / "results.json").write_text("{}")
    assert tree(precious) == {"notes.txt": b"mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"], "no staging left behind"


def test_staged_replaces_a_report_folder_whole(tmp_path):
    previous = report_folder(tmp_path / "previous", files=("results.json", "evidence/tenant.yaml"))
    with staged(previous) as staging:
        (staging / "results.json").write_text("new")
    assert tree(previous) == {"results.json": b"new"}, "the snapshot of the older run does not linger"


# -- the commands ----------------------------------------------------------------------------------

@pytest.fixture
def bundle(builder):
    builder.users({"name": "a.durand"})
    builder.register(REG)
    return builder.root


@pytest.mark.parametrize("where", ["bundle", "inside", "around"])
def test_run_never_writes_over_or_into_the_bundle(bundle, where):
    out = {"bundle": bundle, "inside": bundle / "reports", "around": bundle.parent}[where]
    before = tree(bundle.parent)
    result = run("run", bundle, "--period", "2026-Q3", "--out", out)
    assert result.exit_code == 2, result.output
    assert "evidence bundle" in result.output and str(out.resolve()) in result.output
    assert tree(bundle.parent) == before


@pytest.mark.parametrize("command", ["run", "residency", "deletion"])
def test_every_folder_writing_command_refuses_a_users_folder(bundle, tmp_path, command):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    result = run(command, bundle, "--period", "2026-Q3", "--out", precious)
    assert result.exit_code == 2, result.output
    assert "notes.txt" in result.output and "Traceback" not in result.output
    assert tree(precious) == {"notes.txt": b"mine"}


def test_run_refuses_a_file_as_out(bundle, tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF")
    result = run("run", bundle, "--period", "2026-Q3", "--out", target)
    assert result.exit_code == 2 and str(target) in result.output and "is a file" in result.output
    assert target.read_bytes() == b"%PDF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "out.pdf"]


def test_run_twice_into_the_default_folder(bundle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = run("run", bundle, "--period", "2026-Q3")
        assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "reports" / "manifest.json").is_file()
    assert run("verify", tmp_path / "reports").exit_code == 3  # intact; the DEMO signer is not trusted
