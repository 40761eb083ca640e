"""Did you mean: respellings of query words that the index holds, tried when a search finds little."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from whoosh.support.levenshtein import distance as edit_distance

from ...query.options import QueryError
from .parsing import _DATE_CLAUSE_RE, _expand_labels, parse_query
from .respelling import FEW_MATCHES, MUCH_COMMONER, RARE_AT_LEAST, RARE_ONE_IN, spelled_out
from .snippets import _analyzed


def _respellings(reader, word: str, max_edits: int, count: int = 3, lexicon=None) -> list[str]:
    """The ``count`` body terms nearest to ``word``: fewest edits (at most ``max_edits``),
    then most frequent.

    Terms are stems, so the typed word itself may be one that its own
    analysis misses ("coffe" is the stem of "coffee" but stems to "coff"):
    that counts as no edit at all.  Candidates share the first letter (few
    typos are in it).  Each segment's words are walked directly, which is
    four times faster than Whoosh's corrector walking the merged word list,
    and two cheap tests (length, and letters in one word but not the other:
    an edit changes at most two) skip most edit-distance computations.
    ``lexicon(letter)`` gives the generation's words by first letter
    (``lexicon.py``) instead of walking every segment, when it has them.
    """
    letters = set(word)
    within: dict[str, int] = {}
    for candidate in _candidates(reader, word[0], lexicon):
        if abs(len(candidate) - len(word)) > max_edits or len(letters.symmetric_difference(candidate)) > 2 * max_edits:
            continue
        edits = edit_distance(candidate, word, limit=max_edits)
        if edits <= max_edits:
            within[candidate] = edits
    ranked = sorted(within, key=lambda candidate: (within[candidate], -reader.frequency("body", candidate), candidate))
    return ranked[:count]


def _candidates(reader, letter: str, lexicon) -> Iterator[str]:
    """Body terms starting with ``letter``, each once."""
    words = lexicon(letter) if lexicon is not None else None
    if words is not None:
        yield from words
        return
    seen: set[str] = set()  # most words are in every segment: test each once
    for leaf, _offset in reader.leaf_readers():
        for raw in leaf.expand_prefix("body", letter):
            candidate = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _spelled_out(searcher, terms: Sequence[str], typed: str) -> str | None:
    """``respelling.spelled_out`` on this searcher's articles."""
    reader = searcher.reader()
    return spelled_out(
        terms,
        typed,
        lambda term: reader.postings("body", term).all_ids(),
        lambda docnum: searcher.stored_fields(docnum).get("body", ""),
    )


def _suggest(searcher, text: str, allowed, total: int, match: str, lexicon=None) -> str | None:
    """A respelt query, when one would find more than ``total`` articles.

    Words the index lacks are respelt when the search found little; words it
    holds in only a few articles are respelt whenever a respelling is much
    commoner, since a misspelling is often made somewhere in a large archive.
    Only rare words are looked up, so a search of common words pays one
    frequency lookup per word.
    """
    # Long "words" are not typos of index terms, and edit distance on them is costly.
    words = [
        w
        for w in re.findall(r"(?<![\w'’-])[A-Za-z][A-Za-z'’-]{2,24}(?![\w'’-])", text)
        if not w.isupper() or len(w) > 3
    ]
    if not words:
        return None
    reader = searcher.reader()
    rare = max(RARE_AT_LEAST, reader.doc_count() // RARE_ONE_IN)
    changed = text
    for word in words:
        analysed = list(_analyzed(word.lower()))
        if not analysed:
            continue
        held = max(reader.doc_frequency("body", term) for term in analysed)
        if (held == 0 and total >= FEW_MATCHES) or held > rare:
            continue
        # Near the word as typed, or near its stem ("goverment" stems to "gover",
        # one edit from "govern", three from the typed word).
        nearest = [
            candidate
            for typed in dict.fromkeys([word.lower(), *analysed])
            for candidate in _respellings(reader, typed, 1 if len(typed) < 6 else 2, lexicon=lexicon)
            if reader.doc_frequency("body", candidate) >= max(1, MUCH_COMMONER * held)
        ]
        respelt_word = _spelled_out(searcher, nearest, word.lower())
        if respelt_word:
            changed = re.sub(rf"\b{re.escape(word)}\b", respelt_word, changed, count=1)
    if changed == text:
        return None
    try:
        respelt = _expand_labels(parse_query(_DATE_CLAUSE_RE.sub(" ", changed), searcher.schema, match), reader)
    except QueryError:
        return None
    return changed if _finds_more(searcher, respelt, allowed, total) else None


def _finds_more(searcher, parsed, allowed, total: int) -> bool:
    """Whether ``parsed`` matches more than ``total`` articles the filters let through.

    Counted only that far, and only in the segments the filters leave
    (``DocumentFilter.may_hold``): a respelling of a common word need not be
    counted through every match of a large archive to be worth offering.
    """
    found = 0
    for subsearcher, offset in searcher.leaf_searchers():
        if allowed is not None and not allowed.may_hold(offset):
            continue
        matcher = parsed.matcher(subsearcher)
        while matcher.is_active():
            if allowed is None or offset + matcher.id() in allowed:
                found += 1
                if found > total:
                    return True
            matcher.next()
    return False
