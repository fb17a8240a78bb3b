"""The trace store's named queries are portable: each parses as DuckDB SQL and transpiles to Spark SQL without
sqlglot finding anything unsupported, declares exactly the parameters and relations it uses, and holds none of
the engine-only constructs the portable subset leaves out."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import sqlglot
from sqlglot import ErrorLevel, exp

from hds_audit.evidence.traces import queries

NAMES = sorted(queries.QUERIES)
# engine-only constructs (comments aside): casts of a parameter or value with ::, DuckDB's epoch_us, GROUP BY ALL,
# min_by/max_by (n-argument forms), regular expressions (and their flags), QUALIFY, list lambdas, Unicode
# normalisation, positional parameters
FORBIDDEN = [r"::", r"\bepoch_us\b", r"\bgroup\s+by\s+all\b", r"\b(min|max)_by\b", r"\bregexp?_\w*", r"\brlike\b",
             r"\bqualify\b", r"\blist_\w+", r"->", r"\bnfc_normalize\b", r"\?"]
LIST_AGGREGATES = (exp.ArrayAgg, exp.GroupConcat)


def _code(name: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in queries.text(name).splitlines())


def test_every_file_is_declared_and_every_declared_query_has_its_file():
    files = {p.name[:-4] for p in resources.files(queries.__name__).iterdir() if p.name.endswith(".sql")}
    assert files == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_query_parses_in_duckdb_and_transpiles_to_spark(name):
    tree = sqlglot.parse_one(queries.text(name), read="duckdb", error_level=ErrorLevel.RAISE)
    spark = tree.sql("spark", unsupported_level=ErrorLevel.RAISE)
    sqlglot.parse_one(spark, read="spark", error_level=ErrorLevel.RAISE)


@pytest.mark.parametrize("name", NAMES)
def test_a_query_holds_no_engine_only_construct(name):
    code = _code(name).lower()
    for pattern in FORBIDDEN:
        assert not re.search(pattern, code), f"{name}.sql holds {pattern!r}"
    tree = sqlglot.parse_one(queries.text(name), read="duckdb")
    for node in tree.find_all(*LIST_AGGREGATES):  # order inside an aggregate is explicit, or the list is Python's
        assert node.find(exp.Order), f"{name}.sql aggregates a list without ORDER BY"


@pytest.mark.parametrize("name", NAMES)
def test_a_query_declares_its_parameters_and_relations(name):
    declared = queries.QUERIES[name]
    assert set(queries.PARAMETER.findall(_code(name))) == set(declared.params)
    tree = sqlglot.parse_one(queries.text(name), read="duckdb")
    ctes = {c.alias for c in tree.find_all(exp.CTE)}
    assert {t.name for t in tree.find_all(exp.Table)} - ctes == set(declared.reads)


def test_binding_takes_exactly_the_declared_parameters():
    assert queries.bind("gaps", {"start": 1, "end": 2, "width": 3, "limit": 4, "other": 5}) == {"start": 1, "end": 2, "width": 3, "limit": 4}
    with pytest.raises(TypeError, match="width"):
        queries.bind("gaps", {"start": 1, "end": 2, "limit": 4})
