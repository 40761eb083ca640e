"""The worker processes: each reads and extracts its share of a batch, then cleans, sketches and
indexes the chosen articles into its own segment.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..clean.learned import SourceTemplates
from ..engine.whoosh.segment import SegmentBuilder
from ..engine.whoosh.store import (
    INDEX_NAME,
    IndexProblem,
    make_schema,
)
from ..forking import die_with_parent
from ..ingest import IngestOptions, article_from_draft, draft_from_raw, drafts_from_file
from ..models import Draft, Skipped
from ..read import FoundFile, ReadError, read_bytes
from . import limits
from .batching import _batches, _deal
from .documents import _FAST_TEXT, article_record, document_fields
from .generations import _checkpoint
from .manifest import _bytes_digest, _learn_keys, dup_key, stored_digest
from .scan import _Pending, _Piece, _work_item


class _Worker:
    """Reads, extracts, cleans and indexes its share of each batch.

    Runs in a worker process, or in the main process for small runs; either
    way it only talks through ``handle(message) -> reply``.
    """

    def __init__(self, generation: Path, options: IngestOptions) -> None:
        self.options = options
        self.field_map = options.field_map()
        self.fields = options.field_map_fingerprint()
        self.rules = options.rules()
        self.builder = SegmentBuilder(generation, make_schema(), INDEX_NAME, fast_text=_FAST_TEXT)
        self.held: dict[int, list[list[tuple[Draft, str] | None]]] = {}

    def handle(self, message: tuple) -> tuple:
        if message[0] == "extract":
            return ("extracted", self._extract(message[1], message[2]))
        if message[0] == "index":
            return self._index(message[1], message[2], message[3])
        if message[0] == "flush":
            segment = self.builder.write()
            return ("flushed", [segment] if segment is not None else [], 0)
        raise ValueError(f"unknown message {message[0]!r}")

    def _extract(self, batch: int, work: list[tuple]) -> list[tuple]:
        """Each work item's result for the main process; its drafts held for ``_index``.

        Every file of the batch is extracted first, then every draft keyed (``_drafts``): in a
        pass of their own the keys took 3% less of a Reuters build's CPU than each file's
        drafts keyed as it was extracted (each stage's data kept in the caches, we think).
        """
        results = []
        held = []
        for status, digest, extracted in [self._extracted(item) for item in work]:
            if status in ("piece", "read"):
                items, drafts = self._drafts(extracted)
                results.append((status, digest, items))
                held.append(drafts)
            else:  # "unreadable" (``extracted`` says why) or "same" (nothing)
                results.append((status, digest, extracted))
                held.append([])
        _checkpoint("worker-extracted")
        self.held[batch] = held
        return results

    def _extracted(self, item: tuple) -> tuple[str, str, list | str]:
        """``(status, digest, drafts)`` of a work item: a piece of a record file or a file
        read; for a file unreadable, the reason; for a file unchanged, no drafts."""
        if item[0] == "records":
            return ("piece", "", [draft_from_raw(raw, self.options, self.field_map) for raw in item[1]])
        _kind, path, kind, compression, known_digest = item
        found = FoundFile(path, kind, compression)
        data = self._whole_file(found)
        try:
            digest = stored_digest(found, self.fields) if data is None else _bytes_digest(data)
        except OSError as exc:
            return ("unreadable", "", exc.strerror or "cannot read")
        if digest == known_digest:
            return ("same", digest, [])
        return ("read", digest, list(drafts_from_file(found, self.options, self.field_map, data)))

    def _whole_file(self, found: FoundFile) -> bytes | None:
        """An uncompressed text or HTML file's bytes, read once for both its digest and
        its text.  ``None`` for the rest: record files stream, a compressed file's
        digest is of what is on disk, and a file the reader refuses is left to it."""
        if found.kind == "records" or found.compression:
            return None
        try:
            return read_bytes(found, self.options.max_bytes)
        except ReadError:
            return None

    @staticmethod
    def _drafts(extracted: Iterable[Draft | Skipped]) -> tuple[list[tuple], list[tuple[Draft, str] | None]]:
        """What the main process needs to decide about each draft, and the drafts held for indexing."""
        items = []
        drafts: list[tuple[Draft, str] | None] = []
        for draft in extracted:
            if isinstance(draft, Skipped):
                items.append(("skip", draft.path, draft.reason))
                drafts.append(None)
                continue
            key = dup_key(draft)
            items.append(("draft", draft.id, key, draft.source, _learn_keys(draft)))
            drafts.append((draft, key))
        return items, drafts

    def _index(self, batch: int, choices: list[list[int]], learned: SourceTemplates) -> tuple:
        from .sketches import packed_sketches  # numpy: imported by a run that indexes, not with the indexer

        held = self.held.pop(batch)
        outcomes = []
        segments = []
        added = 0
        for cleaned in self._cleaned(held, choices, learned):
            sketches = iter(packed_sketches([text for _draft, _key, _article, text in cleaned if text is not None]))
            for draft, key, article, text in cleaned:
                if text is None:
                    outcomes.append((draft.id, draft.path, key, article, []))
                    continue
                try:
                    self.builder.add(document_fields(article_record(article, text, next(sketches))))
                except OSError:
                    # The article is in memory: this is the segment's files failing (a full disk),
                    # which no article causes; the run stops and the last index stays.
                    raise
                except Exception as exc:
                    outcomes.append((draft.id, draft.path, key, _could_not_index(exc), []))
                    continue
                added += 1
                if article.warnings:
                    outcomes.append((article.id, draft.path, key, None, list(article.warnings)))
                if self.builder.estimated_bytes > limits.SEGMENT_MEMORY:
                    segments.append(self.builder.write())
                _checkpoint("worker-indexing")
        return ("indexed", outcomes, len(held), segments, added)

    def _cleaned(self, held: list, choices: list[list[int]], learned: SourceTemplates) -> Iterator[list[tuple]]:
        """The chosen drafts cleaned, as ``(draft, key, article, text)``, in lists of about
        ``limits.SKETCHED_TOGETHER`` characters of text; a draft that fails is ``(draft, key,
        reason, None)``.  Cleaning a list before indexing any of it, rather than article by
        article, took 7% less CPU on Reuters by itself (each stage's data stays in the caches,
        we think), and the list is sketched together (``packed_sketches``)."""
        cleaned: list[tuple] = []
        size = 0
        for drafts, chosen in zip(held, choices, strict=True):
            for position in chosen:
                draft, key = drafts[position]
                try:
                    article = article_from_draft(draft, self.rules, learned)
                except OSError:
                    raise
                except Exception as exc:
                    cleaned.append((draft, key, _could_not_index(exc), None))
                    continue
                text = article.text
                cleaned.append((draft, key, article, text))
                size += len(text)
                if size >= limits.SKETCHED_TOGETHER:
                    yield cleaned
                    cleaned, size = [], 0
        if cleaned:
            yield cleaned


def _could_not_index(exc: Exception) -> str:
    return f"could not index: {type(exc).__name__}: {exc}"[:300]


class _Local:
    """The ``_Pool`` interface for the one in-process worker."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.replies: deque = deque()

    def put(self, message: tuple) -> None:
        self.replies.append(self.worker.handle(message))

    def get(self, timeout: float | None = None) -> tuple:
        return self.replies.popleft()


def _worker_main(inbox, outbox, generation: Path, options: IngestOptions, lock_fd: int, parent: int) -> None:
    """A worker process: handle messages until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if lock_fd >= 0:
        with contextlib.suppress(OSError):
            os.close(lock_fd)  # the lock must end with the main process, not outlive it here
    die_with_parent(parent)
    gc.disable()
    worker = _Worker(generation, options)
    while True:
        message = inbox.get()
        if message[0] == "stop":
            outbox.close()
            outbox.join_thread()
            return
        try:
            reply = worker.handle(message)
        except OSError as exc:
            reply = ("error", "os", exc.strerror or str(exc))
        except BaseException as exc:
            reply = ("error", type(exc).__name__, " ".join(str(exc).split())[:300])
        outbox.put(reply)


class _Pool:
    """Worker processes (or one in-process worker), each with its own queues.

    Queues, not pipes: sending never blocks the main process, so a large
    command and a large reply in flight at once cannot deadlock.  A worker
    that dies or fails stops the run with a clear ``IndexProblem``.
    """

    def __init__(self, size: int, generation: Path, options: IngestOptions, lock_fd: int) -> None:
        self.size = size
        self.processes: list = []
        if size == 1:
            local = _Local(_Worker(generation, options))
            self.inboxes = self.outboxes = [local]
            return
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        # numpy, which the sketches, the segment writer and the commit need, imported once before
        # the workers fork from this process: each would otherwise import it (~40 ms).
        from ..engine.whoosh import neargraph  # noqa: F401
        from . import sketches  # noqa: F401

        self.inboxes = [context.Queue() for _ in range(size)]
        self.outboxes = [context.Queue() for _ in range(size)]
        for number in range(size):
            process = context.Process(
                target=_worker_main,
                args=(self.inboxes[number], self.outboxes[number], generation, options, lock_fd, os.getpid()),
                daemon=True,
                name=f"newsindex-worker-{number}",
            )
            process.start()
            self.processes.append(process)

    def send(self, worker: int, message: tuple) -> None:
        self.inboxes[worker].put(message)

    def recv(self, worker: int) -> tuple:
        while True:
            try:
                reply = self.outboxes[worker].get(timeout=0.5)
                break
            except Exception as exc:  # queue.Empty: check the worker is still there
                if not self.processes or type(exc).__name__ != "Empty":
                    raise
                process = self.processes[worker]
                if not process.is_alive():
                    raise IndexProblem(
                        f"an indexing worker process died (exit code {process.exitcode}); "
                        "the previous index is unchanged"
                    ) from None
        if reply[0] == "error":
            if reply[1] == "os":
                raise OSError(reply[2])
            raise IndexProblem(f"indexing failed in a worker: {reply[1]}: {reply[2]}")
        return reply

    def kill(self) -> None:
        """Stop every worker now, mid-batch: for a run that is abandoned (they ignore
        SIGINT, and would finish their batch before reading a polite stop)."""
        for process in self.processes:
            if process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(timeout=1)

    def close(self) -> None:
        if not self.processes:
            return
        for inbox, process in zip(self.inboxes, self.processes, strict=True):
            if process.is_alive():
                with contextlib.suppress(Exception):
                    inbox.put(("stop",))
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        for queue in (*self.inboxes, *self.outboxes):
            queue.close()
            queue.cancel_join_thread()


class _Feeding:
    """Keeping the worker pool busy: extract the next batch while the main process decides on this one."""

    def _index(self, first: list[_Pending | _Piece], scan: Iterator[_Pending | _Piece] | None) -> None:
        """Read, learn from, clean and index the files the scan finds, in batches.

        ``first`` is the first batch; ``scan`` the rest of the walk, if it is
        not over yet, consumed a batch at a time as the work goes on (files
        gone from the paths are then removed at its end).
        """
        if not first:
            self._show_progress()
            return
        weight = sum(item.weight for item in first)
        count = self.workers if scan is not None else max(1, min(self.workers, -(-weight // limits.PARALLEL_MIN_FILES)))
        pool = _Pool(count, self.generation, self.options, self.lock.fileno())
        try:
            self._pipeline(pool, first, scan)
        except BaseException:
            pool.kill()  # Ctrl-C or a failure: the run is void, its workers' work with it
            raise
        finally:
            pool.close()

    def _pipeline(self, pool: _Pool, first: list[_Pending | _Piece], scan: Iterator[_Pending | _Piece] | None) -> None:
        """Extract batch k+1 and clean batch k-1 in the workers while the main
        process learns from batch k.  Batches are taken from the walk as it
        goes, so memory stays bounded however many files there are."""
        queued: deque[tuple[list[_Pending | _Piece], list[int]]] = deque()  # batches sent, each item's worker
        # Per worker, the files each share sent to it completes, in the order its replies come.
        self.completing: list[deque[int]] = [deque() for _ in range(pool.size)]

        def send_next(batch: list[_Pending | _Piece]) -> None:
            owners = _deal(batch, pool.size)
            queued.append((batch, owners))
            shares: list[list[_Pending | _Piece]] = [[] for _ in range(pool.size)]
            for item, worker in zip(batch, owners, strict=True):
                shares[worker].append(item)
            for worker, share in enumerate(shares):
                self.completing[worker].append(sum(1 for item in share if not isinstance(item, _Piece) or item.last))
                pool.send(worker, ("extract", len(queued) + self.batches_done - 1, [_work_item(i) for i in share]))

        batches = _batches(scan, limits.BATCH_SIZE) if scan is not None else iter(())
        self.batches_done = 0
        send_next(first)
        while queued:
            following = next(batches, None)
            if following:
                send_next(following)
            self._show_progress()
            # Learn from the whole batch first, in the walk's order, then let every worker clean its share.
            batch, owners = queued.popleft()
            results = [iter(self._await(pool, worker, "extracted")) for worker in range(pool.size)]
            choices: list[list[list[int]]] = [[] for _ in range(pool.size)]
            sources: list[set[str | None]] = [set() for _ in range(pool.size)]
            for item, worker in zip(batch, owners, strict=True):
                result = next(results[worker])
                chosen = self._accept(item, result)
                sources[worker].update(result[2][position][3] for position in chosen)
                choices[worker].append(chosen)
            for worker in range(pool.size):
                pool.send(
                    worker,
                    # the templates of the sources this worker cleans: all its cleaner reads
                    ("index", self.batches_done, choices[worker], self.learned.templates_of(sources[worker])),
                )
            self.batches_done += 1
            _checkpoint("batch-learned")
        if scan is not None:
            self._remove_vanished()  # the walk is over
        for worker in range(pool.size):
            pool.send(worker, ("flush",))
        for worker in range(pool.size):
            self._await(pool, worker, "flushed")

    def _await(self, pool: _Pool, worker: int, kind: str):
        """Handle a worker's replies until the one of ``kind``; returns its payload."""
        while True:
            reply = pool.recv(worker)
            if reply[0] == "indexed":
                self._indexed(worker, reply[1], reply[3], reply[4])
            elif reply[0] == "flushed":
                self._segments_written(reply[1], reply[2])
            if reply[0] == kind:
                return reply[1] if kind == "extracted" else None

    def _indexed(self, worker: int, outcomes: list, segments: list, added: int) -> None:
        for article_id, path, dup, failure, warnings in outcomes:
            if failure is not None:
                self._abandon(article_id, path, dup, failure)
            for warning in warnings:
                self.report.warnings.append((article_id, warning))
        self._segments_written(segments, added)
        self.done += self.completing[worker].popleft()
        self._show_progress()

    def _show_progress(self) -> None:
        if self.progress:
            done = self.done + self.passed
            self.progress(done, max(done, self.total))  # files may appear after the count

    def _segments_written(self, segments: list, added: int) -> None:
        self.segments.extend(segments)
        self.indexed += added
