"""Evidence strings are text in every output: no formula, no markup, no spoofed reading order.

Hostile strings (spreadsheet formulas starting with = + - @, a <script>, quotes, a newline, a
right-to-left override U+202E, a tab, an ANSI escape) are planted as IAM user names (they then
act in the traces, unregistered), as persons of one register account (the re-assignment finding
lists them) and as ticket ids (answered late). One `hds-audit run` renders them; each output is
then read with an ordinary parser.
"""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from bundle_builder import trace

sys.path.insert(0, str(Path(__file__).parent / "corpus"))

from corpus_base import PERIOD, REGISTER, TICKETS, USERS, build_base  # noqa: E402

EVIL = [
    '=HYPERLINK("http://evil.example/","open me")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '<script>alert("xss")</script>',
    "o'brien \"quoted\" & <b>bold</b>",
    "line one\nline two",
    "\u202egnp.exe",
    "\tTAB=1+1",
    "esc\x1b[31mred\x1b[0m",
]
FORMULA_START = ("=", "+", "-", "@", "\t")
RLO = "\u202e"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("injection")
    b = build_base(root / "bundle")
    b.users(*USERS, *({"name": name} for name in EVIL))
    b.register(*REGISTER, *({"account": "shared.acc", "person": name, "role": "operator", "granted_at": f"2026-0{1 + i % 5}-0{1 + i // 5}",
                             "revoked_at": f"2026-0{1 + i % 5}-0{2 + i // 5}"} for i, name in enumerate(EVIL)))
    b.tickets(*TICKETS, *({"ticket_id": name, "category": "incident", "priority": "P2", "opened_at": f"2026-08-{10 + i:02d}T10:00:00+02:00",
                           "responded_at": f"2026-08-{13 + i:02d}T10:00:00+02:00", "api_incident": "false"} for i, name in enumerate(EVIL)))
    b.traces([trace(name, f"2026-09-{10 + i:02d}T10:00:00+02:00", trace_id=f"evil-{i}") for i, name in enumerate(EVIL)], name="evil.json")
    target = root / "out"
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "run", str(b.root), "--period", PERIOD, "--out", str(target)],
                          capture_output=True, text=True, timeout=300, cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return target


def checks(out: Path) -> dict:
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {k["id"]: k for c in doc["controls"] for k in c["checks"]}


def test_results_json_keeps_every_string_exactly(out):
    found = checks(out)
    objects = {f["object"] for f in found["access.nominative_accounts"]["findings"]}
    assert set(EVIL) <= objects, "IAM user names are reported as the evidence names them"
    assert set(EVIL) <= {f["object"] for f in found["access.register_covers_activity"]["findings"]}
    reassigned = found["access.credentials_not_reassigned"]["findings"][0]["message"]
    for name in EVIL:
        assert name.strip() in reassigned, "register persons are in the finding"
    tickets = {f["object"] for f in found["support.response_times"]["findings"]}
    assert {name.strip() for name in EVIL} <= tickets, "ticket ids (cells are trimmed) are reported"


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [v or "" for _, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_html_shows_every_string_as_text(out):
    raw = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in raw.lower(), "no script element, planted or not"
    assert "<b>bold</b>" not in raw
    parser = _Text()
    parser.feed(raw)
    assert "script" not in parser.tags
    text = "".join(parser.text)
    for name in EVIL:
        shown = name.replace(RLO, "<U+202E>")
        assert shown in text, f"{name!r} is not shown as text"
    assert not any("evil.example" in value for value in parser.attributes), "no evidence text lands in an attribute (href, src...)"


def test_html_shows_bidi_overrides_as_code_points(out):
    raw = (out / "report.html").read_text(encoding="utf-8")
    assert RLO not in raw, "a raw U+202E would show gnp.exe as exe.png"
    assert "&lt;U+202E&gt;gnp.exe" in raw


def _cells(path: Path):
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell


def test_xlsx_cells_are_text_never_formulas(out):
    planted = 0
    for sheet, cell in _cells(out / "report.xlsx"):
        assert cell.data_type != "f", f"{sheet}!{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str) and any(marker in cell.value for marker in ("calc'!A0", "HYPERLINK", "alert(", "TAB=1+1")):
            assert cell.data_type == "s", f"{sheet}!{cell.coordinate}"
            planted += 1
    assert planted >= len(EVIL), "the planted strings are in the workbook"
    with zipfile.ZipFile(out / "report.xlsx") as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = book.read(name).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), f"{name} holds a formula element"


