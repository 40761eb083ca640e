"""The near-duplicate graph kept up to date from run to run, not rebuilt.

``dedup`` links the articles of each bucket (those sharing one of their
``SKETCH_INDEXED`` smallest sketch values) on its own: what a bucket links
depends only on its members, in document order, and their sketches.  So a
run that adds, removes or moves a few documents needs to relink only the
buckets of their leading values and keep every other link, renumbered.

Each generation keeps, beside the capped graph searches read
(``NEIGHBOURS_FILE``), the state the next run starts from (``STATE_FILE``):
its segments (id and size, in document order), every document's leading
values, and every link found, uncapped.  Whoosh keeps a segment's documents
in order and appends new segments after the old ones, and a merge rewrites
whole segments at the end, so the documents of the segments kept keep their
relative order: renumbering them is a shift per segment.  Documents of the
new segments (added, rewritten or merged ones) are read from the sketch
column; documents gone (deleted, or merged into a new segment) are dropped.
The result is the graph a full rebuild gives, link for link
(``tests/test_neargraph.py`` checks it on random runs).

numpy does the work proportional to the whole index (renumbering,
finding a bucket's members, sorting links) in C: a one-file run at 200,000
articles costs milliseconds here instead of a rebuild's tens of seconds.
"""

from __future__ import annotations

import json
import os
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...forking import Forked, forkable
from ...index import dedup
from ...index.dedup import PACKED_SIZE, SKETCH_INDEXED, SKETCH_SIZE, _Linker, sketch_values
from .location import LINKS_FILE, STATE_FILE
from .pair_links import is_small, small_bucket_links
from .store import NEIGHBOURS_FILE, _column_default, write_near_duplicates

#: What the segments a run merged were made of (``merging.merge_policy`` fills it): for each
#: merged segment's id, each member's id, its documents (deleted ones included) and the
#: numbers of those deleted, in the merged segment's order.
MergedFrom = dict[str, list[tuple[str, int, tuple[int, ...]]]]

#: Each generation's graph state (see the module's docstring), read by the next run only:
#: ``STATE_FILE``, a line of magic, a line of JSON (segments, counts), then the heads as a raw
#: little-endian array; ``LINKS_FILE``, the links as one, linked from the generation before
#: when a run left them as they were (15 MB not written and synced at 200,000 articles).
#: (Version 1 was a numpy ``.npz`` archive, ``LEGACY_STATE_FILE``, whose zip CRC-32 each run
#: computed over 18 MB writing it and again reading it; an index with it, or with version 2's
#: single file, rebuilds the graph once.)
_STATE_MAGIC = b"newsindex near-duplicate graph 3\n"
_HEADS_TYPE = np.dtype("<u4")
_LINKS_TYPE = np.dtype("<u8")
_PAD = np.uint32(0xFFFFFFFF)
_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


@dataclass
class GraphState:
    """A generation's graph as the next run needs it.

    ``links`` are ``owner << 32 | neighbour`` keys, sorted and unique: every
    link the buckets make, before each article's list is cut to
    ``MAX_NEIGHBOURS``.  ``heads`` holds each document's leading values
    (``_PAD`` for deleted documents, short sketches and missing values).
    """

    segment_ids: list[str]
    segment_sizes: list[int]
    heads: np.ndarray  # (documents, SKETCH_INDEXED) uint32
    links: np.ndarray  # uint64
    relinked: int = 0  # buckets linked in this run (for the report and the benchmark)
    full: bool = True  # whether this run rebuilt the graph rather than updated it
    #: The generation whose ``LINKS_FILE`` holds these very links (a run that changed none).
    links_from: Path | None = None

    @property
    def doc_count(self) -> int:
        return len(self.heads)


# --- reading the index -----------------------------------------------------------------


