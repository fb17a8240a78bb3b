"""Choosing the trace engine: `--engine`, `--spark-master`, tenant.yaml `engine:`; results.json names it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hds_audit.cli import cli
from hds_audit.cli.common import Unusable
from hds_audit.cli.run import with_engine
from hds_audit.evidence.bundle import Bundle
from hds_audit.evidence.tenant import TenantError, load


def test_the_command_line_overrides_tenant_yaml(builder):
    builder.tenant(engine="spark", spark_master="local[3]")
    tenant = load(Bundle(str(builder.root)))
    assert (tenant.engine, tenant.spark_master) == ("spark", "local[3]")
    assert with_engine(tenant, "DuckDB", None).engine == "duckdb"
    assert with_engine(tenant, None, "yarn").spark_master == "yarn"
    assert with_engine(tenant, None, None) is tenant


def test_spark_master_without_the_spark_engine_is_refused(builder):
    with pytest.raises(Unusable, match="--spark-master applies to the spark engine only"):
        with_engine(load(Bundle(str(builder.root))), None, "local[2]")


def test_an_unknown_engine_in_tenant_yaml_is_refused_by_name(builder):
    builder.tenant(engine="sparc")
    with pytest.raises(TenantError, match="engine"):
        load(Bundle(str(builder.root)))


def test_results_name_the_engine_in_tool_only(builder, tmp_path):
    result = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "o"),
                                      "--engine", "duckdb"])
    assert result.exit_code in (0, 1), result.output
    tool = json.loads((tmp_path / "o" / "results.json").read_text())["tool"]
    assert tool["engine"] == "duckdb" and tool["name"] == "hds-audit"
    refused = CliRunner().invoke(cli, ["run", str(builder.root), "--period", "2026-Q3", "--out", str(tmp_path / "p"),
                                       "--engine", "flink"])
    assert refused.exit_code == 2 and "flink" in refused.output
