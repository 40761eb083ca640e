"""Batches of the walk and their shares (index/batching.py)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from newsindex.drafts import RawDocument
from newsindex.index import limits
from newsindex.index.batching import RUNS_PER_WORKER, TAPER_SHARE, _batches, _cost, _deal
from newsindex.index.scan import _is_big_record_file, _Pending, _Piece


def pending(name: str, size: int, compression: str | None = None) -> _Pending:
    return _Pending(f"/news/{name}", "text", compression, size, 0.0, None)


def piece(raws: list[RawDocument]) -> _Piece:
    return _Piece(pending("export.jsonl", 10**8), "digest", raws, True, False)


def test_a_folder_of_short_texts_and_one_of_large_pages_are_shared_by_both_workers():
    # As a walk lists them: a thousand short stories, then forty HTML pages.  Halves of the
    # batch gave one worker all the pages.
    batch = [pending(f"a/{n}.txt", 800) for n in range(1000)] + [pending(f"b/{n}.html", 135_000) for n in range(40)]
    owners = _deal(batch, 2)
    work = [sum(_cost(item) for item, owner in zip(batch, owners, strict=True) if owner == worker) for worker in (0, 1)]
    assert abs(work[0] - work[1]) <= 0.1 * sum(work)  # halves: one worker had 78% of it
    pages = [owner for item, owner in zip(batch, owners, strict=True) if item.path.endswith(".html")]
    assert 15 <= pages.count(0) <= 25
    # in runs of neighbouring files, not one file each in turn
    changes = sum(1 for before, after in pairwise(owners) if before != after)
    assert changes <= 2 * RUNS_PER_WORKER + 1


def test_pieces_of_a_record_file_are_shared_by_both_workers():
    # Eight pieces of 250 records, each larger than a run: dealt by where their middles fell,
    # every one went to the first worker.
    records = [RawDocument("/news/export.jsonl", "record", record={"body": "x" * 900}) for _ in range(250)]
    owners = _deal([piece(records) for _ in range(8)], 2)
    assert owners.count(0) == owners.count(1) == 4


def test_every_item_goes_to_a_worker_and_one_worker_takes_all():
    batch = [pending(f"{n}.txt", 100 * n) for n in range(50)]
    assert set(_deal(batch, 3)) == {0, 1, 2}
    assert _deal(batch, 1) == [0] * 50
    assert _deal([], 2) == []


def test_a_compressed_file_and_a_piece_of_records_cost_what_they_hold():
    assert _cost(pending("a.jsonl.gz", 1000, "gzip")) > _cost(pending("a.jsonl", 1000))
    empty = piece([])
    texts = piece([RawDocument("/news/export.jsonl", "record", record={"body": "x" * 5000, "n": 3})])
    assert _cost(texts) >= _cost(empty) + 5000


def test_a_record_file_goes_in_pieces_by_what_it_holds_once_read():
    """One expansion for a compressed file, whether it is too big to go whole or what it
    costs a worker: a compressed export just under the split once expanded goes whole."""
    split, expansion = limits.SPLIT_RECORD_BYTES, limits.COMPRESSED_EXPANSION

    def records(size: int, compression: str | None = None) -> _Pending:
        return _Pending("/news/export.jsonl", "records", compression, size, 0.0, None)

    assert _is_big_record_file(records(split)) and not _is_big_record_file(records(split - 1))
    assert _is_big_record_file(records(-(-split // expansion), "gzip"))
    assert not _is_big_record_file(records(split // expansion - 1, "gzip"))
    assert not _is_big_record_file(pending("page.html", 10 * split))
    assert _cost(records(split // expansion, "gzip")) == _cost(records(split // expansion * expansion))


@pytest.mark.parametrize("count", [0, 1, 7, 40, 99, 100, 101, 250, 399, 1000])
def test_batches_keep_every_item_once_in_order_and_the_last_ones_taper(count):
    limit = 100
    items = [pending(f"{n}.txt", 800) for n in range(count)]
    batches = list(_batches(iter(items), limit))
    assert [item for batch in batches for item in batch] == items
    assert all(batches)
    sizes = [len(batch) for batch in batches]
    if count > 2 * limit:
        # all batches full until the last two would have been taken, then smaller and smaller
        assert sizes[: (count // limit) - 1] == [limit] * ((count // limit) - 1)
    assert all(size <= limit for size in sizes[:-2]) or count <= limit
    if count >= limit:
        assert max(sizes[-2:]) <= limit // TAPER_SHARE + 1
        assert sizes[-3:-2] == [] or sizes[-3] >= sizes[-2]
