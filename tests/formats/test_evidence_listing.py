"""Evidence listings of the reports: few trace files one by one, many summarised in one entry whose digest
an auditor recomputes from the signed manifest; other evidence files always one by one."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from report_fixtures import sample_result

from hds_audit.calendar.instants import PARIS
from hds_audit.evidence.interface import FileRead
from hds_audit.formats import evidence_listing, html, oscal, xlsx
from hds_audit.formats.interface import RenderContext

START = datetime(2026, 7, 1, tzinfo=PARIS)


def trace_files(n: int) -> list[FileRead]:
    out = []
    for i in range(n):
        path = f"traces/CloudTraces/eu-west-0/2026/{7 + i % 3}/{i % 28 + 1}/system/ECS/f{i:05d}.json.gz"
        when = START + timedelta(hours=i)
        out.append(FileRead(path, hashlib.sha256(path.encode()).hexdigest(), 100 + i, 1, when, when + timedelta(minutes=5)))
    return out


def result_with(n: int):
    result = sample_result()
    others = [f for f in result.evidence_files if not f.path.startswith("traces/")]
    result.evidence_files = others + trace_files(n)
    return result, others


def manifest_digest(result) -> str:
    """What `jq ... manifest.json | sha256sum` gives: the manifest's evidence list, sorted by path."""
    entries = sorted(({"path": f.path, "sha256": f.sha256} for f in result.evidence_files), key=lambda e: e["path"])
    lines = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries if e["path"].startswith("traces/"))
    return hashlib.sha256(lines.encode()).hexdigest()


def test_up_to_the_limit_every_file_is_listed():
    result, others = result_with(evidence_listing.MAX_LISTED)
    entries = evidence_listing.entries(result.evidence_files)
    assert len(entries) == len(others) + evidence_listing.MAX_LISTED
    assert all(e["files"] == 1 and not e["group"] for e in entries)
    assert not evidence_listing.summarised(result.evidence_files)


def test_past_the_limit_trace_files_are_one_entry_with_a_recomputable_digest():
    n = evidence_listing.MAX_LISTED + 1
    result, others = result_with(n)
    entries = evidence_listing.entries(result.evidence_files)
    assert [e["path"] for e in entries if not e["group"]] == sorted(f.path for f in others)
    (traces,) = [e for e in entries if e["group"]]
    assert traces["path"] == "traces/" and traces["files"] == n and traces["records"] == n
    assert traces["size"] == sum(100 + i for i in range(n))
    assert traces["first"] == START and traces["last"] == START + timedelta(hours=n - 1, minutes=5)
    assert traces["sha256"] == manifest_digest(result)


def test_the_digest_follows_byte_order_not_natural_order():
    files = [FileRead("traces/f10.json.gz", "1" * 64, 1), FileRead("traces/f9.json.gz", "2" * 64, 1), FileRead("traces/É.json.gz", "3" * 64, 1)]
    lines = f"{'1' * 64}  traces/f10.json.gz\n{'2' * 64}  traces/f9.json.gz\n{'3' * 64}  traces/É.json.gz\n"
    assert evidence_listing.listing_digest(files) == hashlib.sha256(lines.encode()).hexdigest()


def test_month_groups_for_the_pdf_and_a_lone_file_stays_a_file():
    files = trace_files(evidence_listing.MAX_LISTED + 1) + [FileRead("traces/CloudTraces/eu-west-0/2026/12/1/system/ECS/x.json.gz", "d" * 64, 5)]
    entries = evidence_listing.entries(files, group=evidence_listing.month_folder)
    assert [e["path"] for e in entries] == ["traces/CloudTraces/eu-west-0/2026/7/", "traces/CloudTraces/eu-west-0/2026/8/",
                                            "traces/CloudTraces/eu-west-0/2026/9/", "traces/CloudTraces/eu-west-0/2026/12/1/system/ECS/x.json.gz"]
    assert entries[-1]["sha256"] == "d" * 64 and not entries[-1]["group"]


@pytest.fixture(scope="module")
def many():
    return result_with(500)


def test_workbook_summarises_many_trace_files_and_names_the_full_list(many):
    result, others = many
    wb = load_workbook(io.BytesIO(xlsx.render(RenderContext(result))))
    values = list(wb["Evidence"].iter_rows(values_only=True))
    header, rows = values[0], [dict(zip(values[0], r)) for r in values[1:]]
    assert "Files" in header
    traces = [r for r in rows if str(r["File"]).startswith("traces")]
    assert len(traces) == 1 and traces[0]["File"] == "traces/" and traces[0]["Files"] == 500
    assert traces[0]["SHA-256"] == manifest_digest(result) and traces[0]["Records"] == 500
    assert {r["File"] for r in rows} >= {f.path for f in others}
    note = next(r for r in rows if r["File"] == "(trace files summarised)")
    assert "manifest.json" in note["SHA-256"] and "sha256sum" in note["SHA-256"]
    assert wb["Evidence"].auto_filter.ref.startswith("A1:")


def test_html_summarises_many_trace_files_and_names_the_full_list(many):
    result, _others = many
    page = html.render(RenderContext(result)).decode()
    section = page[page.index('<section id="evidence">'):]
    section = section[:section.index("</section>")]
    assert section.count("f00001.json.gz") == 0 and manifest_digest(result) in section
    assert "manifest.json" in section and "sha256sum" in section


def test_html_with_few_files_lists_each_and_says_where_the_hashes_are():
    page = html.render(RenderContext(sample_result())).decode()
    section = page[page.index('<section id="evidence">'):]
    assert "a" * 64 in section and "manifest.json" in section[:section.index("</section>")]


def test_oscal_back_matter_is_one_resource_for_the_trace_files(many):
    result, others = many
    doc = json.loads(oscal.render(RenderContext(result)))
    resources = doc["assessment-results"]["back-matter"]["resources"]
    assert len(resources) == len(others) + 1
    group = next(r for r in resources if r["title"].startswith("traces/"))
    props = {p["name"]: p["value"] for p in group["props"]}
    assert props["files"] == "500" and props["listing-sha256"] == manifest_digest(result) and props["records"] == "500"
    assert group["rlinks"] == [{"href": "manifest.json", "media-type": "application/json"}]
    single = next(r for r in resources if r["title"] == "iam/users.json")
    assert single["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": "b" * 64}]
    assert len({r["uuid"] for r in resources}) == len(resources)


def test_summarised_oscal_validates_against_trestle_models(many):
    trestle = pytest.importorskip("trestle.oscal.assessment_results")
    result, _others = many
    doc = json.loads(oscal.render(RenderContext(result)))
    model = trestle.AssessmentResults.model_validate(doc["assessment-results"])
    assert len(model.back_matter.resources) == len(doc["assessment-results"]["back-matter"]["resources"])
