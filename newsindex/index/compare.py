"""The walk's test of each file against the manifest: unchanged, changed, new or unreadable.

An incremental run over a large archive spends most of its time here: a listing entry, a
``stat`` call and a comparison for every file, 200,000 of them to find the one that
changed.  On a machine with two cores or more the work is shared with a forked process
(``SharedComparison``): both list the folders, each stats and compares the files whose
path hashes to its half, and the fork sends back only what it found not unchanged.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

from ..models import Skipped
from ..read.files import Walked

#: Windows lists a file's size and times with its name, so an entry's ``stat()`` is free
#: there.  Elsewhere it is a system call like ``os.stat``, and slower (0.40 s against 0.33 s
#: for 200,000 files): it keeps its result in the entry.
_STAT_BY_ENTRY = os.name == "nt"

#: What became of a file that was not simply unchanged: ``(position in the walk, path,
#: kind, compression, size, mtime, status)``; for ``UNSTATABLE`` the mtime is the reason.
Finding = tuple[int, str, str, "str | None", int, "float | str", str]
NEW = "new"
CHANGED = "changed"
UNSTATABLE = "unstatable"
#: Size and time as indexed, but something else decides: a record file is read again
#: when the field mapping changed (its manifest hash says which), and a file that
#: failed before is listed among the failures again.
SAME_RECORDS = "same records"
SAME_FAILING = "same failing"

StampOf = Callable[[str], "tuple[str, int, float] | None"]


class Comparison:
    """The files of one walk compared with their manifest stamps, in one process.

    ``share``, 0 or 1, keeps to the files whose path hashes to that half (the other half
    being another process's); None keeps to all.  ``unchanged`` counts the files found
    unchanged so far (not those listed as findings).
    """

    def __init__(self, stamp_of: StampOf, failures: dict[str, list[Skipped]], share: int | None = None) -> None:
        self.stamp_of = stamp_of
        self.failures = failures
        self.share = share
        self.unchanged = 0

    def findings(self, walked: Iterable[Walked], seen: set[str] | None = None) -> Iterator[Finding]:
        """The files not simply unchanged, as found; every path walked is added to ``seen``."""
        # Locals only: this loop meets every file of the archive.
        stamp_of, failures, share = self.stamp_of, self.failures, self.share
        stat, stat_by_entry = os.stat, _STAT_BY_ENTRY
        unchanged = 0
        try:
            for position, (path, kind, compression, entry) in enumerate(walked):
                if seen is not None:
                    seen.add(path)
                if share is not None and hash(path) & 1 != share:
                    continue
                try:
                    result = entry.stat() if stat_by_entry and entry is not None else stat(path)
                except OSError as exc:
                    self.unchanged = unchanged
                    yield position, path, kind, compression, 0, exc.strerror or "cannot stat", UNSTATABLE
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
                yield position, path, kind, compression, result.st_size, result.st_mtime, status
        finally:
            self.unchanged = unchanged


class SharedComparison:
    """A walk's comparison shared between this process and a fork of it.

    Started before the walk of this process (``start``), the fork walks the same paths,
    compares its half of the files and sends back its findings and its count of unchanged
    files; ``findings`` compares this process's half, then returns both halves' findings
    in walk order.  A path's half is the same in both processes (a fork shares the hash
    seed), so a file listed by one walk and not the other (written or deleted between
    the two) is at worst missed as it would be by a single walk that listed it a moment
    sooner or later.  If the fork fails, this process compares the other half itself.
    """

    def __init__(self, walk: Callable[[bool], Iterable[Walked]], stamp_of: StampOf, failures, lock_fd: int) -> None:
        """``walk(report)`` walks the paths; with False it reports nothing (the fork's)."""
        self.walk = walk
        self.stamp_of = stamp_of
        self.failures = failures
        self.lock_fd = lock_fd
        self.pid: int | None = None
        self.pipe: int | None = None
        self.unchanged = 0

    def start(self) -> None:
        """Fork the other half's process (before any thread starts: a fork copies only
        the thread that calls it)."""
        import ctypes  # noqa: F401  (imported here: the fork's import of it would wait on another thread's lock)

        reading, writing = os.pipe()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl-C is this process's
        try:
            pid = os.fork()
            if pid == 0:
                self._run_fork(reading, writing)  # never returns
        except OSError:
            os.close(reading)
            os.close(writing)
            return
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(writing)
        self.pid, self.pipe = pid, reading

    def _run_fork(self, reading: int, writing: int) -> None:
        code = 1
        try:
            os.close(reading)
            if self.lock_fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.lock_fd)  # the index lock ends with the run's process, not here
            die_with_parent(os.getppid())
            comparison = Comparison(self.stamp_of, self.failures, share=1)
            found = list(comparison.findings(self.walk(False)))
            payload = pickle.dumps((found, comparison.unchanged), protocol=pickle.HIGHEST_PROTOCOL)
            with open(writing, "wb", closefd=True) as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)  # never back into the caller's frames: they are the run's

    def findings(self, seen: set[str]) -> list[Finding]:
        """Both halves' findings in walk order; ``unchanged`` is then both halves' count."""
        try:
            mine = Comparison(self.stamp_of, self.failures, share=0)
            found = list(mine.findings(self.walk(True), seen))
            theirs = self._collect()
            if theirs is None:  # no fork, or it failed: its half here
                other = Comparison(self.stamp_of, self.failures, share=1)
                theirs = (list(other.findings(self.walk(False))), other.unchanged)
        finally:
            self.stop()
        found += theirs[0]
        found.sort(key=itemgetter(0))
        self.unchanged = mine.unchanged + theirs[1]
        return found

    def _collect(self) -> tuple[list[Finding], int] | None:
        if self.pid is None:
            return None
        with open(self.pipe, "rb", closefd=True) as pipe:
            payload = pipe.read()
        self.pipe = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status != 0 or not payload:
            return None
        return pickle.loads(payload)

    def stop(self) -> None:
        """End the fork if it still runs (an error or Ctrl-C in this process's walk)."""
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = None


def die_with_parent(parent: int) -> None:
    """Ask Linux to end this forked process when ``parent`` ends (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
