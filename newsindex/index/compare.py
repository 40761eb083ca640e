"""The walk's test of each file against the manifest: unchanged, changed, new or unreadable.

An incremental run over a large archive spends most of its time here: a listing entry, a
``stat`` call and a comparison for every file, 200,000 of them to find the one that
changed.  On a machine with two cores or more the work is shared with a forked process
(``SharedComparison``): both list every folder, each takes the files whose name hashes to
its half, and the fork sends back only what it found not unchanged.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import BufferedIOBase
from itertools import compress
from operator import not_

from ..models import Skipped
from ..read.files import Walked

#: Windows lists a file's size and times with its name, so an entry's ``stat()`` is free
#: there.  Elsewhere it is a system call like ``os.stat``, and slower (0.40 s against 0.33 s
#: for 200,000 files): it keeps its result in the entry.
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

StampOf = Callable[[str], "tuple[str, int, float] | None"]
#: ``walk(on_ignored, share)``: the files under the run's paths, ``read.files.walk_files``'s way.
WalkFn = Callable[["Callable[[str, str], None] | None", "int | None"], Iterable[Walked]]


class Comparison:
    """The files of a walk compared with their manifest stamps.

    ``unchanged`` counts the files found unchanged so far (not those listed as findings).
    """

    def __init__(self, stamp_of: StampOf, failures: dict[str, list[Skipped]]) -> None:
        self.stamp_of = stamp_of
        self.failures = failures
        self.unchanged = 0

    def findings(self, walked: Iterable[Walked], seen: set[str] | None = None) -> Iterator[Finding]:
        """The files not simply unchanged, as found; every path walked is added to ``seen``."""
        # Locals only: this loop meets every file of the archive.
        stamp_of, failures = self.stamp_of, self.failures
        stat, stat_by_entry = os.stat, _STAT_BY_ENTRY
        unchanged = 0
        try:
            for path, kind, compression, entry in walked:
                if seen is not None:
                    seen.add(path)
                try:
                    result = entry.stat() if stat_by_entry and entry is not None else stat(path)
                except OSError as exc:
                    self.unchanged = unchanged
                    yield path, kind, compression, 0, exc.strerror or "cannot stat", UNSTATABLE
                    continue
                stamp = stamp_of(path)
                if stamp and stamp[1] == result.st_size and stamp[2] == result.st_mtime:
                    if kind == "records":
                        status = SAME_RECORDS
                    elif path in failures:
                        status = SAME_FAILING
                    else:
                        unchanged += 1
                        continue
                else:
                    status = CHANGED if stamp else NEW
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
    met: int  # indexed files the walk met


class SharedComparison:
    """A walk's comparison shared between this process and a fork of it.

    Started before this process's walk (``start``), the fork walks the same paths with
    ``share`` 1, this process with ``share`` 0: each stats and compares the files whose
    name hashes to its half.  ``findings`` returns both halves' findings in the order a
    single walk meets them, and sets ``unchanged``, ``ignored`` and ``unseen`` (the
    indexed files neither walk met).  Those are found without a loop in Python over
    every file: the halves count the indexed files they met, and only when the counts
    fall short of the manifest does the fork send what it met (``_ask_paths_met``).  A name's half is
    the same in both processes (a fork shares the hash seed); a file written or deleted
    between the two walks is at worst missed as by a single walk a moment sooner or
    later.  If there is no fork, or it fails, this process walks its half too.
    """

    def __init__(self, walk: WalkFn, roots: list[str], known: dict[str, tuple], failures: dict, lock_fd: int) -> None:
        """``roots``: the walk's paths, absolute; ``known``: the manifest's stamps by path."""
        self.walk = walk
        self.roots = roots
        self.known = known
        self.failures = failures
        self.lock_fd = lock_fd
        self.pid: int | None = None
        self.replies: BufferedIOBase | None = None  # the fork's
        self.requests: BufferedIOBase | None = None  # to the fork
        self.unchanged = 0
        self.ignored: list[tuple[str, str]] = []
        self.unseen: set[str] = set()

    def start(self) -> None:
        """Fork the other half's process (before any thread starts: a fork copies only
        the thread that calls it)."""
        import ctypes  # noqa: F401  (imported here: the fork's import of it would wait on another thread's lock)

        replies, replying = os.pipe()
        asked, requests = os.pipe()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl-C is this process's
        try:
            pid = os.fork()
            if pid == 0:
                self._run_fork(replying, asked, (replies, requests))  # never returns
        except OSError:
            for fd in (replies, replying, asked, requests):
                os.close(fd)
            return
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(replying)
        os.close(asked)
        self.pid = pid
        # Open until ``stop`` (a run's walk is not one block of code).
        self.replies, self.requests = open(replies, "rb"), open(requests, "wb")  # noqa: SIM115

    def _run_fork(self, replying: int, asked: int, parents: tuple[int, int]) -> None:
        code = 1
        try:
            for fd in parents:
                os.close(fd)
            if self.lock_fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.lock_fd)  # the index lock ends with the run's process, not here
            die_with_parent(os.getppid())
            seen: set[str] = set()
            with open(replying, "wb") as replies, open(asked, "rb") as requests:
                _send(replies, self._half(1, seen))
                if requests.read(1) == b"s":  # the walks fell short of the manifest: which paths met
                    _send(replies, array("q", map(hash, seen)).tobytes())
            code = 0
        finally:
            os._exit(code)  # never back into the caller's frames: they are the run's

    def _half(self, share: int, seen: set[str]) -> _Half:
        ignored: list[tuple[str, str]] = []
        comparison = Comparison(self.known.get, self.failures)
        found = list(comparison.findings(self.walk(lambda path, reason: ignored.append((path, reason)), share), seen))
        return _Half(found, comparison.unchanged, ignored, sum(map(self.known.__contains__, seen)))

    def findings(self) -> list[Finding]:
        """Both halves' findings in walk order."""
        try:
            seen: set[str] = set()
            mine = self._half(0, seen)
            theirs = self._receive()
            theirs_met: set[int] | None = None  # hashes of the paths the fork met
            if theirs is None:  # without a fork: its half here
                theirs_seen: set[str] = set()
                theirs = self._half(1, theirs_seen)
                theirs_met = set(map(hash, theirs_seen))
            if mine.met + theirs.met < len(self.known):
                if theirs_met is None:
                    theirs_met = self._ask_paths_met()
                if theirs_met is None:  # the fork ended before it said: its walk again here
                    theirs_seen = set()
                    self._half(1, theirs_seen)
                    theirs_met = set(map(hash, theirs_seen))
                unmet = list(self.known.keys() - seen)
                self.unseen = set(compress(unmet, map(not_, map(theirs_met.__contains__, map(hash, unmet)))))
        finally:
            self.stop()
        order = walk_order(self.roots)
        found = sorted(mine.findings + theirs.findings, key=lambda finding: order(finding[0]))
        self.unchanged = mine.unchanged + theirs.unchanged
        # A folder that cannot be listed is reported by both walks.
        self.ignored = sorted(set(mine.ignored + theirs.ignored), key=lambda report: order(report[0]))
        return found

    def _receive(self) -> _Half | None:
        if self.pid is None:
            return None
        half = _receive(self.replies)
        if half is None:
            self.stop()  # it failed
        return half

    def _ask_paths_met(self) -> set[int] | None:
        """The hashes of the paths the fork met: 8 bytes a path, not the path (a fork
        shares the hash seed).  A path whose hash is among them counts as met; a
        collision (odds of about one in a billion a run) would only leave a removed
        file indexed until the next run, whose hash seed differs."""
        try:
            self.requests.write(b"s")
            self.requests.flush()
        except OSError:
            return None
        hashes = _receive(self.replies)
        return set(array("q", hashes)) if hashes is not None else None

    def stop(self) -> None:
        """End the fork: done, failed, or this process's walk failed (or met Ctrl-C)."""
        for stream in (self.requests, self.replies):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()  # the fork, told nothing more, ends
        self.requests = self.replies = None
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = None


_LENGTH = struct.Struct("<Q")


def _send(stream: BufferedIOBase, value: object) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _receive(stream: BufferedIOBase) -> object | None:
    """The next value sent, or None if the sender ended first."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    payload = stream.read(length)
    return pickle.loads(payload) if len(payload) == length else None


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


def die_with_parent(parent: int) -> None:
    """Ask Linux to end this forked process when ``parent`` ends (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
