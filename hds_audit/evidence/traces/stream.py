"""The records of one trace file read as a stream, one at a time, for a file too large to be read whole in Python
(past files.PYTHON_MAX_BYTES expanded) that DuckDB reads within its memory limit: the Spark store's executors
read such a file with this.

The records are those files.parse_file would give without its limit, by construction rather than by a second
parser: the same JSON decoder (records.strict_loads, duplicate keys refused) run on one value at a time, the
same rules (one document: an array, a {"traces": [...]} envelope or one object; else JSON lines, split where
str.splitlines splits), the same UTF-8 (one BOM skipped), the same gzip members and decompression-bomb guard
(files.inflated). What is exact here is whether the file reads and what it holds, not why it does not: any
ValueError means "does not read", and the caller refuses the file in the DuckDB store's words for it. A file that
would hold a record that is no object (an array followed by more lines, a file of numbers) may be refused here
outright: such a file is refused whole past the limit either way.
"""

from __future__ import annotations

import codecs
import json
import re
from json.decoder import WHITESPACE
from typing import Iterator

from hds_audit.evidence.records import _refuse_duplicates
from hds_audit.evidence.traces.files import inflated, is_gzip

SLICE = 16 * 1024  # bytes inflated at a time: at most 16 MiB of text (deflate expands ~1000 times at most)
TRIM = 1024 * 1024  # the text already decoded is dropped from the buffer past this
# one value (a trace, an envelope's other field) longer than this is not waited for: the file is refused (DuckDB's
# read_json refuses objects past 16 MB too)
VALUE_MAX = 16 * 1024**2
SPACE = re.compile(r"\s*")  # str.isspace's characters: what str.strip strips
DECODER = json.JSONDecoder(object_pairs_hook=_refuse_duplicates)


def records(rel: str, raw: bytes) -> Iterator[object]:
    """The records of the file `rel` of bytes `raw`, in order (ValueError where it stops reading)."""
    text = _Text(_chunks(rel, raw))
    text.skip_space()
    first = text.peek()
    if not first:
        raise ValueError("empty file")
    if first == "[":
        yield from _array(text)
    elif (head := _small_value(_Text(_chunks(rel, raw)))) is None:
        if first != "{":
            raise ValueError("not JSON")
        yield from _object(text)  # one large object: an envelope (or a huge trace)
    else:
        value, rest = head
        if rest:  # more than one value: JSON lines, as parse_file reads them once the whole fails
            yield from _lines(_Text(_chunks(rel, raw)))
        elif isinstance(value, dict):  # the document was this one small object
            yield from (value["traces"] if isinstance(value.get("traces"), list) else [value])
        else:
            raise ValueError("neither a trace, a list of traces nor an envelope")
        return
    text.skip_space()
    if text.peek():  # parse_file: "Extra data" for the whole, and JSON lines would not hold traces only
        raise ValueError("more after the document")


def _chunks(rel: str, raw: bytes) -> Iterator[str]:
    data = (raw[i:i + SLICE] for i in range(0, len(raw), SLICE))
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for chunk in inflated(data) if is_gzip(rel) else data:
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


class _Text:
    """The text read so far (`buf`, from `pos` on), refilled chunk by chunk."""

    def __init__(self, chunks: Iterator[str]):
        self.chunks, self.buf, self.pos, self.eof = chunks, "", 0, False

    def more(self, at_least: int = 1) -> bool:
        """Reads until `at_least` characters more are in the buffer or the text ends; False if nothing came."""
        if self.pos > TRIM:
            self.buf, self.pos = self.buf[self.pos:], 0
        start = len(self.buf)
        parts = [self.buf]
        got = 0
        while got < at_least and not self.eof:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
            else:
                parts.append(chunk)
                got += len(chunk)
        self.buf = "".join(parts)
        return len(self.buf) > start

    def peek(self) -> str:
        while self.pos >= len(self.buf) and self.more():
            pass
        return self.buf[self.pos:self.pos + 1]

    def take(self) -> str:
        char = self.peek()
        self.pos += len(char)
        return char

    def skip_ws(self) -> None:
        """JSON's whitespace, as the decoder skips it between tokens."""
        while True:
            self.pos = WHITESPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return

    def skip_space(self) -> None:
        """Whatever str.strip strips (parse_file strips the text before decoding it)."""
        while True:
            self.pos = SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return

    def value(self) -> object:
        """The JSON value at `pos`, decoded whole; ValueError if it does not decode or is longer than VALUE_MAX."""
        while True:
            try:
                value, end = DECODER.raw_decode(self.buf, self.pos)
                if end < len(self.buf) or self.eof:  # else a number may go on in the next chunk
                    self.pos = end
                    return value
            except ValueError:
                if self.eof:
                    raise
            pending = len(self.buf) - self.pos
            if pending > VALUE_MAX:
                raise ValueError(f"a value longer than {VALUE_MAX} characters")
            self.more(max(TRIM, pending))  # doubles what is pending: each value decoded a few times at most


def _small_value(text: _Text) -> tuple[object, bool] | None:
    """(the first value, whether anything but space follows) if it decodes within VALUE_MAX, else None."""
    text.skip_space()
    try:
        value = text.value()
    except ValueError:
        return None
    text.skip_space()
    return value, bool(text.peek())


def _array(text: _Text) -> Iterator[object]:
    """The items of the array at `pos`, as the decoder reads one: `[` ws (value ws (`,` ws value ws)*)? `]`."""
    text.take()
    text.skip_ws()
    if text.peek() == "]":
        text.take()
        return
    while True:
        text.skip_ws()
        yield text.value()
        if _closed(text, "]"):
            return


def _closed(text: _Text, close: str) -> bool:
    """After an item: True at the closing `close`, False after a `,`; anything else is the decoder's error."""
    text.skip_ws()
    char = text.take()
    if char == close:
        return True
    if char != ",":
        raise ValueError("expecting ',' delimiter")
    return False


def _object(text: _Text) -> Iterator[object]:
    """The traces of an envelope, or the object itself if it holds no `traces` array: parse_file's document rule."""
    text.take()
    pairs: list[tuple[str, object]] = []
    streamed = False
    text.skip_ws()
    if text.peek() == "}":
        text.take()
    else:
        while True:
            text.skip_ws()
            if text.peek() != '"':
                raise ValueError("expecting property name enclosed in double quotes")
            key = text.value()
            if any(k == key for k, _ in pairs):
                raise ValueError(f'duplicate key "{key}" in one object')
            text.skip_ws()
            if text.take() != ":":
                raise ValueError("expecting ':' delimiter")
            text.skip_ws()
            if key == "traces" and text.peek() == "[":
                yield from _array(text)
                streamed = True
                pairs.append((key, None))
            else:
                pairs.append((key, text.value()))
            if _closed(text, "}"):
                break
    if not streamed:
        yield dict(pairs)


def _lines(text: _Text) -> Iterator[object]:
    """files._json_lines over the stream: every line that is not blank decodes whole; the text is stripped first."""
    text.skip_space()
    carry, last = text.buf[text.pos:], None
    text.buf, text.pos = "", 0
    while True:
        more = text.more()
        carry += text.buf
        text.buf = ""
        lines = carry.splitlines(keepends=True)
        carry = lines.pop() if more and lines else ""  # the last line may go on in the next chunk
        for line in lines:
            if line.strip():
                if last is not None:
                    yield DECODER.decode(last)
                last = line.splitlines()[0]  # without its line break, as str.splitlines gives it
        if not more:
            break
    if last is not None:
        yield DECODER.decode(last.rstrip())  # the text's end is stripped
