"""Whoosh's W3Codec segment format as the segment builder writes it: sizes, structs, positions, how
each field is indexed.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from datetime import datetime, timedelta
from itertools import accumulate
from operator import sub
from pickle import dumps, loads

from whoosh import formats
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT
from whoosh.system import pack_uint

from .tokens import kept_term_numbers

#: Posting lists of at most this many documents are stored inline in the term
#: table: no posting block and no compression call for them.
INLINE_LIMIT = 16
_BLOCK_LIMIT = 128  # postings per block, as W3Codec writes them
_COMPRESSION = 1  # zlib level of posting blocks (W3Codec uses 3: 10% slower to write, 2% smaller)
_TERMINFO = struct.Struct("!BfIBBfII")  # W3TermInfo's header
_LENGTHS = struct.Struct("!ii")  # key and value lengths in the term table
_POINTER = struct.Struct("!Iq")  # a hash table slot
_UINT = struct.Struct("!I")
_LITTLE_ENDIAN = sys.byteorder == "little"
_UINT32 = "I" if array("I").itemsize == 4 else "L"


_ONE = pack_uint(1)
#: Encoded single positions, shared: most words occur once in an article.
_ONE_POSITION = [_ONE + dumps([pos], 2) for pos in range(4096)]


def block_data(docs, weights, values, fixed_size: int | None) -> tuple:
    """``(weights as pickled, data)`` of one posting block, as ``W3PostingsWriter`` writes it:
    the zlib-compressed pickle of (number deltas, weights, values).  Weights all equal are one
    float (None when 1); values are a tuple for a variable-size format (positions), none for a
    format without them, else their bytes joined."""
    deltas = [docs[0], *map(sub, docs[1:], docs[:-1])]
    first = weights[0]
    if weights.count(first) == len(weights):
        mini_weights = None if first == 1.0 else float(first)
    else:
        mini_weights = tuple(map(float, weights))
    if fixed_size is None or fixed_size < 0:
        mini_values = tuple(values)
    elif fixed_size == 0 or values is None:
        mini_values = None
    else:
        mini_values = b"".join(values)
    data = zlib.compress(dumps((tuple(deltas), mini_weights, mini_values), PICKLE_PROTOCOL), _COMPRESSION)
    return mini_weights, data


#: Encoded counts, shared: a word seldom occurs more than a few times in an article.
_COUNTS = [pack_uint(count) for count in range(256)]


def encode_positions(positions: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``: a count, then the pickled position deltas
    (taken by ``map`` in C: a third faster than a generator over ``pairwise``)."""
    count = len(positions)
    if count == 1:
        pos = positions[0]
        return _ONE_POSITION[pos] if pos < 4096 else _ONE + dumps(positions, 2)
    deltas = [positions[0], *map(sub, positions[1:], positions)]
    return (_COUNTS[count] if count < 256 else pack_uint(count)) + dumps(deltas, 2)


_POSITION_OF_ONE = {encoded: pos for pos, encoded in enumerate(_ONE_POSITION)}


def decode_positions(values: list[bytes]) -> tuple[list[int], list[int]]:
    """``(positions per posting, every position)`` of encoded ``Positions`` values, for
    ``posting_arrays``: the shared single positions by a dict, the others unpickled."""
    per_posting: list[int] = []
    flat: list[int] = []
    single = _POSITION_OF_ONE.get
    for value in values:
        pos = single(value)
        if pos is not None:
            per_posting.append(1)
            flat.append(pos)
            continue
        encoded = value if value.endswith(b".") else value + b"."
        positions = list(accumulate(loads(encoded[4:])))
        per_posting.append(len(positions))
        flat += positions
    return per_posting, flat


#: Pickle protocol of inline postings, block data and stored fields: Whoosh
#: reads them with ``pickle.loads``, and protocol 5 writes bytes natively, where
#: protocol 2 (Whoosh's) spells each one as a latin-1 string and a call:
#: half the size and a fifth of the time.  Block headers, read from a stream,
#: stay protocol 2.
PICKLE_PROTOCOL = 5


def _term_bytes(term: str, exact: bool) -> bytes:
    """UTF-8 of a term.  A lone surrogate (a JSON escape, an undecodable file
    name) stays distinct in ids and paths and becomes "?" elsewhere, where
    Whoosh's own writer would fail on it."""
    try:
        return term.encode("utf-8")
    except UnicodeEncodeError:
        return term.encode("utf-8", "surrogatepass" if exact else "replace")


