"""A walk shared by two processes: folders handed out one at a time, no folder listed twice.

A one-file run over a large archive walks every file to find the one that changed: a listing
entry, a ``stat`` call and a comparison for each.  Shared between a process and a fork of it
(``index/compare.py``), each used to list every folder and keep the files whose names hashed
to its half: at 200,000 files the listings and the other half's entries were a third of each
process's walk.  Here the process that plans the walk lists the paths given (and, while they
hold fewer than ``MIN_UNITS`` folders, the folders below them, a level at a time): the files
those listings hold are split by name, and the folders left, each a whole subtree, are handed
out through a pipe, in groups of one or more, the largest folders first.  Each process takes
the next group when it is done with one, so both stay busy to the end however unequal the
folders are, and a process that does the other's part (its fork failed) knows which groups it
took itself.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Iterator

from .files import Walked, _walk

#: Folders below the listed ones that make a walk worth handing out; fewer, and the planning
#: process lists them too (their files are split by name).
MIN_UNITS = 8
#: Groups handed out at most: the pipe holds every token before the fork reads any, written
#: at once (2 KB, under ``select.PIPE_BUF``: one write, never cut).
MAX_GROUPS = 1024
_TOKEN = struct.Struct("<H")

Rules = list[tuple[str, str]]
ReportFn = Callable[[str, str], None]


class SplitWalk:
    """The walk of some folders planned for two processes (``files(0)`` and ``files(1)``).

    Made before the fork, which inherits the listings, the folders to hand out and the pipe
    of their group numbers.  ``ignored`` holds what the planning passed over, reported once.
    """

    def __init__(self, roots: Iterable[str], skip: Iterable[str] = ()) -> None:
        """Plan the walk of ``roots`` (folders; links not followed) in this process."""
        self.skipped = {os.path.realpath(folder) for folder in skip}
        self.ignored: list[tuple[str, str]] = []
        self.listed: list[Walked] = []
        units = [(root, []) for root in roots if os.path.realpath(root) not in self.skipped]
        first = True
        while units and (first or len(units) < MIN_UNITS):
            level, units, first = units, [], False
            for folder, rules in level:
                self.listed.extend(self._list(folder, rules, units))
        # Largest first, so that the small ones even out the end: a folder's own size on disk
        # grows with its entries (a guess for what lies below it; a wrong one costs balance only).
        units.sort(key=_listing_size, reverse=True)
        size = max(1, -(-len(units) // MAX_GROUPS))  # units in a group: 1, or more past MAX_GROUPS units
        self.groups = [units[start : start + size] for start in range(0, len(units), size)]
        self.taken: list[int] = []
        reading, writing = os.pipe()
        try:
            os.write(writing, b"".join(_TOKEN.pack(number) for number in range(len(self.groups))))
        except BaseException:
            os.close(reading)
            raise
        finally:
            os.close(writing)  # so a read finds the end once every token is taken
        self.tokens = reading

    def _list(self, folder: str, rules: Rules, units: list[tuple[str, Rules]]) -> Iterator[Walked]:
        """The files of ``folder`` alone; its folders go to ``units``."""
        on_folder = lambda path, inherited: units.append((path, inherited))  # noqa: E731
        report = lambda path, reason: self.ignored.append((path, reason))  # noqa: E731
        return _walk(folder, False, set(), report, self.skipped, rules=rules, ordered=False, on_folder=on_folder)

    def files(self, share: int, on_ignored: ReportFn | None, groups: Iterable[int] | None = None) -> Iterator[Walked]:
        """Share ``share``'s files (0 or 1), in no particular order: its half of the files
        listed in planning (by the hash of their names: a fork shares the hash seed), then
        every file under the folders of the groups it takes from the pipe, or of ``groups``,
        listed through descriptors where ``BY_DESCRIPTOR``: their entries ``stat()`` in their
        folder while the walk is at them."""
        for path, kind, compression, entry in self.listed:
            if hash(entry.name) & 1 == share:
                yield path, kind, compression, None  # listed in planning: stat by path
        for group in self._take() if groups is None else groups:
            for folder, rules in self.groups[group]:
                yield from _walk(
                    folder, False, set(), on_ignored, self.skipped, rules=rules, ordered=False, descriptor=True
                )

    def _take(self) -> Iterator[int]:
        while len(token := os.read(self.tokens, _TOKEN.size)) == _TOKEN.size:
            group = _TOKEN.unpack(token)[0]
            self.taken.append(group)
            yield group

    def untaken(self) -> list[int]:
        """The groups this process did not take (all of them before it takes any)."""
        taken = set(self.taken)
        return [number for number in range(len(self.groups)) if number not in taken]

    def close(self) -> None:
        if self.tokens >= 0:
            os.close(self.tokens)
            self.tokens = -1


def _listing_size(unit: tuple[str, Rules]) -> int:
    try:
        return os.stat(unit[0]).st_size
    except OSError:
        return 0
