"""Whether a phrase's words stand at consecutive positions in an article, for ``counting``.

From the positions in the words' ``posting_arrays`` when every word's list has them, for every
candidate article at once (numpy); else (a word's list short enough to be inline in the term
table) from each article's encoded positions (Whoosh's ``Positions`` values: the inline
list's, or encoded from the arrays, ``counting._candidate_values``), one article at a time.
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from itertools import accumulate

from whoosh import query

from . import posting_arrays


def _arrays_of(reader, fieldname: str, text) -> bytes | None:
    """The bytes of a posting list's arrays (``posting_arrays``), or None when the list is inline
    or its segment was written without them."""
    terms = getattr(reader, "_terms", None)
    try:
        raw = terms._tindex.get(terms._keycoder(fieldname, reader._text_to_bytes(fieldname, text)))
        where = posting_arrays.pointer(raw) if raw else None
        return terms._postfile.get(*where) if where is not None else None
    except (AttributeError, TypeError):  # not a W3 segment reader
        return None


#: A phrase's positions as one number each: row x ``_ROW_KEY`` + position - its word's place
#: in the phrase + ``_SHIFT`` (positions are below 2**32, phrases far shorter than ``_SHIFT``).
_ROW_KEY = 2**34
_SHIFT = 2**20


def _consecutive_rows(np, reader, phrase: query.Phrase, candidates):
    """Which ``candidates`` (their indexes, increasing) hold the phrase's words at consecutive
    positions, as ``_consecutive`` decides, from the positions in the words' arrays; None when
    a word's list has none there."""
    keys = None
    for step, word in enumerate(phrase.words):
        raw = _arrays_of(reader, phrase.fieldname, word)
        if raw is None:
            return None
        try:
            ids, _weights = posting_arrays.decode_numpy(np, raw)
            found = posting_arrays.positions_numpy(np, raw, np.searchsorted(ids, candidates))
        except ValueError:
            return None
        if found is None:
            return None
        row, position = found
        word_keys = np.unique(row * _ROW_KEY + (position - step + _SHIFT))
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, assume_unique=True)
    return np.unique(keys // _ROW_KEY)


def _consecutive(encoded: tuple) -> bool:
    """Whether some position p of the first word has the second word at p + 1, the third at
    p + 2 and so on (``encoded``: each word's positions as ``formats.Positions`` encodes them)."""
    first = _positions(encoded[0])
    if len(encoded) == 1:
        return bool(first)
    rest = [_position_set(value) for value in encoded[1:]]
    if len(rest) == 1:
        second = rest[0]
        return any(start + 1 in second for start in first)
    return any(all(start + step in positions for step, positions in enumerate(rest, 1)) for start in first)


@lru_cache(maxsize=65_536)
def _positions(encoded: bytes) -> tuple[int, ...]:
    """``formats.Positions.decode_positions``: a count, then the pickled position deltas.
    Cached: most words occur once in an article, so a few thousand encodings recur."""
    if not encoded.endswith(b"."):
        encoded += b"."
    return tuple(accumulate(pickle.loads(encoded[4:])))


@lru_cache(maxsize=65_536)
def _position_set(encoded: bytes) -> frozenset[int]:
    return frozenset(_positions(encoded))
