"""Integrity of a report folder: any changed byte is caught and named, a failed run never damages
the previous report, and no secret reaches an output or a log.

One signed run (`--key`, `--snapshot`) of the corpus base bundle, with a key password and cloud
keys in the environment, is made once; every property example works on a copy of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "corpus"))

from corpus_base import PERIOD, build_base  # noqa: E402

from hds_audit.cli import cli  # noqa: E402

PASSWORD = "integrity-Key-Pa55word-7731"
AWS_KEY_ID = "AKIAINTEGRITYTEST042"
AWS_SECRET = "integrityTestSecret/NotARealKey+0000000042"
AWS_TOKEN = "integrityTestSessionToken0000000000000000000042"
SECRETS = (PASSWORD, AWS_KEY_ID, AWS_SECRET, AWS_TOKEN)


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HDS_AUDIT_", "AWS_"))}
    env.update(HDS_AUDIT_KEY_PASSWORD=PASSWORD, AWS_ACCESS_KEY_ID=AWS_KEY_ID, AWS_SECRET_ACCESS_KEY=AWS_SECRET,
               AWS_SESSION_TOKEN=AWS_TOKEN, AWS_EC2_METADATA_DISABLED="true")
    return env


def hds_audit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hds_audit", *args], capture_output=True, text=True, timeout=300,
                          env=environment(), cwd=cwd)


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("integrity")
    bundle = build_base(root / "bundle").root
    keys = hds_audit("keys", "init", str(root / "key"), "--name", "Test Signer", "--organisation", "hds-audit", cwd=root)
    assert keys.returncode == 0, keys.stderr
    out = root / "out"
    proc = hds_audit("run", str(bundle), "--period", PERIOD, "--out", str(out), "--key", str(root / "key" / "signer.p12"),
                     "--snapshot", cwd=root)
    assert proc.returncode == 0, proc.stderr
    trust = root / "trust.pem"  # the auditor's anchor, kept apart from the folder under test
    shutil.copyfile(out / "signer.pem", trust)
    return {"root": root, "bundle": bundle, "out": out, "trust": trust, "key": root / "key" / "signer.p12",
            "logs": [keys.stdout, keys.stderr, proc.stdout, proc.stderr]}


def verify(directory: Path, trust: Path):
    return CliRunner().invoke(cli, ["verify", str(directory), "--trust", str(trust)])


def listed(out: Path) -> list[str]:
    """Every file the manifest lists (reports, signer.pem, the evidence snapshot), the manifest and its signature."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return sorted(f["path"] for f in manifest["files"]) + ["manifest.json", "manifest.json.sig"]


