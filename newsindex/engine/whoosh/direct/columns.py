"""A segment's per-document columns (``<segment>.<field>.col``): lengths, numbers, stored fields.

Layouts as Whoosh's ``columns`` module writes them: a numeric column is one
big-endian value per document up to the last one that has a value (later
documents hold the default); a length column is one byte per document
(Whoosh's logarithmic length byte); the stored fields are a compressed bytes
column: each document's pickle compressed by ``stored_codec`` (Zstandard), then
the array of their lengths (and, past 32,768 documents, of their offsets) and
its type codes.
"""

from __future__ import annotations

import mmap
import os
import sys
from array import array
from itertools import accumulate

from ..stored_codec import decompress
from . import loads

#: Whoosh's length byte -> field length: ``round((1.033 ** n - 1) * 27)``
#: (``whoosh.util.numeric``; tests/test_direct_reader.py holds the tables equal).
LENGTH_OF_BYTE = tuple(round((pow(1.033, n) - 1) * 27) for n in range(256))
_LITTLE_ENDIAN = sys.byteorder == "little"


def column_path(folder: str, segment: str, fieldname: str) -> str:
    return os.path.join(folder, f"{segment}.{fieldname}.col")


def read_whole(path: str) -> bytes | None:
    """A column file's bytes, or None when the segment has no such column."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def numeric_values(path: str, typecode: str, default: int, documents: int) -> array:
    """Every document's value of a numeric column (``default`` where none was written)."""
    data = read_whole(path)
    values = array(typecode)
    if data:
        values.frombytes(data[: len(data) - len(data) % values.itemsize])
        if _LITTLE_ENDIAN:
            values.byteswap()
    if len(values) < documents:
        values.extend([default] * (documents - len(values)))
    return values


def _array_at(data, end: int, typecode: str, count: int) -> tuple[array, int]:
    """The ``count`` big-endian values of ``typecode`` that end at ``end``, and where they start."""
    values = array(typecode)
    start = end - values.itemsize * count
    values.frombytes(data[start:end])
    if _LITTLE_ENDIAN:
        values.byteswap()
    return values, start


class StoredFields:
    """A segment's stored-fields column, mapped; one document's fields unpickled on demand."""

    def __init__(self, path: str, documents: int) -> None:
        with open(path, "rb") as handle:
            self._map = data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        last = len(data) - 1
        code = chr(data[last])
        offsets = None
        if code == "X":  # offsets written too
            code, offsets_code = chr(data[last - 2]), chr(data[last - 1])
            offsets, last = _array_at(data, last - 2, offsets_code, documents)
        self._lengths, _start = _array_at(data, last, code, documents)
        if offsets is None:
            offsets = [0, *accumulate(self._lengths)]
        self._offsets = offsets

    def __getitem__(self, docnum: int) -> dict:
        length = self._lengths[docnum]
        if not length:
            return {}
        offset = self._offsets[docnum]
        return loads(decompress(self._map[offset : offset + length]))

    def close(self) -> None:
        self._map.close()
