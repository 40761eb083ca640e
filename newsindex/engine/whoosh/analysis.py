"""Text analysis shared by indexing and querying, as Whoosh's analyzer.

The steps themselves (tokens, folding, stop words, hyphen parts, stemming) are
plain functions in ``tokens``, which imports no Whoosh analysis code: a search
of plain words analyses them there and never loads Whoosh's analysis package.
``news_analyzer()`` chains the same functions as Whoosh filters (queries the
parser reads, phrases, anything that wants Token objects), and ``index_terms()``
(in ``tokens``) is the indexer's fast path; tests hold the three to the same output.
"""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import (
    Composable,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.filters import Filter

from . import tokens
from .tokens import (  # noqa: F401 - the analysis steps, imported from here by older code
    _MIN_SIZE,
    _STOP_WORDS,
    _TOKEN_RE,
    TOKEN_PATTERN,
    WORD_CACHE_SIZE,
    _analyse_word,
    fold_word,
    hyphen_parts,
    index_terms,
)


def _stem_word(word: str) -> str:
    """``tokens._stem_word``, named here: an index's TOC pickles the schema, and with it this
    function by its module, so a schema written before ``tokens`` existed names this one."""
    return tokens._stem_word(word)


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
    parts = [tokens._stem_word(part) for part in hyphen_parts(term) if part not in _STOP_WORDS]
    return parts, tokens._stem_word(term.replace("-", ""))


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
