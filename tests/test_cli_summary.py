"""The terminal summary of `run`, as a CI log shows it (stdout piped, 80 columns, no colours)."""

import pytest
from bundle_builder import BundleBuilder, trace

from hds_audit.cli.summary import print_summary
from hds_audit.engine import run_checks


@pytest.fixture(scope="module")
def good_result(tmp_path_factory):
    builder = BundleBuilder(tmp_path_factory.mktemp("good") / "bundle")
    builder.traces([trace("a.durand", "2026-07-03T10:00:00+02:00")])
    return _result(builder.root, "trace.continuity", "support.plan_eligible")


def _result(root, *check_ids):
    from hds_audit.catalog import load_catalog
    from hds_audit.evidence.bundle import Bundle
    from hds_audit.evidence.tenant import load
    from hds_audit.period import parse_period

    bundle = Bundle(str(root))
    return run_checks(load_catalog(), bundle, load(bundle), parse_period("2026-Q3"), only=set(check_ids))


def test_the_first_line_is_not_wrapped_when_piped(good_result, capsys):
    print_summary(good_result, None)
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("Centre Hospitalier de Test · period 2026-Q3 "
                     "(2026-07-01T00:00:00+02:00 → 2026-10-01T00:00:00+02:00)")
