"""Ranking and counting the matches of an AND or OR of words as arrays, not one match at a time.

A search shows a page but reports an exact total, so every match has to be
counted; walking them with matchers in Python (``matching.py``'s flat
matchers and a collector) costs microseconds per match: tens of thousands of
matches at a million articles are most of a search.  Here each word's posting
lists are decoded a block at a time into arrays (document numbers from the
block's deltas, weights), and per segment:

* the matches are the intersection (AND: every clause) or union (OR) of the
  lists, by numpy set operations; deleted documents are dropped;
* each posting is scored by the same BM25F formula, with the same parameters
  (taken from the scorer Whoosh would use), as the matchers score it, and a
  document's score is the sum over its postings (only the order of the
  additions may differ in the last bit);
* the filters (date window, labels) are applied as array masks over the
  ``published`` column, the matches kept only for being undated are counted;
* the best ``fetch`` are kept.

The total is the exact number of matches the filters let through: the same
count the collector gives (tests/test_counting.py checks both on random
queries).  A quoted phrase is an AND of its words whose positions are then
checked for the documents holding them all (as Whoosh's span matcher finds
them, and scored as it scores them).  Anything else (NOT, wildcards, boosts,
sorting by date) keeps the matcher path.  numpy is imported only by a search
big enough to pay for the import.
"""

from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from bisect import bisect_right
from itertools import chain

from whoosh import query, scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from . import posting_arrays
from .filters import _UNDATED, DocumentFilter, _per_reader
from .matching import AnyTermQuery, WordsQuery, _clause_terms
from .merged_term import _read_blocks
from .phrase_positions import _arrays_of, _consecutive, _consecutive_rows
from .segment_format import INLINE_LIMIT, encode_positions
from .weighting import _WeightedFieldScorer

#: A query whose words' posting lists hold fewer postings than this (document
#: frequencies summed) is left to the matchers, which are as fast on short lists.
MIN_POSTINGS = 1_000
#: ... and fewer than this, while numpy is not imported yet: importing it costs
#: a short-lived process (one `newsindex search`) more than the arrays save
#: below some 20,000 matches.  A running process imports it once.
MIN_POSTINGS_TO_IMPORT = 20_000


def _clauses(flat: query.Query) -> tuple[list[list[query.Query]], bool] | None:
    """``(clauses of leaves, every clause needed)`` of a flat query of words and phrases, else
    None.  A leaf is a term or a phrase (``_leaf``); a clause matches where any of its leaves
    does: an AND of such clauses (``WordsQuery``, or an ``And`` holding a phrase), an OR of
    terms (``AnyTermQuery``), or one clause alone (a quoted phrase: an OR of its title and body
    phrases)."""
    if isinstance(flat, WordsQuery):
        clauses = [_clause_terms(sub) for sub in flat.subqueries]
        if any(c is None for c in clauses):
            return None
        return clauses, True
    if isinstance(flat, AnyTermQuery):
        return [list(flat.subqueries)], False
    if type(flat) is query.And and flat.boost == 1.0:
        clauses = []
        pending = list(flat.subqueries)
        while pending:
            clause = pending.pop(0)
            if type(clause) is query.And and clause.boost == 1.0:
                pending[:0] = clause.subqueries
                continue
            leaves = _clause_leaves(clause)
            if leaves is None:
                return None
            clauses.append(leaves)
        return clauses, True
    leaves = _clause_leaves(flat)
    return ([leaves], True) if leaves is not None else None


def _leaf(sub: query.Query) -> bool:
    """A term, or a phrase whose words must be next to each other (``slop`` 1, as typed in quotes)."""
    if type(sub) is query.Term:
        return True
    return type(sub) is query.Phrase and sub.slop == 1 and sub.boost == 1.0 and len(sub.words) > 0


def _clause_leaves(clause: query.Query) -> list[query.Query] | None:
    """The leaves of a clause that is a leaf or an unboosted OR of leaves, else None."""
    if _leaf(clause):
        return [clause]
    plain_or = type(clause) is query.Or and clause.boost == 1.0 and not clause.scale and not clause.minmatch
    if plain_or and clause.subqueries and all(_leaf(sub) for sub in clause.subqueries):
        return list(clause.subqueries)
    return None


def _terms_of(leaf: query.Query) -> list[query.Term]:
    if type(leaf) is query.Phrase:
        return [query.Term(leaf.fieldname, word) for word in leaf.words]
    return [leaf]


