"""Stage 1, read: find article files, decompress and decode them safely.

Everything here treats input as hostile: sizes are capped (including what a
compressed file expands to), binary data is recognised and refused with a
reason, and encodings are detected rather than assumed.  Record files (JSON,
JSONL, CSV) are streamed record by record so a huge export never sits in
memory.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import fnmatch
import gzip
import io
import json
import lzma
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .models import RawDocument

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

#: Largest document (after decompression) we accept; larger ones are skipped
#: with a reason.  Real articles are kilobytes; this only stops accidents.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: Record files are streamed, so they may be far larger than one document.
MAX_RECORD_LINE_BYTES = 16 * 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read as articles; the message is the reason."""


@dataclass
class FoundFile:
    path: Path
    kind: str  # "text", "html" or "records"
    compression: str | None


def classify(path: Path) -> FoundFile | None:
    """Decide from its name how a file is read; None means not an article file."""
    # String operations, not Path objects: a scan classifies every file of the
    # archive on every run, and two Path objects per file were most of its time.
    name = path.name.lower()
    compression = None
    stem_suffix = _suffix(name)
    if stem_suffix in COMPRESSED_SUFFIXES:
        compression = stem_suffix
        stem_suffix = _suffix(name[: -len(stem_suffix)])
    if stem_suffix in TEXT_SUFFIXES:
        return FoundFile(path, "text", compression)
    if stem_suffix in HTML_SUFFIXES:
        return FoundFile(path, "html", compression)
    if stem_suffix in RECORD_SUFFIXES:
        return FoundFile(path, "records", compression)
    return None


