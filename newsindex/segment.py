"""Writing Whoosh segments fast: the indexer's inner loop.

Whoosh's own writer analyses text through a chain of Token objects, sends
every posting through an external-sort pool (pickled to temporary files and
merged back), looks each posting's field length up again, and writes posting
lists one posting at a time; on short news articles that is most of the cost
of indexing.  ``SegmentBuilder`` builds the same segment directly:

* title and body are analysed by ``analysis.index_terms`` (the terms and
  positions of ``news_analyzer()``, without Token objects); ids, numbers and
  keywords take short paths checked against Whoosh's own analysis;
* postings are collected in memory per field and term (the caller bounds it:
  it writes a segment when ``estimated_bytes`` grows too large) and written in
  sorted order in one pass, a whole posting block at a time;
* rare terms (ids, paths, most sketch values and timestamps) are stored
  inline in the term table, which Whoosh's format provides for, instead of as
  a compressed posting block each.

The files are Whoosh's ``W3Codec`` format, read by the stock reader.
``tests/test_index.py`` checks that a segment written here reads back exactly
like one written by ``ix.writer()``.  Several processes may build segments in
one directory at once: every segment has its own random name.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Mapping
from itertools import pairwise
from operator import itemgetter, sub
from pathlib import Path
from pickle import dumps
from zlib import crc32

from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.columns import CompressedBytesColumn
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import GrowableArray

from .analysis import index_terms, news_analyzer

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
#: Rough memory held per posting and per distinct term while a segment is built.
_BYTES_PER_POSTING = 80
_BYTES_PER_TERM = 200
_CACHE_LIMIT = 50_000
#: The stored-fields column is ``PickleColumn(CompressedBytesColumn())``; the
#: builder pickles (protocol 5) itself and writes the compressed bytes.
_STORED_BYTES = CompressedBytesColumn()
_ONE = pack_uint(1)
#: Encoded single positions, shared: most words occur once in an article.
_ONE_POSITION = [_ONE + dumps([pos], 2) for pos in range(4096)]
_PROBE = "The U.S. state-run COVID-19 café's re-opening, it's the 2nd e.g. test."


def encode_positions(positions: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``: a count, then the pickled position deltas."""
    if len(positions) == 1:
        pos = positions[0]
        return _ONE_POSITION[pos] if pos < 4096 else _ONE + dumps(positions, 2)
    deltas = [positions[0]]
    deltas.extend(b - a for a, b in pairwise(positions))
    return pack_uint(len(deltas)) + dumps(deltas, 2)


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
        self.cache: dict = {}
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
            self.unpack = field._struct.unpack
            self.pack = field._struct.pack
            self.shifts = range(0, field.bits, field.shift_step)

    def postings(self, value) -> tuple:
        """``([(term, value bytes), ...], length)`` of one field value, as Whoosh indexes it
        (for fast text fields: ``({term: positions}, length)``, encoded by the caller)."""
        if self.kind == "text":
            return index_terms(value)
        if self.kind == "id":
            return [(_term_bytes(value, exact=True), b"")], 0
        if self.kind == "words":
            words = value.split()
            if " ".join(words) == value and len(set(words)) == len(words) and all(w.isalnum() for w in words):
                return [(_term_bytes(word, exact=False), _ONE) for word in words], 0
        if self.kind == "numeric":
            cached = self.cache.get(value)
            if cached is None:
                first = self.field.to_bytes(value, 0)
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