class _Field:
    """How one schema field is indexed and stored, decided once per builder."""

    def __init__(self, name: str, field, fast_text: bool) -> None:
        self.name = name
        self.stored_override = "_stored_" + name  # a document value stored instead of the indexed one
        self.field = field
        self.indexed = bool(field.indexed)
        self.stored = bool(field.stored)
        self.scorable = bool(field.scorable)
        self.column = field.column_type
        fmt = field.format
        self.boost = fmt.field_boost if fmt is not None else 1.0
        if self.indexed and type(fmt) not in (formats.Existence, formats.Frequency, formats.Positions):
            raise ValueError(f"field {name!r}: posting format {type(fmt).__name__} is not supported")
        self.fixed_size = fmt.fixed_value_size() if fmt is not None else 0
        self.positions = self.indexed and type(fmt) is formats.Positions  # written to the arrays too
        self.cache: dict = {}
        self.to_column_value = field.to_column_value
        self.kind = "generic"
        if fast_text and isinstance(field, TEXT):
            self.kind = "text"
        elif isinstance(field, ID) and not self.scorable and list(field.index("Ab c")) == [(b"Ab c", 1, 1.0, b"")]:
            self.kind = "id"
        elif (
            isinstance(field, KEYWORD)
            and not self.scorable
            and list(field.index("Ab c"))
            == [
                (b"Ab", 1, 1.0, _ONE),
                (b"c", 1, 1.0, _ONE),
            ]
        ):
            self.kind = "words"
        elif isinstance(field, NUMERIC) and not self.scorable and field.shift_step:
            self.kind = "numeric"
            self.to_bytes = field.to_bytes
            if isinstance(field, DATETIME):
                self.to_bytes = _datetime_to_bytes(field)
                self.to_column_value = _datetime_column_value(field)
            self.unpack = field._struct.unpack
            self.pack = field._struct.pack
            self.shifts = range(0, field.bits, field.shift_step)

    def postings(self, value) -> tuple:
        """``([(term, value bytes), ...], length)`` of one field value, as Whoosh indexes it
        (for fast text fields: ``(tokens.kept_term_numbers(value), 0)``, for ``TextPostings``)."""
        if self.kind == "text":
            return kept_term_numbers(value), 0  # the length is counted as the tokens are added
        if self.kind == "id":
            return [(_term_bytes(value, exact=True), b"")], 0
        if self.kind == "words":
            words = value.split()
            if " ".join(words) == value and len(set(words)) == len(words) and all(w.isalnum() for w in words):
                return [(_term_bytes(word, exact=False), _ONE) for word in words], 0
        if self.kind == "numeric":
            cached = self.cache.get(value)
            if cached is None:
                first = self.to_bytes(value, 0)
                number = self.unpack(first[1:])[0]
                tiers = [(bytes((shift,)) + self.pack(number >> shift), b"") for shift in self.shifts[1:]]
                cached = ([(first, b""), *tiers], 0)
                if len(self.cache) < _CACHE_LIMIT:
                    self.cache[value] = cached
            return cached
        cached = self.cache.get(value) if isinstance(value, str) else None
        if cached is None:
            indexed = list(self.field.index(value))
            length = sum(freq for _t, freq, _w, _v in indexed) if self.scorable else 0
            cached = ([(tbytes, vbytes) for tbytes, _freq, _weight, vbytes in indexed], length)
            if isinstance(value, str) and len(self.cache) < _CACHE_LIMIT:
                self.cache[value] = cached
        return cached


_CACHE_LIMIT = 50_000


# Whoosh's DATETIME converts a value through ``prepare_datetime``, which imports a module on
# every call (a few microseconds per article and field); a datetime needs only the one function.


def _datetime_to_bytes(field: DATETIME):
    def to_bytes(value, shift: int = 0) -> bytes:
        if value.__class__ is datetime:
            return NUMERIC.to_bytes(field, _microseconds(value), shift)
        return field.to_bytes(value, shift)

    return to_bytes


def _datetime_column_value(field: DATETIME):
    def to_column_value(value) -> int:
        if value.__class__ is datetime:
            return _microseconds(value)  # as ``prepare_datetime`` gives it
        return field.to_column_value(value)

    return to_column_value


_MICROSECOND = timedelta(microseconds=1)


def _microseconds(value: datetime) -> int:
    """Whoosh's ``datetime_to_long`` (microseconds since ``datetime.min``, an aware value's
    own clock time) by one floor division, a fifth of its cost."""
    naive = value if value.tzinfo is None else value.replace(tzinfo=None)
    return (naive - datetime.min) // _MICROSECOND