class _Leaves:
    """The reader's segments, and sketches read from their columns on demand."""

    def __init__(self, reader) -> None:
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.doc_count_all()]
        self.ids = [leaf.segment().segment_id() for leaf, _offset in self.leaves]
        self.sizes = [leaf.doc_count_all() for leaf, _offset in self.leaves]
        self.offsets = [offset for _leaf, offset in self.leaves]
        self.doc_count = reader.doc_count_all()
        self._columns: dict[int, object] = {}

    def block(self, number: int) -> bytes:
        """Segment ``number``'s packed sketches, ``PACKED_SIZE`` bytes per document."""
        leaf = self.leaves[number][0]
        count = leaf.doc_count_all()
        default = _column_default(leaf, "sketch")
        if not leaf.has_column("sketch"):
            return default * count
        part = leaf.column_reader("sketch", translate=False)
        try:
            present = part._count
            data = part._dbfile.get(part._basepos, present * PACKED_SIZE)
        except (AttributeError, TypeError, ValueError):
            return b"".join(part[docnum] for docnum in range(count))
        return bytes(data) + default * (count - present)

    def deleted(self, number: int) -> list[int]:
        leaf = self.leaves[number][0]
        return list(leaf.segment().deleted_docs()) if leaf.has_deletions() else []

    def sketch(self, docnum: int) -> tuple[int, ...]:
        """One document's sketch values, read from its segment's column."""
        packed = self.packed(docnum)
        return sketch_values(packed) if packed is not None else ()

    def packed(self, docnum: int) -> bytes | None:
        """One document's packed sketch as its column holds it; None when it holds none."""
        number = bisect_right(self.offsets, docnum) - 1
        leaf, offset = self.leaves[number]
        local = docnum - offset
        part = self._columns.get(number)
        if part is None:
            part = self._columns[number] = (
                leaf.column_reader("sketch", translate=False) if leaf.has_column("sketch") else False
            )
        if part is False or local >= part._count:
            return None
        return bytes(part._dbfile.get(part._basepos + local * PACKED_SIZE, PACKED_SIZE))


def _heads_of(block: bytes, deleted: list[int]) -> np.ndarray:
    heads = np.frombuffer(block, dtype=">u4").reshape(-1, SKETCH_SIZE)[:, :SKETCH_INDEXED].astype(np.uint32)
    if deleted:
        heads[deleted] = _PAD
    return heads


# --- linking buckets -------------------------------------------------------------------


