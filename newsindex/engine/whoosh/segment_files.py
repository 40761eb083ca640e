"""Writing a built segment's files in Whoosh's W3Codec format: term table, posting blocks, columns."""

from __future__ import annotations

from array import array
from operator import itemgetter
from pickle import dumps
from zlib import crc32

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.filedb.filetables import HashWriter, OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numlists import GrowableArray

from . import posting_arrays
from .column_batches import BATCH_VALUES, write_batch
from .segment_format import (
    _BLOCK_LIMIT,
    _COMPRESSION,
    _LENGTHS,
    _LITTLE_ENDIAN,
    _POINTER,
    _TERMINFO,
    _UINT,
    _UINT32,
    INLINE_LIMIT,
    PICKLE_PROTOCOL,
    _Field,
    block_data,
    decode_positions,
)
from .stored_column import STORED_BYTES


class _Columns:
    """Per-document columns (stored fields, lengths, sortable values), one file each.

    What ``W3PerDocWriter`` writes, without its temporary compound file and
    per-field bookkeeping; values are held and written ``BATCH_VALUES`` at a time
    (``column_batches``).  They are converted before they are added (``to_column_value``,
    the stored pickle), so a batch's write fails only as a file does, and a worker stops
    the run on it (``index.pool``) rather than lose the batch with one article.
    """

    def __init__(self, storage, segment) -> None:
        self.storage = storage
        self.segment = segment
        self.files: dict[str, object] = {}
        self.writers: dict[str, object] = {}
        self.pending: dict[str, list[tuple[int, object]]] = {}

    def _writer(self, name: str, column):
        writer = self.writers.get(name)
        if writer is None:
            handle = self.storage.create_file(W3Codec.column_filename(self.segment, name))
            self.files[name] = handle
            writer = self.writers[name] = column.writer(handle)
            self.pending[name] = []
        return writer

    def add(self, name: str, column, docnum: int, value) -> None:
        pending = self.pending.get(name)
        if pending is None:
            self._writer(name, column)
            pending = self.pending[name]
        pending.append((docnum, value))
        if len(pending) >= BATCH_VALUES:
            self._write_pending(name)

    def add_all(self, name: str, column, values: bytearray) -> None:
        self._writer(name, column)
        for docnum, value in enumerate(values):
            if value:
                self.add(name, column, docnum, value)

    def _write_pending(self, name: str) -> None:
        pending = self.pending[name]
        if pending:
            write_batch(self.writers[name], pending)
            self.pending[name] = []

    def close(self, doccount: int) -> None:
        for name, writer in self.writers.items():
            self._write_pending(name)
            writer.finish(doccount)
            self.files[name].close()

    def discard(self) -> None:
        self.pending.clear()
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


def _frequencies(values: list[bytes]) -> array:
    """Each posting's frequency: a Positions or Frequency value starts with it (4 bytes,
    big-endian).  Unpacked in bulk."""
    freqs = array(_UINT32, b"".join(map(_FIRST_FOUR, values)))
    if _LITTLE_ENDIAN:
        freqs.byteswap()
    return freqs


def _arrays(docs: list[int], weights: list[float], boost: float, freqs, positions: tuple | None) -> bytes:
    """``posting_arrays`` of a long list: its weights as Whoosh reads them back from blocks of
    ``_BLOCK_LIMIT`` (also for a title or body list, which has no blocks: the same scores),
    the frequencies as multiples of the boost when that is exact, and ``positions`` (``(per
    posting, every position)``) when given (a ``Positions`` field)."""
    if posting_arrays.exact_in_32_bits(boost) and (freqs is None or max(freqs) <= 0xFFFF):
        return posting_arrays.encode(docs, weights, boost, freqs, positions)
    return posting_arrays.encode(docs, read_back_in_blocks(weights), boost, positions=positions)


def read_back_in_blocks(weights: list[float]) -> list[float]:
    """A list's weights as Whoosh reads them back from blocks of ``_BLOCK_LIMIT``."""
    read = []
    for start in range(0, len(weights), _BLOCK_LIMIT):
        read += posting_arrays.read_back(weights[start : start + _BLOCK_LIMIT])
    return read


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
        _mini_weights, data = block_data(
            ids, block_weights, values[start:end] if values is not None else None, fixed_size
        )
        minlength, maxlength = _length_range(doc_lengths[start:end] if doc_lengths is not None else None)
        info = dumps((len(ids), ids[-1], max(block_weights), _COMPRESSION, minlength, maxlength), 2)
        size = len(info) + len(data)
        out += pack_int(-size if end == total else size)
        out += info
        out += data


