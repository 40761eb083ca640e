"""Generations and publishing: the writer's lock, fsync, an atomic switch of CURRENT, crash points for tests."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import shutil
import signal
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ..engine.whoosh.lexicon import WORDS_FILE
from ..engine.whoosh.location import LEGACY_STATE_FILE, LINKS_FILE, STATE_FILE
from ..engine.whoosh.store import (
    _GEN_PREFIX,
    NEIGHBOURS_FILE,
    IndexLocked,
    current_generation,
)
from ..engine.whoosh.summary import SUMMARY_FILE
from .stamps import STAMPS_FILE

#: Files a generation writes anew rather than hard-linking from the previous one.
_PER_GENERATION = frozenset(
    {
        "manifest.sqlite",
        "info.json",
        "learned.json",
        NEIGHBOURS_FILE,
        STATE_FILE,
        LINKS_FILE,
        LEGACY_STATE_FILE,  # not carried into generations that no longer read it
        WORDS_FILE,
        SUMMARY_FILE,
        STAMPS_FILE,
    }
)
#: Test hook: ``NEWSINDEX_CRASH_AT=<point>`` kills the indexer with SIGKILL
#: when it reaches that point (see ``_checkpoint`` and ``CRASH_POINTS``).
CRASH_ENV = "NEWSINDEX_CRASH_AT"
CRASH_POINTS = (
    "scanned",  # files listed, old versions not yet forgotten
    "worker-extracted",  # in a worker, after reading its share of a batch
    "batch-learned",  # a batch learned from and handed to the workers
    "worker-indexing",  # in a worker, while adding documents to its segment
    "segments-written",  # every new segment on disk, none committed
    "segments-committed",  # new segments in the generation's TOC, deletions not yet
    "merging",  # a merged segment written, the TOC naming it not yet (only in runs that merge)
    "before-near-duplicates",  # index committed and checked, its near-duplicate graph not yet written
    "committed",  # generation complete but for learned.json, info.json and fsync
    "before-publish",  # generation fsynced, CURRENT still the old one
    "published",  # CURRENT replaced, stale generations not yet removed
)
#: Points of a walk shared with a fork (index/compare.py: a large archive only).
SHARED_WALK_CRASH_POINTS = (
    "walk-shared",  # this process's half of the walk done, the fork's not yet collected
    "fork-walked",  # in the fork, its half walked, nothing sent yet
)


class _Lock:
    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / "LOCK"
        self.handle = None

    def __enter__(self) -> _Lock:
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise IndexLocked(
                f"index at {self.path.parent} is being written by {holder}; try again when it finishes"
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"newsindex pid {os.getpid()}")
        self.handle.flush()
        return self

    def fileno(self) -> int:
        return self.handle.fileno() if self.handle else -1

    def __exit__(self, *exc) -> None:
        if self.handle:
            self.handle.close()


@lru_cache(maxsize=1)
def _crash_hook() -> str | None:
    return os.environ.get(CRASH_ENV)


def _checkpoint(point: str) -> None:
    """The crash-test hook: ``NEWSINDEX_CRASH_AT=point`` dies here as a kill -9
    would; ``point:pause`` waits here (a minute at most) to be killed.  The variable is
    read once per process: a worker passes here for every file, and a missing variable
    costs ``os.environ`` a raised KeyError each time."""
    hook = _crash_hook()
    if not hook:
        return
    name, _, action = hook.partition(":")
    if name != point:
        return
    if action == "pause":
        time.sleep(60)
        return
    os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path, durable: frozenset[str] = frozenset()) -> None:
    """fsync a generation's files and folder; ``durable`` names files hard-linked from a
    published generation, whose contents were synced when it was (a one-file run at
    200,000 articles would otherwise sync every segment again)."""
    for child in path.iterdir():
        if child.is_file() and child.name not in durable:
            _fsync_file(child)
    _fsync_dir(path)


def _fsync_file(path: str | Path) -> None:
    """A written file's contents to disk."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _next_generation_name(index_dir: Path) -> str:
    numbers = [
        int(p.name[len(_GEN_PREFIX) :])
        for p in index_dir.glob(_GEN_PREFIX + "*")
        if p.name[len(_GEN_PREFIX) :].isdigit()
    ]
    return f"{_GEN_PREFIX}{max(numbers, default=0) + 1:06d}"


def _publish(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically (write, fsync, rename)."""
    temporary = index_dir / "CURRENT.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def _remove_stale_generations(index_dir: Path, keep: set[str]) -> None:
    committed = current_generation(index_dir)
    for item in index_dir.glob(_GEN_PREFIX + "*"):
        if item.name in keep or (committed is not None and item.name == committed.name):
            continue
        shutil.rmtree(item, ignore_errors=True)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The run allocates millions of small, acyclic objects; the cyclic collector
    would rescan them over and over (it doubled the cost of analysis).

    What outlives the run is moved to the oldest generation before the collector is on
    again (``freeze`` and ``unfreeze`` move lists, not objects): left in the youngest, the
    first allocation after the run scanned all of it (30 ms of a one-file run at 200,000
    articles), and a full collection still finds any cycle among it later (a ``watch``
    makes runs for days).  What the CLI froze at start-up goes there too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
