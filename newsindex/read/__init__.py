"""Stage 1, read: find article files, decompress and decode them safely.

Everything here treats input as hostile: sizes are capped (including what a
compressed file expands to), binary data is recognised and refused with a
reason, and encodings are detected rather than assumed.  Record files (JSON,
JSONL, CSV) are streamed record by record so a huge export never sits in
memory.

- ``files``: discovery, ignore files, classification, capped reads.
- ``decoding``: bytes to text.
- ``records``: the documents of one file, JSON streamed.
"""

from __future__ import annotations

from .decoding import decode
from .files import DEFAULT_MAX_BYTES, FoundFile, ReadError, classify, discover, open_binary, read_bytes
from .records import JsonStream, read_documents

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FoundFile",
    "JsonStream",
    "ReadError",
    "classify",
    "decode",
    "discover",
    "open_binary",
    "read_bytes",
    "read_documents",
]
