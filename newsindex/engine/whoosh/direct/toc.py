"""The segments of a generation, from its newest table of contents, without Whoosh.

Whoosh opens a generation by its highest-numbered ``_articles_N.toc``: a few
integers, the pickled schema, then the pickled list of segments.  The schema
is skipped (this package knows it: the index format is checked through
``info.json``).  The segments are unpickled by ``_SegmentUnpickler``, which
admits only Whoosh's segment and codec classes, as plain records of their
attributes, and the builtins they hold (sets of deleted documents): nothing
is imported and no other class is built.  Reading the TOC itself (rather
than a summary written beside it) means this reader always sees exactly the
segments Whoosh would, for indexes written by any version, and a TOC being
written is never seen (Whoosh writes it under a temporary name and renames it).
"""

from __future__ import annotations

import builtins
import io
import os
import re
import struct
from pathlib import Path

from . import DirectUnsupported, Unpickler, UnpicklingError

_TOC_VERSION = -111
_INT = struct.Struct("!i")


class _Record:
    """A pickled Whoosh object, as its attributes."""


_ALLOWED = {
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3Codec"),
}
_BUILTINS = {"set", "frozenset", "dict", "list", "tuple"}


class _SegmentUnpickler(Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return _Record
        if module == "builtins" and name in _BUILTINS:
            return getattr(builtins, name)
        raise DirectUnsupported(f"the table of contents holds {module}.{name}")


class SegmentInfo:
    """What the reader needs of one segment (a plain class: a dataclass costs more to define
    than this whole module takes to read a small index)."""

    __slots__ = ("deleted", "doc_count_all", "field_lengths", "name")

    def __init__(self, name: str, doc_count_all: int, deleted: frozenset[int], field_lengths: dict[str, int]) -> None:
        self.name = name  # the file name prefix: "articles_<id>"
        self.doc_count_all = doc_count_all  # deleted documents included
        self.deleted = deleted
        self.field_lengths = field_lengths


def newest_toc(generation: Path, indexname: str) -> tuple[int, str]:
    """The generation number and file name of the TOC Whoosh would open."""
    pattern = re.compile(rf"^_{re.escape(indexname)}_([0-9]+)\.toc$")
    best = -1
    for name in os.listdir(generation):
        found = pattern.match(name)
        if found:
            best = max(best, int(found.group(1)))
    if best < 0:
        raise DirectUnsupported("no table of contents")
    return best, f"_{indexname}_{best}.toc"


def _varint(stream: io.BytesIO) -> int:
    value = shift = 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise DirectUnsupported("truncated table of contents")
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
        shift += 7


def read_segments(generation: Path, indexname: str) -> list[SegmentInfo]:
    """The segments of the newest TOC, in Whoosh's order (document numbers follow it)."""
    number, filename = newest_toc(generation, indexname)
    with open(generation / filename, "rb") as handle:
        stream = io.BytesIO(handle.read())
    if [_varint(stream) for _ in range(3)] != [4, 8, 4]:  # int, long, float sizes
        raise DirectUnsupported("table of contents of another architecture")
    if _INT.unpack(stream.read(4))[0] != -12345 or _INT.unpack(stream.read(4))[0] != _TOC_VERSION:
        raise DirectUnsupported("table of contents of another version")
    for _ in range(3):  # Whoosh's release
        _varint(stream)
    stream.seek(_varint(stream), io.SEEK_CUR)  # the pickled schema
    if _INT.unpack(stream.read(4))[0] != number:
        raise DirectUnsupported("table of contents names another generation")
    stream.read(4)  # unused
    try:
        records = _SegmentUnpickler(stream).load()
    except (UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as exc:
        raise DirectUnsupported(f"unreadable segment list ({type(exc).__name__})") from None
    segments = []
    for record in records:
        attributes = getattr(record, "__dict__", None)
        if not isinstance(attributes, dict) or attributes.get("compound") or not hasattr(record, "segid"):
            raise DirectUnsupported("a compound or unknown segment")
        deleted = attributes.get("_deleted") or ()
        segments.append(
            SegmentInfo(
                name=f"{attributes['indexname']}_{attributes['segid']}",
                doc_count_all=int(attributes["_doccount"]),
                deleted=frozenset(deleted),
                field_lengths=dict(attributes.get("_fieldlengths") or {}),
            )
        )
    return segments