def _members(heads: np.ndarray, values: np.ndarray | None) -> list[tuple[int, list[int]]]:
    """``(value, docnums)`` of each of ``values`` (default: every value) held by two
    or more documents, the documents in order."""
    if values is not None and not len(values):
        return []
    rows, columns = np.nonzero(heads != _PAD if values is None else np.isin(heads, values))
    keys = np.sort(heads[rows, columns].astype(np.uint64) << _SHIFT | rows.astype(np.uint64))
    bucket_values = (keys >> _SHIFT).astype(np.uint32)
    docs = (keys & _LOW).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, bucket_values[1:] != bucket_values[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return [
        (int(bucket_values[start]), docs[start:end].tolist())
        for start, end in zip(starts, ends, strict=True)
        if end - start > 1
    ]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by a sort: numpy 2.4's hash-based unique took a minute for two
    million 64-bit keys that a sort and a comparison handle in a second."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _link(buckets: list[tuple[int, list[int]]], read, sketches: np.ndarray | None = None) -> np.ndarray:
    """The links the given buckets make, as sorted ``owner << 32 | neighbour`` keys.  With
    every document's sketch as a row of ``sketches``, the small buckets' pairs are decided
    together by numpy (``pair_links``) and the rest by the linker; else all by the linker."""
    small: list[tuple[int, list[int]]] = []
    if sketches is not None:
        small = [bucket for bucket in buckets if is_small(bucket[1])]
        buckets = [bucket for bucket in buckets if not is_small(bucket[1])]
    linker = _Linker(read)
    found: list[int] = []
    for value, docs in buckets:
        for owner, neighbours in linker.bucket(value, docs).items():
            found.extend(owner << 32 | neighbour for neighbour in neighbours)
    keys = np.array(found, dtype=np.uint64)
    if small:
        keys = np.concatenate([keys, small_bucket_links(small, sketches)])
    return _sorted_unique(keys)


def _deciding_values(heads: np.ndarray, links: np.ndarray) -> np.ndarray:
    """For each link, the smallest leading value its two articles share: the
    bucket that made it (``dedup._Linker`` looks at a pair there only)."""
    owners = heads[(links >> _SHIFT).astype(np.int64)]
    neighbours = heads[(links & _LOW).astype(np.int64)]
    shared = (owners[:, :, None] == neighbours[:, None, :]).any(axis=2) & (owners != _PAD)
    return np.where(shared, owners, _PAD).min(axis=1)


# --- building and updating -------------------------------------------------------------


#: Buckets from which a full graph's linking is shared with a fork (``_shared_link``): fewer
#: take less time to link than the fork's start and its reply.
SHARED_LINKING_BUCKETS = 2000


def _shared_link(buckets: list[tuple[int, list[int]]], read, sketches: np.ndarray | None = None) -> np.ndarray:
    """``_link`` with every other bucket linked in a fork of this process, while this one links
    the rest: the graph is what one process finds, since each bucket is linked on its own.
    Taking every other bucket gives each process about half of the small buckets (numpy's)
    and half of the large (the linker's), whose costs differ tenfold a member.  Without a
    fork, or if it fails, this process links them all."""
    mine, theirs = buckets[0::2], buckets[1::2]
    fork = Forked(lambda: _link(theirs, read, sketches).tobytes())
    if not fork.start():
        return _link(buckets, read, sketches)
    try:
        linked = _link(mine, read, sketches)
        found = fork.result()
    finally:
        fork.stop()
    other = np.frombuffer(found, dtype=np.uint64) if found is not None else _link(theirs, read, sketches)
    return _sorted_unique(np.concatenate([linked, other]))


def full_graph(reader, share: bool = False) -> GraphState:
    """The graph of every live document of ``reader``, built from scratch; ``share``: with a
    fork linking half the buckets, when they are many and this process can fork."""
    leaves = _Leaves(reader)
    blocks = [leaves.block(number) for number in range(len(leaves.leaves))]
    packed = b"".join(blocks)
    heads = np.full((leaves.doc_count, SKETCH_INDEXED), _PAD, dtype=np.uint32)
    for number, block in enumerate(blocks):
        start = leaves.offsets[number]
        heads[start : start + leaves.sizes[number]] = _heads_of(block, leaves.deleted(number))
    buckets = _members(heads, None)

    def read(docnum: int) -> tuple[int, ...]:
        return sketch_values(packed, docnum * PACKED_SIZE)

    sketches = np.frombuffer(packed, dtype=">u4").reshape(-1, SKETCH_SIZE)
    if share and len(buckets) >= SHARED_LINKING_BUCKETS and forkable():
        links = _shared_link(buckets, read, sketches)
    else:
        links = _link(buckets, read, sketches)
    return GraphState(leaves.ids, leaves.sizes, heads, links, relinked=len(buckets), full=True)


def updated_graph(reader, previous: GraphState, merged_from: MergedFrom | None = None) -> GraphState:
    """``previous`` (the graph of the generation this one started from) brought up
    to date with ``reader``: only the buckets whose members changed are relinked.

    A segment merged in this run (``merged_from``) holds documents ``previous`` knew,
    renumbered: they are carried over like a kept segment's, not linked again (a
    one-file run that merges the small segments would otherwise relink thousands)."""
    leaves = _Leaves(reader)
    old_starts = np.r_[0, np.cumsum(previous.segment_sizes, dtype=np.int64)]
    old_where = {segment_id: number for number, segment_id in enumerate(previous.segment_ids)}
    renumber = np.full(previous.doc_count, -1, dtype=np.int64)
    heads = np.full((leaves.doc_count, SKETCH_INDEXED), _PAD, dtype=np.uint32)
    added: list[np.ndarray] = []
    for number, segment_id in enumerate(leaves.ids):
        start, size = leaves.offsets[number], leaves.sizes[number]
        old = old_where.get(segment_id)
        if old is not None and previous.segment_sizes[old] == size:
            old_start = int(old_starts[old])
            renumber[old_start : old_start + size] = np.arange(start, start + size)
            for docnum in leaves.deleted(number):
                renumber[old_start + docnum] = -1
        elif (
            segment_id in (merged_from or {})
            and (fresh := _carried(merged_from[segment_id], previous, old_where, old_starts, start, size, renumber))
            is not None
        ):
            block_heads = _heads_of(leaves.block(number), leaves.deleted(number))
            for docnum in leaves.deleted(number):  # none when just merged; kept exact if ever
                renumber[renumber == start + docnum] = -1
            for first, end in fresh:
                heads[first:end] = block_heads[first - start : end - start]
                added.append(heads[first:end].ravel())
        else:
            heads[start : start + size] = _heads_of(leaves.block(number), leaves.deleted(number))
            added.append(heads[start : start + size].ravel())
    kept = renumber >= 0
    heads[renumber[kept]] = previous.heads[kept]
    gone = previous.heads[~kept].ravel()
    touched = _sorted_unique(np.concatenate([gone, *added]))
    touched = touched[touched != _PAD]
    # Links between documents kept, renumbered, less those made in the buckets relinked.
    links = _renumbered(previous.links, renumber, kept)
    if len(touched) and len(links):
        # The links of documents holding a touched value (links are sorted by owner).
        suspects = _links_of(links, np.flatnonzero(np.isin(heads, touched).any(axis=1)))
        if len(suspects):
            relinked = np.isin(_deciding_values(heads, links[suspects]), touched)
            links = np.delete(links, suspects[relinked])
    buckets = _members(heads, touched)
    # Both are sorted (renumbering keeps the order of the documents kept) and share no
    # link (a link is made in one bucket only): an insertion, not a sort of millions.
    new_links = _link(buckets, leaves.sketch)
    links = np.insert(links, np.searchsorted(links, new_links), new_links)
    if len(links) == len(previous.links) and np.array_equal(links, previous.links):
        links = previous.links  # the same links (relinked alike): the previous file serves
    return GraphState(leaves.ids, leaves.sizes, heads, links, relinked=len(buckets), full=False)


def _renumbered(links: np.ndarray, renumber: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """``links`` between the documents kept, in their new numbers.

    A one-file run keeps every document's number (it appends, or drops a few): then only
    the dropped documents' links are taken out.  Renumbering reads ~2 million links at
    200,000 articles, in passes that made a tenth of a one-file run.
    """
    if np.array_equal(renumber[kept], np.flatnonzero(kept)):
        dropped = np.flatnonzero(~kept)
        if not len(dropped):
            return links
        pointing = np.flatnonzero(np.isin(links & _LOW, dropped.astype(np.uint64)))
        # Not ``np.union1d``: its ``np.unique`` imports ``numpy.ma`` (17 ms of a one-file run).
        return np.delete(links, _sorted_unique(np.concatenate([_links_of(links, dropped), pointing])))
    # Views, not copies (document numbers are far below 2**63).
    owners = renumber[(links >> _SHIFT).view(np.int64)]
    neighbours = renumber[(links & _LOW).view(np.int64)]
    alive = (owners >= 0) & (neighbours >= 0)
    return owners[alive].view(np.uint64) << _SHIFT | neighbours[alive].view(np.uint64)


def _links_of(links: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The positions, in order, of the links owned by ``docs`` (sorted document numbers)
    in ``links`` (sorted, so each document's links are a run): found by bisection."""
    keys = docs.astype(np.uint64) << _SHIFT
    starts = np.searchsorted(links, keys)
    ends = np.searchsorted(links, keys + (np.uint64(1) << _SHIFT))
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0, dtype=np.int64)
    # Each run's positions: a count from 0, shifted to where the run starts.
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(int(lengths.sum()), dtype=np.int64) + shift


def _carried(members, previous: GraphState, old_where, old_starts, start: int, size: int, renumber):
    """Renumber the documents of a merged segment that ``previous`` knew (its members'
    live documents, in order, from ``start``), and return the ranges of the merged
    segment holding the rest (members made in this run): (first, end) pairs.  None,
    with ``renumber`` untouched, when the members do not add up to the segment."""
    moves: list[tuple[np.ndarray, np.ndarray]] = []
    fresh: list[tuple[int, int]] = []
    position = start
    for segment_id, count, deleted in members:
        live = np.setdiff1d(np.arange(count), np.asarray(deleted, dtype=np.int64), assume_unique=True)
        old = old_where.get(segment_id)
        if old is None or previous.segment_sizes[old] != count:
            fresh.append((position, position + len(live)))  # made in this run: new here
        else:
            moves.append((int(old_starts[old]) + live, np.arange(position, position + len(live))))
        position += len(live)
    if position != start + size:
        return None
    for old_numbers, new_numbers in moves:
        renumber[old_numbers] = new_numbers
    return fresh


def capped(state: GraphState) -> tuple[array, array]:
    """``(offsets, neighbours)`` for ``NEIGHBOURS_FILE``: each article's first
    ``MAX_NEIGHBOURS`` neighbours in document order."""
    owners = (state.links >> _SHIFT).view(np.int64)
    starts = np.searchsorted(owners, np.arange(state.doc_count + 1))
    neighbours = array("I")
    offsets = array("I")
    if not len(owners) or int(np.diff(starts).max()) <= dedup.MAX_NEIGHBOURS:  # no list over the cap
        neighbours.frombytes((state.links & _LOW).astype(np.uint32).tobytes())
        offsets.frombytes(starts.astype(np.uint32).tobytes())
        return offsets, neighbours
    rank = np.arange(len(owners)) - starts[owners]
    keep = rank < dedup.MAX_NEIGHBOURS
    neighbours.frombytes((state.links[keep] & _LOW).astype(np.uint32).tobytes())
    offsets.frombytes(np.searchsorted(owners[keep], np.arange(state.doc_count + 1)).astype(np.uint32).tobytes())
    return offsets, neighbours


# --- the generation's files ------------------------------------------------------------


def load_state(generation: Path | None) -> GraphState | None:
    """The state a generation left, or None (none written, unreadable, another version)."""
    if generation is None:
        return None
    try:
        with open(generation / STATE_FILE, "rb") as handle:
            if handle.readline() != _STATE_MAGIC:
                return None
            header = json.loads(handle.readline())
            documents, links = int(header["documents"]), int(header["links"])
            heads = np.fromfile(handle, dtype=_HEADS_TYPE, count=documents * SKETCH_INDEXED)
            if handle.read(1):
                return None  # longer than its header says
        with open(generation / LINKS_FILE, "rb") as handle:
            found = np.fromfile(handle, dtype=_LINKS_TYPE, count=links)
            if handle.read(1):
                return None
            state = GraphState(
                [str(segment_id) for segment_id in header["segment_ids"]],
                [int(size) for size in header["segment_sizes"]],
                heads.astype(np.uint32, copy=False).reshape(-1, SKETCH_INDEXED),
                found.astype(np.uint64, copy=False),
                relinked=int(header["relinked"]),
                full=bool(header["full"]),
            )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if len(state.heads) != documents or len(state.links) != links or sum(state.segment_sizes) != documents:
        return None  # cut short
    return state


def graph_for(
    reader, previous_generation: Path | None, merged_from: MergedFrom | None = None, share: bool = False
) -> GraphState:
    """The graph of ``reader``'s index: updated from the previous generation's state
    when there is one, built from scratch otherwise (``share``: see ``full_graph``);
    ``merged_from`` says what this run's merged segments were made of."""
    previous = load_state(previous_generation)
    if previous is None or (len(previous.links) and int(previous.links[-1] >> _SHIFT) >= previous.doc_count):
        return full_graph(reader, share)
    state = updated_graph(reader, previous, merged_from)
    if state.links is previous.links:
        state.links_from = previous_generation
    return state


def write_graph(generation: Path, state: GraphState) -> None:
    """Write the state for the next run and the capped graph searches read."""
    header = {
        "segment_ids": state.segment_ids,
        "segment_sizes": state.segment_sizes,
        "documents": state.doc_count,
        "links": len(state.links),
        "relinked": state.relinked,
        "full": state.full,
    }
    with open(generation / STATE_FILE, "wb") as handle:
        handle.write(_STATE_MAGIC + json.dumps(header).encode("utf-8") + b"\n")
        handle.write(np.ascontiguousarray(state.heads, dtype=_HEADS_TYPE).tobytes())
        handle.flush()
        os.fsync(handle.fileno())
    if not _linked(state.links_from, generation):
        (generation / LINKS_FILE).unlink(missing_ok=True)  # never written through a link
        with open(generation / LINKS_FILE, "wb") as handle:
            handle.write(np.ascontiguousarray(state.links, dtype=_LINKS_TYPE).tobytes())
            handle.flush()
            os.fsync(handle.fileno())
    write_near_duplicates(generation / NEIGHBOURS_FILE, *capped(state))


def _linked(source: Path | None, generation: Path) -> bool:
    """Whether ``source``'s links file could be linked into ``generation`` (durable there
    already; a file system without hard links, or a file gone, has it written instead)."""
    if source is None:
        return False
    try:
        os.link(source / LINKS_FILE, generation / LINKS_FILE)
    except OSError:
        return False
    return True
