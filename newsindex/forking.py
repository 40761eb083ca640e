"""Work done in a fork of this process while this process goes on (Linux and macOS).

A fork starts with a copy of everything this process has in memory, so a piece of work
over data already loaded (half a walk's folders, half a graph's buckets) needs nothing sent
to it; only its result comes back, as bytes through a pipe.  On two cores that halves the
time of work that would otherwise run alone at the end of a run.

A fork copies only the thread that calls it: locks other threads hold stay held in the
fork.  ``Forked`` is for processes running one thread (``forkable``).  The fork ignores
Ctrl-C (the run handles it), gives up the index lock's descriptor, dies with the run
(``die_with_parent``) and leaves by ``os._exit``, never back into the run's frames.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable


def forkable() -> bool:
    """Whether ``Forked`` can run here: a fork exists and no other thread does."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked:
    """``work()`` run in a fork: ``start`` it, do something else, then take its ``result``."""

    def __init__(self, work: Callable[[], bytes], lock_fd: int = -1) -> None:
        self.work = work
        self.lock_fd = lock_fd
        self.pid: int | None = None
        self.pipe: int | None = None

    def start(self) -> bool:
        """Fork; False if that failed (the caller then does the work itself)."""
        import ctypes  # noqa: F401  (for ``die_with_parent``: imported before, not in the fork)

        reading, writing = os.pipe()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl-C is this process's
        try:
            pid = os.fork()
            if pid == 0:
                self._run(reading, writing)  # never returns
        except OSError:
            os.close(reading)
            os.close(writing)
            return False
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(writing)
        self.pid, self.pipe = pid, reading
        return True

    def _run(self, reading: int, writing: int) -> None:
        code = 1
        try:
            os.close(reading)
            if self.lock_fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(self.lock_fd)  # the index lock ends with the run's process, not here
            die_with_parent(os.getppid())
            payload = self.work()
            with open(writing, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)

    def result(self) -> bytes | None:
        """The fork's result once it has ended; None if it was not started or failed."""
        if self.pid is None or self.pipe is None:
            return None
        with open(self.pipe, "rb") as pipe:
            payload = pipe.read()
        self.pipe = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return payload if status == 0 else None

    def stop(self) -> None:
        """End the fork if it still runs (the caller failed or was interrupted)."""
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
