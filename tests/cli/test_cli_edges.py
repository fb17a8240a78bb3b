"""Command-line edges: an empty --period, verify of a folder that is not there, and the one-line
messages that go with them."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from hds_audit.calendar.period import PeriodError, choose_period, parse_period
from hds_audit.cli import cli
from hds_audit.exitcodes import ExitCode


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


# -- periods ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["", "   "])
def test_an_empty_period_is_refused(label):
    with pytest.raises(PeriodError, match="empty"):
        parse_period(label)
    with pytest.raises(PeriodError, match="empty"):
        choose_period(label, None, None)


def test_no_period_at_all_is_the_last_full_quarter():
    assert choose_period(None, None, None).label.count("-Q") == 1


@pytest.mark.parametrize("command", ["run", "residency", "deletion", "doctor", "baseline", "collect"])
def test_every_command_refuses_an_empty_period(builder, tmp_path, command):
    out = tmp_path / "out"
    args = {"run": ["run", builder.root, "--out", out], "residency": ["residency", builder.root, "--out", out],
            "deletion": ["deletion", builder.root, "--out", out], "doctor": ["doctor", builder.root],
            "baseline": ["baseline", builder.root, "--out", out],
            "collect": ["collect", "traces", "--from", "s3://bucket", "--to", builder.root]}[command]
    result = run(*args, "--period", "")
    assert result.exit_code == 2, result.output
    assert "--period is empty" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_period_and_dates_together_are_refused(builder, tmp_path):
    result = run("run", builder.root, "--period", "", "--from", "2026-07-01", "--to", "2026-08-01", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "either --period" in result.output


# -- verify -----------------------------------------------------------------------------------------

def test_verify_of_a_missing_folder_is_exit_1_naming_it(tmp_path):
    missing = tmp_path / "nonexistent"
    result = run("verify", missing)
    assert result.exit_code == 1, result.output
    assert f"{missing}: missing" in result.output and "Traceback" not in result.output


def test_verify_of_a_file_in_place_of_the_folder_is_exit_1(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF")
    result = run("verify", target)
    assert result.exit_code == 1 and "not a folder" in result.output


def test_verify_with_an_unreadable_trust_file_stays_a_usage_error(tmp_path):
    (tmp_path / "reports").mkdir()
    assert run("verify", tmp_path / "reports", "--trust", tmp_path / "absent.pem").exit_code == 2
    # the trust file is judged first: a bad one is exit 2 even when the folder is missing too
    assert run("verify", tmp_path / "nonexistent", "--trust", tmp_path / "absent.pem").exit_code == 2
    assert run("verify", tmp_path / "reports", "--bogus").exit_code == 2


@pytest.mark.parametrize("command, codes", [
    ("run", (ExitCode.OK, ExitCode.FAILED, ExitCode.UNUSABLE)),
    ("verify", (ExitCode.OK, ExitCode.FAILED, ExitCode.UNTRUSTED, ExitCode.UNUSABLE)),
    ("gate", (ExitCode.OK, ExitCode.FAILED, ExitCode.UNUSABLE)),
    ("doctor", (ExitCode.OK, ExitCode.FAILED)),
])
def test_help_states_every_exit_code_the_command_returns(command, codes):
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Exit 0 when" in text
    for code in codes[1:]:
        assert f", {code.value} when" in text or f", {code.value} otherwise" in text, (command, code)


def _every_command(group=cli, path=()):
    import click

    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _every_command(command, (*path, name))


def test_help_shows_dates_as_DATE_and_never_cuts_a_command_line():
    for path, _command in _every_command():
        output = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80).output
        assert "%Y" not in output, path
        listing = output.split("Commands:", 1)[1] if "Commands:" in output else ""
        assert "..." not in listing, (path, listing)
    assert "--from DATE" in run("run", "--help").output


def test_review_import_help_names_its_folder_as_the_option_does():
    output = " ".join(run("review", "import", "--help").output.split())
    assert "--into DIR" in output and "DIR/results.json" in output


def test_the_command_collects_cyclic_garbage_less_often(monkeypatch):
    """A run scans its whole heap far less often than at Python's defaults (bench/profile.md: 1.4 s → 0.4 s at 1M)."""
    import gc

    from hds_audit.cli import GC_THRESHOLDS, main

    before = gc.get_threshold()
    monkeypatch.setattr(sys, "argv", ["hds-audit", "--help"])
    try:
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 0
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
    finally:
        gc.set_threshold(*before)