def worth_it(searcher, flat: query.Query) -> bool:
    found = _clauses(flat)
    if found is None:
        return False
    terms = [term for clause in found[0] for leaf in clause for term in _terms_of(leaf)]
    if any(term.boost != 1.0 for term in terms):
        return False
    postings = sum(searcher.doc_frequency(term.fieldname, term.text) for term in terms)
    return postings >= (MIN_POSTINGS if "numpy" in sys.modules else max(MIN_POSTINGS, MIN_POSTINGS_TO_IMPORT))


def _decode(np, matcher, span: tuple | None, values: list | None = None) -> tuple | None:
    """``(document numbers, weights)`` of a posting list, or None for a matcher of another
    kind (the caller then takes the matcher path).  With ``span`` (first, last, also: a sorted
    list of further documents), only the blocks that may hold documents in first..last or in
    ``also`` are read (the others by their headers alone).  ``values``, when given, receives
    each posting's value (its encoded positions), in the same order."""
    if isinstance(matcher, ListMatcher):
        ids = np.asarray(matcher._ids, dtype=np.int64)
        weights = matcher._weights
        if weights is None:
            weights = [matcher._all_weights or 1.0] * len(ids)
        if values is not None:
            if matcher._values is None:
                return None
            values.extend(matcher._values)
        return ids, np.asarray(weights, dtype=np.float64)
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return None
    deltas, weights, counts = [], [], []
    first, last, also = span if span is not None else (0, _EXHAUSTED, [])
    stop = max(last, also[-1] if also else -1)
    previous = -1  # the last document of the block before: a block holds previous+1..its last
    # The whole list in one read, its blocks parsed here: cheaper than the matcher's block by
    # block reads and seeks, and the block tuples are gathered for one conversion at the end.
    length = matcher._length  # W3TermInfo reads it as a 1-tuple (struct.unpack's result)
    extent = matcher._postfile.get(matcher._startoffset, length[0] if isinstance(length, tuple) else length)
    for info, data in _read_blocks(extent):
        count, top, _maxweight, compression = info[:4]
        wanted = top >= first and previous < last
        if not wanted and also:
            at = bisect_right(also, previous)
            wanted = at < len(also) and also[at] <= top
        previous = top
        if not wanted:
            continue
        block_deltas, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
        if values is not None:
            if not isinstance(block_values, tuple):
                return None
            values.extend(block_values)
        deltas.append(block_deltas)
        counts.append(count)
        if block_weights is None:
            weights.append(_ONES[:count] if count <= len(_ONES) else (1.0,) * count)
        elif isinstance(block_weights, float):  # read back as a 32-bit float, as Whoosh reads it
            weights.append(array("f", [block_weights]).tolist() * count)
        else:
            weights.append(block_weights)
        if top >= stop:  # the next blocks are all past what is wanted
            break
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0)
    total = sum(counts)
    running = np.cumsum(np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=total))
    # Each block's first delta is its first document number: restart the sum there.
    ends = np.cumsum(counts)
    before = np.concatenate(([0], running[ends[:-1] - 1]))
    ids = running - np.repeat(before, counts)
    return ids, np.fromiter(chain.from_iterable(weights), dtype=np.float64, count=total)


def _from_arrays(np, reader, fieldname: str, text) -> tuple | None:
    """``(document numbers, weights)`` of a posting list from its arrays, or None (the blocks)."""
    raw = _arrays_of(reader, fieldname, text)
    try:
        return posting_arrays.decode_numpy(np, raw) if raw is not None else None
    except ValueError:  # not arrays this code knows: the blocks
        return None


_ONES = (1.0,) * 128
#: See ``_combine``.
DENSE_SHARE = 8
_EXHAUSTED = 2**62
#: Under a date window, a segment with at most this many undated articles has only the blocks
#: that may hold its documents in the window or those undated articles decoded (the header
#: counts the undated matches); a segment with more is decoded whole.
MAX_UNDATED_CHECKS = 64


