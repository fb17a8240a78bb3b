"""Files hashed in a thread once they were read (`Bundle.record_later`): the manifest still lists each with
its own hash, and a file gone before its turn is not listed."""

from __future__ import annotations

import hashlib
import threading

from hds_audit.evidence.bundle import Bundle


def test_hashes_arrive_in_the_same_entries_and_reads_waits_for_them(tmp_path):
    (tmp_path / "a.json").write_bytes(b"[1]")
    (tmp_path / "b.json").write_bytes(b"[22]")
    bundle = Bundle(str(tmp_path))
    gate = threading.Event()

    def read(rel: str) -> bytes:
        gate.wait(5)  # the hashing is held until the caller has set its own fields
        return (tmp_path / rel).read_bytes()

    bundle.record_later(["a.json", "b.json"], read)
    entry = bundle.record("a.json")
    assert entry.sha256 == ""  # not hashed yet: the caller can still set records and times
    entry.records = 1
    gate.set()
    reads = bundle.reads()
    assert [r.path for r in reads] == ["a.json", "b.json"]
    assert reads[0] is entry and entry.records == 1
    assert entry.sha256 == hashlib.sha256(b"[1]").hexdigest() and entry.size == 3
    assert reads[1].sha256 == hashlib.sha256(b"[22]").hexdigest() and reads[1].size == 4


def test_a_file_that_cannot_be_read_any_more_is_not_listed(tmp_path):
    (tmp_path / "a.json").write_bytes(b"[1]")
    bundle = Bundle(str(tmp_path))

    def read(rel: str) -> bytes:
        if rel == "gone.json":
            raise FileNotFoundError(rel)
        return (tmp_path / rel).read_bytes()

    bundle.record_later(["a.json", "gone.json"], read)
    assert [r.path for r in bundle.reads()] == ["a.json"]


def test_a_file_recorded_before_is_not_hashed_again(tmp_path):
    (tmp_path / "a.json").write_bytes(b"[1]")
    bundle = Bundle(str(tmp_path))
    first = bundle.record("a.json")
    calls = []
    bundle.record_later(["a.json"], lambda rel: calls.append(rel) or b"")
    assert bundle.reads() == [first] and calls == []
