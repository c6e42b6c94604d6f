"""Archive lines read within bounds, because an archive is anyone's file: a line's length, its
JSON's depth and its numbers are checked before they can cost more than one skipped line.

A line longer than the record limit (ARCHIVE_RECORD_MAX_BYTES) is skipped while it is read, a
chunk at a time, so a huge line costs a chunk of memory rather than its size. JSON nested deeper
than any record needs, or spelling Infinity or NaN, is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 20  # what skipping an over-long line holds at a time
JSON_DEPTH_MAX = 32  # an X API page nests about 7 deep; Python's parser gives up near 1000
_STRING = re.compile(rb'"[^"]*"')  # once escaped quotes and backslashes are taken out
_PAIR = re.compile(rb"\[\]|\{\}")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


class RecordTooLong(ValueError):
    """A record longer than the limit: skipped, not read whole."""


def lines_bounded(stream: IO[bytes], *, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) per line of a binary stream; None for a line over `limit` bytes."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            _rest_skipped(stream, line)
            yield number, None
        else:
            yield number, line


def _rest_skipped(stream: IO[Any], line: Any) -> None:
    newline: tuple[Any, ...] = (b"\n",) if isinstance(line, bytes) else ("\n", "\r")
    while line and not line.endswith(newline):
        line = stream.readline(CHUNK)


class TextLines:
    """The lines of a text stream for the csv reader, each record at most `limit` characters:
    a longer one raises RecordTooLong with the rest of its line skipped unread. The reader
    calls `record_done` after each record; `number` is the last line handed out."""

    def __init__(self, text: IO[str], *, limit: int) -> None:
        self._text = text
        self._limit = limit
        self._used = 0  # characters of the record being read
        self.number = 0

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit - self._used + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self._used += len(line)
        if self._used > self._limit:
            _rest_skipped(self._text, line)
            self._used = 0
            raise RecordTooLong("record over the size limit")
        return line

    def record_done(self) -> None:
        self._used = 0


def json_bounded(raw: bytes) -> Any:
    """One line's JSON value; ValueError if it nests deeper than JSON_DEPTH_MAX or spells
    Infinity or NaN (no column holds them)."""
    # No more opening brackets than the limit: no deeper either (most jsonl records).
    if raw.count(b"[") + raw.count(b"{") > JSON_DEPTH_MAX:
        _depth_checked(raw)
    return json.loads(raw, parse_constant=_constant_refused)


def _depth_checked(raw: bytes) -> None:
    # With its strings taken out, a JSON text's brackets must pair up, innermost first, in
    # at most JSON_DEPTH_MAX rounds; the parser itself would recurse once per level. Only \\
    # and \" can end or hide a string's end, read left to right as bytes.replace reads them.
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"") if b"\\" in raw else raw
    brackets = _STRING.sub(b"", text.translate(None, _NOT_STRUCTURE))
    depth = 0
    while brackets:
        depth += 1
        brackets, paired = _PAIR.subn(b"", brackets)
        if depth > JSON_DEPTH_MAX or not paired:
            raise ValueError(f"JSON nested deeper than {JSON_DEPTH_MAX} or unbalanced")


def _constant_refused(name: str) -> Any:
    raise ValueError(f"{name} is not a number a column can hold")
