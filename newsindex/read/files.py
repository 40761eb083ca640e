"""Find article files: walk directories, honour ignore files, classify by suffix, read bytes with a cap."""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import io
import lzma
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}

#: Largest document (after decompression) we accept; larger ones are skipped
#: with a reason.  Real articles are kilobytes; this only stops accidents.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read as articles; the message is the reason."""


@dataclass
class FoundFile:
    path: Path
    kind: str  # "text", "html" or "records"
    compression: str | None


def _suffix(name: str) -> str:
    """``PurePath(name).suffix`` for a bare file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


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


def discover(
    paths: Iterable[str | os.PathLike[str]],
    *,
    follow_links: bool = False,
    on_ignored: callable | None = None,
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[FoundFile]:
    """Yield article files under ``paths`` in a stable (sorted) order.

    Directories are walked recursively; hidden files and folders are skipped.
    Symbolic links are not followed unless ``follow_links`` (a link loop or a
    link out of the tree is then still visited at most once per real path).
    Files given explicitly are read whatever their name, as plain text when the
    suffix is unknown.  ``on_ignored(path, reason)`` hears about files passed over.
    Folders in ``skip`` (the index being written, when it lies inside the tree it
    indexes) are passed over silently, however they are reached.
    """
    seen: set[str] = set()
    skipped = {os.path.realpath(folder) for folder in skip}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            if os.path.realpath(root) not in skipped:
                yield from _walk(root, follow_links, seen, on_ignored, skipped)
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


def _child(folder: Path, name: str, path: str) -> Path:
    """``folder / name`` without parsing the whole path again: a scan makes one Path per
    file of the archive, and parsing was most of the walk's time (at 200,000 files,
    seconds).  ``_make_child_relpath`` is how pathlib's own ``iterdir`` does it."""
    make = getattr(folder, "_make_child_relpath", None)
    if make is None:
        return Path(path)
    try:
        return make(name)
    except (TypeError, AttributeError):  # another Python's private signature
        return Path(path)


def _walk(root: Path, follow_links: bool, seen: set[str], on_ignored, skipped: set[str]) -> Iterator[FoundFile]:
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
        folder = Path(directory)
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
                    if not (skipped and os.path.realpath(entry.path) in skipped):
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
            found = classify(_child(folder, entry.name, entry.path))
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
