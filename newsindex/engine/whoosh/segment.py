"""Writing Whoosh segments fast: the indexer's inner loop.

Whoosh's own writer analyses text through a chain of Token objects, sends
every posting through an external-sort pool (pickled to temporary files and
merged back), looks each posting's field length up again, and writes posting
lists one posting at a time; on short news articles that is most of the cost
of indexing.  ``SegmentBuilder`` builds the same segment directly:

* title and body are analysed by ``tokens.kept_term_numbers`` (the terms of
  ``news_analyzer()``, without Token objects, numbered by the analysis) and kept
  as a stream of term numbers and positions (``text_postings``), grouped by
  term when written; ids, numbers and keywords take short paths checked against
  Whoosh's own analysis, their postings collected per field and term;
* everything is held in memory (the caller bounds it: it writes a segment when
  ``estimated_bytes`` grows too large) and written in sorted order in one
  pass, a whole posting block at a time;
* rare terms (ids, paths, most sketch values and timestamps) are stored
  inline in the term table, which Whoosh's format provides for, instead of as
  a compressed posting block each.

The files are Whoosh's ``W3Codec`` format, read by the stock reader.
``tests/test_index.py`` checks that a segment written here reads back exactly
like one written by ``ix.writer()``.  Several processes may build segments in
one directory at once: every segment has its own random name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from pickle import dumps

from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import length_to_byte

from .analysis import index_terms, news_analyzer
from .segment_files import _Columns, _SegmentWriting
from .segment_format import PICKLE_PROTOCOL, _Field
from .stored_column import STORED_BYTES
from .summary import SegmentSummary
from .text_postings import TextPostings
from .tokens import renew_vocabulary_if_full

#: Rough memory held per posting and per distinct term while a segment is built.
_BYTES_PER_POSTING = 80
_BYTES_PER_TERM = 200
#: A text field's token (``TextPostings``): 8 bytes while building, about 50 while the
#: segment is written (its sorted arrays, and Python lists of 65,536 postings at a time).
_BYTES_PER_TOKEN = 48
_PROBE = "The U.S. state-run COVID-19 café's re-opening, it's the 2nd e.g. test."


class SegmentBuilder(_SegmentWriting):
    """Collects documents for one new segment in memory, then writes it.

    ``add(fields)`` takes the values ``writer.add_document(**fields)`` would
    (``_stored_NAME`` overrides a stored value).  ``write()`` creates the
    segment's files in the index directory and returns the Whoosh segment
    object (picklable) for the caller to commit in a TOC.  ``fast_text``
    names the TEXT fields analysed by ``news_analyzer()``, which get the fast
    analysis; any other field is analysed by Whoosh itself.
    """

    def __init__(
        self, index_dir: str | Path, schema: Schema, indexname: str, fast_text: frozenset[str] = frozenset()
    ) -> None:
        self.storage = FileStorage(str(index_dir))
        self.schema = schema
        self.indexname = indexname
        self.codec = W3Codec()
        for name in fast_text:
            _check_fast_text(schema[name])
        self.fields = {name: _Field(name, schema[name], name in fast_text) for name in schema.names()}
        self._plan = [self.fields[name] for name in sorted(self.fields)]
        self._check_numeric()
        self._reset()

    def _check_numeric(self) -> None:
        for spec in self.fields.values():
            if spec.kind == "numeric":
                from datetime import datetime

                probe = datetime(2019, 3, 23, 12, 30, 5, 123) if spec.field.__class__.__name__ == "DATETIME" else 2019
                if [(t, v) for t, _f, _w, v in spec.field.index(probe)] != spec.postings(probe)[0]:
                    spec.kind = "generic"

    def _reset(self) -> None:
        self.segment = self.codec.new_segment(self.storage, self.indexname)
        self.docs = 0
        #: field -> its ``TextPostings`` (fast text fields), else term bytes -> [doc, value, doc, value, ...]
        self.postings: dict[str, dict | TextPostings] = {
            spec.name: TextPostings() if spec.kind == "text" else {} for spec in self._plan if spec.indexed
        }
        #: field -> length byte of every document so far (scorable fields)
        self.length_bytes: dict[str, bytearray] = {spec.name: bytearray() for spec in self._plan if spec.scorable}
        self.field_lengths: dict[str, int] = {}
        self._columns = _Columns(self.storage, self.segment)
        self._posting_count = 0
        self._term_count = 0
        self._token_count = 0
        self.summary = SegmentSummary()  # what `stats` shows (summary.py)

    @property
    def estimated_bytes(self) -> int:
        """Memory held by the documents added so far (an estimate)."""
        return (
            self._posting_count * _BYTES_PER_POSTING
            + self._term_count * _BYTES_PER_TERM
            + self._token_count * _BYTES_PER_TOKEN
        )

    def add(self, fields: Mapping[str, object]) -> None:
        """Add one document.  Raises (adding nothing) if a value cannot be indexed."""
        renew_vocabulary_if_full()  # before its text is numbered
        for name in fields:
            if name not in self.fields and not name.startswith("_"):
                raise ValueError(f"no field named {name!r} in the schema")
        prepared = []
        stored: dict = {}
        for spec in self._plan:
            value = fields.get(spec.name)
            if value is None:
                continue
            items, length = spec.postings(value) if spec.indexed else (None, 0)
            keep = fields.get(spec.stored_override, value)
            if spec.stored:
                stored[spec.name] = keep
            column = spec.to_column_value(keep) if spec.column is not None else None
            prepared.append((spec, items, length, column))
        docnum = self.docs
        columns = self._columns
        for spec, items, length, column in prepared:
            if spec.kind == "text":  # items: the kept tokens
                length = self.postings[spec.name].add(docnum, items)
                self._token_count += length
            elif items:
                terms = self.postings[spec.name]
                for term, vbytes in items:
                    entry = terms.get(term)
                    if entry is None:
                        terms[term] = [docnum, vbytes]
                    else:
                        entry += (docnum, vbytes)
                self._posting_count += len(items)
            if spec.scorable:
                self.length_bytes[spec.name].append(length_to_byte(length) if length else 0)
                if length:
                    self.field_lengths[spec.name] = self.field_lengths.get(spec.name, 0) + length
            if column is not None:
                columns.add(spec.name, spec.column, docnum, column)
        if stored:
            columns.add("_stored", STORED_BYTES, docnum, dumps(stored, PICKLE_PROTOCOL))
        self.docs += 1
        meta = fields.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        self.summary.add(meta.get("source"), fields.get("published"), meta.get("authors") or ())
        for lengths in self.length_bytes.values():
            if len(lengths) < self.docs:
                lengths.append(0)  # the field is absent from this document
        if docnum % 256 == 0:
            self._term_count = sum(
                terms.term_count if isinstance(terms, TextPostings) else len(terms) for terms in self.postings.values()
            )


def _check_fast_text(field) -> None:
    """Refuse the fast path for a field whose analyzer is not ``news_analyzer()``."""
    probe = {}
    for token in field.analyzer(_PROBE, positions=True, mode="index"):
        probe.setdefault(token.text, []).append(token.pos)
    expected = {}
    for token in news_analyzer()(_PROBE, positions=True, mode="index"):
        expected.setdefault(token.text, []).append(token.pos)
    if not isinstance(field, TEXT) or probe != expected or probe != index_terms(_PROBE)[0]:
        raise ValueError("fast text analysis needs a TEXT field analysed by news_analyzer()")