def term_scores_at(searcher, fieldname: str, text: str, docnums: list[int]) -> dict[int, float] | None:
    """One term's score in one field at each of ``docnums`` (the searcher's numbers, sorted)
    whose article holds it, as the matchers score it, read from the posting arrays: for
    re-ranking a few hundred articles (``coordination``, ``feedback``) without decompressing
    a block per article.  None when a segment's list is stored in blocks alone (an index
    written before the arrays) or is scored otherwise: then the caller walks the matchers."""
    import numpy as np

    weighting = searcher.weighting
    table = _per_reader(searcher.reader(), "length-table", lambda: _length_table(np))
    wanted = np.asarray(docnums, dtype=np.int64)
    found: dict[int, float] = {}
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        here = wanted[(wanted >= offset) & (wanted < offset + reader.doc_count_all())] - offset
        if not len(here) or (fieldname, text) not in reader:
            continue
        inline = reader.doc_frequency(fieldname, text) <= INLINE_LIMIT  # a list, never blocks
        if not inline and _arrays_of(reader, fieldname, text) is None:
            return None
        scored = _term_scores(np, subsearcher, weighting, query.Term(fieldname, text), table, None)
        if scored is None:
            return None
        ids, scores = scored
        at = np.minimum(np.searchsorted(ids, here), max(len(ids) - 1, 0))
        held = (ids[at] == here) if len(ids) else np.zeros(len(here), dtype=bool)
        found.update(zip((here[held] + offset).tolist(), scores[at[held]].tolist(), strict=True))
    return found


def _length_table(np):
    return np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _term_scores(np, subsearcher, weighting, term: query.Term, table, span) -> tuple | None:
    """``(document numbers, scores)`` of one term in one segment, deleted documents dropped."""
    reader = subsearcher.reader()
    fieldname, text = term.fieldname, term.text
    if (fieldname, text) not in reader:
        return np.empty(0, dtype=np.int64), np.empty(0)
    scorer = weighting.scorer(subsearcher, fieldname, text)
    if type(scorer) not in (scoring.BM25FScorer, _WeightedFieldScorer):
        return None
    decoded = _from_arrays(np, reader, fieldname, text)
    if decoded is not None:
        deleted = reader.deleted_docs_set or None
    else:
        matcher = reader.postings(fieldname, text)
        deleted = None
        if isinstance(matcher, FilterMatcher):
            deleted = matcher._ids
            matcher = matcher.child
        decoded = _decode(np, matcher, span)
        if decoded is None:
            return None
    ids, weights = decoded
    if span is not None:
        inside = (ids >= span[0]) & (ids <= span[1])
        if span[2]:
            inside |= np.isin(ids, span[2])
        ids, weights = ids[inside], weights[inside]
    if deleted:
        keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
        ids, weights = ids[keep], weights[keep]
    lengths = _per_reader(reader, f"lengths:{fieldname}", lambda: _length_bytes(np, reader, fieldname))
    if lengths is None:
        return None
    fl = table[lengths[ids]]
    if isinstance(scorer, _WeightedFieldScorer):
        weights = weights * scorer.scale
    idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
    return ids, scores


def _leaf_scores(np, subsearcher, weighting, leaf: query.Query, table, span, wanted=None) -> tuple | None:
    if type(leaf) is query.Term:
        return _term_scores(np, subsearcher, weighting, leaf, table, span)
    return _phrase_scores(np, subsearcher, weighting, leaf, table, span, wanted)


def _phrase_scores(np, subsearcher, weighting, phrase: query.Phrase, table, span, wanted=None) -> tuple | None:
    """``(document numbers, scores)`` of a phrase in one segment: the documents holding its
    words at consecutive positions, as Whoosh's phrase matcher (``SpanNear2``, slop 1) finds
    them, scored as it scores them: the sum of its words' term scores.  Positions are read
    only for the documents holding every word (and, under a window, only in its span, or
    those ``wanted``: a mask of the segment's documents the filter may keep), from the
    posting blocks holding them."""
    words = []
    for word in phrase.words:
        found = _term_scores(np, subsearcher, weighting, query.Term(phrase.fieldname, word), table, span)
        if found is None:
            return None
        if not len(found[0]):
            return found
        words.append(found)
    candidates = words[0][0]
    for ids, _scores in words[1:]:
        candidates = np.intersect1d(candidates, ids, assume_unique=True)
    if wanted is not None:
        candidates = candidates[wanted[candidates]]
    if not len(candidates):
        return candidates, np.empty(0)
    rows = _consecutive_rows(np, subsearcher.reader(), phrase, candidates)
    if rows is None:  # a word without positions in arrays: its blocks' values
        held = []
        for word in phrase.words:
            values = _candidate_values(np, subsearcher.reader(), phrase.fieldname, word, candidates)
            if values is None:
                return None
            held.append(values)
        matched = [row for row, encoded in enumerate(zip(*held, strict=True)) if _consecutive(encoded)]
        rows = np.asarray(matched, dtype=np.int64)
    scores = np.zeros(len(rows))
    for ids, word_scores in words:
        scores += word_scores[np.searchsorted(ids, candidates[rows])]
    return candidates[rows], scores


