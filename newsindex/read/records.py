"""The documents in one file: text and HTML whole, record files (JSON, JSONL, CSV) streamed record by record."""

from __future__ import annotations

import codecs
import csv
import io
import json
import lzma
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..models import RawDocument
from .decoding import _BOMS, _guess_utf16, _looks_binary, decode
from .files import DEFAULT_MAX_BYTES, FoundFile, ReadError, _os_reason, open_binary, read_bytes

#: Record files are streamed, so they may be far larger than one document.
MAX_RECORD_LINE_BYTES = 16 * 1024 * 1024


def read_documents(
    found: FoundFile, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None
) -> Iterator[RawDocument]:
    """Yield the documents in one file: one for text and HTML, many for records.

    Raises ``ReadError`` when the file as a whole cannot be read.  Bad records
    inside a record file are yielded as ``RawDocument(kind="error")`` with
    the reason in ``text``, so the caller can report them and carry on.
    ``data``: a text or HTML file's bytes, when the caller has read them already.
    """
    try:
        stat = os.stat(found.path)
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    path = str(found.path)
    if found.kind == "records":
        yield from _read_records(found, path, stat, max_bytes)
        return
    if data is None:
        data = read_bytes(found, max_bytes)
    text, encoding = decode(data, html=found.kind == "html")
    yield RawDocument(
        path=path,
        kind=found.kind,
        text=text,
        encoding=encoding,
        size=stat.st_size,
        mtime=stat.st_mtime,
    )


def _record_format(found: FoundFile) -> str:
    name = os.path.basename(found.path).lower()
    if found.compression:
        name = name[: -len(found.compression)]
    return Path(name).suffix.lstrip(".")


def _read_records(found: FoundFile, path: str, stat: os.stat_result, max_bytes: int) -> Iterator[RawDocument]:
    fmt = _record_format(found)

    def make(record: object, number: int) -> RawDocument:
        if not isinstance(record, dict):
            return RawDocument(path=path, kind="error", text=f"record {number}: not a JSON object", record_no=number)
        return RawDocument(
            path=path, kind="record", record=record, record_no=number, size=stat.st_size, mtime=stat.st_mtime
        )

    try:
        stream = open_binary(found)
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    if fmt == "json":
        with stream:
            try:
                for number, record in JsonStream(_text_chunks(stream)).records():
                    yield make(record, number)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise ReadError(_os_reason(exc)) from None
        return
    with stream:
        text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            if fmt == "csv":
                csv.field_size_limit(MAX_RECORD_LINE_BYTES)
                reader = csv.DictReader(text_stream)
                for number, row in enumerate(reader, 1):
                    yield make({k: v for k, v in row.items() if k}, number)
                return
            for number, line in enumerate(text_stream, 1):
                if not line.strip():
                    continue
                if len(line) > MAX_RECORD_LINE_BYTES:
                    yield RawDocument(
                        path=path, kind="error", text=f"line {number}: longer than 16 MB", record_no=number
                    )
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield RawDocument(
                        path=path, kind="error", text=f"line {number}: invalid JSON ({exc.msg})", record_no=number
                    )
                    continue
                yield make(record, number)
        except (OSError, EOFError, lzma.LZMAError, csv.Error) as exc:
            raise ReadError(_os_reason(exc) if not isinstance(exc, csv.Error) else f"invalid CSV: {exc}") from None


#: Keys of API response wrappers that hold the list of articles
#: (``{"articles": [...]}``, ``{"response": {"results": [...]}}``).
WRAPPER_KEYS = frozenset({"articles", "results", "items", "data", "docs", "records", "response"})
#: Text decoded and scanned at a time when streaming a JSON file.
JSON_CHUNK_CHARS = 1 << 20
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _text_chunks(stream: io.BufferedIOBase, size: int | None = None) -> Iterator[str]:
    """Decode a byte stream incrementally, the encoding chosen as ``decode`` would from its start."""
    head = stream.read(min(64 * 1024, size or JSON_CHUNK_CHARS))
    encoding = None
    for bom, name in _BOMS:
        if head.startswith(bom):
            encoding = name
            break
    if encoding is None:
        if head.count(0) > len(head) // 4:
            encoding = _guess_utf16(head)
            if encoding is None:
                raise ReadError("binary file (not text)")
        else:
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1252"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head)
    if _looks_binary(text):
        raise ReadError("binary file (not text)")
    while True:
        if text:
            yield text
        block = stream.read(size or JSON_CHUNK_CHARS)
        if not block:
            break
        text = decoder.decode(block)
    rest = decoder.decode(b"", final=True)
    if rest:
        yield rest


