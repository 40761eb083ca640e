"""Compressing a document's stored fields: Zstandard, one document at a time.

Whoosh compresses each document's pickled stored fields with zlib (level 3).
On news articles of a kilobyte or two most of that time is setting up the
compressor, once per document: 28 us a Reuters story, a twentieth of all the
indexing work.  A Zstandard context is made once per thread and reused: 9 us
to compress (about 3% larger than zlib's), and 3 us instead of 9 us to
decompress when a hit is shown.  Each document stays its own frame, so one is
read without its neighbours, and merges copy the compressed bytes as they are.

No Whoosh import here: the direct reader (``direct.columns``) decompresses
with it too.  ``zstandard`` itself is imported on first use, lightly
(``_zstandard``).
"""

from __future__ import annotations

import sys
import threading

from ...deferring import import_with_stand_ins, real

#: Zstandard's own default level.  Level 1 saves 1 us of 9 a Reuters story (a tenth of a
#: percent of indexing) for a stored column 0.5% larger.
LEVEL = 3

_contexts = threading.local()  # a (de)compression context is not to be shared between threads
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}


def _python_implementation() -> str:
    return _IMPLEMENTATIONS.get(sys.implementation.name) or real("platform").python_implementation()


def _zstandard():
    """``zstandard``, imported without the ``platform`` and ``typing`` modules it imports to
    choose its backend and to name a type: a third of its import time, on every search."""
    if "zstandard" not in sys.modules:
        import_with_stand_ins(
            ["zstandard"],
            {"platform": {"python_implementation": _python_implementation}, "typing": {"ByteString": bytes}},
        )
    return sys.modules["zstandard"]


def compress(data: bytes) -> bytes:
    try:
        compressor = _contexts.compressor
    except AttributeError:
        compressor = _contexts.compressor = _zstandard().ZstdCompressor(level=LEVEL)
    return compressor.compress(data)


def decompress(data: bytes) -> bytes:
    try:
        decompressor = _contexts.decompressor
    except AttributeError:
        decompressor = _contexts.decompressor = _zstandard().ZstdDecompressor()
    return decompressor.decompress(data)
