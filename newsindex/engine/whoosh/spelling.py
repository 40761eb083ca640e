"""Did you mean: respellings of query words that the index holds, tried when a search finds little."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from whoosh.support.levenshtein import distance as edit_distance

from ...query.options import QueryError
from .parsing import _DATE_CLAUSE_RE, parse_query
from .snippets import _analyzed, _candidate_words


def _respellings(reader, word: str, max_edits: int, count: int = 3) -> list[str]:
    """The ``count`` body terms nearest to ``word``: fewest edits (at most ``max_edits``),
    then most frequent.

    Terms are stems, so the typed word itself may be one that its own
    analysis misses ("coffe" is the stem of "coffee" but stems to "coff"):
    that counts as no edit at all.  Candidates share the first letter (few
    typos are in it).  Each segment's words are walked directly, which is
    four times faster than Whoosh's corrector walking the merged word list,
    and two cheap tests (length, and letters in one word but not the other:
    an edit changes at most two) skip most edit-distance computations.
    """
    letters = set(word)
    within: dict[str, int] = {}
    seen: set[str] = set()  # most words are in every segment: test each once
    for leaf, _offset in reader.leaf_readers():
        for raw in leaf.expand_prefix("body", word[0]):
            candidate = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if candidate in seen:
                continue
            seen.add(candidate)
            if (
                abs(len(candidate) - len(word)) > max_edits
                or len(letters.symmetric_difference(candidate)) > 2 * max_edits
            ):
                continue
            edits = edit_distance(candidate, word, limit=max_edits)
            if edits <= max_edits:
                within[candidate] = edits
    ranked = sorted(within, key=lambda candidate: (within[candidate], -reader.frequency("body", candidate), candidate))
    return ranked[:count]


#: Articles read to find how the archive spells a suggested stem.
SPELLING_SAMPLES = 8


def _spelled_out(searcher, terms: Sequence[str], typed: str) -> str | None:
    """How the archive writes a word that analyses to one of ``terms`` (stems
    such as "economi"), as near to what was typed as can be.

    The forms come from a few articles holding each term ("economy",
    "economies"); the nearest to ``typed`` wins, then the more frequent
    term, then the commoner form.  A term with no form found stands for itself.
    """
    best: tuple | None = None
    reader = searcher.reader()
    for rank, term in enumerate(terms):
        forms: dict[str, int] = {}
        pattern = _candidate_words(frozenset({term[:3]}))
        for docnum in itertools.islice(reader.postings("body", term).all_ids(), SPELLING_SAMPLES):
            for found in pattern.finditer(searcher.stored_fields(docnum).get("body", "")):
                form = found.group().lower()
                if term in _analyzed(form):
                    forms[form] = forms.get(form, 0) + 1
        for form, seen in (forms or {term: 0}).items():
            key = (edit_distance(form, typed), rank, -seen, form)
            if best is None or key < best:
                best = key
    return best[-1] if best else None


def _suggest(searcher, text: str, allowed, total: int, match: str) -> str | None:
    """A respelt query, when one would find more than ``total`` articles."""
    # Long "words" are not typos of index terms, and edit distance on them is costly.
    words = [
        w
        for w in re.findall(r"(?<![\w'’-])[A-Za-z][A-Za-z'’-]{2,24}(?![\w'’-])", text)
        if not w.isupper() or len(w) > 3
    ]
    if not words:
        return None
    reader = searcher.reader()
    changed = text
    for word in words:
        analysed = list(_analyzed(word.lower()))
        if not analysed or any(reader.doc_frequency("body", term) for term in analysed):
            continue
        nearest = _respellings(reader, word.lower(), 1 if len(word) < 6 else 2)
        respelt_word = _spelled_out(searcher, nearest, word.lower())
        if respelt_word:
            changed = re.sub(rf"\b{re.escape(word)}\b", respelt_word, changed, count=1)
    if changed == text:
        return None
    try:
        respelt = parse_query(_DATE_CLAUSE_RE.sub(" ", changed), searcher.schema, match)
    except QueryError:
        return None
    found = len(searcher.search(respelt, limit=1, filter=allowed))
    return changed if found > total else None
