"""The sketches of many articles at once: ``dedup.packed_sketch`` of each, in array operations.

A sketch hashes every 4-word shingle of an article with CRC-32.  Hashed one by one from
Python, each shingle costs a join and a call (a tenth of an indexing worker's time); here
each *word* is hashed once, and every shingle's CRC is put together from its words' by
CRC-32's linearity, for thousands of articles in a few numpy operations:

    crc32(a + b) == moved(crc32(a), len(b)) ^ crc32(b)

where ``moved(c, n)``, a CRC register carried on over ``n`` zero bytes, is linear in ``c``
and so read from tables, one lookup per byte of ``c`` (zlib's ``crc32_combine``, which
Python does not expose).  The values are exactly ``dedup``'s: an index holds the same
sketches however they were computed, and the tests compare the two ways.
"""

from __future__ import annotations

import functools
import sys
import zlib
from array import array
from collections.abc import Sequence

import numpy as np

from .dedup import _PAD_VALUE, PACKED_SIZE, SHINGLE_WORDS, SKETCH_SIZE, _smallest_hashes, _words, packed_sketch

#: Lengths the tables move a CRC over: two words and two spaces at most.
_MOST_MOVED = 127
#: A text with a longer word (UTF-8 bytes: a run of Chinese or Thai has no spaces) is
#: sketched the plain way, by ``dedup``.
LONGEST_WORD = (_MOST_MOVED - 2) // 2
_SPACE_CRC = zlib.crc32(b" ")
#: Words hashed together at most: bounds the arrays (~60 bytes a word) on a batch of long texts;
#: a text of more is sketched the plain way.
CHUNK_WORDS = 250_000


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """``(moves, spaces)``: ``moves[k][n * 256 + b]`` is ``moved(b << 8k, n)``, and ``spaces[n]``
    is ``moved(crc32(b" "), n)``: xor'ed with the CRC of ``n`` bytes, that of a space and them."""
    moved_bits = np.empty((_MOST_MOVED + 1, 32), np.uint32)
    for length in range(_MOST_MOVED + 1):
        zeros = bytes(length)
        alone = zlib.crc32(zeros)
        moved_bits[length] = [zlib.crc32(zeros, 1 << bit) ^ alone for bit in range(32)]
    moves = np.empty((4, _MOST_MOVED + 1, 256), np.uint32)
    for place in range(4):
        table = np.zeros((_MOST_MOVED + 1, 1), np.uint32)
        for bit in range(8):  # each byte's value as the sum (xor) of its bits' moves
            table = np.concatenate([table, table ^ moved_bits[:, 8 * place + bit, None]], axis=1)
        moves[place] = table
    spaces = [zlib.crc32(bytes(n), _SPACE_CRC) ^ zlib.crc32(bytes(n)) for n in range(_MOST_MOVED + 1)]
    return moves.reshape(4, -1), np.array(spaces, np.uint32)