class _JsonBuffer:
    """The text of a JSON file read so far, and its values parsed one at a time with ``json``'s scanner."""

    def __init__(self, chunks: Iterable[str], max_chars: int = MAX_RECORD_LINE_BYTES) -> None:
        self.chunks = iter(chunks)
        self.max_chars = max_chars
        self.buffer = ""
        self.pos = 0
        self.line = 1  # line number at the start of the buffer
        self.ended = False
        self.decoder = json.JSONDecoder()

    def _peek(self) -> str:
        """The next character that is not white space ('' at the end), skipping to it."""
        while True:
            self.pos = _JSON_SPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def _more(self, wanted: int = 0) -> bool:
        """Drop the text read already and add at least ``wanted`` more characters; False at the end."""
        if self.ended:
            return False
        self.line += self.buffer.count("\n", 0, self.pos)
        parts = [self.buffer[self.pos :]]
        self.pos = 0
        added = 0
        for chunk in self.chunks:
            parts.append(chunk)
            added += len(chunk)
            if added >= wanted:
                break
        else:
            self.ended = True
        self.buffer = "".join(parts)
        return added > 0

    def _value(self, number: int | None = None) -> object:
        """Parse the value at ``pos``, reading more of the file while it is cut short."""
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buffer) - 8
                if cut and self._grow(number):
                    continue
                self._fail(exc.msg.removesuffix(" starting at"), exc.pos, number)
            except RecursionError:
                what = f"record {number}" if number is not None else "JSON"
                raise ReadError(f"{what}: nested too deeply to process") from None
            if end < len(self.buffer) or not self._grow(number):
                # A value that reaches the end of the buffer may be a number cut short: read on first.
                self.pos = end
                return value

    def _grow(self, number: int | None) -> bool:
        """Read more for the value at ``pos`` (twice what is buffered); False at the end."""
        if len(self.buffer) - self.pos > self.max_chars:
            what = f"record {number}" if number is not None else "a JSON value"
            raise ReadError(f"{what} at line {self._line_at(self.pos)}: longer than {self.max_chars // 2**20} MB")
        return self._more(max(JSON_CHUNK_CHARS, len(self.buffer) - self.pos))

    def _line_at(self, position: int) -> int:
        return self.line + self.buffer.count("\n", 0, position)

    def _fail(self, message: str, position: int, number: int | None = None) -> None:
        where = f"line {self._line_at(position)}" + (f" (record {number})" if number is not None else "")
        raise ReadError(f"invalid JSON at {where}: {message}")


class JsonStream(_JsonBuffer):
    """Records of a JSON file, parsed as they are read rather than whole.

    The file holds an array of records, an API wrapper object whose list of
    records sits under one of ``WRAPPER_KEYS`` (at any depth of such keys), or
    one record.  Each value is parsed by ``json``'s own C scanner
    (``JSONDecoder.raw_decode``) from a buffer refilled as needed, so speed is
    that of ``json.loads`` and memory that of the largest record.  Elements that
    are not objects are yielded for the caller to report; a syntax error ends
    the file with a ``ReadError`` giving its line, after the records before it.
    """

    def records(self) -> Iterator[tuple[int, object]]:
        """(number, value) of each record, numbered from 1."""
        start = self._peek()
        if start == "[":
            self.pos += 1
            yield from self._elements()
        elif start == "{":
            self.pos += 1
            single = yield from self._object()
            if single is not None:
                yield 1, single
        elif start == "":
            raise ReadError("invalid JSON at line 1: empty file")
        else:
            self._value()  # a scalar, or a syntax error with its line
            raise ReadError("JSON is neither an object nor an array of objects")
        if self._peek() != "":
            self._fail("extra data after the JSON value", self.pos)

    def _elements(self) -> Iterator[tuple[int, object]]:
        """The elements of an array whose ``[`` was just read."""
        number = 0
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            number += 1
            yield number, self._value(number)
            following = self._peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                self._fail(f"expecting ',' or ']' after record {number}", self.pos - 1)

    def _object(self) -> Iterator[tuple[int, object]]:
        """Members of an object whose ``{`` was just read.  Streams the first list of
        objects under a wrapper key, looking into objects under wrapper keys too;
        returns the object itself when it held no such list, else None."""
        members: dict = {}
        streamed = False
        if self._peek() == "}":
            self.pos += 1
            return members
        while True:
            if self._peek() != '"':
                self._fail("expecting a property name in double quotes", self.pos)
            key = self._value()
            if self._peek() != ":":
                self._fail("expecting ':' after a property name", self.pos)
            self.pos += 1
            opening = self._peek()
            if not streamed and key in WRAPPER_KEYS and opening == "[":
                self.pos += 1
                if self._peek() == "{":  # a list of records
                    yield from self._elements()
                    streamed = True
                else:
                    members[key] = [value for _number, value in self._elements()]
            elif not streamed and key in WRAPPER_KEYS and opening == "{":
                self.pos += 1
                inner = yield from self._object()
                if inner is None:
                    streamed = True
                else:
                    members[key] = inner
            else:
                members[key] = self._value()
            following = self._peek()
            self.pos += 1
            if following == "}":
                return None if streamed else members
            if following != ",":
                self._fail("expecting ',' or '}' in an object", self.pos - 1)