def test_the_signed_run_verifies_and_covers_outputs_and_snapshot(signed):
    out = signed["out"]
    names = listed(out)
    for name in ("results.json", "report.html", "report.pdf", "report.xlsx", "junit.xml", "signer.pem",
                 "evidence/tenant.yaml", "evidence/access_register.csv", "evidence/resources/main.tfstate"):
        assert name in names, name
    assert any(n.startswith("evidence/traces/") for n in names)
    result = verify(out, out / "signer.pem")
    assert result.exit_code == 0, result.output


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_one_changed_byte_anywhere_is_caught_and_named(signed, data):
    out = signed["out"]
    name = data.draw(st.sampled_from(listed(out)), label="file")
    size = (out / name).stat().st_size
    position = data.draw(st.integers(0, size - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    with tempfile.TemporaryDirectory(prefix="hds-integrity-") as tmp:
        copy = Path(tmp) / "out"
        shutil.copytree(out, copy)
        path = copy / name
        raw = bytearray(path.read_bytes())
        raw[position] ^= flip
        path.write_bytes(bytes(raw))
        result = verify(copy, signed["trust"])
        assert result.exit_code == 1, (name, position, result.output)
        assert name in result.output, f"verify does not name {name}: {result.output}"
        assert "Traceback" not in result.output


def test_a_damaged_signature_file_is_named_never_a_crash(signed, tmp_path):
    """manifest.json.sig byte by byte: its header and unsigned parts (versions, digestAlgorithms:
    parsers forgive some changes there, openssl too), the names of the embedded certificate (parsed
    lazily), and a sample of the rest. Each change is named; none crashes verify."""
    copy = tmp_path / "out"
    shutil.copytree(signed["out"], copy)
    sig = copy / "manifest.json.sig"
    original = sig.read_bytes()
    names = {i - 2 for i in range(len(original)) if original.startswith(b"hds-audit", i)}  # string tags
    positions = sorted(set(range(0, 130)) | set(range(130, len(original), 29)) | names)
    for position in positions:
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        sig.write_bytes(bytes(damaged))
        result = verify(copy, signed["trust"])
        assert result.exception is None or isinstance(result.exception, SystemExit), (position, repr(result.exception))
        assert result.exit_code == 1 and "manifest.json.sig" in result.output, (position, result.output)


def test_the_folder_itself_as_trust_still_names_an_altered_file(signed, tmp_path):
    """`verify DIR --trust DIR/signer.pem`, as the contract shows it, on a changed report."""
    copy = tmp_path / "out"
    shutil.copytree(signed["out"], copy)
    path = copy / "results.json"
    path.write_bytes(path.read_bytes().replace(b'"pass"', b'"fail"', 1))
    result = verify(copy, copy / "signer.pem")
    assert result.exit_code == 1 and "results.json" in result.output


# -- a failed run never damages the previous report ---------------------------------------------

def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(signed, tmp_path) -> Path:
    """A good report folder in a fresh parent, as `--out` of the next run."""
    out = tmp_path / "reports" / "2026-Q3"
    shutil.copytree(signed["out"], out)
    return out


def run_over(signed, out: Path):
    """`hds-audit run` in-process (so failures can be planted) over an existing `--out`."""
    env = {"HDS_AUDIT_KEY_PASSWORD": PASSWORD}
    return CliRunner().invoke(cli, ["run", str(signed["bundle"]), "--period", PERIOD, "--out", str(out),
                                    "--key", str(signed["key"]), "--snapshot"], env=env)


def assert_intact(out: Path, before: dict, trust: Path) -> None:
    assert tree(out) == before, "the previous report changed"
    result = verify(out, trust)
    assert result.exit_code == 0, result.output
    leftovers = [p.name for p in out.parent.iterdir() if p != out]
    assert leftovers == [], f"staging left behind: {leftovers}"


def test_a_format_failing_midway_leaves_the_previous_report(signed, previous, monkeypatch):
    from hds_audit.formats import xlsx

    before = tree(previous)

    def broken(ctx):
        raise RuntimeError("planted failure after results.json, report.html and junit.xml are written")

    monkeypatch.setattr(xlsx, "render", broken)
    result = run_over(signed, previous)
    assert result.exit_code != 0
    assert_intact(previous, before, signed["trust"])


def test_a_failing_signature_leaves_the_previous_report(signed, previous, monkeypatch):
    from hds_audit.signing import manifest

    before = tree(previous)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(manifest, "write_signed_manifest", broken)
    result = run_over(signed, previous)
    assert result.exit_code == 2, result.output  # an OSError while writing: no report could be made
    assert "Traceback" not in result.output
    assert_intact(previous, before, signed["trust"])


def test_a_failing_final_rename_leaves_the_previous_report(signed, previous, monkeypatch):
    """The swap moves the old folder aside, then the new one in: if that second rename fails, the
    old folder must come back."""
    before = tree(previous)
    real = os.replace
    staged = []

    def replace(src, dst, *args, **kwargs):
        if Path(src).name.startswith(f".{previous.name}.staging-") and Path(dst) == previous.resolve():
            staged.append(src)
            raise OSError(13, "Permission denied")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    result = run_over(signed, previous)
    monkeypatch.undo()
    assert staged, "the swap was reached"
    assert result.exit_code == 2, result.output
    assert_intact(previous, before, signed["trust"])


def test_a_file_the_previous_run_did_not_write_keeps_the_folder_from_being_replaced(signed, previous):
    notes = previous / "notes.txt"
    notes.write_text("the user's, not the run's")
    before = tree(previous)
    result = run_over(signed, previous)
    assert result.exit_code == 2 and "notes.txt" in result.output, result.output
    assert tree(previous) == before
    assert [p.name for p in previous.parent.iterdir()] == [previous.name]


def test_a_successful_run_replaces_the_previous_report_whole(signed, previous):
    assert (previous / "evidence").is_dir()
    env = {"HDS_AUDIT_KEY_PASSWORD": PASSWORD}
    result = CliRunner().invoke(cli, ["run", str(signed["bundle"]), "--period", PERIOD, "--out", str(previous),
                                      "--key", str(signed["key"])], env=env)  # no --snapshot this time
    assert result.exit_code == 0, result.output
    assert not (previous / "evidence").exists(), "the new report replaces the folder, it is not merged into it"
    assert verify(previous, signed["trust"]).exit_code == 0
    assert [p.name for p in previous.parent.iterdir()] == [previous.name]


# -- no secret in any output or log -------------------------------------------------------------

def test_no_secret_in_any_output_or_log(signed):
    for text in signed["logs"]:
        for secret in SECRETS:
            assert secret not in text
    for path in signed["out"].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{path.name} holds a secret"
                assert secret.encode("utf-16-le") not in data, f"{path.name} holds a secret (UTF-16)"
            assert b"PRIVATE KEY" not in data, f"{path.name} holds a private key"
    key_bytes = signed["key"].read_bytes()
    for path in signed["out"].rglob("*"):
        if path.is_file():
            assert key_bytes not in path.read_bytes(), f"{path.name} holds the PKCS#12 file"


def test_a_wrong_password_is_never_echoed(signed, tmp_path):
    wrong = "wrong-" + PASSWORD
    env = environment() | {"HDS_AUDIT_KEY_PASSWORD": wrong}
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(signed["bundle"]), "--period", PERIOD,
                           "--out", str(tmp_path / "out"), "--key", str(signed["key"])],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "wrong password" in proc.stderr
    for secret in (wrong, PASSWORD, AWS_SECRET, AWS_KEY_ID):
        assert secret not in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()