def test_xlsx_cells_starting_like_a_formula_keep_their_text(out):
    values = {cell.value for _, cell in _cells(out / "report.xlsx") if isinstance(cell.value, str)}
    for name in EVIL:
        if name.startswith(FORMULA_START) and RLO not in name and "\x1b" not in name:
            assert name in values or name.strip() in values, f"{name!r} is not kept as written"


def test_xlsx_shows_bidi_overrides_visibly(out):
    for sheet, cell in _cells(out / "report.xlsx"):
        if isinstance(cell.value, str):
            assert RLO not in cell.value, f"{sheet}!{cell.coordinate}: {cell.value!r}"
    assert any(isinstance(c.value, str) and "<U+202E>gnp.exe" in c.value for _, c in _cells(out / "report.xlsx"))


def test_junit_parses_and_keeps_the_text(out):
    tree = ET.parse(out / "junit.xml")  # an ESC in an account name must not break the XML
    bodies = "\n".join(e.text or "" for e in tree.iter() if e.tag in ("failure", "error", "system-out"))
    for name in EVIL:
        assert name.replace("\x1b", "\ufffd") in bodies, f"{name!r} not in junit.xml"
    assert "line one\nline two" in bodies, "a newline in evidence text stays a newline"


def test_oscal_and_results_are_valid_json_with_the_text(out):
    for name in ("results.json", "oscal-assessment-results.json"):
        path = out / name
        if path.exists():
            text = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
            assert "calc'!A0" in text


def test_csv_exports_if_any_prefix_formulas(out):
    """No output is CSV today; one added later must neutralise cells that start like a formula."""
    import csv

    for path in out.rglob("*.csv"):
        if "evidence" in path.relative_to(out).parts:
            continue  # the evidence snapshot is the evidence, byte for byte
        for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines()):
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"{path.name}: {cell!r}"


def test_pdf_is_made_and_shows_the_text(out):
    data = (out / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    proc = subprocess.run(["pdftotext", "-raw", str(out / "report.pdf"), "-"], capture_output=True, timeout=120)
    assert proc.returncode == 0
    flat = re.sub(r"\s+", "", proc.stdout.decode("utf-8", "replace"))
    for name in EVIL:
        if "\x1b" in name or RLO in name:
            continue
        assert re.sub(r"\s+", "", name) in flat, f"{name!r} not in the PDF text"
    assert "gnp.exe" in flat


def test_controls_export_writes_matrix_text_as_text(tmp_path):
    """A replaced matrix (`--matrix`) is input too: its cells are exported as text."""
    from openpyxl import load_workbook

    rows = (Path(__file__).parent.parent / "controls" / "matrix.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",", 2)
    matrix = tmp_path / "matrix.csv"
    evil = '"=HYPERLINK(""http://evil.example/"",""x"")"'
    matrix.write_text("\n".join([header, f"{first[0]},{first[1]},{evil},{first[2].split(',', 1)[1]}", *rows[2:]]) + "\n", encoding="utf-8")
    target = tmp_path / "catalog.xlsx"
    proc = subprocess.run([sys.executable, "-m", "hds_audit", "controls", "export", "--xlsx", str(target), "--matrix", str(matrix)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    cells = [c for s in load_workbook(target).worksheets for r in s.iter_rows() for c in r if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
