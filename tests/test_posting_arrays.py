"""Posting lists' arrays (posting_arrays.py) agree with Whoosh's own postings: after building,
after a merge, after deletes; and the encoding round-trips whatever the gaps and weights."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import formats

from newsindex.engine.whoosh import posting_arrays
from newsindex.engine.whoosh.store import INDEX_NAME, open_index
from tests.test_counting import archive as archive  # the fixture, shared
from tests.test_segment_merge import _index, _merge_all


def _whoosh_and_arrays(ix) -> tuple[int, int]:
    """Check every block-stored posting list of every segment against Whoosh's matcher (ids
    and weights, deleted documents included: the arrays are the segment's); returns
    (lists checked, lists with arrays); positions too, for Positions fields."""
    checked = with_arrays = with_positions = 0
    with ix.reader() as multi:
        for reader, _offset in multi.leaf_readers():
            terms = reader._terms
            for fieldname, text in reader.all_terms():
                raw = terms._tindex.get(terms._keycoder(fieldname, text))
                if raw[0]:  # inline: no blocks, no arrays
                    assert posting_arrays.pointer(raw) is None
                    continue
                checked += 1
                where = posting_arrays.pointer(raw)
                if where is None:
                    continue
                with_arrays += 1
                fmt = reader.schema[fieldname].format
                matcher = reader._terms.matcher(fieldname, text, fmt)
                ids, weights, positions = [], [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    weights.append(matcher.weight())
                    if type(fmt) is formats.Positions:
                        positions.append(fmt.decode_positions(matcher.value()))
                    matcher.next()
                data = terms._postfile.get(*where)
                as_numpy = posting_arrays.decode_numpy(np, data)
                assert as_numpy[0].tolist() == ids, (fieldname, text)
                assert as_numpy[1].tolist() == weights, (fieldname, text)
                assert posting_arrays.decode_lists(data) == (ids, weights), (fieldname, text)
                held = posting_arrays.positions_lists(data)
                assert (held is not None) == (type(fmt) is formats.Positions), (fieldname, text)
                if held is not None:
                    with_positions += 1
                    assert list(held[0]) == [len(p) for p in positions], (fieldname, text)
                    assert list(held[1]) == [q for p in positions for q in p], (fieldname, text)
                    rows = np.arange(0, len(ids), 3)
                    row, position = posting_arrays.positions_numpy(np, data, rows)
                    expected = [(n, q) for n, r in enumerate(rows) for q in positions[r]]
                    assert list(zip(row.tolist(), position.tolist(), strict=True)) == expected
    assert with_positions > 10  # title and body lists
    return checked, with_arrays


def test_built_segments_have_arrays_equal_to_whoosh_postings(tmp_path):
    _storage, ix = _index(tmp_path, [300, 40, 170])
    checked, with_arrays = _whoosh_and_arrays(ix)
    assert checked > 20 and with_arrays == checked


@pytest.mark.parametrize("sizes", [[40, 3, 170, 1, 60], [300, 200]])
def test_merged_segment_has_arrays_equal_to_whoosh_postings(tmp_path, sizes):
    storage, ix = _index(tmp_path, sizes)
    ix = _merge_all(storage, ix, slice(0, len(sizes)))
    assert len(ix._segments()) == 1
    checked, with_arrays = _whoosh_and_arrays(ix)
    assert checked > 20 and with_arrays == checked


def test_after_deletes_and_merge_arrays_equal_whoosh_postings(tmp_path):
    storage, ix = _index(tmp_path, [150, 90, 200])
    rng = random.Random(4)
    writer = ix.writer()
    for docnum in rng.sample(range(440), 120):
        writer.delete_document(docnum)
    writer.commit(mergetype=lambda _w, segments: segments)
    ix = storage.open_index(INDEX_NAME)
    checked, _with = _whoosh_and_arrays(ix)  # deletions leave the segments' files as they were
    assert checked > 20
    ix = _merge_all(storage, ix, slice(0, 3))
    assert ix.doc_count_all() == 320
    checked, with_arrays = _whoosh_and_arrays(ix)
    assert checked > 20 and with_arrays == checked


@pytest.mark.parametrize("gaps", [(1, 3), (200, 400), (60_000, 70_000), (1, 5_000_000)])
def test_encoding_round_trips_any_gaps_and_weights(gaps):
    rng = random.Random(gaps[1])
    docs, doc = [], rng.randrange(0, 1000)
    for _ in range(700):
        docs.append(doc)
        doc += rng.randint(*gaps)
    for weights, unit in (
        ([2.0] * 700, 2.0),
        ([2.0 * rng.randint(1, 9) for _ in docs], 2.0),
        ([1.0 * rng.randint(1, 900) for _ in docs], 1.0),
        ([rng.random() for _ in docs], 1.0),
    ):
        data = posting_arrays.encode(docs, weights, unit)
        ids, read = posting_arrays.decode_numpy(np, data)
        assert ids.tolist() == docs and read.tolist() == weights
        assert posting_arrays.decode_lists(data) == (docs, weights)


def test_escaped_gaps_cost_less_than_wider_ids():
    """Mostly small gaps with a few big ones: one byte each, the big ones escaped."""
    docs = [n * 3 + (100_000 if n > 500 else 0) for n in range(1000)]
    data = posting_arrays.encode(docs, [1.0] * 1000)
    assert len(data) < 1000 + 4 * 2 + 64
    assert posting_arrays.decode_lists(data)[0] == docs


def test_block_weights_read_back_as_whoosh_reads_them():
    assert posting_arrays.read_back([1.3, 1.3]) == [float(np.float32(1.3))] * 2
    assert posting_arrays.read_back([1.3, 2.0]) == [1.3, 2.0]
    assert posting_arrays.stored_read_back(None, 3) == [1.0] * 3
    assert posting_arrays.exact_in_32_bits(2.0) and not posting_arrays.exact_in_32_bits(1.3)


def test_the_direct_reader_reads_the_same_postings_from_arrays_and_blocks(archive, monkeypatch):
    from newsindex.engine.whoosh.direct.postings import postings
    from newsindex.engine.whoosh.direct.reader import Generation

    generation = Generation(archive)
    with open_index(archive).reader() as multi:
        terms = [list(reader.all_terms()) for reader, _offset in multi.leaf_readers()]
    read = 0
    for segment, segment_terms in zip(generation.segments, terms, strict=True):
        for fieldname, text in segment_terms:
            if fieldname in ("title", "body"):  # their long lists are arrays alone (format 10)
                continue
            info = segment.term_info(fieldname, text)
            if info.arrays is None:
                continue
            from_arrays = postings(info, segment.postfile)
            info.arrays = None
            assert postings(info, segment.postfile) == from_arrays, (fieldname, text)
            read += 1
    assert read > 10


def test_bytes_that_are_not_arrays_are_refused():
    data = posting_arrays.encode([1, 5, 9], [1.0, 2.0, 3.0])
    for broken in (b"", data[:6], data[:-1], data + b"\0", b"XXXX" + data[4:], data[:8] + b"\x03" + data[9:]):
        with pytest.raises(ValueError):
            posting_arrays.decode_lists(broken)
        with pytest.raises(ValueError):
            posting_arrays.decode_numpy(np, broken)
