"""Did you mean, by the direct reader: ``spelling._suggest`` for a search of plain words.

The same steps on the same data (see ``spelling``): the words ``_suggest``
would look at, their respellings among the generation's body words that share
the first letter (``lexicon.WORDS_FILE``), ranked by edits, then frequency,
then spelling; how the archive spells the chosen stem, from the first articles
that hold it; and the respelt query offered only if it matches more articles
than the search did.  A respelt query that is no longer plain words, or a
generation without its word list, is the Whoosh path's (``DirectUnsupported``).
"""

from __future__ import annotations

import re

from ..lexicon import words_starting
from ..respelling import FEW_MATCHES, MUCH_COMMONER, RARE_AT_LEAST, RARE_ONE_IN, edit_distance, spelled_out
from ..snippets import _analyzed
from . import DirectUnsupported
from .postings import postings
from .reader import Generation

_WORD_RE = re.compile(r"(?<![\w'’-])[A-Za-z][A-Za-z'’-]{2,24}(?![\w'’-])")  # as ``spelling``


def _body_terms(generation: Generation, term: str) -> list:
    """``(segment, term info)`` of a body term in every segment holding it."""
    try:
        encoded = term.encode("utf-8")
    except UnicodeEncodeError:
        raise DirectUnsupported("a term that is not UTF-8") from None
    found = []
    for segment in generation.segments:
        info = segment.term_info("body", encoded)
        if info is not None:
            found.append((segment, info))
    return found


def _doc_frequency(generation: Generation, term: str) -> int:
    return sum(info.doc_frequency for _segment, info in _body_terms(generation, term))


def _frequency(generation: Generation, term: str) -> float:
    return sum(info.weight for _segment, info in _body_terms(generation, term))


def _respellings(generation: Generation, word: str, max_edits: int, count: int = 3) -> list[str]:
    """``spelling._respellings``: the ``count`` body terms nearest to ``word``."""
    words = words_starting(generation.path, word[0])
    if words is None:
        raise DirectUnsupported("a generation without its word list")
    letters = set(word)
    within: dict[str, int] = {}
    for candidate in words:
        if abs(len(candidate) - len(word)) > max_edits or len(letters.symmetric_difference(candidate)) > 2 * max_edits:
            continue
        edits = edit_distance(candidate, word)
        if edits <= max_edits:
            within[candidate] = edits
    ranked = sorted(within, key=lambda c: (within[c], -_frequency(generation, c), c))
    return ranked[:count]


def _live_documents(generation: Generation, term: str):
    """The live documents holding a body term, in document order."""
    for segment, info in _body_terms(generation, term):
        ids, _weights = postings(info, segment.postfile)
        yield from (segment.offset + docnum for docnum in ids if docnum not in segment.deleted)


def _spelled_out(generation: Generation, terms: list[str], typed: str) -> str | None:
    """``respelling.spelled_out`` on the generation's articles."""
    return spelled_out(
        terms,
        typed,
        lambda term: _live_documents(generation, term),
        lambda docnum: generation.stored_fields(docnum).get("body", ""),
    )


def respelt(generation: Generation, text: str, total: int) -> str | None:
    """The query ``text`` with its rare or missing words respelt, when ``_suggest`` would
    consider one; None when it would leave every word as it is.  The caller checks that the
    respelt query finds more than ``total``."""
    words = [w for w in _WORD_RE.findall(text) if not w.isupper() or len(w) > 3]
    rare = max(RARE_AT_LEAST, generation.doc_count // RARE_ONE_IN)
    changed = text
    for word in words:
        analysed = list(_analyzed(word.lower()))
        if not analysed:
            continue
        held = max(_doc_frequency(generation, term) for term in analysed)
        if (held == 0 and total >= FEW_MATCHES) or held > rare:
            continue
        nearest = [
            candidate
            for typed in dict.fromkeys([word.lower(), *analysed])
            for candidate in _respellings(generation, typed, 1 if len(typed) < 6 else 2)
            if _doc_frequency(generation, candidate) >= max(1, MUCH_COMMONER * held)
        ]
        respelt_word = _spelled_out(generation, nearest, word.lower())
        if respelt_word:
            changed = re.sub(rf"\b{re.escape(word)}\b", respelt_word, changed, count=1)
    return None if changed == text else changed