def _candidate_values(np, reader, fieldname: str, text: str, candidates) -> list | None:
    """Each candidate document's value (encoded positions) in a posting list that holds them
    all: from its arrays (its blocks hold none), or from an inline list, decoding only the
    blocks that hold candidates for a list without arrays; None for a list of another kind."""
    raw = _arrays_of(reader, fieldname, text)
    positions_of = posting_arrays.positions_of_postings(raw) if raw is not None else None
    if positions_of is not None:
        ids, _weights = posting_arrays.decode_numpy(np, raw)
        return [encode_positions(positions_of(row)) for row in np.searchsorted(ids, candidates).tolist()]
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    values: list = []
    decoded = _decode(np, matcher, (1, 0, candidates.tolist()), values)
    if decoded is None:
        return None
    held = np.empty(len(values), dtype=object)
    held[:] = values
    return held[np.searchsorted(decoded[0], candidates)].tolist()


def _length_bytes(np, reader, fieldname: str):
    """A segment's length byte of every document's ``fieldname``, read whole (store.py's
    ``doc_field_length`` keeps them), padded to the document count; None if unknown."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None:
        return None
    perdoc.doc_field_length(0, fieldname)
    whole = perdoc.__dict__.get("_lengths_read_whole", {}).get(fieldname)
    if whole is None:
        return None
    lengths = np.zeros(reader.doc_count_all(), dtype=np.uint8)
    lengths[: len(whole)] = np.frombuffer(whole, dtype=np.uint8)[: len(lengths)]
    return lengths


def ranked_matches(searcher, flat: query.Query, allowed, fetch: int) -> tuple[list[tuple[float, int]], int, int] | None:
    """``(best fetch as (score, docnum), total, undated)`` of a flat words query, or None when
    a part of it needs the matcher path.  ``allowed`` is None or a ``DocumentFilter`` (the
    undated matches it turns away are counted)."""
    import numpy as np

    found = _clauses(flat)
    if found is None or (allowed is not None and type(allowed) is not DocumentFilter):
        return None
    clauses, every = found
    weighting = searcher.weighting
    table = _per_reader(searcher.reader(), "length-table", lambda: _length_table(np))
    best_ids, best_scores = [], []
    total = undated = 0
    labelled = None
    if allowed is not None and allowed.labelled is not None:
        labelled = np.fromiter(sorted(allowed.labelled), dtype=np.int64)
    for subsearcher, offset in searcher.leaf_searchers():
        if allowed is not None and not allowed.may_hold(offset):
            continue
        span = wanted = None
        size = subsearcher.reader().doc_count_all()
        if allowed is not None and allowed.published is not None:
            window, undated_here = _window_span(np, searcher, allowed, offset, size)
            if len(undated_here) <= MAX_UNDATED_CHECKS:
                if window is None and not len(undated_here):
                    continue
                span = (*(window or (1, 0)), undated_here.tolist())
            elif any(type(leaf) is query.Phrase for clause in clauses for leaf in clause):
                wanted = _dated_in_window_or_undated(np, searcher, allowed, offset, size)
        per_clause = []
        for clause in clauses:
            parts = [_leaf_scores(np, subsearcher, weighting, leaf, table, span, wanted) for leaf in clause]
            if any(part is None for part in parts):
                return None
            per_clause.append(parts)
        ids, scores = _combine(np, per_clause, every, subsearcher.reader().doc_count_all())
        if not len(ids):
            continue
        if allowed is not None:
            keep, turned_undated = _allowed_mask(np, allowed, ids + offset, labelled)
            undated += turned_undated
            ids, scores = ids[keep], scores[keep]
        total += len(ids)
        if len(ids) > fetch:
            chosen = np.argpartition(-scores, fetch - 1)[:fetch]
            ids, scores = ids[chosen], scores[chosen]
        best_ids.append(ids + offset)
        best_scores.append(scores)
    if not best_ids:
        return [], total, undated
    ids, scores = np.concatenate(best_ids), np.concatenate(best_scores)
    order = np.lexsort((ids, -scores))[:fetch]  # best first, ties in document order
    return [(float(scores[i]), int(ids[i])) for i in order], total, undated


def _combine(np, per_clause: list[list[tuple]], every: bool, size: int) -> tuple:
    """Matching documents (sorted) and their summed scores, from each clause's terms' postings,
    in a segment of ``size`` documents.  Postings many for the segment (``1 / DENSE_SHARE`` of its
    size or more) are counted per document over the whole segment, which costs less than sorting
    them; fewer are sorted (by ``neargraph._sorted_unique``: numpy 2.4's hash-based ``np.unique``
    was a third of a big search's time at 200,000 articles)."""
    from .neargraph import _sorted_unique

    all_ids = np.concatenate([ids for parts in per_clause for ids, _scores in parts])
    all_scores = np.concatenate([scores for parts in per_clause for _ids, scores in parts])
    if len(all_ids) * DENSE_SHARE >= size:
        if every:
            needed = np.zeros(size, dtype=np.int32)
            for parts in per_clause:
                present = np.zeros(size, dtype=bool)
                for ids, _scores in parts:
                    present[ids] = True
                needed += present
            matched = np.flatnonzero(needed == len(per_clause))
        else:
            matched = np.flatnonzero(np.bincount(all_ids, minlength=size))
        return matched, np.bincount(all_ids, weights=all_scores, minlength=size)[matched]
    if every:
        matched = None
        for parts in sorted(per_clause, key=lambda parts: sum(len(ids) for ids, _s in parts)):
            clause_ids = _sorted_unique(np.concatenate([ids for ids, _scores in parts]))
            matched = clause_ids if matched is None else np.intersect1d(matched, clause_ids, assume_unique=True)
            if not len(matched):
                return matched, np.empty(0)
        where = np.searchsorted(matched, all_ids)
        where[where == len(matched)] = 0
        hit = matched[where] == all_ids
        return matched, np.bincount(where[hit], weights=all_scores[hit], minlength=len(matched))
    matched = _sorted_unique(all_ids)
    return matched, np.bincount(np.searchsorted(matched, all_ids), weights=all_scores, minlength=len(matched))


def _allowed_mask(np, allowed: DocumentFilter, docnums, labelled) -> tuple:
    """Which of ``docnums`` the filter lets through, and how many it turns away only for
    having no date (``DocumentFilter.undated_but_allowed``)."""
    keep = np.ones(len(docnums), dtype=bool)
    labelled_ok = keep if labelled is None else np.isin(docnums, labelled)
    undated = 0
    if allowed.published is not None:
        published = np.frombuffer(allowed.published, dtype=np.uint64)[docnums]
        keep = (published >= allowed.low) & (published < allowed.high)
        undated = int(np.count_nonzero((published == _UNDATED) & labelled_ok))
    return keep & labelled_ok, undated


def _dated_in_window_or_undated(np, searcher, allowed: DocumentFilter, offset: int, count: int):
    """A mask of one segment's documents that the date window keeps or that have no date (their
    matches are counted): a phrase's positions are checked only there.  Once per open searcher."""

    def compute():
        published = np.frombuffer(allowed.published, dtype=np.uint64)[offset : offset + count]
        return ((published >= allowed.low) & (published < allowed.high)) | (published == np.uint64(_UNDATED))

    return _per_reader(searcher.reader(), f"wanted:{offset}:{count}:{allowed.low}:{allowed.high}", compute)


def _window_span(np, searcher, allowed: DocumentFilter, offset: int, count: int) -> tuple:
    """``(span, undated)`` of one segment under the date window, in its own document numbers:
    (first, last) of the documents in the window (None if none) and the undated documents.
    Worked out once per open searcher and window: a merged segment spanning years holds a
    window's articles in a run of documents when they were indexed in date order."""

    def compute() -> tuple:
        published = np.frombuffer(allowed.published, dtype=np.uint64)[offset : offset + count]
        inside = np.flatnonzero((published >= allowed.low) & (published < allowed.high))
        window = (int(inside[0]), int(inside[-1])) if len(inside) else None
        return window, np.flatnonzero(published == np.uint64(_UNDATED))

    return _per_reader(searcher.reader(), f"span:{offset}:{count}:{allowed.low}:{allowed.high}", compute)
