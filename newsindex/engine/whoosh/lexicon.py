"""The body words of a generation, one sorted list beside its segments, for did-you-mean.

Did-you-mean looks for respellings among the body terms that share the typed
word's first letter.  Walking each segment's term table for them costs time
per segment per query: at 200,000 articles (11 segments) a suggestion took
hundreds of milliseconds, and a large archive has tens of segments.  So each
generation keeps the union of its segments' body terms that start with a
letter (``WORDS_FILE``), grouped by first letter, and a search reads only
the group it needs.

Each run writes the file from the previous generation's and the terms of the
segments that are new in this run (added, rewritten or merged ones); terms
of deleted articles may linger, which did-you-mean tolerates: every
candidate's frequency is read from the index itself, and a term no live
article holds is never suggested.  A generation without the file (an index
written before it existed) falls back to walking the segments.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .direct.termtable import TermTable

WORDS_FILE = "words.txt"
_VERSION = 1
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_TERMS_EXT = ".trm"  # W3Codec.TERMS_EXT: this module is the direct reader's too, without Whoosh


def _segment_words(generation: Path, segment) -> set[str]:
    """A segment's body terms that start with a letter, its term table walked directly
    (``TermTable.field_terms``: a third of the time of Whoosh's ``lexicon``)."""
    table = TermTable(str(generation / segment.make_filename(_TERMS_EXT)))
    try:
        terms = table.field_terms("body")
    finally:
        table.close()
    words = set()
    for raw in terms:
        word = raw.decode("utf-8", "replace")
        if word[:1] in _LETTERS and "\n" not in word:
            words.add(word)
    return words


def _read(generation: Path | None) -> tuple[dict, bytes] | None:
    """The header and the words (newline-separated UTF-8) of a generation's file."""
    if generation is None:
        return None
    try:
        with open(generation / WORDS_FILE, "rb") as handle:
            header = json.loads(handle.readline())
            body = handle.read()
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("version") != _VERSION:
        return None
    return header, body


def write_words(generation: Path, reader, previous: Path | None) -> None:
    """Write ``generation``'s words: the previous generation's, and the terms of
    the segments of ``reader`` it did not have."""
    earlier = _read(previous)
    known_segments = set(earlier[0].get("segments", ())) if earlier else set()
    words = set(earlier[1].decode("utf-8").split("\n")[:-1]) if earlier else set()
    segments = []
    for leaf, _offset in reader.leaf_readers():
        if not leaf.doc_count_all() or leaf.segment() is None:  # an empty index reads as no segment
            continue
        segment_id = leaf.segment().segment_id()
        segments.append(segment_id)
        if segment_id not in known_segments:
            words |= _segment_words(generation, leaf.segment())
    ordered = sorted(words)
    letters: dict[str, list[int]] = {}
    position = 0
    for word in ordered:
        size = len(word.encode("utf-8")) + 1
        span = letters.setdefault(word[0], [position, position])
        span[1] = position + size
        position += size
    header = {"version": _VERSION, "segments": segments, "letters": letters}
    body = "".join(f"{word}\n" for word in ordered).encode("utf-8")
    with open(generation / WORDS_FILE, "wb") as handle:
        handle.write(json.dumps(header).encode("utf-8") + b"\n")
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())


def words_starting(generation: Path, letter: str) -> list[str] | None:
    """The generation's body words that start with ``letter``; None without a file."""
    try:
        with open(generation / WORDS_FILE, "rb") as handle:
            header = json.loads(handle.readline())
            if not isinstance(header, dict) or header.get("version") != _VERSION:
                return None
            start, end = header["letters"].get(letter, (0, 0))
            if end <= start:
                return []
            handle.seek(handle.tell() + start)
            return handle.read(end - start).decode("utf-8").split("\n")[:-1]
    except (OSError, ValueError, KeyError, TypeError):
        return None
