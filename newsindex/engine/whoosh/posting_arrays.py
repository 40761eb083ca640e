"""A long posting list's document numbers and weights as plain arrays, beside its Whoosh blocks.

Whoosh's W3 posting block is the zlib-compressed pickle of (document-number
deltas, weights, values); the values (positions) come with the numbers and
weights even where only those are needed, so counting and ranking a common
word paid a decompression and an unpickling per 128 postings (at a million
articles, about 40% of a search's time).  Each posting list the segment
builder or a merge writes as blocks gets, right after its blocks in the
``.pst`` file, the same numbers and weights as little-endian arrays that
``numpy.frombuffer`` (or ``array``) reads directly:

* header: magic, posting count, id width (1, 2 or 4 bytes), weight kind,
  number of escaped deltas;
* document-number deltas (the first is the first number), each in ``width``
  bytes; a delta too big for the width holds the width's largest value and
  is found, in order, in the escaped deltas (4 bytes each) that follow.  The
  width is the one giving the fewest bytes;
* weights: one float64 when all are equal (``CONSTANT``); else whole
  multiples of one float64 unit (the field boost: a text posting weighs
  frequency x boost) in 1 or 2 bytes; else one float64 each;
* for a ``Positions`` field (title, body; magic ``NXA2``): the positions
  section, each posting's number of positions (1, 2 or 4 bytes) then every
  position, absolute, in 2 or 4 bytes, so that a phrase is checked for all
  its candidate articles at once (``phrase_positions``) where the blocks
  were decompressed and unpickled for each.

The weights are the ones Whoosh's matcher reads back from the blocks (a block
whose weights are all equal stores one float, read back as a 32-bit float),
so the arrays and the blocks always agree.  Where the arrays are is appended
to the W3 term info (``POINTER``: offset and length in the ``.pst``); Whoosh
reads only the bytes it knows and ignores it, so Whoosh's matchers, older
code and the blocks are unchanged, and a segment written before these
arrays (no pointer) is read from its blocks as before.  Since index format 10 a
``Positions`` list (title, body) too long to be inline has no blocks at all: these arrays
are the list, its term info's extent has length 0, and Whoosh's reader reads it with
``array_matcher.ArrayMatcher``.  Its weights are still the ones blocks of 128 would have
read back, so scores are the same as with blocks.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate, repeat
from operator import mul, sub, truediv

MAGIC = b"NXA1"
#: Arrays followed by positions (``_POSITIONS``): each posting's count, then every position.
MAGIC_WITH_POSITIONS = b"NXA2"
_HEADER = struct.Struct("<4sIBBI")  # magic, count, id width, weight kind, escaped deltas
_POSITIONS = struct.Struct("<IBB")  # positions in all, bytes of a count, bytes of a position
_FLOAT = struct.Struct("<d")
#: Appended to a W3 term info of a list stored as blocks: the arrays' offset and length in the .pst.
POINTER = struct.Struct("!qi")
_W3_BLOCK_INFO_SIZE = struct.calcsize("!BfIBBfII") + struct.calcsize("!qi")  # header, then offset and length

CONSTANT, UNITS_8, UNITS_16, FLOATS = 0, 1, 2, 3
#: Bytes of each kind of weights: fixed, and per posting.
_WEIGHT_BYTES = {CONSTANT: (8, 0), UNITS_8: (8, 1), UNITS_16: (8, 2), FLOATS: (0, 8)}
_BIG_ENDIAN = sys.byteorder == "big"
_UINT32 = "I" if array("I").itemsize == 4 else "L"
_CODES = {1: "B", 2: "H", 4: _UINT32}
_LIMITS = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


def _little(values: array) -> bytes:
    if _BIG_ENDIAN and values.itemsize > 1:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_little(code: str, raw, start: int, count: int) -> array:
    values = array(code)
    values.frombytes(raw[start : start + count * values.itemsize])
    if _BIG_ENDIAN and values.itemsize > 1:
        values.byteswap()
    return values


def _id_width(count: int, top: int, at_least: Callable[[int], int]) -> tuple[int, int]:
    """``(width, escaped count)`` giving the fewest bytes for ``count`` deltas whose largest is
    ``top``; ``at_least(limit)`` counts the deltas a width whose largest value is ``limit`` escapes."""
    best = None
    for width in (1, 2, 4):
        limit = _LIMITS[width]
        escaped = 0 if top < limit else at_least(limit)
        size = count * width + 4 * escaped
        if best is None or size < best[0]:
            best = (size, width, escaped)
        if top < limit:
            break
    _size, width, escaped = best
    return width, escaped


def _id_bytes(docs) -> tuple[int, int, bytes]:
    """``(width, escaped count, bytes)`` of the deltas of ``docs``, the width giving the fewest bytes."""
    deltas = [docs[0], *map(sub, docs[1:], docs)]
    width, escaped = _id_width(len(deltas), max(deltas), lambda limit: sum(map(limit.__le__, deltas)))
    limit = _LIMITS[width]
    if not escaped:
        return width, 0, _little(array(_CODES[width], deltas))
    narrow = array(_CODES[width], map(min, deltas, repeat(limit)))
    wide = array(_UINT32, [delta for delta in deltas if delta >= limit])
    return width, escaped, _little(narrow) + _little(wide)


def _weight_bytes(weights: list[float], unit: float, counts: array | None) -> tuple[int, bytes]:
    """``(kind, bytes)`` of the weights; ``counts``, when given, are the weights' multiples of
    ``unit`` (a text field's frequencies, weights exact in 32 bits)."""
    first = weights[0]
    if weights.count(first) == len(weights):
        return CONSTANT, _FLOAT.pack(first)
    if counts is None and unit > 0:
        scaled = list(map(truediv, weights, repeat(unit)))
        if all(map(float.is_integer, scaled)) and max(scaled) <= 0xFFFF and min(scaled) >= 0:
            candidate = array("H", map(int, scaled))
            if list(map(mul, candidate, repeat(unit))) == weights:
                counts = candidate
    if counts is not None and max(counts) <= 0xFFFF:
        if max(counts) <= 0xFF:
            return UNITS_8, _FLOAT.pack(unit) + array("B", counts).tobytes()
        return UNITS_16, _FLOAT.pack(unit) + _little(array("H", counts))
    return FLOATS, _little(array("d", weights))


def _narrowest(values, widths: tuple[int, ...]) -> int:
    top = max(values, default=0)
    return next(width for width in widths if top <= _LIMITS[width])


def _position_bytes(positions: tuple) -> bytes:
    """``(positions per posting, every position in posting order)`` as counts and absolute
    positions in the fewest bytes that hold the largest."""
    per_posting, flat = positions
    count_width, position_width = _narrowest(per_posting, (1, 2, 4)), _narrowest(flat, (2, 4))
    return (
        _POSITIONS.pack(len(flat), count_width, position_width)
        + _little(array(_CODES[count_width], per_posting))
        + _little(array(_CODES[position_width], flat))
    )


def encode(
    docs, weights: list[float], unit: float = 1.0, counts: array | None = None, positions: tuple | None = None
) -> bytes:
    """The arrays of a posting list: ``docs`` increasing, ``weights`` as Whoosh reads them back
    (``read_back``); ``counts`` as in ``_weight_bytes``; ``positions``, when given, as in
    ``_position_bytes``."""
    width, escaped, ids = _id_bytes(docs)
    kind, weight_bytes = _weight_bytes(weights, unit, counts)
    magic = MAGIC if positions is None else MAGIC_WITH_POSITIONS
    head = _HEADER.pack(magic, len(docs), width, kind, escaped) + ids + weight_bytes
    return head if positions is None else head + _position_bytes(positions)


def encode_numpy(np, ids, weights, unit: float = 1.0, counts=None, positions: tuple | None = None) -> bytes:
    """``encode`` for long lists held as numpy arrays (a merge's): the same layout; weights are
    whole multiples of ``unit`` only through ``counts``, else one float64 each unless all equal."""
    ids = np.asarray(ids, dtype=np.int64)
    deltas = np.diff(ids, prepend=0)
    width, escaped = _id_width(len(ids), int(deltas.max()), lambda limit: int(np.count_nonzero(deltas >= limit)))
    limit = _LIMITS[width]
    id_bytes = np.minimum(deltas, limit).astype(f"<u{width}").tobytes()
    if escaped:
        id_bytes += deltas[deltas >= limit].astype("<u4").tobytes()
    weights = np.asarray(weights, dtype=np.float64)
    if (weights == weights[0]).all():
        kind, weight_bytes = CONSTANT, _FLOAT.pack(float(weights[0]))
    elif counts is not None and int(np.max(counts)) <= 0xFFFF:
        counts = np.asarray(counts, dtype=np.int64)
        kind = UNITS_8 if int(counts.max()) <= 0xFF else UNITS_16
        weight_bytes = _FLOAT.pack(unit) + counts.astype("<u1" if kind == UNITS_8 else "<u2").tobytes()
    else:
        kind, weight_bytes = FLOATS, weights.astype("<f8").tobytes()
    magic = MAGIC if positions is None else MAGIC_WITH_POSITIONS
    head = _HEADER.pack(magic, len(ids), width, kind, escaped) + id_bytes + weight_bytes
    if positions is None:
        return head
    per_posting, flat = (np.asarray(part, dtype=np.int64) for part in positions)
    count_width = _narrowest([int(per_posting.max(initial=0))], (1, 2, 4))
    position_width = _narrowest([int(flat.max(initial=0))], (2, 4))
    return (
        head
        + _POSITIONS.pack(len(flat), count_width, position_width)
        + per_posting.astype(f"<u{count_width}").tobytes()
        + flat.astype(f"<u{position_width}").tobytes()
    )


def positions_whole_numpy(np, raw) -> tuple | None:
    """``(positions per posting, every position)`` of ``raw`` as numpy arrays, or None."""
    count, *_rest, at = _parts(raw)
    if at is None:
        return None
    total, count_width, position_width = _POSITIONS.unpack_from(raw, at)
    at += _POSITIONS.size
    per_posting = np.frombuffer(raw, dtype=f"<u{count_width}", count=count, offset=at)
    return per_posting, np.frombuffer(raw, dtype=f"<u{position_width}", count=total, offset=at + count * count_width)


@lru_cache(maxsize=64)
def exact_in_32_bits(unit: float, most: int = 0xFFFF) -> bool:
    """Whether every multiple of ``unit`` up to ``most`` is a 32-bit float: then a block whose
    weights are all equal reads back (as a 32-bit float) exactly as written."""
    multiples = [unit * k for k in range(most + 1)]
    return array("f", multiples).tolist() == multiples


def read_back(block_weights: list[float]) -> list[float]:
    """One block's weights as Whoosh's matcher reads them: all equal -> one 32-bit float."""
    first = block_weights[0]
    if block_weights.count(first) == len(block_weights):
        return array("f", [first]).tolist() * len(block_weights)
    return [float(weight) for weight in block_weights]


def stored_read_back(stored, count: int) -> list[float]:
    """A block's weights as pickled (None: all 1; one float: all that; else one each) as
    Whoosh's matcher reads them back."""
    if stored is None:
        return [1.0] * count
    if isinstance(stored, (int, float)):
        return array("f", [stored]).tolist() * count
    return [float(weight) for weight in stored]


def pointer(term_info: bytes) -> tuple[int, int] | None:
    """``(offset, length)`` of a term's arrays in the ``.pst``, from its W3 term info; None for
    an inline list or one written without arrays."""
    if len(term_info) != _W3_BLOCK_INFO_SIZE + POINTER.size or term_info[0]:
        return None
    return POINTER.unpack_from(term_info, _W3_BLOCK_INFO_SIZE)


def _parts(raw) -> tuple[int, int, int, int, int, int | None]:
    """The header's fields, where the deltas start and where the positions section starts (None
    without one); ValueError if these are not whole arrays."""
    try:
        magic, count, width, kind, escaped = _HEADER.unpack_from(raw, 0)
        if magic not in (MAGIC, MAGIC_WITH_POSITIONS) or width not in _CODES or kind not in _WEIGHT_BYTES:
            raise ValueError("not a posting list's arrays")
        fixed, each = _WEIGHT_BYTES[kind]
        end = _HEADER.size + count * width + 4 * escaped + fixed + each * count
        positions_at = None
        if magic == MAGIC_WITH_POSITIONS:
            positions_at = end
            total, count_width, position_width = _POSITIONS.unpack_from(raw, end)
            if count_width not in _CODES or position_width not in _CODES:
                raise ValueError("not a posting list's positions")
            end += _POSITIONS.size + count * count_width + total * position_width
    except struct.error:
        raise ValueError("posting arrays cut short") from None
    if len(raw) != end:
        raise ValueError("posting arrays of the wrong length")
    return count, width, kind, escaped, _HEADER.size, positions_at


def positions_numpy(np, raw, rows) -> tuple | None:
    """``(row, position)`` of every position of the postings at ``rows`` (indexes into the list,
    increasing): ``row`` numbers the given rows 0, 1, ...; None when the list has no positions."""
    count, *_rest, at = _parts(raw)
    if at is None:
        return None
    total, count_width, position_width = _POSITIONS.unpack_from(raw, at)
    at += _POSITIONS.size
    counts = np.frombuffer(raw, dtype=f"<u{count_width}", count=count, offset=at)
    flat = np.frombuffer(raw, dtype=f"<u{position_width}", count=total, offset=at + count * count_width)
    starts = np.cumsum(counts, dtype=np.int64) - counts
    wanted = counts[rows].astype(np.int64)
    row = np.repeat(np.arange(len(rows)), wanted)
    before = np.cumsum(wanted) - wanted  # where each row's positions start in the result
    where = np.repeat(starts[rows] - before, wanted) + np.arange(int(wanted.sum()))
    return row, flat[where].astype(np.int64)


def decode_numpy(np, raw) -> tuple:
    """``(document numbers as int64, weights as float64)`` of ``raw`` (the arrays' bytes)."""
    count, width, kind, escaped, at, _positions = _parts(raw)
    narrow = np.frombuffer(raw, dtype=f"<u{width}", count=count, offset=at)
    at += count * width
    deltas = narrow.astype(np.int64)
    if escaped:
        deltas[narrow == _LIMITS[width]] = np.frombuffer(raw, dtype="<u4", count=escaped, offset=at)
        at += 4 * escaped
    ids = np.cumsum(deltas)
    if kind == CONSTANT:
        weights = np.full(count, _FLOAT.unpack_from(raw, at)[0])
    elif kind == FLOATS:
        weights = np.frombuffer(raw, dtype="<f8", count=count, offset=at).copy()
    else:
        unit = _FLOAT.unpack_from(raw, at)[0]
        counts = np.frombuffer(raw, dtype="<u1" if kind == UNITS_8 else "<u2", count=count, offset=at + 8)
        weights = counts * unit
    return ids, weights


def decode_lists(raw) -> tuple[list[int], list[float]]:
    """``decode_numpy`` without numpy (``array``): for the direct reader, which must not pay
    numpy's import in a short-lived process."""
    count, width, kind, escaped, at, _positions = _parts(raw)
    narrow = _from_little(_CODES[width], raw, at, count)
    at += count * width
    deltas = narrow
    if escaped:
        limit = _LIMITS[width]
        wide = iter(_from_little(_UINT32, raw, at, escaped))
        deltas = [next(wide) if delta == limit else delta for delta in narrow]
        at += 4 * escaped
    ids = list(accumulate(deltas))
    if kind == CONSTANT:
        return ids, [_FLOAT.unpack_from(raw, at)[0]] * count
    if kind == FLOATS:
        return ids, _from_little("d", raw, at, count).tolist()
    unit = _FLOAT.unpack_from(raw, at)[0]
    counts = _from_little("B" if kind == UNITS_8 else "H", raw, at + 8, count)
    return ids, list(map(mul, counts, repeat(unit)))


def read_whole(get: Callable[[int, int], bytes], offset: int) -> bytes:
    """A list's arrays read from where they start in the ``.pst`` (``get(offset, length)``, a
    Whoosh ``StructFile``'s), their length told by their own headers."""
    magic, count, width, kind, escaped = _HEADER.unpack(get(offset, _HEADER.size))
    fixed, each = _WEIGHT_BYTES[kind]
    end = _HEADER.size + count * width + 4 * escaped + fixed + each * count
    if magic == MAGIC_WITH_POSITIONS:
        total, count_width, position_width = _POSITIONS.unpack(get(offset + end, _POSITIONS.size))
        end += _POSITIONS.size + count * count_width + total * position_width
    return get(offset, end)


def positions_of_postings(raw) -> Callable[[int], list[int]] | None:
    """A function giving the positions of a list's posting by its index in the list (from
    ``raw``, the arrays' bytes); None when the list has no positions."""
    found = positions_lists(raw)
    if found is None:
        return None
    counts, flat = found
    starts = list(accumulate(counts, initial=0))
    return lambda at: flat[starts[at] : starts[at + 1]].tolist()


def positions_lists(raw) -> tuple[array, array] | None:
    """``(positions per posting, every position)`` of ``raw`` without numpy, or None."""
    count, *_rest, at = _parts(raw)
    if at is None:
        return None
    total, count_width, position_width = _POSITIONS.unpack_from(raw, at)
    at += _POSITIONS.size
    per_posting = _from_little(_CODES[count_width], raw, at, count)
    return per_posting, _from_little(_CODES[position_width], raw, at + count * count_width, total)
