"""report.pdf: what the cover, summary, findings and appendix say; evidence printed as text; stable bytes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from report_fixtures import FORMULA, MARKUP, RUN_ID, SCRIPT, plain, sample_result

from hds_audit.formats import pdf, pdf_charts
from hds_audit.formats.interface import RenderContext

SIGNER = "hds-audit DEMO signer (not for real audits)"


def pdftotext(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def result():
    return sample_result()


def test_cover_names_tenant_period_time_signer_and_demo(result):
    text = plain(pdf.cover(RenderContext(result, signer=SIGNER, demo=True)))
    for expected in ("Centre Hospitalier de Test", "7f3c2a1b9e8d4c6fa0b1c2d3e4f5a6b7", "2026-Q3",
                     "2026-07-01T00:00:00+02:00", "2026-10-02T09:30:00+02:00", SIGNER, RUN_ID, "DEMO — throwaway signing identity"):
        assert expected in text, expected
    assert "controls fail" in text


def test_no_demo_banner_for_a_real_identity(result):
    text = plain(pdf.cover(RenderContext(result, signer="Jane Officer, CH Test", demo=False)))
    assert "DEMO" not in text and "Jane Officer" in text


def test_evidence_strings_are_printed_as_written(result):
    text = plain(pdf.findings(RenderContext(result)))
    for hostile in (SCRIPT, FORMULA, MARKUP):
        assert hostile in text


def test_long_lists_are_cut_with_a_pointer_to_the_workbook(result):
    text = plain(pdf.findings(RenderContext(result)))
    assert "25 more findings: see report.xlsx, sheet Findings." in text
    assert "user14" in text and "user15" not in text


def test_shared_check_findings_are_listed_once(result):
    text = plain(pdf.findings(RenderContext(result)))
    assert text.count("enabled IAM user absent from the register") == 1


def test_summary_lists_failing_controls_and_draws_charts(result):
    story = pdf.summary(RenderContext(result))
    drawings = [f for f in story if type(f).__name__ == "Drawing"] + [
        x for f in story if hasattr(f, "_content") for x in f._content if type(x).__name__ == "Drawing"]
    assert len(drawings) >= 3  # status, traces (one region), backups
    assert "Identifiers and authorizations" in plain(story)


def test_charts_say_no_data_without_details(result):
    assert "no data" in _strings(pdf_charts.trace_volume(None, result.period, 24)[0])
    assert "no data" in _strings(pdf_charts.backup_intervals({}, 24))
    drawn = _strings(pdf_charts.trace_volume(result.unique_checks()[0].details or {"daily": [], "gaps": []}, result.period, 24)[0])
    assert "no data" in drawn


def test_gap_and_rpo_are_marked(result):
    continuity = next(c for c in result.unique_checks() if c.id == "trace.continuity")
    assert "gap 97.2 h" in _strings(pdf_charts.trace_volume(continuity.details, result.period, 24)[0])
    backups = next(c for c in result.unique_checks() if c.id == "backup.coverage")
    drawn = _strings(pdf_charts.backup_intervals(backups.details, 24))
    assert "RPO 24 h" in drawn and "71.5 h" in drawn and "no backup" in drawn


def _strings(drawing) -> str:
    return "\n".join(getattr(x, "text", "") for x in drawing.contents)


def test_appendix_lists_files_hashes_records_and_time(result):
    text = plain(pdf.appendix(RenderContext(result)))
    assert "a" * 64 in text and "81,234" in text and "2026-07-01T00:00:00+02:00" in text  # numbers as the locale writes them
    assert "restore_tests.csv is absent" in text


def test_render_is_deterministic_and_a_pdf(result):
    ctx = RenderContext(result, signer=SIGNER, demo=True)
    first, second = pdf.render(ctx), pdf.render(ctx)
    assert first.startswith(b"%PDF-") and first.rstrip().endswith(b"%%EOF")
    assert first == second


def test_rendered_pages_read_well(result, tmp_path):
    data = pdf.render(RenderContext(result, signer=SIGNER, demo=True))
    text = pdftotext(data, tmp_path)
    assert "HDS compliance audit report" in text and "DEMO" in text
    pages = text.count("\f")
    assert f"Page 1 of {pages}" in text
    assert f"Centre Hospitalier de Test · 2026-Q3 · run {RUN_ID}" in text
    # markup from evidence is printed, not interpreted (the cell may wrap it over two lines)
    assert "owned'</script>" in text and "size=40>big</font> &" in text and '=HYPERLINK("http://' in text


def test_reviews_show_in_matrix_and_findings():
    result = sample_result()
    target = next(c for c in result.controls if c.control.id == "identifiers-and-authorizations")
    target.review = {"verdict": "rejected", "comment": "register <incomplete>", "reviewer": "A. Auditrice", "reviewed_at": "2026-10-05T00:00:00+02:00"}
    ctx = RenderContext(result)
    assert "rejected" in plain(pdf.matrix(ctx))
    assert "Auditor: rejected — register <incomplete> (A. Auditrice" in plain(pdf.findings(ctx))
    assert "A. Auditrice, 2026-10-05" in plain(pdf.cover(ctx))


def test_many_trace_files_are_grouped_by_month_with_a_recomputable_digest():
    import hashlib
    from datetime import datetime

    from hds_audit.calendar.instants import PARIS
    from hds_audit.evidence.interface import FileRead

    files = [FileRead("iam/users.json", "b" * 64, 10, 2)]
    for month in (7, 8):
        for i in range(40):
            path = f"traces/CloudTraces/eu-west-0/2026/{month}/{i % 28 + 1}/system/ECS/f{i:03d}.json.gz"
            files.append(FileRead(path, hashlib.sha256(path.encode()).hexdigest(), 100, 5,
                                  datetime(2026, month, i % 28 + 1, tzinfo=PARIS), datetime(2026, month, i % 28 + 1, 12, tzinfo=PARIS)))
    entries = pdf.evidence_entries(files)
    assert [e["path"] for e in entries] == ["iam/users.json", "traces/CloudTraces/eu-west-0/2026/7/", "traces/CloudTraces/eu-west-0/2026/8/"]
    july = entries[1]
    members = sorted((f for f in files if f.path.startswith(july["path"])), key=lambda f: f.path)
    lines = "".join(f"{f.sha256}  {f.path}\n" for f in members)  # what `xargs sha256sum` prints
    assert july["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert july["files"] == 40 and july["records"] == 200 and july["size"] == 4000
    assert july["first"] == datetime(2026, 7, 1, tzinfo=PARIS) and july["last"] == datetime(2026, 7, 28, 12, tzinfo=PARIS)
    assert len(pdf.evidence_entries(files[:30])) == 30  # few files: one row each


def test_a_cut_list_shows_every_kind_and_counts_what_it_hides():
    from hds_audit.checks.interface import Finding
    from hds_audit.states import Status

    result = sample_result()
    check = next(c for c in result.unique_checks() if c.id == "residency.resources")
    backups = [Finding(f"{i:04x}-bkp", "CBR backup of srv-9 lies in ap-southeast-1, not an allowed region", (f"backups/cbr.json#backups[{i}]",))
               for i in range(187)]
    resources = [Finding(f"ff-{kind}", f"{kind} {kind}.analytics lies in ap-southeast-1, not an allowed region", (f"resources/main.tfstate#{kind}.analytics",))
                 for kind in ("flexibleengine_compute_instance_v2", "flexibleengine_cbr_vault", "flexibleengine_cbr_policy")]
    check.findings = sorted(backups + resources, key=Finding.sort_key)  # the resources sort last
    check.status = Status.FAIL
    text = plain(pdf.findings(RenderContext(result)))
    for kind in ("flexibleengine_compute_instance_v2", "flexibleengine_cbr_vault", "flexibleengine_cbr_policy"):
        assert f"ff-{kind}" in text, kind
    assert text.count("CBR backup of srv-9") == pdf.MAX_FINDINGS - 3
    assert "175 more findings: 175 “CBR backup …”; see report.xlsx, sheet Findings." in text
    assert [f.object for f in check.findings[:3]] == ["0000-bkp", "0001-bkp", "0002-bkp"]  # the result itself is untouched


def test_pdf_dates_are_the_generation_time_of_the_run(result, tmp_path):
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render(RenderContext(result)))
    info = subprocess.run(["pdfinfo", "-isodates", str(path)], capture_output=True, text=True, check=True).stdout
    dates = dict(line.split(None, 1) for line in info.splitlines() if line.endswith(("+02", "Z")) and "Date:" in line)
    assert dates == {"CreationDate:": "2026-10-02T09:30:00+02", "ModDate:": "2026-10-02T09:30:00+02"}  # not 2000-01-01


def test_the_matrix_follows_the_charts_without_a_blank_page(tmp_path):
    result = sample_result()
    continuity = next(c for c in result.unique_checks() if c.id == "trace.continuity")
    daily = continuity.details["daily"]
    continuity.details = {**continuity.details, "daily": daily + [{**d, "region": "eu-west-1"} for d in daily]}
    pages = pdftotext(pdf.render(RenderContext(result)), tmp_path).split("\f")
    charts = next(i for i, page in enumerate(pages) if "Longest interval between backups" in page)
    summary = next(i for i, page in enumerate(pages) if "Controls needing attention" in page)
    assert charts == summary + 1  # two trace charts push the backup chart onto the next page, near its top...
    assert "Each finding that needs action belongs to one root cause" in pages[charts]  # ...and the root causes follow it there


def test_evidence_references_are_one_paragraph_each_wrapped_at_separators():
    from xml.sax.saxutils import unescape

    from hds_audit.formats.pdf_style import refs

    references = [f"traces/CloudTraces/eu-west-0/2026/8/20/system/IAM/tilleuls_CloudTrace_eu-west-0_2026-08-20T06-10-15Z_{i}.json.gz#trace_id=4b2d9a42"
                  for i in range(3)] + ["iam/users.json#name=<x>"]
    cells = refs(references, 150)
    assert len(cells) == len(references)  # never run together
    for reference, paragraph in zip(references, cells):
        lines = [unescape(line) for line in paragraph.text.split("<br/>")]
        assert "".join(lines) == reference  # nothing added, nothing lost
        assert all(line.endswith(("/", "#", "_", "-", ".", "=")) for line in lines[:-1]), lines
    first = [unescape(line) for line in cells[0].text.split("<br/>")]
    name = next(i for i, line in enumerate(first) if line.startswith("tilleuls_CloudTrace_"))  # the file name starts a line
    assert name >= 2 and all(line.endswith("/") for line in first[:name])  # the folders broke at '/' only
    assert "trace_id=4b2d9a42" in first  # the record starts a line after '#'
