"""A segment's term table (``.trm``): Whoosh's ordered hash file, looked up by key.

The layout is ``filedb.filetables.HashWriter``'s, as ``segment_files._TermTable``
writes it: a header naming the hash function, the ``(key, value)`` entries,
256 open-addressing hash tables, their directory, then the extras (a pickled
dict with the field numbers) and its length.  A key is the field's number
(two bytes) and the term's UTF-8; a value is a term info (``TermInfo``).
"""

from __future__ import annotations

import mmap
import struct
from zlib import crc32

from .. import posting_arrays
from . import DirectUnsupported, loads

_MAGIC = b"HSH3"
_HEADER_SIZE = 4 + 1 + 8  # magic, hash type, two unused ints
_DIRECTORY_ENTRY = struct.Struct("!qi")  # a hash table's position and slot count
_DIRECTORY_SIZE = 256 * _DIRECTORY_ENTRY.size
_SLOT = struct.Struct("!Iq")  # a key's hash and the position of its entry
_LENGTHS = struct.Struct("!ii")  # an entry's key and value lengths
_INT = struct.Struct("!i")
_FIELD = struct.Struct("!H")
#: W3TermInfo's header: inline flag, total weight, document frequency, min and max
#: length bytes, max weight, min and max document; then the postings' place or themselves.
_TERMINFO = struct.Struct("!BfIBBfII")
_EXTENT = struct.Struct("!qi")


def _md5_hash(key: bytes) -> int:
    from hashlib import md5  # only for tables Whoosh's own writer made (ours use CRC-32)

    return int(md5(key, usedforsecurity=False).hexdigest(), 16) & 0xFFFFFFFF


def _crc_hash(key: bytes) -> int:
    return crc32(key) & 0xFFFFFFFF


_HASHES = {0: _md5_hash, 1: _crc_hash}


class TermInfo:
    """One term in one segment: its total weight (Whoosh's ``frequency``), document frequency,
    and where its postings are."""

    __slots__ = ("arrays", "doc_frequency", "extent", "inline", "weight")

    def __init__(self, value: bytes) -> None:
        flags, self.weight, self.doc_frequency, _min, _max, _maxweight, _first, _last = _TERMINFO.unpack_from(value)
        if flags:
            self.inline = loads(value[_TERMINFO.size :])  # (ids, weights, values)
            self.extent = None
            self.arrays = None
        else:
            self.inline = None
            self.extent = _EXTENT.unpack_from(value, _TERMINFO.size)  # (offset, length) in the .pst file
            self.arrays = posting_arrays.pointer(value)  # (offset, length) of its ``posting_arrays``, or None


class TermTable:
    """The term table of one segment, mapped from its file."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as handle:
            self._map = data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if data[:4] != _MAGIC or data[4] not in _HASHES:
            raise DirectUnsupported(f"term table of an unknown kind: {path}")
        self._hash = _HASHES[data[4]]
        extras_length = _INT.unpack_from(data, len(data) - 4)[0]
        extras_at = len(data) - 4 - extras_length
        extras = loads(data[extras_at : len(data) - 4])
        self._fields: dict[str, int] = extras["fieldmap"]
        directory = data[extras_at - _DIRECTORY_SIZE : extras_at]
        self._tables = list(_DIRECTORY_ENTRY.iter_unpack(directory))

    def _value(self, key: bytes) -> bytes | None:
        """The value stored under ``key``, or None."""
        keyhash = self._hash(key)
        start, slots = self._tables[keyhash & 255]
        if not slots:
            return None
        data = self._map
        slot = (keyhash >> 8) % slots
        for _ in range(slots):
            slothash, position = _SLOT.unpack_from(data, start + slot * _SLOT.size)
            if not position:
                return None
            if slothash == keyhash:
                keylength, valuelength = _LENGTHS.unpack_from(data, position)
                if keylength == len(key):
                    keystart = position + _LENGTHS.size
                    if data[keystart : keystart + keylength] == key:
                        return data[keystart + keylength : keystart + keylength + valuelength]
            slot = (slot + 1) % slots
        return None

    def field_terms(self, fieldname: str) -> list[bytes]:
        """Every term of ``fieldname``, in order.  The entries lie in key order (field number,
        then term) from the header to the first hash table: walked, not looked up."""
        number = self._fields.get(fieldname)
        if number is None:
            return []
        data = self._map
        end = self._tables[0][0]
        position = _HEADER_SIZE
        terms = []
        while position < end:
            keylength, valuelength = _LENGTHS.unpack_from(data, position)
            keystart = position + _LENGTHS.size
            field = _FIELD.unpack_from(data, keystart)[0]
            if field == number:
                terms.append(data[keystart + _FIELD.size : keystart + keylength])
            elif field > number:
                break
            position = keystart + keylength + valuelength
        return terms

    def term_info(self, fieldname: str, term: bytes) -> TermInfo | None:
        number = self._fields.get(fieldname)
        if number is None:
            return None
        value = self._value(_FIELD.pack(number) + term)
        return TermInfo(value) if value is not None else None

    def close(self) -> None:
        self._map.close()
