"""Text analysis shared by indexing and querying.

Words are lower-cased, accent-folded, stripped of possessives, stop-worded
and stemmed with Snowball English (Porter2; whoosh's Porter stemmer mangles
"running" into "runn").  Tokens keep inner dots and hyphens so "U.S." and
"COVID-19" are searchable as typed; a hyphenated word also yields its parts
("covid-19" -> "covid", "19") at the same position, so either form matches.

``news_analyzer()`` is the Whoosh analyzer (queries, snippets, and any code
that wants Token objects).  ``index_terms()`` is the same analysis for the
indexer without Token objects: every step calls the same helper functions
below, each distinct word is analysed once and cached, and the result is
``term -> positions`` exactly as the analyzer would yield them (a test holds
the two to the same output).  It is what makes indexing fast.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import (
    Composable,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS, Filter
from whoosh.lang.porter2 import stem

# Words with inner dots, hyphens or apostrophes stay one token.
TOKEN_PATTERN = r"\w+(?:[.\-'’]\w+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_POSSESSIVE_RE = re.compile(r"['’]s?$")
#: StopFilter's settings, shared by the analyzer and ``index_terms``.
_STOP_WORDS = STOP_WORDS
_MIN_SIZE = 1


@lru_cache(maxsize=1)
def _accent_map() -> dict[int, str]:
    """Whoosh's accent folding table, built on first use: a query in plain ASCII never needs it,
    and importing it costs more than the rest of this module."""
    from whoosh.support.charset import accent_map

    return accent_map


def fold_word(text: str) -> str:
    """Accent folding, possessives and acronym dots of one lower-cased token."""
    if not text.isascii():
        text = text.translate(_accent_map())
    if "'" in text or "’" in text:
        text = _POSSESSIVE_RE.sub("", text)
    if "." in text:
        # "u.s" stays distinct from the pronoun "us"; "e.g" likewise.
        text = text.rstrip(".")
    return text


def hyphen_parts(text: str) -> list[str]:
    """The parts a hyphenated word is also indexed under ("covid-19" -> covid, 19)."""
    return [part for part in text.split("-") if part and part != text]


class FoldFilter(Filter):
    """Accent folding, possessives and acronym dots, in one pass per token."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_word(token.text)
            yield token


class HyphenPartsFilter(Filter):
    """Also index the parts of hyphenated words, at the word's own position.

    Only when indexing: a query for "covid-19" looks up the whole word, and a
    phrase query stays a sequence of single positions.
    """

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            yield token
            if "-" in text and not token.stopped and token.mode != "query":
                for part in hyphen_parts(text):
                    token.text = part
                    yield token
                token.text = text


def compound_terms(term: str) -> tuple[list[str], str]:
    """The index terms a hyphenated query word is found under in every spelling of it: its
    parts (indexed for "petro-chemicals" and for "petro chemicals" alike), less stop words, and
    the word closed up ("petrochemicals").  ``term`` is a query term ("petro-chemicals")."""
    parts = [_stem_word(part) for part in hyphen_parts(term) if part not in _STOP_WORDS]
    return parts, _stem_word(term.replace("-", ""))


def _stem_word(word: str) -> str:
    if "-" in word or "." in word or word.isdigit():
        return word
    return stem(word)


@lru_cache(maxsize=1)
def query_function_words() -> frozenset[str]:
    """The function words a ranked "any word" query leaves out (``data/query_function_words.txt``)."""
    from ...data import data_lines

    return frozenset(" ".join(data_lines("query_function_words.txt")).split())


@lru_cache(maxsize=1)
def function_word_terms() -> frozenset[str]:
    """The index terms the function words analyse to ("should", "becaus"): never words to
    add to a query by feedback, whatever a few articles hold."""
    analyzer = news_analyzer()
    return frozenset(token.text for word in query_function_words() for token in analyzer(word, mode="query"))


def function_terms_of(text: str) -> set[str]:
    """The query terms that only the function words of ``text`` give.

    A term that another word of the query stems to as well ("mining" and the
    function word "mine" would both be "mine") is not among them.
    """
    analyzer = news_analyzer()
    function_words = query_function_words()
    from_function, from_content = set(), set()
    for word in _TOKEN_RE.findall(text.lower()):
        terms = from_function if fold_word(word) in function_words else from_content
        terms.update(token.text for token in analyzer(word, mode="query"))
    return from_function - from_content


@lru_cache(maxsize=1)
def news_analyzer() -> Composable:
    """The analyzer for title and body (indexing and queries alike)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=_STOP_WORDS, minsize=_MIN_SIZE)
        | HyphenPartsFilter()
        | StemFilter(stemfn=_stem_word, cachesize=100_000)
    )


# --- the indexer's fast path ------------------------------------------------------

#: Distinct raw words remembered by ``index_terms`` before the cache starts over
#: (bounds memory on huge vocabularies; a natural-language corpus stays far below).
WORD_CACHE_SIZE = 500_000
#: raw word -> its one index term (str), its terms at one position (tuple: a
#: hyphenated word and its parts), or None for a stop word.
_word_cache: dict[str, str | tuple[str, ...] | None] = {}
_stem_cache: dict[str, str] = {}


def _analyse_word(raw: str) -> tuple[str, ...]:
    """The index terms of one tokenizer match, all at one position; () when stopped.

    The steps of ``news_analyzer()`` in its order: lower-case, fold, stop,
    hyphen parts, stem.
    """
    text = fold_word(raw.lower())
    if len(text) < _MIN_SIZE or text in _STOP_WORDS:
        return ()
    words = [text, *hyphen_parts(text)] if "-" in text else [text]
    terms = []
    for word in words:
        stemmed = _stem_cache.get(word)
        if stemmed is None:
            if len(_stem_cache) >= WORD_CACHE_SIZE:
                _stem_cache.clear()
            stemmed = _stem_cache[word] = _stem_word(word)
        terms.append(stemmed)
    return tuple(terms)


def _learn_words(words: set[str]) -> None:
    cache = _word_cache
    if len(cache) + len(words) > WORD_CACHE_SIZE:
        cache.clear()
    for word in words:
        terms = _analyse_word(word)
        if len(terms) == 1:
            cache[word] = terms[0]
        elif terms:
            cache[word] = terms
        else:
            cache[word] = None


def index_terms(text: str) -> tuple[dict[str, list[int]], int]:
    """``(term -> positions, number of tokens)`` for a title or body, as indexed.

    Identical to running ``news_analyzer()`` with ``positions=True`` in index
    mode (including StopFilter's renumbering, which starts at the first kept
    word's raw position), at a fraction of the cost: each distinct word is
    analysed once, and the per-word loop does nothing but collect positions.
    """
    words = _TOKEN_RE.findall(text)
    new = set(words).difference(_word_cache)
    if new:
        _learn_words(set(words) if len(_word_cache) + len(new) > WORD_CACHE_SIZE else new)
    analysed = list(map(_word_cache.__getitem__, words))
    positions: dict[str, list[int]] = {}
    first = next((i for i, terms in enumerate(analysed) if terms is not None), None)
    if first is None:
        return positions, 0
    kept = [terms for terms in analysed[first:] if terms is not None]
    extra = 0
    for pos, terms in enumerate(kept, first):
        if terms.__class__ is str:
            found = positions.get(terms)
            if found is None:
                positions[terms] = [pos]
            else:
                found.append(pos)
            continue
        extra += len(terms) - 1
        for term in terms:
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
    return positions, len(kept) + extra
