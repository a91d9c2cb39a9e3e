"""Read a snapshot file one row at a time.

A snapshot of a million grants is ~150 MB of JSON; json.load would hold the whole text and then
every row as a dictionary (several times the file size) before the first row is typed.  This
reader walks the document's outer structure itself and decodes each value (a row, a view name,
`source`) with the json module's C scanner, reading the file in chunks, so only the typed rows
stay in memory.

Rows are decoded a buffer at a time where possible: the text from the current row up to the last
complete row in the buffer (or to the end of the array, if that comes first) is decoded as one
JSON array (in C), which is valid exactly when it is a sequence of complete values; when it is
not (a "}," inside a string, say), the rows are decoded one at a time instead.

It reads exactly JSON, but only the shape of a snapshot: anything unexpected raises StreamError,
and the caller then reads the file whole with json.load, which names the problem precisely.

    for key, value in read_snapshot(fh):        # the top-level members, in file order
        if isinstance(value, Views):
            for view, rows in value:            # rows: a Rows (iterate it) or another JSON value
                ...

Each Views / Rows is read as it is iterated; what the caller leaves unread is skipped.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, TextIO

CHUNK_SIZE = 1 << 20
MAX_VALUE_SIZE = 16 << 20  # a row is a few hundred bytes; larger values are not streamed
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON white space


class StreamError(ValueError):
    """Not a document this reader streams: read it whole instead."""


class _Buffer:
    """The unread part of the file, refilled a chunk at a time."""

    def __init__(self, fh: TextIO):
        self.fh = fh
        self.text = ""
        self.pos = 0
        self.eof = False
        self._decoder = json.JSONDecoder()
        self._decode = self._decoder.raw_decode
        self.batches = True  # whether values_in_buffer() may succeed before the next read

    def _more(self) -> None:
        chunk = self.fh.read(CHUNK_SIZE)
        if not chunk:
            self.eof = True
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        self.batches = True

    def next_char(self) -> str:
        """The next character that is not white space ('' at the end of the file), not consumed."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if self.eof:
                return ""
            self._more()

    def take(self, expected: str) -> None:
        if self.next_char() != expected:
            raise StreamError(f"expected {expected!r}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value."""
        self.next_char()
        while True:
            try:
                value, end = self._decode(self.text, self.pos)
                if end < len(self.text) or self.eof:
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof:
                    raise StreamError("not valid JSON") from None
            # The chunk ends inside the value (or right after a number, which may go on): read more.
            if len(self.text) - self.pos > MAX_VALUE_SIZE:
                raise StreamError("a value too large to stream")
            self._more()

    def values_in_buffer(self) -> list | None:
        """The array elements from here on, decoded at once: up to the array's end if it is in the
        buffer, else up to the last "}" in the buffer that a "," follows; None when there is no
        such "}" or the text up to it is not complete values."""
        if not self.batches:
            return None
        self.batches = False  # one attempt per buffer: failing ones must not repeat per value
        text, hi = self.text, len(self.text)
        for _ in range(8):  # the last few "}" may close enclosing objects, not rows
            end = text.rfind("}", self.pos, hi) + 1
            if end <= self.pos:
                return None
            after = _SPACE.match(text, end).end()
            if after < len(text) and text[after] == ",":
                # "[" + the text up to that "}" + "]": where the array ends before that "}" (the
                # buffer holds the end of a view and the start of the next), its own "]" closes
                # the decoded array first, and raw_decode stops there.
                decoded = "[" + text[self.pos:end] + "]"
                try:
                    values, stop = self._decode(decoded)
                except json.JSONDecodeError:
                    return None
                # past the last value: at the array's "]" (decoded[stop - 1] is text[self.pos + stop - 2])
                self.pos = end if stop == len(decoded) else self.pos + stop - 2
                self.batches = True
                return values
            hi = end - 1
        return None

    def end_of_member(self, closing: str) -> bool:
        """After a member of an object or array: True at its closing bracket, False after a comma."""
        c = self.next_char()
        self.pos += 1
        if c == closing:
            return True
        if c != ",":
            raise StreamError(f"expected ',' or {closing!r}")
        return False


class Rows:
    """The rows of one view (a JSON array), decoded as they are iterated: one at a time, or as
    lists of consecutive rows (batches(): a buffer's worth each, to type them column by column).
    Either way each row is read once."""

    def __init__(self, buf: _Buffer):
        self._batches = _array(buf)

    def batches(self) -> Iterator[list]:
        return self._batches

    def __iter__(self) -> Iterator[Any]:
        for batch in self._batches:
            yield from batch


class Views:
    """The "views" object: (view name, Rows or another JSON value), in file order."""

    def __init__(self, buf: _Buffer):
        self._items = _views(buf)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self._items


def read_snapshot(fh: TextIO) -> Iterator[tuple[str, Any]]:
    """(key, value) for each member of the document's top-level object; "views" is a Views."""
    buf = _Buffer(fh)
    buf.take("{")
    if buf.next_char() == "}":
        buf.pos += 1
    else:
        while True:
            key = buf.value()
            if not isinstance(key, str):
                raise StreamError("expected a name")
            buf.take(":")
            if key == "views" and buf.next_char() == "{":
                views = Views(buf)
                yield key, views
                for _ in views:  # skip what the caller did not read
                    pass
            else:
                yield key, buf.value()
            if buf.end_of_member("}"):
                break
    if buf.next_char() != "":
        raise StreamError("extra data after the document")


def _views(buf: _Buffer) -> Iterator[tuple[str, Any]]:
    buf.take("{")
    if buf.next_char() == "}":
        buf.pos += 1
        return
    while True:
        view = buf.value()
        if not isinstance(view, str):
            raise StreamError("expected a view name")
        buf.take(":")
        if buf.next_char() == "[":
            rows = Rows(buf)
            yield view, rows
            for _ in rows:  # skip what the caller did not read
                pass
        else:
            yield view, buf.value()
        if buf.end_of_member("}"):
            return


def _array(buf: _Buffer) -> Iterator[list]:
    """The array's elements, in lists of consecutive ones."""
    buf.take("[")
    if buf.next_char() == "]":
        buf.pos += 1
        return
    while True:
        values = buf.values_in_buffer()
        if values:
            yield values
        else:
            yield [buf.value()]
        if buf.end_of_member("]"):
            return
