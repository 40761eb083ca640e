"""The walk's files as batches, and each batch dealt out to the workers.

A worker can run ahead of another by about one batch (the main process learns from a whole
batch before either cleans it), so how evenly a batch is shared decides how long one waits
for the other.  A batch cut in two halves of consecutive files gave one worker a folder of
HTML pages and the other a folder of short texts: on an archive of three such folders one
worker worked 10 s while the other waited 8.  Shares are made of short runs of files of
about equal estimated work, each run to the worker with the least so far; and the last
batches of a walk get smaller, so the workers also end together.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import limits
from .scan import _Pending, _Piece

#: What reading, cleaning and indexing a file costs beside its bytes, counted in bytes: a
#: Reuters story of 850 bytes takes ~0.5 ms, an HTML page of 135 kB ~17 ms, and both cost
#: about what 3,300 bytes more than their size would.
FILE_COST_BYTES = 3300
#: Runs dealt to each worker per batch: runs this long keep neighbouring files (and their
#: words) together, and enough of them sample the whole batch.
RUNS_PER_WORKER = 16
#: The last batches of a walk are cut down to this share of a batch.
TAPER_SHARE = 4


def _take(work: Iterator[_Pending | _Piece], limit: int) -> tuple[list[_Pending | _Piece], bool]:
    """The next batch: files and pieces up to ``limit`` in weight (a file weighs 1,
    a piece its records); True when ``work`` is exhausted."""
    batch: list[_Pending | _Piece] = []
    weight = 0
    for item in work:
        batch.append(item)
        weight += item.weight
        if weight >= limit:
            return batch, False
    return batch, True


def _batches(work: Iterator[_Pending | _Piece], limit: int) -> Iterator[list[_Pending | _Piece]]:
    """``_take``'s batches, one taken ahead so that the last two are known: those are cut
    again, each next one half the weight left, down to ``limit // TAPER_SHARE``."""
    ahead, over = _take(work, limit)
    while not over:
        batch = ahead
        ahead, over = _take(work, limit)
        if over:
            ahead = batch + ahead
        else:
            yield batch
    yield from _tapered(ahead, max(1, limit // TAPER_SHARE))


def _tapered(items: list[_Pending | _Piece], floor: int) -> Iterator[list[_Pending | _Piece]]:
    """``items`` in order, as batches of half the weight left each, the last two of at most
    about ``floor``."""
    left = sum(item.weight for item in items)
    batch: list[_Pending | _Piece] = []
    weight = 0
    for item in items:
        batch.append(item)
        weight += item.weight
        if left > 2 * floor and 2 * weight >= left:
            yield batch
            left -= weight
            batch, weight = [], 0
    if len(batch) > 1 and left > floor:
        half = len(batch) // 2
        yield batch[:half]
        batch = batch[half:]
    if batch:
        yield batch


def _cost(item: _Pending | _Piece) -> int:
    """The work of an item, estimated in bytes: its size (a compressed file's as it will be
    read) and ``FILE_COST_BYTES`` per file or record."""
    if isinstance(item, _Piece):
        return sum(len(raw.text) if raw.record is None else _record_bytes(raw.record) for raw in item.raws) + (
            FILE_COST_BYTES * item.weight
        )
    return item.size * (limits.COMPRESSED_EXPANSION if item.compression else 1) + FILE_COST_BYTES


def _record_bytes(record: dict) -> int:
    return sum(len(value) for value in record.values() if isinstance(value, str))


def _deal(items: list[_Pending | _Piece], parts: int) -> list[int]:
    """The worker each item of a batch goes to: runs of consecutive items of about equal
    estimated work (``_cost``), ``RUNS_PER_WORKER`` for each worker, each run to the worker
    with the least work so far.  An item is in the run its middle falls in, so consecutive
    items larger than a run (pieces of a record file) fall in runs of their own."""
    costs = [_cost(item) for item in items]
    length = max(1, sum(costs) // (parts * RUNS_PER_WORKER))
    loads = [0] * parts
    owners = []
    done = 0
    run = worker = -1
    for cost in costs:
        middle_run = (done + cost // 2) // length
        if middle_run != run:
            run = middle_run
            worker = loads.index(min(loads))
        owners.append(worker)
        loads[worker] += cost
        done += cost
    return owners
