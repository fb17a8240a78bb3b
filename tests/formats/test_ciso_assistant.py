"""ciso-assistant-audit.csv: CISO Assistant's audit import format, requirements of its HDS framework
(library hds-v2) mapped from controls/ciso_assistant_hds.csv, statuses in its vocabulary."""

from __future__ import annotations

import csv
import io
import re

from report_fixtures import sample_result

from hds_audit.catalog import load_catalog
from hds_audit.formats import ciso_assistant
from hds_audit.formats.interface import RenderContext
from hds_audit.states import Status

# The form of CISO Assistant's own sample (cli/sample_audit.csv of
# https://github.com/intuitem/ciso-assistant-community): its header, and rows of the same shape
# (invented values here): semicolon-separated, empty cells kept.
SAMPLE = """urn;ref_id;name;description;compliance_result;requirement_progress;score;observations
urn:example:req_node:fw:a;A;Area;An area of requirements;;;;
urn:example:req_node:fw:a-01;A-01;;A requirement;partially_compliant;in_progress;2;
"""
RESULTS = {"compliant", "non_compliant", "partially_compliant", "not_applicable", "not_assessed"}
PROGRESS = {"to_do", "in_progress", "in_review", "done"}
FRAMEWORK = "urn:intuitem:risk:req_node:hds-v2023-a:"


def rows(text: str) -> tuple[list[str], list[list[str]]]:
    header, *body = list(csv.reader(io.StringIO(text), delimiter=";"))
    return header, body


def test_the_export_has_the_form_of_the_sample():
    sample_header, sample_rows = rows(SAMPLE)
    header, body = rows(ciso_assistant.render(RenderContext(sample_result())).decode("utf-8"))
    assert header == sample_header
    assert body and all(len(r) == len(sample_header) for r in body + sample_rows)
    for urn, ref_id, _name, description, result, progress, score, observations in body:
        assert urn.startswith(FRAMEWORK) and (ref_id == "" or re.fullmatch(r"\[EXI \d\d\]", ref_id))
        assert result in RESULTS and progress in PROGRESS and score == ""
        assert description.startswith("hds-audit: ") and "run 0123456789abcdef0123" in observations
        assert "\n" not in observations and ";" not in observations


def test_the_mapping_names_real_controls_and_framework_requirements():
    ids = {c.id for c in load_catalog().controls}
    mapped = ciso_assistant.mapping()
    assert mapped and all(row["control"] in ids and row["urn"].startswith(FRAMEWORK) and row["why"] for row in mapped)


def test_a_requirement_takes_the_worst_of_its_controls():
    result = sample_result()
    for c in result.controls:
        if c.control.id == "sd-3.2-regions":
            c.status = Status.FAIL
        elif c.control.id in ("places-of-accommodation", "sd-6.11.1-no-health-data-outside-eu"):
            c.status = Status.PASS
    _, body = rows(ciso_assistant.render(RenderContext(result)).decode("utf-8"))
    residency = next(r for r in body if r[0] == FRAMEWORK + "[exi-28]")
    assert residency[4] == "non_compliant" and "sd-3.2-regions: fail" in residency[7] and "places-of-accommodation: pass" in residency[7]


def test_statuses_in_ciso_assistant_words():
    assert set(ciso_assistant.RESULT) == set(Status)
    assert {r for r, _ in ciso_assistant.RESULT.values()} <= RESULTS and {p for _, p in ciso_assistant.RESULT.values()} <= PROGRESS
    assert ciso_assistant._cell("=HYPERLINK(1)").startswith("'")