def _moved(crcs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``moved(c, n)`` for each CRC ``c`` and length ``n`` (at most ``_MOST_MOVED``)."""
    moves, _spaces = _tables()
    rows = lengths * 256
    places = crcs.view(np.uint8).reshape(-1, 4)  # each CRC's bytes, lowest first
    if sys.byteorder == "big":  # pragma: no cover - no big-endian machine runs the tests
        places = places[:, ::-1]
    moved = moves[0].take(rows + places[:, 0])
    for place in range(1, 4):
        moved ^= moves[place].take(rows + places[:, place])
    return moved


def _shingle_crcs(words: list[bytes], lengths: np.ndarray) -> np.ndarray:
    """The CRC-32 of every 4 consecutive words joined by spaces (``dedup._shingle_hashes``;
    ``SHINGLE_WORDS`` is 4: two pairs), from one CRC per word; ``lengths`` are the words'
    (none longer than ``LONGEST_WORD``: moves longer than the tables are not made)."""
    _moves, spaces = _tables()
    crcs = np.frombuffer(array("I", map(zlib.crc32, words)), np.uint32)
    spaced = spaces.take(lengths) ^ crcs  # crc32(b" " + word)
    after = lengths[1:] + 1  # the length of b" " + the next word
    pairs = _moved(crcs[:-1], after) ^ spaced[1:]  # crc32(word + b" " + next)
    spaced_pairs = pairs ^ spaces.take(lengths[:-1] + after)  # crc32(b" " + word + b" " + next)
    return _moved(pairs[:-2], after[1:-1] + after[2:]) ^ spaced_pairs[2:]


def packed_sketches(texts: Sequence[str]) -> list[bytes]:
    """``[dedup.packed_sketch(text) for text in texts]``."""
    packed: list[bytes] = []
    words: list[bytes] = []
    counts: list[int] = []
    first = 0
    for number, text in enumerate(texts):
        these = _words(text)
        if len(these) > CHUNK_WORDS:  # a chunk's worth alone: the plain way, which holds no arrays
            del these
            packed += _packed_chunk(texts[first:number], words, counts)
            packed.append(packed_sketch(text))
            words, counts, first = [], [], number + 1
            continue
        counts.append(len(these) if len(these) >= SHINGLE_WORDS * 3 else 0)
        if counts[-1]:
            words += these
        if len(words) >= CHUNK_WORDS or number == len(texts) - 1:
            packed += _packed_chunk(texts[first : number + 1], words, counts)
            words, counts, first = [], [], number + 1
    return packed


def _packed_chunk(texts: Sequence[str], words: list[bytes], counts: list[int]) -> list[bytes]:
    """The packed sketches of ``texts``, whose words (those of texts long enough to have a
    sketch) are ``words``, ``counts[i]`` of them the ``i``-th text's."""
    sketches = np.full((len(texts), SKETCH_SIZE), _PAD_VALUE, np.uint32)
    if not words:
        return _split_packed(sketches)
    word_counts = np.array(counts, np.intp)
    text_of_word = np.repeat(np.arange(len(texts)), word_counts)
    lengths = np.frombuffer(array("I", map(len, words)), np.uint32).astype(np.intp)
    plain = np.zeros(len(texts), bool)  # texts sketched by dedup instead
    if lengths.max() > LONGEST_WORD:
        plain[text_of_word[lengths > LONGEST_WORD]] = True
        lengths = np.minimum(lengths, LONGEST_WORD)  # their texts' values are replaced below
    shingles = _shingle_crcs(words, lengths)
    # As dedup: a long text keeps the hashes below where about twice SKETCH_SIZE fall.
    shingle_counts = np.maximum(word_counts - (SHINGLE_WORDS - 1), 0)
    below = np.where(
        shingle_counts > 2 * SKETCH_SIZE,
        ((2 * SKETCH_SIZE) << 32) // np.maximum(shingle_counts, 1),
        1 << 32,
    )
    limits = below.take(text_of_word[: len(shingles)])
    # The shingles starting in a text's last three words run into the next text: none is kept.
    ends = np.cumsum(word_counts)[word_counts > 0]
    for back in range(1, SHINGLE_WORDS):
        crossing = ends - back
        limits[crossing[crossing < len(limits)]] = 0
    kept = shingles < limits
    owners = text_of_word[: len(shingles)][kept].astype(np.uint64) << np.uint64(32)
    keys = np.sort(owners | shingles[kept])  # by text, then by value
    first = np.ones(len(keys), bool)
    first[1:] = keys[1:] != keys[:-1]
    keys = keys[first]  # each once
    texts_of = (keys >> np.uint64(32)).astype(np.intp)
    per_text = np.bincount(texts_of, minlength=len(texts))
    ranks = np.arange(len(keys)) - (np.cumsum(per_text) - per_text).take(texts_of)
    placed = ranks < SKETCH_SIZE
    sketches[texts_of[placed], ranks[placed]] = keys[placed].astype(np.uint32)
    # Too few distinct values below the limit (repeated text): sketched from all of them.
    plain |= (per_text < SKETCH_SIZE) & (below < 1 << 32) & (word_counts > 0)
    for number in np.flatnonzero(plain):
        values = _smallest_hashes(texts[number], SKETCH_SIZE)
        sketches[number] = _PAD_VALUE
        sketches[number, : len(values)] = values
    return _split_packed(sketches)


def _split_packed(sketches: np.ndarray) -> list[bytes]:
    """Each row of sketch values packed as ``dedup.pack_values`` packs them."""
    whole = sketches.astype(">u4").tobytes()
    return [whole[start : start + PACKED_SIZE] for start in range(0, len(whole), PACKED_SIZE)]
