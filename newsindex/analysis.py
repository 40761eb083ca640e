"""Text analysis shared by indexing and querying.

Words are lower-cased, accent-folded, stripped of possessives, stop-worded
and stemmed with Snowball English (Porter2; whoosh's Porter stemmer mangles
"running" into "runn").  Tokens keep inner dots and hyphens so "U.S." and
"COVID-19" are searchable as typed; a hyphenated word also yields its parts
("covid-19" -> "covid", "19") at the same position, so either form matches.
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
from whoosh.analysis.filters import Filter
from whoosh.lang.porter2 import stem
from whoosh.support.charset import accent_map

# Words with inner dots, hyphens or apostrophes stay one token.
TOKEN_PATTERN = r"\w+(?:[.\-'’]\w+)*"
_POSSESSIVE_RE = re.compile(r"['’]s?$")


class FoldFilter(Filter):
    """Accent folding, possessives and acronym dots, in one pass per token."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if not text.isascii():
                text = text.translate(accent_map)
            if "'" in text or "’" in text:
                text = _POSSESSIVE_RE.sub("", text)
            if "." in text:
                # "u.s" stays distinct from the pronoun "us"; "e.g" likewise.
                text = text.rstrip(".")
            token.text = text
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
                whole = text
                for part in whole.split("-"):
                    if part and part != whole:
                        token.text = part
                        yield token
                token.text = whole


def _stem_word(word: str) -> str:
    if "-" in word or "." in word or word.isdigit():
        return word
    return stem(word)


@lru_cache(maxsize=1)
def news_analyzer() -> Composable:
    """The analyzer for title and body (indexing and queries alike)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(minsize=1)
        | HyphenPartsFilter()
        | StemFilter(stemfn=_stem_word, cachesize=100_000)
    )
