"""Every named trace query, run by DuckDB and by Spark SQL over the same relations, gives the same rows (in order
where the query orders them): mixed-case accounts, NULL regions and users, several buckets, more hits per key than
MAX_REFS, gap ends on traces, groups of a file not written out. The transpilation's known pitfalls (a regex flag, an n-argument min_by, an ordered
list aggregate) are answered alike or refused."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from sqlglot.errors import UnsupportedError

from hds_audit.evidence.traces import queries
from hds_audit.evidence.traces.duckdb_store import DuckDBTraceStore
from hds_audit.evidence.traces.interface import HOUR_US, MAX_REFS
from hds_audit.evidence.traces.spark import relations, sparksql

T0 = 1_782_864_000_000_000  # 2026-07-01T00:00:00Z in microseconds
MIN = 60_000_000
START, END = T0, T0 + 48 * HOUR_US
# (file, record, minute, region, user, service, trace_name, read_name, read_bucket, trace_id, resource_id)
TRACES = [
    ("traces/a b#1+é.json", 0, -30, "eu-west-0", "a.durand", "ECS", "createServer", None, None, "t0", "srv-1"),
    ("traces/a b#1+é.json", 1, 10, "eu-west-0", "a.durand", "ECS", "updateServer", None, None, "t1", "srv-1"),
    ("traces/a b#1+é.json", 2, 10, "eu-west-0", "A.Durand ", "ECS", "DeleteServer", None, None, None, "srv-1"),
    ("traces/b.json", 0, 70, "eu-west-1", "é.lodie", "OBS", "GetObject", "ch-test-cts", "ch-test-cts", "t3", "/ch-test-cts/x"),
    ("traces/b.json", 1, 75, "eu-west-1", "é.lodie", "OBS", "LISTOBJECTS", None, "ch-nl-cts", "t4", "/ch-nl-cts"),
    ("traces/b.json", 2, 80, None, None, "OBS", "headBucket", "ch-nl-cts", "ch-nl-cts", "t5", ""),
    ("traces/c.json", 0, 200, "eu-west-0", "o.perator", "OBS", "getObject", "ch-test-cts", "ch-test-cts", "t6", None),
    ("traces/c.json", 1, 1500, "eu-west-3", "o.perator", "ECS", "deleteVolume", None, None, "t7", "vol-1"),
    ("traces/c.json", 2, 1500, "eu-west-3", "b.petit", None, "createVolume", None, None, "t8", "vol-2"),
    ("traces/d.json", 0, 3000, "eu-west-0", "b.petit", "ECS", "stopServer", None, None, "t9", "srv-2"),
]
READING = {"traces/a b#1+é.json": 0, "traces/b.json": 1, "traces/c.json": 2, "traces/d.json": 3}
# groups of a file that `traces` does not hold (not written out): counted whole by the `*_traces` queries
UNREAD = [(4, "eu-west-2", "o.perator", "OBS", "ch-test-cts", "ch-test-cts", T0 // HOUR_US, 6, T0 + 2 * MIN, T0 + 9 * MIN),
          (4, "eu-west-0", "a.durand", "ECS", None, None, T0 // HOUR_US + 1, 2, T0 + 61 * MIN, T0 + 62 * MIN)]


def _groups(rows):
    out: dict[tuple, list] = {}
    for file, _, minute, region, user, service, _, name, bucket, *_ in rows:
        at = T0 + minute * MIN
        g = out.setdefault((READING[file], region, user, service, name, bucket, at // HOUR_US), [0, at, at])
        g[0], g[1], g[2] = g[0] + 1, min(g[1], at), max(g[2], at)
    return [(*k, n, lo, hi) for k, (n, lo, hi) in out.items()]


def _hits():
    # key a.durand: 7 hits (more than MAX_REFS), ties on time broken by file then record; key NULL; several buckets;
    # rows of a group of n (no file, no record): counted, never referenced
    trace = lambda key, bucket, at, file, record: (key, bucket, at, at, 1, file, record)  # noqa: E731
    hits = [trace("a.durand", "ch-test-cts", T0 + (i % 4) * MIN, f"traces/{'zyx'[i % 3]}.json", i) for i in range(7)]
    hits += [trace(None, "ch-nl-cts", T0, "traces/b.json", 2), trace(None, None, T0 + MIN, "traces/b.json", 3),
             trace("é.lodie", "ch-nl-cts", T0 + 5 * MIN, "traces/b.json", 1),
             trace("é.lodie", "ch-test-cts", T0, "traces/b.json", 0), trace("A.Durand ", None, T0, "traces/a.json", 2),
             ("a.durand", "ch-nl-cts", T0 - MIN, T0 + 90 * MIN, 40, None, None), (None, None, T0, T0 + MIN, 3, None, None)]
    return hits


RELATIONS = {
    "scan_groups": _groups(TRACES),
    "period_groups": [g for g in _groups(TRACES) if START <= g[8] and g[9] < END] + UNREAD,
    "traces": [(READING[f], f, r, T0 + m * MIN, region, user, service, name, bucket)
               for f, r, m, region, user, service, _, name, bucket, *_ in TRACES],
    "details": [(f, r, tid, trace, "normal" if r else "Warning", "ApiCall", service, "server", rid, None, user,
                 T0 + m * MIN, region, "200", "192.0.2.1") for f, r, m, region, user, service, trace, _, _, tid, rid in TRACES],
    "hits": _hits(),
    "gap_points": [("eu-west-0", b, T0 + b * 7 * MIN, T0 + b * 7 * MIN + MIN) for b in (0, 1, 5, 6, 40)]
                  + [("eu-west-1", 3, T0 + 3 * MIN, T0 + 4 * MIN), ("eu-west-9", 1, T0, T0)],
    "allowed": [("eu-west-0",)],
    "buckets": [("ch-test-cts",), ("ch-nl-cts",)],
    "gap_regions": [("eu-west-0",), ("eu-west-1",), ("eu-west-2",)],
    "gap_ends": [("eu-west-0", T0 + 10 * MIN), ("eu-west-3", T0 + 1500 * MIN), ("eu-west-1", T0 + 11 * MIN)],
    "ref_points": [("traces/a b#1+é.json", 1), ("traces/a b#1+é.json", 2), ("traces/b.json", 0), ("traces/none.json", 0)],
    "cover_spans": [("a.durand", T0, T0 + 5 * MIN), ("a.durand", T0 + 5 * MIN, None), ("é.lodie", T0, T0 + 72 * MIN)],
    "cover_accounts": [("a.durand", T0 + 10 * MIN), ("o.perator", T0 + 100 * MIN)],
}
VALUES = [dict(start=START, end=END, width=HOUR_US, limit=HOUR_US, after_revocation=0, max_refs=MAX_REFS),
          dict(start=START + 7 * MIN, end=START + 600 * MIN, width=7 * MIN, limit=7 * MIN, after_revocation=1, max_refs=2)]


@pytest.fixture(scope="module")
def engines(spark):
    duck = DuckDBTraceStore(duckdb.connect(), files=0)
    duck.con.execute("SET TimeZone = 'UTC'")
    for table, rows in RELATIONS.items():
        duck.fill(table, rows)
        sparksql.fill(spark, table, rows)
    yield duck, spark
    relations._ACTIVE[0] = None  # the session's views are these fixtures': a store registers its own again
    duck.con.close()


def _ordered(name: str) -> bool:
    return sqlglot.parse_one(queries.text(name), read="duckdb").args.get("order") is not None


def _sortable(rows):
    return sorted(rows, key=lambda row: tuple((v is not None, v) for v in row))


@pytest.fixture(scope="module")
def answers(engines):
    """(name, set of values) -> (DuckDB's rows, Spark's rows), each query run once per engine: a Spark job costs
    a second here, and the tests below read the same answers."""
    duck, spark = engines
    out = {}
    for i, values in enumerate(VALUES):  # the second set of values only for the queries it changes
        for name in sorted(n for n, q in queries.QUERIES.items() if q.params or i == 0):
            out[name, i] = duck.run(name, **values), sparksql.run(spark, name, **values)
    return out


@pytest.mark.parametrize("index", range(len(VALUES)), ids=["whole-period", "minutes"])
def test_every_named_query_gives_the_same_rows_on_duckdb_and_spark(answers, index):
    for (name, i), (on_duck, on_spark) in sorted(answers.items()):
        if i != index:
            continue
        if not _ordered(name):
            on_duck, on_spark = _sortable(on_duck), _sortable(on_spark)
        assert on_spark == on_duck, name
        assert on_duck and on_duck != [(0,)], f"the fixture gives {name} nothing to answer"


def test_the_answers_that_went_wrong_when_transpiled_as_is(answers):
    assert VALUES[0]["max_refs"] == MAX_REFS and (VALUES[0]["start"], VALUES[0]["end"]) == (START, END)
    spark_rows = lambda name: answers[name, 0][1]  # noqa: E731 - Spark's answers over the whole period
    # every reference of a key up to MAX_REFS, not one: the first five of a.durand by time, file, record
    refs = spark_rows("hit_refs")
    assert [(f, r) for k, f, r in refs if k == "a.durand"] == [
        ("traces/y.json", 4), ("traces/z.json", 0), ("traces/x.json", 5), ("traces/y.json", 1), ("traces/x.json", 2)]
    # the buckets of each key in order, NULL key first (a group's row names its bucket too)
    assert spark_rows("hit_buckets") == [(None, "ch-nl-cts"), ("a.durand", "ch-nl-cts"), ("a.durand", "ch-test-cts"),
                                         ("é.lodie", "ch-nl-cts"), ("é.lodie", "ch-test-cts")]
    # the OBS reads of tracker buckets are found: files (o.perator's first reads are those of file 4's group, so
    # file 2's later one is counted from its group), then the reads no span covers, a group of file 4 counted whole
    assert sorted(spark_rows("bucket_read_files")) == [(1,), (4,)]
    reads = spark_rows("bucket_read_traces")
    assert sorted((k or "", b, n) for k, b, _, _, n, *_ in reads) == [
        ("", "ch-nl-cts", 1), ("o.perator", "ch-test-cts", 1), ("o.perator", "ch-test-cts", 6), ("é.lodie", "ch-nl-cts", 1)]
    assert sorted(reads, key=str) == sorted(answers["bucket_read_traces", 0][0], key=str)


NAMES = [("GetObject",), ("LISTOBJECTS",), ("headBucket",), ("putObject",), (None,)]


def test_a_case_insensitive_regex_keeps_its_flag_on_spark(spark):
    statement = "SELECT name, regexp_matches(name, '^(get|list|head)', 'i') AS read FROM names ORDER BY name NULLS FIRST"
    con = duckdb.connect()
    con.execute("CREATE TABLE names (name VARCHAR)")
    con.executemany("INSERT INTO names VALUES (?)", NAMES)
    spark.createDataFrame(NAMES, "name string").createOrReplaceTempView("names")
    expected = con.execute(statement).fetchall()
    assert [r for _, r in expected] == [None, True, True, True, False]
    assert [tuple(r) for r in spark.sql(sparksql.transpile(statement)).collect()] == expected


@pytest.mark.parametrize("statement", ["SELECT min_by(x, k, 5) FROM t", "SELECT max_by(x, k, 2) FROM t",
                                       "SELECT list(DISTINCT b ORDER BY b) FROM t",
                                       "SELECT regexp_matches(x, 'a.b', 's') FROM t"])
def test_what_spark_would_answer_differently_is_refused(statement):
    with pytest.raises(UnsupportedError):
        sparksql.transpile(statement)


def test_what_spark_answers_alike_is_written_as_is():
    assert sparksql.transpile("SELECT min_by(x, k) FROM t") == "SELECT MIN_BY(x, k) FROM t"
    assert sparksql.transpile("SELECT list(b) FROM t") == "SELECT COLLECT_LIST(b) FROM t"
    assert "DIV" in sparksql.transpile("SELECT a // $b FROM t") and ":b" in sparksql.transpile("SELECT a // $b FROM t")
    for name in queries.QUERIES:  # parameters are Spark's named ones, comments (which name them too) left out
        assert "$" not in sparksql.text(name) and "--" not in sparksql.text(name) and "/*" not in sparksql.text(name)