class _SegmentWriting:
    """Writing the segment a builder holds: its term table, posting blocks, lengths and columns."""

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
        self._columns.add_all("_stored", STORED_BYTES, bytearray())  # always there, as Whoosh writes it
        self._columns.close(self.docs)
        self.summary.write(self.storage, segment)
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

    def _write_field(self, writer: _TermsWriter, spec: _Field, terms) -> None:
        """One field's term table entries and posting lists, in term order."""
        lists = _Lists(writer, spec, self.length_bytes.get(spec.name))
        if spec.kind == "text":  # a TextPostings
            for tbytes, docs, freqs, values, positions in terms.sorted_lists():
                lists.add(tbytes, docs, values, freqs, positions)
        else:
            for tbytes, entry in sorted(terms.items()):
                if len(entry) == 2:  # one document: the common case, kept short
                    doc, value = entry
                    boost = spec.boost
                    lists.add_one(tbytes, doc, _UINT.unpack_from(value)[0] * boost if lists.by_count else boost, value)
                    continue
                values = entry[1::2]
                positions = decode_positions(values) if spec.positions and len(values) > INLINE_LIMIT else None
                lists.add(tbytes, entry[0::2], values, _frequencies(values) if lists.by_count else None, positions)
        lists.close()


class _Lists:
    """Writes one field's posting lists, given in term order: short ones inline in the term
    table, longer ones as Whoosh's blocks followed by their ``posting_arrays``."""

    def __init__(self, writer: _TermsWriter, spec: _Field, lengths: bytearray | None) -> None:
        self.writer = writer
        self.table = writer.table
        self.key_prefix = writer.start_field(spec.name)
        self.spec = spec
        self.lengths = lengths
        self.by_count = spec.fixed_size != 0  # Existence postings weigh the field boost, others freq * boost
        self.blocks = bytearray()
        self.base = writer.postfile.tell()

    def add_one(self, tbytes: bytes, doc: int, weight: float, value: bytes) -> None:
        """A list of one document, inline in the term table."""
        lb = self.lengths[doc] if self.lengths is not None else 0
        inline = dumps(((doc,), (weight,), (value,)), PICKLE_PROTOCOL)
        self.table.add_entry(self.key_prefix + tbytes, _TERMINFO.pack(1, weight, 1, lb, lb, weight, doc, doc) + inline)

    def add(self, tbytes: bytes, docs: list[int], values: list | None, freqs, positions: tuple | None) -> None:
        """A list: its documents, values and frequencies (None for a field without them);
        ``positions`` for ``posting_arrays`` of a list longer than ``INLINE_LIMIT``, whose
        values a ``Positions`` field need not give: such a list is its arrays alone, with an
        extent of length 0 at them (``array_matcher``)."""
        boost = self.spec.boost
        count = len(docs)
        weights = [freq * boost for freq in freqs] if self.by_count else [boost] * count
        lengths = self.lengths
        if count == 1:
            self.add_one(tbytes, docs[0], weights[0], values[0])
            return
        doc_lengths = [lengths[doc] for doc in docs] if lengths is not None else None
        minlength, maxlength = _length_range(doc_lengths)
        head = (sum(weights), count, minlength, maxlength, max(weights), docs[0], docs[-1])
        if count <= INLINE_LIMIT:
            info = _TERMINFO.pack(1, *head) + dumps((tuple(docs), tuple(weights), tuple(values)), PICKLE_PROTOCOL)
        else:
            blocks, base = self.blocks, self.base
            start = base + len(blocks)
            if not self.spec.positions:  # a title or body list has no blocks (``array_matcher``)
                _write_blocks(blocks, docs, weights, values, doc_lengths, self.spec.fixed_size)
            length = base + len(blocks) - start
            arrays = _arrays(docs, weights, boost, freqs, positions if self.spec.positions else None)
            pointer = posting_arrays.POINTER.pack(base + len(blocks), len(arrays))
            blocks += arrays
            info = _TERMINFO.pack(0, *head) + pack_long(start) + pack_int(length) + pointer
        self.table.add_entry(self.key_prefix + tbytes, info)

    def close(self) -> None:
        self.writer.postfile.write(bytes(self.blocks))
        self.table.flush()
