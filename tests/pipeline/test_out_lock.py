"""One process at a time writes an --out folder; what a killed run leaves beside it is cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from contextlib import contextmanager

import pytest

from hds_audit.outdir import OutDirError, locked, staged


@contextmanager
def held_elsewhere(out):
    """Another process holding the lock on `out` for the block."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from hds_audit.outdir import locked
        with locked({str(out)!r}):
            print("held", flush=True)
            time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "reports"
    with held_elsewhere(out):
        with pytest.raises(OutDirError) as caught:
            with staged(out):
                pass
        assert "being written by another hds-audit process" in str(caught.value) and str(out) in str(caught.value)
        assert not out.exists()
    with staged(out) as staging:  # the lock died with its process
        (staging / "results.json").write_text("{}")
    assert (out / "results.json").exists()


def test_two_concurrent_runs_into_one_out_cannot_both_succeed(tmp_path):
    """The second `run` is refused at once (exit 2) while the first still audits."""
    out = tmp_path / "reports"
    with held_elsewhere(out):
        proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "being written by another hds-audit process" in proc.stderr
    assert "Reports written" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


def test_lock_is_reentrant_within_a_process(tmp_path):
    out = tmp_path / "reports"
    with locked(out):
        with staged(out) as staging:
            (staging / "a").write_text("x")
    assert (out / "a").exists()


def test_folders_a_killed_run_left_are_removed_by_the_next_writer(tmp_path):
    out = tmp_path / "reports"
    script = textwrap.dedent(f"""
        import os, time
        from hds_audit.outdir import staged
        with staged({str(out)!r}) as staging:
            (staging / "results.json").write_text("half")
            print("staging", flush=True)
            time.sleep(60)
    """)
    victim = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert victim.stdout.readline().strip() == "staging"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".reports.staging-")]
    assert len(left) == 1  # kill -9 gives no chance to clean up
    (tmp_path / ".reports.old-abc").mkdir()
    (tmp_path / ".other.staging-xyz").mkdir()  # another folder's: not ours to remove
    with staged(out) as staging:
        (staging / "results.json").write_text("whole")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".other.staging-xyz", "reports"]  # the lock file goes with the lock