class SegmentBuilder:
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
        #: field -> term (str for fast text fields, else bytes) -> [doc, value, doc, value, ...]
        self.postings: dict[str, dict] = {spec.name: {} for spec in self._plan if spec.indexed}
        #: field -> length byte of every document so far (scorable fields)
        self.length_bytes: dict[str, bytearray] = {spec.name: bytearray() for spec in self._plan if spec.scorable}
        self.field_lengths: dict[str, int] = {}
        self._columns = _Columns(self.storage, self.segment)
        self._posting_count = 0
        self._term_count = 0

    @property
    def estimated_bytes(self) -> int:
        """Memory held by the documents added so far (an estimate)."""
        return self._posting_count * _BYTES_PER_POSTING + self._term_count * _BYTES_PER_TERM

    def add(self, fields: Mapping[str, object]) -> None:
        """Add one document.  Raises (adding nothing) if a value cannot be indexed."""
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
            keep = fields.get("_stored_" + spec.name, value)
            if spec.stored:
                stored[spec.name] = keep
            column = spec.field.to_column_value(keep) if spec.column is not None else None
            prepared.append((spec, items, length, column))
        docnum = self.docs
        columns = self._columns
        single = _ONE_POSITION
        for spec, items, length, column in prepared:
            if items:
                terms = self.postings[spec.name]
                if spec.kind == "text":  # items: term -> positions, encoded here in one pass
                    for term, where in items.items():
                        value = single[where[0]] if len(where) == 1 and where[0] < 4096 else encode_positions(where)
                        entry = terms.get(term)
                        if entry is None:
                            terms[term] = [docnum, value]
                        else:
                            entry += (docnum, value)
                else:
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
            columns.add("_stored", _STORED_BYTES, docnum, dumps(stored, PICKLE_PROTOCOL))
        self.docs += 1
        for lengths in self.length_bytes.values():
            if len(lengths) < self.docs:
                lengths.append(0)  # the field is absent from this document
        if docnum % 256 == 0:
            self._term_count = sum(len(terms) for terms in self.postings.values())

    def write(self):
        """Write the segment's files and start a new one; returns the segment, or None if empty."""
        segment = self.segment
        if self.docs == 0:
            self._columns.discard()
            self._reset()
            return None
        for name, lengths in self.length_bytes.items():
            if any(lengths):
                self._columns.add_all(f"_{name}_len", LENGTHS_COLUMN, lengths)
        self._columns.add_all("_stored", _STORED_BYTES, bytearray())  # always there, as Whoosh writes it
        self._columns.close(self.docs)
        segment.set_doc_count(self.docs)
        segment._fieldlengths = dict(self.field_lengths)
        terms_writer = _TermsWriter(self.storage, segment)
        try:
            for name in sorted(self.postings):
                if self.postings[name]:
                    self._write_field(terms_writer, self.fields[name], self.postings[name])
        finally:
            terms_writer.close()
        self._reset()
        return segment

    def _write_field(self, writer: _TermsWriter, spec: _Field, terms: dict) -> None:
        """One field's term table entries and posting lists, in term order."""
        key_prefix = writer.start_field(spec.name)
        lengths = self.length_bytes.get(spec.name)
        boost = spec.boost
        by_count = spec.fixed_size != 0  # Existence postings weigh the field boost, others freq * boost
        unpack_uint = _UINT.unpack_from
        if spec.kind == "text":
            items = sorted((_term_bytes(term, exact=False), entry) for term, entry in terms.items())
        else:
            items = sorted(terms.items())
        table = writer.table
        blocks = bytearray()
        base = writer.postfile.tell()
        pack_info = _TERMINFO.pack
        for tbytes, entry in items:
            if len(entry) == 2:  # one document: the common case, kept short
                doc, value = entry
                weight = unpack_uint(value)[0] * boost if by_count else boost
                lb = lengths[doc] if lengths is not None else 0
                inline = dumps(((doc,), (weight,), (value,)), PICKLE_PROTOCOL)
                table.add_entry(key_prefix + tbytes, pack_info(1, weight, 1, lb, lb, weight, doc, doc) + inline)
                continue
            docs = entry[0::2]
            values = entry[1::2]
            count = len(docs)
            weights = _weights(values, boost) if by_count else [boost] * count
            doc_lengths = [lengths[doc] for doc in docs] if lengths is not None else None
            minlength, maxlength = _length_range(doc_lengths)
            head = (sum(weights), count, minlength, maxlength, max(weights), docs[0], docs[-1])
            if count <= INLINE_LIMIT:
                info = pack_info(1, *head) + dumps((tuple(docs), tuple(weights), tuple(values)), PICKLE_PROTOCOL)
            else:
                start = base + len(blocks)
                _write_blocks(blocks, docs, weights, values, doc_lengths, spec.fixed_size)
                info = pack_info(0, *head) + pack_long(start) + pack_int(base + len(blocks) - start)
            table.add_entry(key_prefix + tbytes, info)
        writer.postfile.write(bytes(blocks))
        table.flush()


class _Columns:
    """Per-document columns (stored fields, lengths, sortable values), one file each.

    What ``W3PerDocWriter`` writes, without its temporary compound file and
    per-field bookkeeping.
    """

    def __init__(self, storage, segment) -> None:
        self.storage = storage
        self.segment = segment
        self.files: dict[str, object] = {}
        self.writers: dict[str, object] = {}

    def _writer(self, name: str, column):
        writer = self.writers.get(name)
        if writer is None:
            handle = self.storage.create_file(W3Codec.column_filename(self.segment, name))
            self.files[name] = handle
            writer = self.writers[name] = column.writer(handle)
        return writer

    def add(self, name: str, column, docnum: int, value) -> None:
        self._writer(name, column).add(docnum, value)

    def add_all(self, name: str, column, values: bytearray) -> None:
        writer = self._writer(name, column)
        for docnum, value in enumerate(values):
            if value:
                writer.add(docnum, value)

    def close(self, doccount: int) -> None:
        for name, writer in self.writers.items():
            writer.finish(doccount)
            self.files[name].close()

    def discard(self) -> None:
        for name, handle in self.files.items():
            handle.close()
            self.storage.delete_file(W3Codec.column_filename(self.segment, name))


