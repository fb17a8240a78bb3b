"""A local cache of what the scan derives from each trace file: a re-run reads again only the files that changed.

A compliance officer re-runs the quarter after fixing one register row: the trace files are the same bytes, so
what the scan derived from each (its `trace_groups` rows, its shape, its record count, the problems it raised
in the order they were raised, the traces of a file read in Python) is taken from here instead of read again.

An entry is keyed by the file's SHA-256 (hashed as it is copied: copies.py), its path in the bundle (its key
region and kind of service folder come from it) and `scan_version()`: the tool's version, DuckDB's, the source
of the modules that derive the rows and the limits in force. Each entry carries a digest of its own rows,
checked on every use: an entry that does not match, or of another version, is never used; its file is read
again and the entry rebuilt. A cache that cannot be opened is replaced. Neither changes a verdict: it says so
in results.json (`tool.cache.notes`).

One DuckDB file, `traces.duckdb`, in the user's cache folder (`HDS_AUDIT_CACHE_DIR`, else
`$XDG_CACHE_HOME/hds-audit`, else `~/.cache/hds-audit`), attached to the scan's connection twice for a
moment: before the scan (the hits) and after it (the new entries). DuckDB locks the file while it is
attached, so two runs at once take turns; a run that cannot attach it within LOCK_WAIT_S reads every file.
Bounded: entries unused for MAX_AGE_DAYS, and beyond MAX_ENTRIES the least recently used, are pruned.
The copies are still made and hashed, and every later reading (`materialize`, details) reads them, as without
the cache.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from hds_audit import __version__
from hds_audit.evidence.interface import Problem
from hds_audit.evidence.traces import files as trace_files
from hds_audit.evidence.traces import reader, sql
from hds_audit.evidence.traces.files import key_region, may_read_buckets

FILENAME = "traces.duckdb"
LOCK_WAIT_S = float(os.environ.get("HDS_AUDIT_CACHE_LOCK_WAIT", 30))
MAX_AGE_DAYS = 120  # a quarter and its re-runs, with room
MAX_ENTRIES = int(os.environ.get("HDS_AUDIT_CACHE_MAX_FILES", 200_000))  # about twenty bundles of 10M traces
_DB = "hds_cache"  # the attached database's name in the scan's connection
_TABLE = f"{_DB}.entries_v1"  # a new layout takes a new table name: an old file's table is then foreign, and dropped

_GROUP = ("region VARCHAR, user_name VARCHAR, service_type VARCHAR, read_name VARCHAR, read_bucket VARCHAR, hour BIGINT, "
          "n BIGINT, lo TIMESTAMPTZ, hi TIMESTAMPTZ, bad BIGINT")
_EVENT = ("record INTEGER, time TIMESTAMPTZ, region VARCHAR, user_name VARCHAR, service_type VARCHAR, read_name VARCHAR, "
          "read_bucket VARCHAR")
_SCHEMA = f"""CREATE TABLE IF NOT EXISTS {_TABLE} (
    sha256 VARCHAR, file VARCHAR, version VARCHAR, sniffed VARCHAR, shape VARCHAR, again BOOLEAN, unread BOOLEAN,
    records BIGINT, problems STRUCT(record VARCHAR, reason VARCHAR)[], groups STRUCT({_GROUP})[],
    events STRUCT({_EVENT})[], digest VARCHAR, used TIMESTAMPTZ)"""
# what the digest covers: the key and every derived value (a list's text keeps its order and its NULLs)
_DIGESTED = "sha256(CAST(struct_pack(sha256, file, version, sniffed, shape, again, unread, records, problems, groups, events) AS VARCHAR))"

_MODULES = (trace_files, sql, reader)  # their source decides the derived rows


def folder() -> Path:
    """Where the cache lives (docs/user-guide.md, "The trace cache")."""
    if os.environ.get("HDS_AUDIT_CACHE_DIR"):
        return Path(os.environ["HDS_AUDIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hds-audit"


def scan_version() -> str:
    """Changes whenever the derived rows could: another tool or DuckDB version, an edited scan, other limits."""
    digest = hashlib.sha256(f"{__version__}|{duckdb.__version__}|{trace_files.MAX_DECOMPRESSED}|"
                            f"{trace_files.PYTHON_MAX_BYTES}".encode())
    for source in (*(module.__file__ for module in _MODULES), __file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:32]


@dataclass
class Use:
    """How the cache served one scan: what results.json says (`tool.cache`)."""

    used: bool
    from_cache: int = 0
    read: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {"used": self.used, "files_from_cache": self.from_cache, "files_read": self.read}
        return out | ({"notes": list(self.notes)} if self.notes else {})


def off(read: int, why: str | None = None) -> Use:
    return Use(False, 0, read, [why] if why else [])


@dataclass
class Hit:
    file: str
    sniffed: str
    shape: str
    again: bool
    unread: bool
    records: int | None
    problems: list


class TraceCache:
    """The cache as one scan uses it: `replay` before the scan, `keep` after (hooks of reader.Loader.run)."""

    def __init__(self, path: Path, hashes: dict[str, str]):
        self.path, self.hashes, self.version = path, hashes, scan_version()
        self.use = Use(True)
        self.sniffed: dict[str, str] = {}  # file -> its shape as sniffed (where its problems fall in the run's order)
        self.again: set[str] = set()
        self.hits: list[str] = []

    # -- before the scan --------------------------------------------------------------------------------------------
    def replay(self, loader, rels: list[str]) -> list[str]:
        """Puts the entries of `rels` found in the cache into the scan's tables, as their reading would; returns the
        files left to read."""
        wanted = [(self.hashes[rel], rel, i) for i, rel in enumerate(rels)]
        con = loader.con
        if not wanted:
            return rels
        if not self._attach(con):
            self.use.used = False  # consulted neither now nor, most likely, after the scan
            return rels
        try:
            hits = self._sound_hits(con, wanted)
        except duckdb.Error as exc:  # a foreign table under the expected name: never trusted
            self._detach(con)
            self._replace(f"the cache file could not be used ({_first_line(exc)}): replaced")
            return rels
        self._detach(con)
        if loader.started is not None and hits:
            loader.started.set()
        self._insert(loader, hits)
        self.hits = [h.file for h in hits]
        self.use.from_cache = len(hits)
        found = set(self.hits)
        return [rel for rel in rels if rel not in found]

    def _sound_hits(self, con, wanted: list[tuple[str, str, int]]) -> list[Hit]:
        con.execute("CREATE OR REPLACE TEMP TABLE cache_wanted (sha256 VARCHAR, file VARCHAR, idx INTEGER)")
        sql.insert_rows(con, "cache_wanted", ("VARCHAR", "VARCHAR", "INTEGER"), wanted)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE cache_found AS
            SELECT e.*, w.idx, e.version = ? AS current, {_DIGESTED} = e.digest AS sound
            FROM {_TABLE} e JOIN cache_wanted w USING (sha256, file)""", [self.version])
        foreign, unsound = con.execute("SELECT count_if(NOT current), count_if(current AND NOT sound) FROM cache_found").fetchone()
        if foreign:
            self.use.notes.append(f"{foreign} cache entr{'y' if foreign == 1 else 'ies'} of another tool or scan version "
                                  "ignored: those files read again")
        if unsound:
            self.use.notes.append(f"{unsound} cache entr{'y' if unsound == 1 else 'ies'} not matching its digest (altered "
                                  "or damaged) ignored: those files read again, the entries rebuilt")
        # one sound entry per file (a second one, written by a run beside this one, holds the same rows)
        con.execute("""CREATE OR REPLACE TEMP TABLE cache_hits AS
            SELECT * EXCLUDE (current, sound, rank) FROM (
                SELECT *, row_number() OVER (PARTITION BY file ORDER BY used DESC, digest) AS rank
                FROM cache_found WHERE current AND sound) WHERE rank = 1""")
        rows = con.execute("SELECT file, sniffed, shape, again, unread, records, problems FROM cache_hits ORDER BY idx").fetchall()
        return [Hit(f, s, sh, a, u, r, p) for f, s, sh, a, u, r, p in rows]

    def _insert(self, loader, hits: list[Hit]) -> None:
        """The hits' readings, groups and (files read in Python) traces into the scan's tables; their problems and
        counts into the loader, as `Loader._python` would have left them."""
        con = loader.con
        read = [h for h in hits if not h.unread]
        first = loader.next_reading
        loader.next_reading += len(read)
        numbers = [(h.file, first + i) for i, h in enumerate(read)]
        con.execute("CREATE OR REPLACE TEMP TABLE cache_numbers (file VARCHAR, reading INTEGER)")
        sql.insert_rows(con, "cache_numbers", ("VARCHAR", "INTEGER"), numbers)
        con.execute("CREATE OR REPLACE TEMP TABLE cache_read AS SELECT n.reading, h.* FROM cache_hits h JOIN cache_numbers n USING (file)")
        con.execute(f"INSERT INTO trace_readings SELECT reading, file, shape, NULL, true, shape = '{reader.PYTHON}' "
                    "FROM cache_read ORDER BY reading")
        con.execute("INSERT INTO trace_groups SELECT reading, g.region, g.user_name, g.service_type, g.read_name, g.read_bucket, "
                    "g.hour, g.n, g.lo, g.hi, g.bad FROM (SELECT reading, unnest(groups) AS g FROM cache_read)")
        con.execute("INSERT INTO trace_events SELECT reading, e.record, e.time, e.region, e.user_name, e.service_type, "
                    "e.read_name, e.read_bucket, false FROM (SELECT reading, unnest(events) AS e FROM cache_read ORDER BY reading)")
        for hit in hits:
            self.sniffed[hit.file] = hit.sniffed
            if hit.again:
                self.again.add(hit.file)
            if hit.unread:
                loader.unread.add(hit.file)
            elif hit.records is not None:
                loader.python_counts[hit.file] = hit.records
            loader.evidence.problems += [Problem(hit.file, p["record"], _reason_back(p["reason"])) for p in hit.problems]

    # -- after the scan ---------------------------------------------------------------------------------------------
    def keep(self, loader, rels: list[str], read: list[str], first_problem: int) -> None:
        """After the scan of `read` (the files of `rels` not found here): the problems of `rels` in the order an
        uncached scan raises them, and the entries of the files read into the cache."""
        con = loader.con
        self.sniffed.update({rel: loader.shapes[rel] for rel in read if rel in loader.shapes})
        self.again |= {f for (f,) in con.execute("SELECT file FROM trace_readings GROUP BY file HAVING count(*) > 1").fetchall()}
        self._reorder(loader.evidence.problems, first_problem, rels)
        if not self._attach(con):
            return
        try:
            self._store(loader, read, first_problem)
        except duckdb.Error as exc:
            self._detach(con)
            self._replace(f"the cache file could not be written ({_first_line(exc)}): replaced")
            return
        self._detach(con)

    def _reorder(self, problems: list[Problem], start: int, rels: list[str]) -> None:
        """The scan's problems (from `start`) sorted as an uncached scan raises them: by the query reading the file
        (reader.by_query's order), in the files' order; the files read again after the scan (`again`) last, by path."""
        index = {rel: i for i, rel in enumerate(rels)}

        def order(problem: Problem) -> tuple:
            rel = problem.file
            if rel in self.again:
                return (1, "", "", False, 0, rel)
            return (0, self.sniffed.get(rel, ""), key_region(rel) or "", may_read_buckets(rel), index.get(rel, 0), "")

        problems[start:] = sorted(problems[start:], key=order)  # stable: a file's own problems keep their order

    def _store(self, loader, read: list[str], first_problem: int) -> None:
        con = loader.con
        problems: dict[str, list[tuple[str | None, str]]] = {}
        for p in loader.evidence.problems[first_problem:]:
            problems.setdefault(p.file, []).append((p.record, _reason_kept(p)))
        rows = [(self.hashes[rel], rel, self.sniffed.get(rel, reader.PYTHON), rel in self.again, rel in loader.unread,
                 loader.python_counts.get(rel), [{"record": r, "reason": why} for r, why in problems.get(rel, [])])
                for rel in read]
        con.execute("CREATE OR REPLACE TEMP TABLE cache_new (sha256 VARCHAR, file VARCHAR, sniffed VARCHAR, again BOOLEAN, "
                    "unread BOOLEAN, records BIGINT, problems STRUCT(record VARCHAR, reason VARCHAR)[])")
        sql.insert_rows(con, "cache_new", ("VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN", "BOOLEAN", "BIGINT",
                                           "STRUCT(record VARCHAR, reason VARCHAR)[]"), rows)
        now = "now()::TIMESTAMPTZ"
        con.execute("BEGIN")
        con.execute(f"DELETE FROM {_TABLE} e USING cache_new n WHERE e.sha256 = n.sha256 AND e.file = n.file")
        # each file's live reading: its groups, and its traces when it was read in Python
        con.execute(f"""INSERT INTO {_TABLE}
            WITH live AS (SELECT reading, file, shape FROM trace_readings WHERE live AND file IN (SELECT file FROM cache_new)),
            g AS (SELECT reading, list(struct_pack(region, user_name, service_type, read_name, read_bucket, hour, n, lo, hi, bad)
                                       ORDER BY hour, region, user_name, service_type, read_name, read_bucket, lo, hi, n) AS groups
                  FROM trace_groups WHERE reading IN (SELECT reading FROM live) GROUP BY reading),
            e AS (SELECT reading, list(struct_pack(record, time, region, user_name, service_type, read_name, read_bucket)
                                       ORDER BY rowid) AS events
                  FROM trace_events WHERE reading IN (SELECT reading FROM live WHERE shape = '{reader.PYTHON}') GROUP BY reading),
            fresh AS (SELECT n.sha256, n.file, ?::VARCHAR AS version, n.sniffed, coalesce(live.shape, '{reader.PYTHON}') AS shape,
                            n.again, n.unread, n.records, n.problems, coalesce(g.groups, []) AS groups,
                            coalesce(e.events, []) AS events
                     FROM cache_new n LEFT JOIN live USING (file) LEFT JOIN g USING (reading) LEFT JOIN e USING (reading))
            SELECT *, {_DIGESTED}, {now} FROM fresh""", [self.version])
        if self.hits:
            con.execute(f"UPDATE {_TABLE} e SET used = {now} FROM cache_hits h WHERE e.sha256 = h.sha256 AND e.file = h.file "
                        "AND e.version = h.version AND e.digest = h.digest")
        con.execute(f"DELETE FROM {_TABLE} WHERE used < {now} - INTERVAL {MAX_AGE_DAYS} DAY")
        con.execute(f"""DELETE FROM {_TABLE} e USING (SELECT sha256, file, digest FROM (
            SELECT sha256, file, digest, row_number() OVER (ORDER BY used DESC, file) AS age FROM {_TABLE}) WHERE age > ?) old
            WHERE e.sha256 = old.sha256 AND e.file = old.file AND e.digest = old.digest""", [MAX_ENTRIES])
        con.execute("COMMIT")

    # -- the file ---------------------------------------------------------------------------------------------------
    def _attach(self, con) -> bool:
        """Attaches the cache file (made if absent), waiting while another run holds it; False when it cannot be."""
        deadline = time.monotonic() + LOCK_WAIT_S
        replaced = False
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                con.execute(f"ATTACH '{_quoted(self.path)}' AS {_DB}")
                con.execute(_SCHEMA)
                return True
            except OSError as exc:
                return self._give_up(f"the cache folder {self.path.parent} cannot be used ({exc.strerror or exc})")
            except duckdb.Error as exc:
                self._detach(con)
                if _is_lock(exc):
                    if time.monotonic() < deadline:
                        time.sleep(0.2)
                        continue
                    return self._give_up(f"the cache file {self.path} stayed in use by another run for {LOCK_WAIT_S:g} s")
                if replaced:
                    return self._give_up(f"the cache file {self.path} cannot be made ({_first_line(exc)})")
                self._replace(f"the cache file could not be opened ({_first_line(exc)}): replaced")
                replaced = True

    def _give_up(self, why: str) -> bool:
        self.use.notes.append(f"{why}: the files read without the cache")
        return False

    def _replace(self, note: str) -> None:
        self.use.notes.append(note)
        for suffix in ("", ".wal"):
            try:
                os.remove(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                pass  # attaching again says what is wrong

    @staticmethod
    def _detach(con) -> None:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # no transaction open
        try:
            con.execute(f"DETACH DATABASE IF EXISTS {_DB}")
        except duckdb.Error:
            pass


def _is_lock(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflict" in text or "could not set" in text)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _reason_kept(problem: Problem) -> str:
    """A problem's reason as kept: its template too, so that a hit renders in French as well."""
    from hds_audit.i18n.messages import kept

    return kept(problem.template if problem.template is not None else problem.reason)


def _reason_back(text: str):
    from hds_audit.i18n.messages import unkept

    return unkept(text)
