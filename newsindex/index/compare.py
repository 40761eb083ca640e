"""The walk's test of each file against the manifest: unchanged, changed, new or unreadable.

An incremental run over a large archive spends most of its time here: a listing entry, a
``stat`` call and a comparison for every file, 200,000 of them to find the one that
changed.  On Linux, with two cores or more and an archive of ``limits.SHARED_WALK_FILES``
indexed files, the work is shared with a forked process (``SharedComparison``): the walk
is planned here and split (``read.split_walk``: folders handed out one group at a time),
and the fork sends back only what it found not unchanged (and a mark for each indexed file
it met, for telling the files gone).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..forking import Forked
from ..models import Skipped
from ..read.files import BY_DESCRIPTOR, Walked
from ..read.split_walk import SplitWalk
from .generations import _checkpoint
from .stamps import Stamps

#: Windows lists a file's size and times with its name, so an entry's ``stat()`` is free
#: there.  Elsewhere it is a system call like ``os.stat``, and slower (0.40 s against 0.33 s
#: for 200,000 files): it keeps its result in the entry.  (A folder listed through a
#: descriptor is another matter: see ``Comparison.findings``.)
_STAT_BY_ENTRY = os.name == "nt"

#: What became of a file that was not simply unchanged: ``(path, kind, compression, size,
#: mtime, status)``; for ``UNSTATABLE`` the mtime is the reason.
Finding = tuple[str, str, "str | None", int, "float | str", str]
NEW = "new"
CHANGED = "changed"
UNSTATABLE = "unstatable"
#: Size and time as indexed, but something else decides: a record file is read again
#: when the field mapping changed (its manifest hash says which), and a file that
#: failed before is listed among the failures again.
SAME_RECORDS = "same records"
SAME_FAILING = "same failing"


class Comparison:
    """The files of a walk compared with their manifest stamps.

    ``unchanged`` counts the files found unchanged so far (not those listed as findings).
    """

    def __init__(self, stamps: Stamps, failures: dict[str, list[Skipped]]) -> None:
        self.stamps = stamps
        self.failures = failures
        self.unchanged = 0

    def findings(
        self,
        walked: Iterable[Walked],
        seen: set[str] | None = None,
        met: bytearray | None = None,
        by_descriptor: bool = False,
    ) -> Iterator[Finding]:
        """The files not simply unchanged, as found; every path walked is added to ``seen``,
        and the place of every indexed file walked is marked in ``met`` (``Stamps.marks``).
        ``by_descriptor``: the walk lists folders through descriptors, so an entry's
        ``stat()`` is an ``fstatat`` in its folder, a tenth faster than ``os.stat``."""
        # Locals only: this loop meets every file of the archive.
        place_of, sizes, mtimes, failures = self.stamps.place.get, self.stamps.sizes, self.stamps.mtimes, self.failures
        stat, stat_by_entry = os.stat, _STAT_BY_ENTRY or by_descriptor
        unchanged = 0
        try:
            for path, kind, compression, entry in walked:
                place = place_of(path)
                if met is not None and place is not None:
                    met[place] = 1
                if seen is not None:
                    seen.add(path)
                try:
                    result = entry.stat() if stat_by_entry and entry is not None else stat(path)
                except OSError as exc:
                    self.unchanged = unchanged
                    yield path, kind, compression, 0, exc.strerror or "cannot stat", UNSTATABLE
                    continue
                if place is not None and sizes[place] == result.st_size and mtimes[place] == result.st_mtime:
                    if kind == "records":
                        status = SAME_RECORDS
                    elif path in failures:
                        status = SAME_FAILING
                    else:
                        unchanged += 1
                        continue
                else:
                    status = CHANGED if place is not None else NEW
                self.unchanged = unchanged
                yield path, kind, compression, result.st_size, result.st_mtime, status
        finally:
            self.unchanged = unchanged


@dataclass
class _Half:
    """What one process found in its half of a shared walk."""

    findings: list[Finding]
    unchanged: int
    ignored: list[tuple[str, str]]  # (path, reason), as ``walk_files`` reports them
    #: The indexed files the walk met, marked by place (``Stamps.marks``): a byte a file to
    #: send, not its path.
    met: bytearray


class SharedComparison:
    """A walk's comparison shared between this process and a fork of it.

    ``start`` plans the walk (``read.split_walk``: the paths' first listings made here, the
    folders below handed out through a pipe) and forks the other half's process, which
    compares share 1 of the walk while this process compares share 0.  ``findings``
    returns both halves' findings in the order a single walk meets them, and sets
    ``unchanged``, ``ignored`` and ``unseen`` (the indexed files neither walk met).  A file
    written or deleted between the planning and the walks is at worst missed as by a single
    walk a moment sooner or later.  If there is no fork, or it fails, this process walks its
    half too (the folders it did not take).
    """

    def __init__(
        self,
        roots: list[str],
        skip: list[str],
        known: Stamps,
        failures: dict,
        lock_fd: int,
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """``roots``: the folders walked, absolute; ``skip``: folders never walked (the
        index); ``known``: the manifest's stamps; ``meanwhile``: work this process does
        once the fork walks, before its own share (the fork takes more folders meanwhile)."""
        self.roots = roots
        self.meanwhile = meanwhile
        self.skip = skip
        self.known = known
        self.failures = failures
        self.lock_fd = lock_fd
        self.split: SplitWalk | None = None
        self.fork: Forked | None = None  # the other half's process
        self.unchanged = 0
        self.ignored: list[tuple[str, str]] = []
        self.unseen: set[str] = set()

    def start(self) -> None:
        """Plan the walk and fork the other half's process (before any thread starts: a
        fork copies only the thread that calls it)."""
        self.split = SplitWalk(self.roots, self.skip)
        fork = Forked(self._fork_work, self.lock_fd)
        if fork.start():
            self.fork = fork

    def _fork_work(self) -> bytes:
        half = self._half(1)
        _checkpoint("fork-walked")
        return pickle.dumps(half, protocol=pickle.HIGHEST_PROTOCOL)

    def _half(self, share: int, groups: list[int] | None = None) -> _Half:
        """This process's half (share 0) or the fork's (taking folders from the pipe, or
        ``groups``)."""
        ignored: list[tuple[str, str]] = []
        comparison = Comparison(self.known, self.failures)
        walked = self.split.files(share, lambda path, reason: ignored.append((path, reason)), groups)
        met = self.known.marks()
        found = list(comparison.findings(walked, met=met, by_descriptor=BY_DESCRIPTOR))
        return _Half(found, comparison.unchanged, ignored, met)

    def findings(self) -> list[Finding]:
        """Both halves' findings in walk order."""
        try:
            if self.meanwhile is not None and self.fork is not None:
                self.meanwhile()
            mine = self._half(0)
            _checkpoint("walk-shared")
            theirs = self._receive() or self._half(1, self.split.untaken())  # without a fork: its half here
        finally:
            self.stop()
        met = _either(mine.met, theirs.met)
        if met.count(0):  # indexed files gone (or places left unused, which ``unmet`` passes over)
            self.unseen = set(self.known.unmet(met))
        order = walk_order(self.roots)
        found = sorted(mine.findings + theirs.findings, key=lambda finding: order(finding[0]))
        self.unchanged = mine.unchanged + theirs.unchanged
        reports = self.split.ignored + mine.ignored + theirs.ignored
        self.ignored = sorted(set(reports), key=lambda report: order(report[0]))
        return found

    def _receive(self) -> _Half | None:
        if self.fork is None:
            return None
        payload = self.fork.result()
        self.fork = None
        return pickle.loads(payload) if payload else None

    def stop(self) -> None:
        """End the fork if it still runs (an error or Ctrl-C in this process's walk), and
        close the plan's pipe."""
        if self.fork is not None:
            self.fork.stop()
            self.fork = None
        if self.split is not None:
            self.split.close()


def _either(first: bytearray, second: bytearray) -> bytearray:
    """Marks set in ``first`` or ``second`` (both of 0s and 1s, of one length)."""
    size = len(first)
    return bytearray((int.from_bytes(first, "little") | int.from_bytes(second, "little")).to_bytes(size, "little"))


def walk_order(roots: list[str]) -> Callable[[str], tuple]:
    """A sort key putting paths in the order a walk of ``roots`` meets them.

    A walk takes the roots in turn and each folder's entries by name, going into a
    folder where it is listed: so its order is that of the paths' components compared
    in turn (a folder ``a`` comes before the file ``a.txt`` beside it, as ``"a" <
    "a.txt"``).
    """
    prefixes = [(number, root.rstrip(os.sep) + os.sep) for number, root in enumerate(roots)]
    given = {root: number for number, root in enumerate(roots)}

    def key(path: str) -> tuple:
        for number, prefix in prefixes:
            if path.startswith(prefix):
                return number, path[len(prefix) :].split(os.sep)
        return given.get(path, len(roots)), []

    return key
