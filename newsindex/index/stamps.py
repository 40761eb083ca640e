"""Each indexed file's size and mtime, kept beside the manifest in a file a run loads at once.

A whole walk compares every file with the size and mtime it had when indexed.  Loaded from
the manifest's table, those took 180 ms at 200,000 files (a row tuple per file, made by
SQLite's module); from ``STAMPS_FILE``, written at the end of each run, about 100 ms: the
paths are one text split in C, sizes and mtimes two arrays kept as arrays, each path mapped
to its place.
The manifest stays the record: a file missing, unreadable, of another count than the
manifest's or written for another generation (its folder's name is in it: a file linked by
mistake from the generation before is refused) is passed over and the table read instead.
"""

from __future__ import annotations

import mmap
import struct
import sys
from array import array
from collections.abc import Mapping, MutableSequence, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path

STAMPS_FILE = "stamps.bin"
_MAGIC = b"newsindex stamps 1\n"
_COUNTS = struct.Struct("<QQ")  # files, bytes of their paths
#: Paths are joined by NUL, the one character no path holds, and encoded so that any text
#: a listing gives (undecodable bytes as lone surrogates) comes back the same.
_SEPARATOR = "\0"
_ERRORS = "surrogatepass"

#: The arrays are written little-endian wherever the index is made.
_SWAP = sys.byteorder != "little"


@dataclass
class Stamps:
    """Sizes and mtimes by path: ``place[path]`` is the file's index in ``sizes`` and ``mtimes``.

    Places, not ``(size, mtime)`` tuples: an int per file is made faster than a tuple, and a
    walk reads the two sequences (arrays when loaded from the file) by place.
    """

    place: dict[str, int]
    sizes: MutableSequence[int]
    mtimes: MutableSequence[float]

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, int, float]]) -> Stamps:
        """From ``(path, size, mtime)`` rows (the manifest's table)."""
        paths = list(map(_PATH, rows))
        return cls(dict(zip(paths, range(len(paths)), strict=True)), list(map(_SIZE, rows)), list(map(_MTIME, rows)))

    def stamp(self, path: str) -> tuple[int, float] | None:
        place = self.place.get(path)
        return None if place is None else (self.sizes[place], self.mtimes[place])

    def marks(self) -> bytearray:
        """A mark (0) per place, for a walk to set (1) on the indexed files it meets."""
        return bytearray(len(self.sizes))

    def unmet(self, met: bytes | bytearray) -> list[str]:
        """The paths whose place ``met`` does not mark, in C loops: a walk of 200,000 files
        finds the one removed in a few milliseconds."""
        unmet = met.translate(_FLIPPED)
        if len(self.place) == len(self.sizes):  # no file gone: the places are 0, 1, ... in order
            return list(compress(self.place, unmet))
        return list(compress(self.place, map(unmet.__getitem__, self.place.values())))

    def update(self, changes: Mapping[str, tuple[int, float] | None]) -> None:
        """Apply a run's changes (a file's place is left unused when it goes)."""
        place, sizes, mtimes = self.place, self.sizes, self.mtimes
        for path, stamp in changes.items():
            if stamp is None:
                place.pop(path, None)
                continue
            at = place.get(path)
            if at is None:
                place[path] = len(sizes)
                sizes.append(stamp[0])
                mtimes.append(stamp[1])
            else:
                sizes[at], mtimes[at] = stamp

    def write(self, path: Path) -> None:
        """Write the stamps to ``path``, in its generation's folder (synced with the rest
        of the generation)."""
        if len(self.place) == len(self.sizes):  # no file gone: the places are 0, 1, ... in order
            sizes, mtimes = array("q", self.sizes), array("d", self.mtimes)
        else:
            places = self.place.values()
            sizes = array("q", map(self.sizes.__getitem__, places))
            mtimes = array("d", map(self.mtimes.__getitem__, places))
        names = _SEPARATOR.join(self.place).encode("utf-8", _ERRORS)
        if _SWAP:
            sizes.byteswap()
            mtimes.byteswap()
        with open(path, "wb") as handle:
            handle.write(_MAGIC + _header_line(path) + _COUNTS.pack(len(sizes), len(names)))
            handle.write(sizes.tobytes())
            handle.write(mtimes.tobytes())
            handle.write(names)


#: A run remembers this many files' changed stamps at most; a run changing more reads the
#: manifest's table once at its end, a small share of such a run.
STAMP_CHANGES_KEPT = 50_000


class StampChanges:
    """The stamps a run changes, by path (None: a file gone), while they are few enough."""

    def __init__(self) -> None:
        self.changes: dict[str, tuple[int, float] | None] | None = {}

    def put(self, path: str, stamp: tuple[int, float] | None) -> None:
        changes = self.changes
        if changes is not None:
            changes[path] = stamp
            if len(changes) > STAMP_CHANGES_KEPT:
                self.changes = None  # too many to keep: the table says


def read_stamps(path: Path, count: int) -> Stamps | None:
    """The stamps written at ``path`` if they are ``count`` files' (the manifest's count);
    None when they are not, or cannot be read."""
    try:
        # Mapped, not read: the paths are decoded straight from the page cache (a 16 MB
        # copy fewer at 200,000 files).  An empty file cannot be mapped: never ours.
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _stamps_in(data, path, count)
    except (OSError, ValueError):
        return None


def _stamps_in(data: mmap.mmap, path: Path, count: int) -> Stamps | None:
    head = _MAGIC + _header_line(path)
    start = len(head) + _COUNTS.size
    if len(data) < start or data[: len(head)] != head:
        return None
    files, names = _COUNTS.unpack_from(data, len(head))
    end_sizes = start + 8 * count
    end_mtimes = end_sizes + 8 * count
    if files != count or len(data) != end_mtimes + names:  # another manifest's, or cut short
        return None
    sizes, mtimes = array("q"), array("d")
    with memoryview(data) as view:  # released before the mapping closes
        sizes.frombytes(view[start:end_sizes])
        mtimes.frombytes(view[end_sizes:end_mtimes])
        try:
            paths = str(view[end_mtimes:], "utf-8", _ERRORS).split(_SEPARATOR) if count else []
        except UnicodeDecodeError:
            return None
    if _SWAP:
        sizes.byteswap()
        mtimes.byteswap()
    if len(paths) != count:
        return None
    # The arrays as they are, not as lists: 400,000 numbers fewer to make at 200,000 files
    # (~14 ms of a fresh process, its new memory's page faults most of it).
    return Stamps(dict(zip(paths, range(count), strict=True)), sizes, mtimes)


def _header_line(path: Path) -> bytes:
    """The generation the file is written for, by its folder's name."""
    return path.parent.name.encode("utf-8", _ERRORS) + b"\n"


_PATH, _SIZE, _MTIME = itemgetter(0), itemgetter(1), itemgetter(2)
_FLIPPED = bytes.maketrans(b"\x00\x01", b"\x01\x00")
