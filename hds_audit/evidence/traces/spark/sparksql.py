"""The named queries of `queries/` on Spark SQL: each file transpiled once by sqlglot (DuckDB -> `PortableSpark`),
its `$name` parameters bound by Spark's named parameters (`:name`, `spark.sql(text, args=...)`).

`PortableSpark` is sqlglot's Spark dialect, less what sqlglot writes for Spark in words that Spark answers
differently: a regular expression's flags dropped, the count of an n-argument `min_by`/`max_by` dropped, the
order of an ordered list aggregate dropped. It writes the case-insensitive flag as Spark's inline `(?i)` and
refuses the others (sqlglot's UnsupportedError), so a query using them fails at its first transpilation
instead of answering wrongly. The portable subset (queries/__init__.py) avoids them all anyway.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.spark import Spark

from hds_audit.evidence.traces import queries

SPARK_TYPES = {"VARCHAR": "string", "INTEGER": "int", "BIGINT": "bigint"}


def _regexp_like(self, e: exp.RegexpLike) -> str:
    flag = e.args.get("flag")
    pattern = e.expression
    if flag is not None:
        if not (isinstance(flag, exp.Literal) and flag.is_string and set(flag.this) <= {"i"}):
            self.unsupported(f"regular expression flags {flag.sql()!r}: only 'i' has a Spark equivalent")
        elif flag.this:
            pattern = exp.Concat(expressions=[exp.Literal.string("(?i)"), pattern])
    return f"{self.sql(e, 'this')} RLIKE {self.sql(pattern)}"


def _arg_min_max(name: str):
    def generate(self, e: exp.Expression) -> str:
        if e.args.get("count") is not None:
            self.unsupported(f"{name} with a count: Spark's {name} keeps one value")
        return self.func(name, e.this, e.expression)
    return generate


def _ordered_list(base):
    def generate(self, e: exp.Expression) -> str:
        if isinstance(e.this, exp.Order):
            self.unsupported(f"an ordered {type(e).__name__}: Spark's collect_list keeps no order")
        return base(self, e)
    return generate


class PortableSpark(Spark):
    class Generator(Spark.Generator):
        TRANSFORMS = {
            **Spark.Generator.TRANSFORMS,
            exp.RegexpLike: _regexp_like,
            exp.ArgMin: _arg_min_max("MIN_BY"),
            exp.ArgMax: _arg_min_max("MAX_BY"),
            exp.ArrayAgg: _ordered_list(Spark.Generator.TRANSFORMS.get(exp.ArrayAgg) or
                                        (lambda self, e: self.func("COLLECT_LIST", e.this))),
        }


def transpile(duckdb_sql: str) -> str:
    """Spark SQL of a DuckDB statement, comments left out (a `$name` in a comment is no parameter)."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb", error_level=ErrorLevel.RAISE)
    return tree.sql(dialect=PortableSpark, unsupported_level=ErrorLevel.RAISE, comments=False)


@cache
def text(name: str) -> str:
    """The Spark SQL of the named query `name`, transpiled once."""
    return transpile(queries.text(name))


def schema(table: str) -> str:
    """The Spark DDL schema of a relation of queries.RELATIONS."""
    return ", ".join(f"{column} {SPARK_TYPES[kind]}" for column, kind in queries.RELATIONS[table])


def frame(spark, name: str, **values):
    """The DataFrame of the named query `name` over the session's temporary views."""
    return spark.sql(text(name), args=queries.bind(name, values) or None)


def run(spark, name: str, **values) -> list[tuple]:
    """The rows of the named query `name`, as tuples (the DuckDB store's fetchall)."""
    return [tuple(row) for row in frame(spark, name, **values).collect()]


def run_text(spark, spark_sql: str, **args) -> list[tuple]:
    """The rows of a statement written in Spark SQL (the store's own), `:name` parameters from `args`."""
    return [tuple(row) for row in spark.sql(spark_sql, args=args or None).collect()]


def fill(spark, table: str, rows) -> object:
    """The temporary view `table` of exactly `rows`, typed by queries.RELATIONS (an empty one too)."""
    data = spark.createDataFrame(list(rows), schema(table))
    data.createOrReplaceTempView(table)
    return data
