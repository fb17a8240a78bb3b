"""The terminal summary of `run`, as a CI log shows it (stdout piped, 80 columns, no colours)."""

import gzip
import json

import pytest
from bundle_builder import BundleBuilder, trace

from hds_audit.cli.summary import print_summary
from hds_audit.pipeline.engine import run_checks


@pytest.fixture(scope="module")
def good_result(tmp_path_factory):
    builder = BundleBuilder(tmp_path_factory.mktemp("good") / "bundle")
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    return _result(builder.root, "trace.continuity", "support.plan_eligible")


def _result(root, *check_ids):
    from hds_audit.calendar.period import parse_period
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load

    bundle = Bundle(str(root))
    return run_checks(load_catalog(), bundle, load(bundle), parse_period("2026-Q3"), only=set(check_ids))


def test_the_first_line_is_not_wrapped_when_piped(good_result, capsys):
    print_summary(good_result, None)
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("Centre Hospitalier de Test · period 2026-Q3 "
                     "(2026-07-01T00:00:00+02:00 → 2026-10-01T00:00:00+02:00)")


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """Twelve truncated trace files, one whose name looks like rich markup."""
    builder = BundleBuilder(tmp_path_factory.mktemp("broken") / "bundle")
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    names = [f"traces/cut-{i:02}.json.gz" for i in range(11)] + ["traces/[red]odd[/].json.gz"]
    for i, name in enumerate(names):  # each its own bytes (a gzip header's time): the same bytes twice would be a copy
        builder.write(name, gzip.compress(json.dumps([trace("a.durand", "2026-07-04T10:00:00+02:00")]).encode(), mtime=i + 1)[:30])
    return _result(builder.root, "trace.continuity", "residency.activity"), names


def test_evidence_problems_are_listed_once_each_with_their_reason(broken, tmp_path, capsys):
    result, names = broken
    (tmp_path / "report.html").write_text("x")
    print_summary(result, tmp_path)
    out = capsys.readouterr().out
    assert "\x1b" not in out  # not a terminal: no colour codes
    lines = out.splitlines()
    start = lines.index("Evidence problems (12):")
    listed = lines[start + 1:start + 11]
    assert all(line.startswith("  traces/") and line.endswith(": not a valid gzip file (truncated)") for line in listed), listed
    # the two checks that need traces saw each file: still one line per file, and ten of twelve shown
    assert len({line.split(":")[0] for line in listed}) == 10
    assert lines[start + 11] == f"  … 2 more in {tmp_path.resolve() / 'report.html'} / results.json"
    assert lines[-1].startswith(f"Reports written to {tmp_path.resolve()}: ")


def test_a_file_name_like_rich_markup_is_printed_as_it_is(broken, capsys):
    result, _ = broken
    print_summary(result, None)
    out = capsys.readouterr().out.splitlines()
    assert "  traces/[red]odd[/].json.gz: not a valid gzip file (truncated)" in out
    assert "  … 2 more in the reports" in out


def test_errors_that_are_not_a_broken_file_are_listed_with_their_check(broken):
    from hds_audit.cli.summary import error_reasons

    problems, others = error_reasons(broken[0])
    assert len(problems) == 12
    assert others == ["resources: evidence absent: no Terraform state in the bundle (resources/*.tfstate or resources/*.json) and no API inventory (inventory/*.json) (trace.continuity)"]


def test_evidence_problems_are_in_results_json_and_survive_review(broken, tmp_path):
    from hds_audit.workflows.review import load_result

    result, names = broken
    document = json.loads(json.dumps(result.to_json()))
    listed = document["evidence_problems"]
    assert sorted(p["file"] for p in listed) == sorted(names)
    assert {(p["kind"], p["record"], p["reason"]) for p in listed} == {("traces", None, "not a valid gzip file (truncated)")}
    again, _ = load_result(document)
    assert again.evidence_problems == result.evidence_problems


def test_a_problem_no_check_turns_into_a_finding_is_still_listed(tmp_path, capsys):
    builder = BundleBuilder(tmp_path / "bundle")
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    builder.write("waivers.yaml", b"waivers: [\n")
    print_summary(_result(builder.root, "trace.continuity"), None)
    out = capsys.readouterr().out
    assert "Evidence problems (1):" in out
    assert "waivers.yaml" in out.split("Evidence problems (1):")[1]