class _TermTable(OrderedHashWriter):
    """Whoosh's ordered hash file of terms, hashed with CRC-32 and written in bulk.

    The file format is ``OrderedHashWriter``'s; its header names the hash
    function (the stock reader supports MD5, CRC-32 and CDB hashes), and
    CRC-32 is computed in C where MD5 went through a hex string per term.
    """

    def __init__(self, dbfile) -> None:
        HashWriter.__init__(self, dbfile, hashtype=1)
        self.index = GrowableArray("H")
        self.lastkey = b""
        self._buffer = bytearray()
        self._base = dbfile.tell()
        self._positions: list[int] = []

    def add_entry(self, key: bytes, value: bytes) -> None:
        """Add one ``(key, value)``; keys must increase.  Buffered until ``flush``."""
        if key <= self.lastkey:
            raise ValueError(f"term keys must increase: {self.lastkey!r}..{key!r}")
        self.lastkey = key
        buffer = self._buffer
        position = self._base + len(buffer)
        self._positions.append(position)
        buffer += _LENGTHS.pack(len(key), len(value))
        buffer += key
        buffer += value
        hashed = crc32(key)
        self.buckets[hashed & 255].append((hashed, position))

    def flush(self) -> None:
        self.dbfile.write(bytes(self._buffer))
        self._buffer = bytearray()
        self._base = self.dbfile.tell()
        self.index.extend(self._positions)
        self._positions = []

    def _write_hashes(self) -> None:
        """``HashWriter._write_hashes``, one write per bucket."""
        dbfile = self.dbfile
        for entries in self.buckets:
            position = dbfile.tell()
            slots = 2 * len(entries)
            self.directory.append((position, slots))
            table = [(0, 0)] * slots
            for hashed, where in entries:
                slot = (hashed >> 8) % slots
                while table[slot] != (0, 0):
                    slot = (slot + 1) % slots
                table[slot] = (hashed, where)
            dbfile.write(b"".join([_POINTER.pack(hashed, where) for hashed, where in table]))

    def close(self):
        self.flush()
        return super().close()


class _TermsWriter:
    """The .trm and .pst files of a segment, as ``W3FieldWriter`` lays them out."""

    def __init__(self, storage, segment) -> None:
        self.table = _TermTable(segment.create_file(storage, W3Codec.TERMS_EXT))
        self.fieldmap: dict[str, int] = {}
        self.table.extras["fieldmap"] = self.fieldmap
        self.postfile = segment.create_file(storage, W3Codec.POSTS_EXT)

    def start_field(self, fieldname: str) -> bytes:
        """Register a field; returns the prefix of its term keys."""
        self.fieldmap.setdefault(fieldname, len(self.fieldmap))
        return pack_ushort(self.fieldmap[fieldname])

    def close(self) -> None:
        self.table.close()
        self.postfile.close()


_FIRST_FOUR = itemgetter(slice(0, 4))


def _weights(values: list[bytes], boost: float) -> list[float]:
    """freq * boost of each posting; a Positions or Frequency value starts with the
    frequency (4 bytes, big-endian).  Unpacked in bulk."""
    freqs = array(_UINT32, b"".join(map(_FIRST_FOUR, values)))
    if _LITTLE_ENDIAN:
        freqs.byteswap()
    return [freq * boost for freq in freqs]


def _length_range(length_bytes: list[int] | None) -> tuple[int, int]:
    """(min, max) of the non-zero length bytes, or (0, 0), as W3TermInfo records them."""
    if not length_bytes:
        return 0, 0
    present = [b for b in length_bytes if b]
    return (min(present), max(present)) if present else (0, 0)


def _write_blocks(out: bytearray, docs, weights, values, doc_lengths, fixed_size) -> None:
    """A posting list exactly as ``W3PostingsWriter`` writes it: blocks of up to 128."""
    out += WHOOSH3_HEADER_MAGIC
    total = len(docs)
    for start in range(0, total, _BLOCK_LIMIT):
        end = min(total, start + _BLOCK_LIMIT)
        ids = docs[start:end]
        block_weights = weights[start:end]
        deltas = [ids[0], *map(sub, ids[1:], ids[:-1])]
        first = block_weights[0]
        if block_weights.count(first) == len(block_weights):
            mini_weights = None if first == 1.0 else float(first)
        else:
            mini_weights = tuple(map(float, block_weights))
        if fixed_size is None or fixed_size < 0:
            mini_values = tuple(values[start:end])  # never empty: positions
        elif fixed_size == 0:
            mini_values = None
        else:
            mini_values = b"".join(values[start:end])
        data = zlib.compress(dumps((tuple(deltas), mini_weights, mini_values), PICKLE_PROTOCOL), _COMPRESSION)
        minlength, maxlength = _length_range(doc_lengths[start:end] if doc_lengths is not None else None)
        info = dumps((len(ids), ids[-1], max(block_weights), _COMPRESSION, minlength, maxlength), 2)
        size = len(info) + len(data)
        out += pack_int(-size if end == total else size)
        out += info
        out += data


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