def _suffix(name: str) -> str:
    """``PurePath(name).suffix`` for a bare file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def discover(
    paths: Iterable[str | os.PathLike[str]],
    *,
    follow_links: bool = False,
    on_ignored: callable | None = None,
) -> Iterator[FoundFile]:
    """Yield article files under ``paths`` in a stable (sorted) order.

    Directories are walked recursively; hidden files and folders are skipped.
    Symbolic links are not followed unless ``follow_links`` (a link loop or a
    link out of the tree is then still visited at most once per real path).
    Files given explicitly are read whatever their name, as plain text when the
    suffix is unknown.  ``on_ignored(path, reason)`` hears about files passed over.
    """
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            yield from _walk(root, follow_links, seen, on_ignored)
        elif root.exists() or root.is_symlink():
            if root.exists() and not root.is_file():
                raise ReadError(f"{given}: not a regular file")
            found = classify(root) or FoundFile(root, "text", None)
            real = os.path.realpath(root)
            if real not in seen:
                seen.add(real)
                yield found
        else:
            raise ReadError(f"{given}: no such file or directory")


IGNORE_FILE = ".newsindexignore"


def _ignore_patterns(directory: str) -> list[str]:
    """Glob patterns from a directory's ``.newsindexignore`` (one per line, # comments)."""
    try:
        with open(os.path.join(directory, IGNORE_FILE), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _walk(root: Path, follow_links: bool, seen: set[str], on_ignored) -> Iterator[FoundFile]:
    """Walk one directory tree in sorted order.

    A ``.newsindexignore`` file in any folder lists names (glob patterns) under
    that folder to leave out, like ``.gitignore``.  ``os.scandir`` entries carry
    the file type, so a re-run over 20,000 unchanged files costs no extra
    ``stat`` per file; real paths are resolved only when following links.
    """

    def report(path: str, reason: str) -> None:
        if on_ignored:
            on_ignored(path, reason)

    def visit(directory: str, rules: list[tuple[str, str]]) -> Iterator[FoundFile]:
        if follow_links:
            real_dir = os.path.realpath(directory)
            if real_dir in seen:
                return
            seen.add(real_dir)
        rules = rules + [(directory, pattern) for pattern in _ignore_patterns(directory)]
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            report(directory, f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith(".") or (rules and _ignored(entry.path, rules)):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link and not follow_links:
                    report(entry.path, "symbolic link not followed (use --follow-links)")
                    continue
                if entry.is_dir(follow_symlinks=follow_links):
                    yield from visit(entry.path, rules)
                    continue
                is_file = entry.is_file(follow_symlinks=follow_links)
            except OSError as exc:
                report(entry.path, f"cannot read: {exc.strerror or exc}")
                continue
            if not is_file:
                # FIFOs, sockets and devices: reading one could block forever.
                report(entry.path, "not a regular file")
                continue
            found = classify(Path(entry.path))
            if found is None:
                report(entry.path, "not an article file type")
                continue
            if follow_links:
                real = os.path.realpath(entry.path)
                if real in seen:
                    continue
                seen.add(real)
            yield found

    yield from visit(str(root), [])


def _ignored(path: str, rules: list[tuple[str, str]]) -> bool:
    for folder, pattern in rules:
        relative = os.path.relpath(path, folder)
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
            return True
    return False


def open_binary(found: FoundFile) -> io.BufferedIOBase:
    """Open a file for reading bytes, transparently decompressing it."""
    if found.compression:
        return COMPRESSED_SUFFIXES[found.compression](found.path, "rb")
    return open(found.path, "rb")


#: Bytes asked for first: most articles fit.  Asking for ``max_bytes + 1`` at once
#: made Python allocate (and the kernel map) 64 MB for every small file.
_FIRST_READ = 64 * 1024


def read_bytes(found: FoundFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole document, refusing files (or expansions) over ``max_bytes``."""
    try:
        with open_binary(found) as stream:
            first = min(_FIRST_READ, max_bytes + 1)
            data = stream.read(first)
            if len(data) == first and first <= max_bytes:  # more to come: the rest, up to the limit
                data += stream.read(max_bytes + 1 - first)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ReadError(_os_reason(exc)) from None
    if len(data) > max_bytes:
        what = "expands to" if found.compression else "is"
        raise ReadError(f"{what} over {max_bytes // (1024 * 1024)} MB; not an article")
    return data


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file vanished while reading"
    if isinstance(exc, (EOFError, lzma.LZMAError, gzip.BadGzipFile, OSError)) and not isinstance(
        exc, (IsADirectoryError,)
    ):
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return f"cannot read: {text}"
    return str(exc)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# C0 controls other than tab, newline, carriage return, form feed.
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BINARY_CHARS_RE = re.compile("[" + re.escape(_BINARY_BYTES.decode("ascii")) + "]")


def decode(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode document bytes, returning ``(text, encoding)``.

    Order of trust: a byte-order mark, then (for HTML) a declared charset, then
    strict UTF-8, then UTF-16 without a BOM, then Windows-1252 (which also
    covers Latin-1 text).  Binary data raises ``ReadError``.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise ReadError(f"invalid {encoding} despite its byte-order mark") from None
    sample = data[:8192]
    if sample.count(0) > len(sample) // 4:
        utf16 = _guess_utf16(sample)
        if utf16:
            try:
                return data.decode(utf16), utf16
            except UnicodeDecodeError:
                pass
        raise ReadError("binary file (not text)")
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii", "replace").lower()
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                codec = None
            if codec and codec not in {"utf-16-le", "utf-16-be", "utf-16", "utf-32"}:
                if codec in {"latin-1", "iso8859-1", "ascii"}:
                    codec = "cp1252"  # what browsers do for these labels
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass  # the declaration lied; fall through to detection
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        # cp1252 leaves five bytes undefined; map them as Latin-1 would.
        if "\ufffd" in text:
            text = data.decode("latin-1")
            encoding = "latin-1"
        else:
            encoding = "cp1252"
    if _looks_binary(text):
        raise ReadError("binary file (not text)")
    return text, encoding


def _guess_utf16(sample: bytes) -> str | None:
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2 or 1
    if odd_zeros > half * 0.6 and even_zeros < half * 0.1:
        return "utf-16-le"
    if even_zeros > half * 0.6 and odd_zeros < half * 0.1:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = len(_BINARY_CHARS_RE.findall(sample))
    return controls > max(4, len(sample) // 50)


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
        stat = found.path.stat()
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
    name = found.path.name.lower()
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


class JsonStream:
    """Records of a JSON file, parsed as they are read rather than whole.

    The file holds an array of records, an API wrapper object whose list of
    records sits under one of ``WRAPPER_KEYS`` (at any depth of such keys), or
    one record.  Each value is parsed by ``json``'s own C scanner
    (``JSONDecoder.raw_decode``) from a buffer refilled as needed, so speed is
    that of ``json.loads`` and memory that of the largest record.  Elements that
    are not objects are yielded for the caller to report; a syntax error ends
    the file with a ``ReadError`` giving its line, after the records before it.
    """

    def __init__(self, chunks: Iterable[str], max_chars: int = MAX_RECORD_LINE_BYTES) -> None:
        self.chunks = iter(chunks)
        self.max_chars = max_chars
        self.buffer = ""
        self.pos = 0
        self.line = 1  # line number at the start of the buffer
        self.ended = False
        self.decoder = json.JSONDecoder()

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
