"""Sketching many articles at once (index/sketches.py) gives each exactly its own sketch."""

from __future__ import annotations

import os
import random
import zlib
from pathlib import Path

import numpy as np
import pytest

from newsindex.index import dedup, sketches

from .conftest import shared_data

#: Words of every kind the batch path treats apart: ASCII, accented and Greek (a final sigma),
#: Turkish dotted I, a run of Chinese (no spaces: one long word), words just under and over the
#: longest the tables move, punctuation that splits words.
_PIECES = [
    "the", "Ferry", "U.S.", "re-opening", "it's", "2nd", "x_y", "99%", "Über", "ΣΟΦΟΣ", "İstanbul",
    "数据中心建设" * 6, "q" * sketches.LONGEST_WORD, "z" * (sketches.LONGEST_WORD + 1), "w" * 400,
]  # fmt: skip


def _texts(seed: int, count: int = 300) -> list[str]:
    rng = random.Random(seed)
    vocabulary = _PIECES + [f"word{n}" for n in range(200)]
    texts = []
    for _ in range(count):
        shape = rng.random()
        if shape < 0.1:  # around the shortest text with a sketch (12 words)
            words = [rng.choice(vocabulary) for _ in range(rng.randrange(9, 14))]
        elif shape < 0.2:  # a few shingles repeated: fewer than 32 distinct below the threshold
            cycle = [f"Cycle{n}" for n in range(rng.randrange(1, 40))]
            words = cycle * rng.randrange(20, 200)
        else:
            words = [rng.choice(vocabulary) for _ in range(rng.randrange(0, 600))]
        texts.append(" ".join(words))
    return texts


@pytest.mark.parametrize("seed", range(6))
def test_a_batch_is_sketched_as_each_text_alone(seed):
    texts = _texts(seed)
    assert sketches.packed_sketches(texts) == [dedup.packed_sketch(text) for text in texts]


@pytest.mark.parametrize("chunk_words", [50, 300])
def test_texts_split_into_chunks_are_sketched_the_same(monkeypatch, chunk_words):
    """Chunks of a few texts, and texts longer than a chunk (sketched the plain way)."""
    texts = _texts(99)
    expected = [dedup.packed_sketch(text) for text in texts]
    monkeypatch.setattr(sketches, "CHUNK_WORDS", chunk_words)
    assert sketches.packed_sketches(texts) == expected
    assert sketches.packed_sketches([]) == []
    assert sketches.packed_sketches(["too short", ""]) == [dedup.pack_values([])] * 2


def test_a_moved_crc_combines_with_the_next_bytes_crc():
    """The identity the batch path rests on: crc32(a + b) = moved(crc32(a), len(b)) ^ crc32(b)."""
    rng = random.Random(7)
    for length in range(sketches._MOST_MOVED + 1):
        first, second = rng.randbytes(rng.randrange(0, 30)), rng.randbytes(length)
        moved = sketches._moved(np.array([zlib.crc32(first)], np.uint32), np.array([length]))
        assert int(moved[0]) ^ zlib.crc32(second) == zlib.crc32(first + second)


def test_every_reuters_story_is_sketched_as_alone():
    folder = shared_data("reuters-txt")
    paths = sorted(Path(root, name) for root, _dirs, names in os.walk(folder) for name in names)
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in paths]
    assert len(texts) > 20_000
    for start in range(0, len(texts), 1000):
        batch = texts[start : start + 1000]
        assert sketches.packed_sketches(batch) == [dedup.packed_sketch(text) for text in batch]
