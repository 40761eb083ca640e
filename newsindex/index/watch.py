"""Keep an index current while files are written, moved and deleted.

A ``Watcher`` catches up once with an ordinary incremental run over its
paths, then listens for changes (inotify through watchdog; polling when
asked, or when inotify is unavailable or out of watches) and indexes each
burst of them as one batch: it waits until the paths have been quiet for
``debounce`` seconds, or ``max_delay`` after the first change, then runs
``build_index`` told which paths changed, so the run looks at those alone.
Every batch goes through the generation and commit machinery of ``index``:
a kill at any moment leaves the last committed generation, and the next
start catches up with whatever was missed.  A file still being written is
indexed as it was, and again when it changes (its size, mtime and hash
differ).  Saved searches (``alerts``) are checked after every batch.

The library never prints: each batch is handed to ``on_batch``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.whoosh.alerts import AlertReport, check_alerts
from ..engine.whoosh.store import IndexLocked, IndexProblem, current_generation, require_current_format
from ..ingest import IngestOptions
from .report import IndexReport
from .run import build_index

#: Seconds of quiet that end a burst of changes, and the longest a change waits.
DEBOUNCE = 0.3
MAX_DELAY = 1.0
#: How often the batch loop looks at the stop flag while idle.
_TICK = 0.1
#: Seconds between attempts while another process holds the index's lock.
LOCKED_RETRY = 1.0


@dataclass
class Batch:
    """One indexing run of the watcher and what it reported."""

    report: IndexReport
    changed: int  # paths seen changing (0 for the catch-up run)
    seconds: float
    alerts: list[AlertReport] = field(default_factory=list)
    catch_up: bool = False


@dataclass
class WatchSettings:
    debounce: float = DEBOUNCE
    max_delay: float = MAX_DELAY
    poll: float | None = None  # seconds between polls; None: inotify when it can
    workers: int | None = None


class _Changes:
    """Paths reported changed, gathered between batches (filled by watchdog's thread)."""

    def __init__(self, ignored: Sequence[str]) -> None:
        self._ignored = tuple(p.rstrip(os.sep) + os.sep for p in ignored)
        self._paths: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._lock = threading.Lock()
        self.wake = threading.Event()

    def add(self, *paths: str) -> None:
        now = time.monotonic()
        with self._lock:
            for path in paths:
                if path and not (path + os.sep).startswith(self._ignored):
                    if not self._paths:
                        self._first = now
                    self._paths.add(path)
                    self._last = now
            if self._paths:
                self.wake.set()

    def due(self, debounce: float, max_delay: float) -> float | None:
        """Seconds until the gathered changes should be indexed (0: now); None if none."""
        with self._lock:
            if not self._paths:
                return None
            now = time.monotonic()
            return max(0.0, min(self._last + debounce, self._first + max_delay) - now)

    def take(self) -> list[str]:
        with self._lock:
            paths, self._paths = sorted(self._paths), set()
            self.wake.clear()
            return paths

    def put_back(self, paths: Sequence[str]) -> None:
        self.add(*paths)


def _handler(changes: _Changes):
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":
                return  # its files report their own changes
            paths = [os.fsdecode(event.src_path)]
            if getattr(event, "dest_path", None):
                paths.append(os.fsdecode(event.dest_path))
            changes.add(*paths)

    return Handler()


#: Polling interval when inotify fails and none was asked for.
DEFAULT_POLL = 2.0


def _start_observer(roots: Sequence[str], changes: _Changes, poll: float | None) -> tuple[object, str]:
    """An observer started on ``roots``, and how it watches ("inotify", or polling
    with the reason when inotify could not be used)."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    handler = _handler(changes)
    folders = sorted({root if os.path.isdir(root) else os.path.dirname(root) for root in roots})
    mode = f"polling every {poll:g} s" if poll is not None else ""
    if poll is None:
        observer = Observer()
        try:
            for folder in folders:
                observer.schedule(handler, folder, recursive=True)
            observer.start()
        except OSError as exc:
            with contextlib.suppress(Exception):
                observer.stop()
            reason = "inotify watch limit reached" if exc.errno in (errno.ENOSPC, errno.EMFILE) else str(exc)
            poll = DEFAULT_POLL
            mode = f"polling every {poll:g} s ({reason})"
        else:
            name = type(observer).__name__
            return observer, "inotify" if name.startswith("Inotify") else name
    observer = PollingObserver(timeout=poll)
    for folder in folders:
        observer.schedule(handler, folder, recursive=True)
    observer.start()
    return observer, mode


class Watcher:
    """Watch ``paths`` and keep the index in ``index_dir`` current (see the module)."""

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        index_dir: str | os.PathLike[str],
        *,
        options: IngestOptions | None = None,
        settings: WatchSettings | None = None,
        crash_hook: Callable[[str], None] | None = None,
    ) -> None:
        self.roots = [os.path.abspath(p) for p in paths]
        for root in self.roots:
            if not os.path.exists(root):
                raise IndexProblem(f"{root}: no such file or directory")
        self.index_dir = Path(index_dir)
        self.options = options or IngestOptions()
        self.settings = settings or WatchSettings()
        self.crash_hook = crash_hook
        self.changes = _Changes([os.path.abspath(self.index_dir)])
        self.mode = ""
        self._observer = None

    def start(self) -> str:
        """Start listening (before catching up, so nothing written meanwhile is
        missed); returns how the paths are watched.  An index of another format is refused
        first, as ``index`` refuses it."""
        generation = current_generation(self.index_dir)
        if generation is not None:
            require_current_format(self.index_dir, generation)
        self._observer, self.mode = _start_observer(self.roots, self.changes, self.settings.poll)
        return self.mode

    def stop(self) -> None:
        if self._observer is not None:
            # Its threads are daemons: the emitter notices the stop at its next read
            # timeout, which a process on its way out need not wait for.
            self._observer.stop()
            self._observer.join(timeout=0.2)
            self._observer = None

    def catch_up(self, deliver: Callable[[AlertReport], None]) -> Batch:
        """One ordinary incremental run over every path: what changed while not watching."""
        return self._run(None, deliver, catch_up=True)

    def run(
        self,
        on_batch: Callable[[Batch], None],
        deliver: Callable[[AlertReport], None],
        stop: threading.Event,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Index bursts of changes until ``stop`` is set (checked every ``_TICK`` s)."""
        while not stop.is_set():
            wait = self.changes.due(self.settings.debounce, self.settings.max_delay)
            if wait is None:
                self.changes.wake.wait(_TICK)
                continue
            if wait > 0:
                stop.wait(min(wait, _TICK))
                continue
            paths = self.changes.take()
            try:
                on_batch(self._run(paths, deliver))
            except IndexLocked as exc:
                self.changes.put_back(paths)
                if on_error:
                    on_error(f"{exc}; retrying")
                stop.wait(LOCKED_RETRY)
            except IndexProblem as exc:
                if on_error:
                    on_error(str(exc))

    def _run(self, paths: list[str] | None, deliver, catch_up: bool = False) -> Batch:
        started = time.perf_counter()
        report = build_index(
            self.roots, self.index_dir, options=self.options, workers=self.settings.workers, changed=paths
        )
        if self.crash_hook and not catch_up:
            self.crash_hook("watch-indexed")
        reports = check_alerts(self.index_dir, deliver, crash_hook=self.crash_hook)
        return Batch(report, len(paths or ()), time.perf_counter() - started, reports, catch_up)
