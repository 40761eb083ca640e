"""The small buckets' links decided by numpy (``pair_links``) are the linker's, pair for pair."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newsindex.engine.whoosh import neargraph, pair_links
from newsindex.index import dedup


def _sketches(rng: random.Random, count: int) -> list[list[int]]:
    """Sketches of articles in families: light and heavy edits of a family's values, exact
    copies, short sketches, and rewrites that keep a story's larger values and one of its
    leading ones (many values shared, yet few among the smallest: resemblance decides).  A
    tenth share a sign-off's value, smaller than any other: one big bucket the linker splits."""
    families = [sorted(rng.sample(range(2, 2_000_000), 48)) for _ in range(count // 12)]
    sketches: list[list[int]] = []
    while len(sketches) < count:
        family = rng.choice(families)
        kind = rng.random()
        if kind < 0.2 and sketches:
            values = list(rng.choice(sketches))  # an exact copy of an article seen
        elif kind < 0.35:
            values = family[: rng.randrange(1, dedup.SKETCH_SIZE)]  # a short article
        elif kind < 0.5:
            smaller = rng.sample(range(2, family[0]), min(16, family[0] - 2))
            values = [family[rng.randrange(4)], *family[-16:], *smaller]  # shares the large values
        else:
            values = [v for v in family if rng.random() > rng.choice([0.1, 0.3, 0.5, 0.7])]
            values += rng.sample(range(2, 2_000_000), rng.randrange(12))
        if rng.random() < 0.1:
            values.append(1)  # the sign-off
        sketches.append(sorted(set(values))[: dedup.SKETCH_SIZE])
    return sketches


def _both_ways(sketches: list[list[int]]) -> tuple[np.ndarray, np.ndarray, list]:
    packed = b"".join(dedup.pack_values(values) for values in sketches)
    matrix = np.frombuffer(packed, dtype=">u4").reshape(-1, dedup.SKETCH_SIZE)
    heads = matrix[:, : dedup.SKETCH_INDEXED].astype(np.uint32)
    buckets = neargraph._members(heads, None)

    def read(docnum: int) -> tuple[int, ...]:
        return dedup.sketch_values(packed, docnum * dedup.PACKED_SIZE)

    return neargraph._link(buckets, read), neargraph._link(buckets, read, matrix), buckets


@pytest.mark.parametrize("seed", range(6))
def test_small_buckets_link_as_the_linker_links_them(seed):
    rng = random.Random(seed)
    linker, with_pairs, buckets = _both_ways(_sketches(rng, 600))
    small = [docs for _value, docs in buckets if pair_links.is_small(docs)]
    assert len(small) > 100 and len(small) < len(buckets)  # both ways of linking are used
    assert len(linker) > 200
    assert np.array_equal(with_pairs, linker)


def test_both_tests_of_a_pair_decide_some_pairs():
    """Pairs sharing many values yet few of the smallest (the resemblance turns them away) and
    pairs that resemble but were looked at in a bucket of a smaller value are both met, and
    each pair is linked as the linker links that bucket's two members alone."""
    rng = random.Random(11)
    sketches = _sketches(rng, 800)
    packed = b"".join(dedup.pack_values(values) for values in sketches)
    matrix = np.frombuffer(packed, dtype=">u4").reshape(-1, dedup.SKETCH_SIZE).astype(np.uint32)
    heads = matrix[:, : dedup.SKETCH_INDEXED]
    small = [(value, docs) for value, docs in neargraph._members(heads, None) if pair_links.is_small(docs)]
    values, firsts, seconds = (np.concatenate(parts) for parts in zip(*pair_links._pairs(small), strict=True))
    linked = pair_links._linked(values, matrix[firsts], matrix[seconds])
    expected = np.zeros(len(values), dtype=bool)
    for at, (value, first, second) in enumerate(zip(values, firsts, seconds, strict=True)):
        linker = dedup._Linker(lambda d: tuple(sketches[d]))
        expected[at] = second in linker.bucket(int(value), [int(first), int(second)]).get(int(first), [])
    assert np.array_equal(linked, expected) and expected.sum() > 50
    pairs = list(zip(firsts, seconds, strict=True))
    overlapping = np.array(
        [
            len(set(sketches[a]) & set(sketches[b])) >= dedup.SIMILAR_OVERLAP * min(len(sketches[a]), len(sketches[b]))
            for a, b in pairs
        ]
    )
    resembling = np.array([dedup.resemblance(sketches[a], sketches[b]) >= dedup.SIMILAR_OVERLAP for a, b in pairs])
    assert (overlapping & ~resembling).any()  # the resemblance decides
    assert (resembling & ~expected).any()  # another bucket decides (``_here``)


@pytest.mark.parametrize("small_bucket, max_neighbours", [(3, 200), (16, 4), (1, 200)])
def test_the_linkers_settings_are_read_when_linking(monkeypatch, small_bucket, max_neighbours):
    """A bucket the linker would split, or in which a list could reach its cap, is left to it."""
    monkeypatch.setattr(dedup, "SMALL_BUCKET", small_bucket)
    monkeypatch.setattr(dedup, "MAX_NEIGHBOURS", max_neighbours)
    linker, with_pairs, _buckets = _both_ways(_sketches(random.Random(5), 500))
    assert np.array_equal(with_pairs, linker)


def test_pairs_are_tested_a_bounded_number_at_a_time(monkeypatch):
    monkeypatch.setattr(pair_links, "PAIRS_AT_ONCE", 7)
    buckets = [(value, list(range(value, value + 5))) for value in range(1, 40)]
    chunks = list(pair_links._pairs(buckets))
    assert all(len(values) <= 10 for values, _first, _second in chunks)  # one bucket's 10 pairs at least
    pairs = {
        (int(v), int(a), int(b))
        for values, firsts, seconds in chunks
        for v, a, b in zip(values, firsts, seconds, strict=True)
    }
    assert len(pairs) == 39 * 10
    linker, with_pairs, _buckets = _both_ways(_sketches(random.Random(8), 300))
    assert np.array_equal(with_pairs, linker)
