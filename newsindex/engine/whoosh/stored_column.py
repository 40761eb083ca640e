"""The stored-fields column as Whoosh reads and writes it: each document's pickle, compressed
by ``stored_codec`` (Zstandard) instead of Whoosh's zlib.

Importing this module installs it as ``whoosh.codec.whoosh3.STORED_COLUMN``, the
column Whoosh's per-document reader and writer name when they read or write a
document's stored fields; ``store`` imports it before any index is opened.
"""

from __future__ import annotations

from whoosh.codec import whoosh3
from whoosh.columns import PickleColumn, VarBytesColumn

from .stored_codec import compress, decompress


class StoredBytesColumn(VarBytesColumn):
    """Variable-length bytes, each value compressed on its own by ``stored_codec``."""

    class Writer(VarBytesColumn.Writer):
        def add(self, docnum: int, value: bytes) -> None:
            VarBytesColumn.Writer.add(self, docnum, compress(value))

    class Reader(VarBytesColumn.Reader):
        def __getitem__(self, docnum: int) -> bytes:
            value = VarBytesColumn.Reader.__getitem__(self, docnum)
            return decompress(value) if value else value

        def __iter__(self):
            for value in VarBytesColumn.Reader.__iter__(self):
                yield decompress(value) if value else value

        def load(self) -> list[bytes]:
            return list(self)


#: The stored-fields column; the segment builder pickles (protocol 5) and adds the bytes itself.
STORED_BYTES = StoredBytesColumn()
whoosh3.STORED_COLUMN = PickleColumn(STORED_BYTES)
