"""A YAML file that does not parse is named with the line, the column and the problem, not PyYAML's first line only."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.evidence import attestations, waivers
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import TenantError, load
from hds_audit.evidence.yaml_errors import read_yaml, yaml_error
from hds_audit.states import Status

# line 4 holds a flow sequence opened at column 18 whose second item, at column 31, has no comma before it
BROKEN_TENANT = ("tenant_id: t1\nname: Clinique des Tilleuls\nsupport_plan: business\n"
                 'allowed_regions: ["eu-west-0" eu-west-1]\n')


def _error(text: str) -> yaml.YAMLError:
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.safe_load(text)
    return caught.value


def test_position_is_one_based_with_problem_and_context():
    where, reason = yaml_error(_error("a: [1, 2\n"))
    assert where == "line 2, column 1"
    assert reason == "expected ',' or ']', but got '<stream end>' (while parsing a flow sequence from line 1, column 4)"


def test_problem_without_context():
    assert yaml_error(_error("a: b\n  c: d\n")) == ("line 2, column 4", "mapping values are not allowed here")


def test_control_character_is_placed_by_position():
    where, reason = yaml_error(_error("a: \x00"))
    assert where == "character 4" and "#x0000" in reason


def test_read_yaml_names_the_place_in_one_line(builder):
    builder.write("waivers.yaml", b"a: 'open\n")
    document, problem = read_yaml(Bundle(str(builder.root)), "waivers.yaml")
    assert document is None and problem.file == "waivers.yaml" and problem.record == "line 2, column 1"
    assert "\n" not in problem.reason and problem.reason.startswith("not readable YAML: found unexpected end")


def test_read_yaml_says_a_file_is_not_utf8(builder):
    builder.write("waivers.yaml", "a: caf\u00e9\n".encode("latin-1"))
    _, problem = read_yaml(Bundle(str(builder.root)), "waivers.yaml")
    assert problem.record is None and problem.reason.startswith("not readable YAML: not UTF-8 text (byte 6)")


def test_broken_tenant_names_line_column_and_problem(builder):
    builder.write("tenant.yaml", BROKEN_TENANT)
    with pytest.raises(TenantError) as caught:
        load(Bundle(str(builder.root)))
    assert str(caught.value) == ("tenant.yaml line 4, column 31: not readable YAML: expected ',' or ']', but got '<scalar>' "
                                 "(while parsing a flow sequence from line 4, column 18)")


def test_broken_tenant_on_the_command_line_is_one_line_without_traceback(builder, tmp_path):
    builder.write("tenant.yaml", BROKEN_TENANT)
    result = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "tenant.yaml line 4, column 31" in result.output and "but got '<scalar>'" in result.output
    assert "Traceback" not in result.output


def test_tenant_not_utf8_says_so(builder):
    builder.write("tenant.yaml", "tenant_id: x\nname: H\xf4pital\n".encode("latin-1"))
    with pytest.raises(TenantError, match=r"^tenant\.yaml: not readable YAML: not UTF-8 text \(byte 20\); save it as UTF-8$"):
        load(Bundle(str(builder.root)))


def test_readable_tenant_still_loads(builder):
    assert load(Bundle(str(builder.root))).tenant_id  # the builder writes a valid tenant.yaml


def test_broken_waivers_name_line_and_column(builder):
    builder.write("waivers.yaml", "waivers:\n  - check: support.plan_eligible\n    object: [standard\n")
    evidence = waivers.load(Bundle(str(builder.root)))
    [problem] = evidence.problems
    assert problem.file == "waivers.yaml" and problem.record == "line 4, column 1"
    assert problem.reason.startswith("not readable YAML: expected ',' or ']', but got '<stream end>'")
    assert "line 4, column 1" in evidence.note and "not applied" in evidence.note and evidence.data == []


def test_broken_attestation_is_error_with_line_and_column(builder, run_checks_on):
    builder.write("attestations/poste.yaml", "control: Workstation safety\nstatement: locked screens\n owner: DSI\n")
    evidence = attestations.load(Bundle(str(builder.root)))
    [problem] = evidence.problems
    assert (problem.file, problem.record) == ("attestations/poste.yaml", "line 3, column 7")
    assert problem.reason == "not readable YAML: mapping values are not allowed here"
    result = run_checks_on(builder.root, "attestation.current")["attestation.current"]
    assert any(f.status is Status.ERROR and f.object == "attestations/poste.yaml" and f.message.startswith("line 3, column 7:")
               for f in result.findings)
