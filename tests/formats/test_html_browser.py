"""report.html in a real browser (headless Chromium): the summary and a control section render, and a
`<script>` planted in an IAM account name is shown as text and never runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from bundle_builder import trace

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium") if p and Path(p).exists()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run installs it)")

PLANTED = "<script>document.title='owned'</script>"
TITLE = "HDS audit — Centre Hospitalier de Test — 2026-Q3"


def browser(url: str, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def dump_dom(path: Path, tmp: Path) -> str:
    proc = browser(path.resolve().as_uri(), tmp, "--dump-dom")
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from bundle_builder import BundleBuilder

    root = tmp_path_factory.mktemp("browser")
    builder = BundleBuilder(root / "bundle")
    builder.users({"name": "a.durand"}, {"name": PLANTED})
    # the planted account is left out of the register, so the findings name it
    builder.register({"account": "a.durand", "person": "Alice Durand", "role": "admin", "granted_at": "2026-01-05"})
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00"), trace(PLANTED, "2026-08-03T10:00:00+02:00"),
                    trace(PLANTED, "2026-08-04T10:00:00+02:00", name="deleteServer")])
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(builder.root), "--period", "2026-Q3", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert PLANTED not in html and "&lt;script&gt;" in html  # named in the findings, escaped by the template
    return out / "report.html"


def test_summary_and_a_control_section_render(report, tmp_path):
    dom = dump_dom(report, tmp_path)
    assert re.search(r'<section id="summary">\s*<h2>Summary</h2>\s*<table class="summary">', dom, re.S)
    assert re.search(r'<th scope="row">Controls</th>(\s*<td>\d+</td>){6}', dom)
    section = re.search(r'<section class="control" id="identifiers-and-authorizations">(.*?)</section>', dom, re.S)
    assert section and "access.nominative_accounts" in section.group(1)
    assert re.search(r'<span class="status s-(pass|fail|error|manual|waived|not_applicable)">', section.group(1))


def test_planted_script_is_text_and_never_runs(report, tmp_path):
    dom = dump_dom(report, tmp_path)
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert unescape(title) == TITLE  # the script would have set it to 'owned'
    assert "owned" not in title
    assert "&lt;script&gt;document.title='owned'&lt;/script&gt;" in dom  # shown to the reader, as text
    assert "<script" not in dom.lower()  # no script element reached the DOM


def test_the_probe_would_see_a_script_run(tmp_path):
    """Control experiment: the same probe on a page whose script does run sees the title change."""
    page = tmp_path / "probe.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>{TITLE}</title></head><body>{PLANTED}</body></html>", encoding="utf-8")
    dom = dump_dom(page, tmp_path)
    assert "<title>owned</title>" in dom


def test_screenshot_renders(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = browser(report.resolve().as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", "--hide-scrollbars")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a blank page compresses to far less
