"""Find article files: walk directories, honour ignore files, classify by suffix, read bytes with a cap."""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import io
import lzma
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
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
    path: str | Path  # text where files are found by the thousand (a Path costs a few microseconds)
    kind: str  # "text", "html" or "records"
    compression: str | None


def _suffix(name: str) -> str:
    """``PurePath(name).suffix`` for a bare file name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def kind_of(name: str) -> tuple[str, str | None] | None:
    """``(kind, compression)`` of a file from its name alone; None: not an article file."""
    # String operations, not Path objects: a scan classifies every file of the
    # archive on every run.
    name = name.lower()
    compression = None
    stem_suffix = _suffix(name)
    if stem_suffix in COMPRESSED_SUFFIXES:
        compression = stem_suffix
        stem_suffix = _suffix(name[: -len(stem_suffix)])
    kind = _KINDS.get(stem_suffix)
    return (kind, compression) if kind else None


_KINDS = {
    **dict.fromkeys(TEXT_SUFFIXES, "text"),
    **dict.fromkeys(HTML_SUFFIXES, "html"),
    **dict.fromkeys(RECORD_SUFFIXES, "records"),
}
#: ``kind_of`` of an uncompressed name, by its last suffix (lower case).
_PLAIN_KINDS = {suffix: (kind, None) for suffix, kind in _KINDS.items()}


def classify(path: Path) -> FoundFile | None:
    """Decide from its name how a file is read; None means not an article file."""
    kind = kind_of(path.name)
    return FoundFile(path, *kind) if kind else None


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
    walked = walk_files(paths, follow_links=follow_links, on_ignored=on_ignored, skip=skip)
    for path, kind, compression, _entry in walked:
        yield FoundFile(Path(path), kind, compression)


#: What ``walk_files`` yields for each file: its path, kind and compression as
#: ``classify`` would say, and the ``os.DirEntry`` it was listed as (None for a
#: file given by name), whose ``stat()`` is the file's while the walk is at it.
Walked = tuple[str, str, "str | None", "os.DirEntry | None"]


def walk_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    follow_links: bool = False,
    on_ignored: callable | None = None,
    skip: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Walked]:
    """``discover`` in strings: the files it finds, without a ``Path`` object per file.

    An incremental run walks every file of the archive to find the few that
    changed; at 200,000 files the Path objects and ``FoundFile``s alone were
    seconds.  The caller makes a ``FoundFile`` for the files it reads.
    """
    seen: set[str] = set()
    skipped = {os.path.realpath(folder) for folder in skip}
    for given in paths:
        root = str(Path(given))
        if os.path.isdir(root):
            if os.path.realpath(root) not in skipped:
                yield from _walk(root, follow_links, seen, on_ignored, skipped)
        elif os.path.lexists(root):
            if os.path.exists(root) and not os.path.isfile(root):
                raise ReadError(f"{given}: not a regular file")
            kind, compression = kind_of(os.path.basename(root)) or ("text", None)
            real = os.path.realpath(root)
            if real not in seen:
                seen.add(real)
                yield root, kind, compression, None
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


#: ``on_folder(path, rules)``: a folder met by ``_walk``, with the ignore rules it inherits.
FolderFn = Callable[[str, list[tuple[str, str]]], None]


#: Whether folders can be listed through a descriptor here (Linux): an entry's ``stat()`` is
#: then relative to its folder (``fstatat``), not a walk down the whole path again (a tenth
#: less per file).
BY_DESCRIPTOR = os.scandir in os.supports_fd


def _walk(
    root: str,
    follow_links: bool,
    seen: set[str],
    on_ignored,
    skipped: set[str],
    rules: list[tuple[str, str]] | None = None,
    ordered: bool = True,
    on_folder: FolderFn | None = None,
    descriptor: bool = False,
) -> Iterator[Walked]:
    """Walk one directory tree in sorted order (in listing order unless ``ordered``).

    A ``.newsindexignore`` file in any folder lists names (glob patterns) under
    that folder to leave out, like ``.gitignore``; ``rules`` are those ``root``
    inherits from the folders above it.  ``os.scandir`` entries carry the file
    type, so a re-run over 20,000 unchanged files costs no extra ``stat`` per
    file; real paths are resolved only when following links.  One loop over a
    stack of folder listings (not a generator per folder): every file of the
    archive passes through it on every incremental run.  With ``on_folder``, the
    folders under ``root`` are handed to it instead of walked (see ``split_walk``).

    With ``descriptor`` (where ``BY_DESCRIPTOR``), each folder is listed through a
    descriptor, closed once the walk leaves the folder: an entry's ``stat()`` then holds
    only while the walk is at it, for a caller that stats each file as it comes.
    """

    def report(path: str, reason: str) -> None:
        if on_ignored:
            on_ignored(path, reason)

    by_descriptor = descriptor and BY_DESCRIPTOR

    def listing(directory: str, rules: list[tuple[str, str]]) -> tuple | None:
        if follow_links:
            real_dir = os.path.realpath(directory)
            if real_dir in seen:
                return None
            seen.add(real_dir)
        rules = rules + [(directory, pattern) for pattern in _ignore_patterns(directory)]
        handle = -1
        try:
            if by_descriptor:
                handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            with os.scandir(handle if by_descriptor else directory) as entries:
                listed = sorted(entries, key=_NAME) if ordered else list(entries)
        except OSError as exc:
            if handle >= 0:
                os.close(handle)
            report(directory, f"cannot list folder: {exc.strerror or exc}")
            return None
        prefix = directory if directory.endswith(os.sep) else directory + os.sep  # "/" stays "/"
        return iter(listed), rules, prefix, handle

    plain, compressed = _PLAIN_KINDS.get, COMPRESSED_SUFFIXES
    stack = [folder] if (folder := listing(root, rules or [])) else []
    try:
        while stack:
            entries, rules, prefix, _ = stack[-1]
            for entry in entries:
                name = entry.name
                path = prefix + name
                if name[0] == "." or (rules and _ignored(path, rules)):
                    continue
                try:
                    if not follow_links and entry.is_symlink():
                        report(path, "symbolic link not followed (use --follow-links)")
                        continue
                    if entry.is_dir(follow_symlinks=follow_links):
                        if skipped and os.path.realpath(path) in skipped:
                            continue
                        if on_folder is not None:
                            on_folder(path, rules)
                            continue
                        if folder := listing(path, rules):
                            stack.append(folder)
                            break  # into the folder; this listing resumes after it
                        continue
                    is_file = entry.is_file(follow_symlinks=follow_links)
                except OSError as exc:
                    report(path, f"cannot read: {exc.strerror or exc}")
                    continue
                if not is_file:
                    # FIFOs, sockets and devices: reading one could block forever.
                    report(path, "not a regular file")
                    continue
                suffix = name[name.rfind(".") :].lower()
                kind = plain(suffix) or (kind_of(name) if suffix in compressed else None)
                if kind is None:
                    report(path, "not an article file type")
                    continue
                if follow_links:
                    real = os.path.realpath(path)
                    if real in seen:
                        continue
                    seen.add(real)
                yield path, kind[0], kind[1], entry
            else:
                if (handle := stack.pop()[3]) >= 0:
                    os.close(handle)
    finally:
        for _entries, _rules, _prefix, handle in stack:
            if handle >= 0:
                os.close(handle)


_NAME = attrgetter("name")


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
    first = min(_FIRST_READ, max_bytes + 1)
    try:
        if found.compression:
            with open_binary(found) as stream:
                data = stream.read(first)
                if len(data) == first and first <= max_bytes:  # more to come: the rest, up to the limit
                    data += stream.read(max_bytes + 1 - first)
        else:
            data = _read_plain(found.path, first, max_bytes + 1)
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ReadError(_os_reason(exc)) from None
    if len(data) > max_bytes:
        what = "expands to" if found.compression else "is"
        raise ReadError(f"{what} over {max_bytes // (1024 * 1024)} MB; not an article")
    return data


def _read_plain(path: str | Path, first: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of a plain file, by bare system calls: in a long indexing run a
    buffered ``open`` cost several times as much per small file (its buffer and allocations).
    Reads until the end of the file (a read may return less than asked) or ``limit``."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        data = os.read(descriptor, first)
        if not data:
            return data
        parts = [data]
        size = len(data)
        while size < limit:
            chunk = os.read(descriptor, min(limit - size, max(first, size)))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(descriptor)


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
