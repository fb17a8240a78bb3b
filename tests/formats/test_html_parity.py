"""report.html at parity with the PDF: executive summary, root causes, the attention list, inline SVG
indicators, one copy of a shared check's findings, evidence links into the snapshot; and in headless
Chromium: it renders (a screenshot is kept in the test's folder), headings nest without skipping a
level, every table has header cells, text colours contrast with their backgrounds (WCAG AA)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from report_fixtures import sample_result

from hds_audit.formats import html
from hds_audit.formats.interface import RenderContext
from hds_audit.paths import data_dir

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)


def page(**options) -> str:
    return html.render(RenderContext(sample_result(), **options)).decode("utf-8")


class Outline(HTMLParser):
    """Headings in order, tables with their header cells, resources the page would fetch."""

    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.fetches, self.ids = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables.append(0)
        if tag == "th" and self.tables:
            self.tables[-1] += 1
        if tag in ("script", "img", "link", "iframe") or (tag != "a" and attrs.get("src")):
            self.fetches.append(tag)
        if attrs.get("id"):
            self.ids.append(attrs["id"])


def outline(text: str) -> Outline:
    parser = Outline()
    parser.feed(text)
    return parser


def test_the_html_has_what_the_pdf_has():
    text = page()
    for section in ('id="executive"', 'id="attention"', 'id="indicators"', 'id="root-causes"', 'id="controls"', 'id="evidence"'):
        assert section in text, section
    assert text.index('id="executive"') < text.index('id="summary"') < text.index('id="controls"')  # the summary opens it
    assert text.count("<svg") >= 3 and "<figcaption>" in text  # status, traces, backups


def test_a_shared_check_lists_its_findings_once():
    result = sample_result()
    text = page()
    listed = re.findall(r'<tr id="([^"]+/[0-9a-f]{10}(?:~\d+)?)">', text)
    unique = {fid for k in result.unique_checks() for fid in k.finding_ids()}
    assert len(listed) == len(set(listed)) and set(listed) <= unique
    assert "listed under" in text  # the later controls point at the first listing


def test_evidence_links_into_the_snapshot_only_when_there_is_one():
    assert 'href="evidence/' in page(snapshot=True)
    assert 'href="evidence/' not in page()


def test_nothing_is_fetched_and_ids_are_unique():
    parsed = outline(page())
    assert parsed.fetches == []
    assert len(parsed.ids) == len(set(parsed.ids))


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_badges_and_muted_text_contrast_enough():
    css = (data_dir("report_templates") / "report.html.j2").read_text(encoding="utf-8")
    pairs = re.findall(r"\.s-\w+ \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css)
    pairs += re.findall(r"\.verdict\.\w+ \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css)
    assert len(pairs) >= 8
    for background, ink in pairs:
        assert contrast(background, ink) >= 4.5, (background, ink)
    muted = re.search(r"\.sub \{ color: (#[0-9a-f]{6})", css)[1]
    assert contrast("#ffffff", muted) >= 4.5


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run installs it)")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_headless_chromium_renders_it_accessibly(tmp_path, lang):
    from hds_audit.i18n import language

    result = sample_result()
    result.language = lang
    with language(lang):
        path = tmp_path / "report.html"
        path.write_bytes(html.render(RenderContext(result)))
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / f"report-{lang}.png"  # kept with the test's files, for a person to look at
    proc = subprocess.run(common + ["--hide-scrollbars", "--window-size=1280,2000", f"--screenshot={shot}", path.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000, proc.stderr[-1000:]
    dom = subprocess.run(common + ["--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert f'<html lang="{lang}">' in dom
    parsed = outline(dom)
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:])), parsed.headings  # no level skipped
    assert parsed.tables and all(th > 0 for th in parsed.tables)
