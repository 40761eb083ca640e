"""The analysis steps of title and body as plain functions: no Whoosh analysis code.

Words are lower-cased, accent-folded, stripped of possessives, stop-worded
and stemmed with Snowball English (Porter2, by the Snowball project's own C
library; whoosh's Porter stemmer mangles "running" into "runn").  Tokens keep
inner dots and hyphens so "U.S." and "COVID-19" are searchable as typed; a
hyphenated word also yields its parts ("covid-19" -> "covid", "19") at the same
position, so either form matches.

``analysis.news_analyzer()`` chains these functions as Whoosh filters.  Here
they serve the indexer (``kept_term_numbers``: each distinct chunk of text
analysed once and cached as the numbers of its terms, in the order and at the
positions the analyzer yields them; ``index_terms`` the same as terms) and a
search of plain words (``_analyse_word`` of each word), which then imports only the
stemmer, not Whoosh's analysis package.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache

from Stemmer import Stemmer

from ...data import data_lines
from .vocabulary import Vocabulary

# Words with inner dots, hyphens or apostrophes stay one token.
TOKEN_PATTERN = r"\w+(?:[.\-'’]\w+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_POSSESSIVE_RE = re.compile(r"['’]s?$")
#: StopFilter's settings, shared by the analyzer and ``index_terms`` (``data/stop_words.txt``).
_STOP_WORDS = frozenset(" ".join(data_lines("stop_words.txt")).split())
_MIN_SIZE = 1


@lru_cache(maxsize=1)
def _accent_map() -> dict[int, str]:
    """Whoosh's accent folding table (``data/accent_map.txt``), read on first use: a query in
    plain ASCII never needs it."""
    pairs = (line.split() for line in data_lines("accent_map.txt"))
    return {int(source, 16): chr(int(folded, 16)) for source, folded in pairs}


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


#: Snowball's English stemmer, current algorithm, in C: seven times as fast as
#: ``whoosh.lang.porter2`` (an older Porter2 in Python), and it no longer conflates
#: "international" with "intern", "added" with "ad" or "evening" with "even".  Our
#: caches stand in for its own.  A call holds the GIL, so threads never interleave in it.
_snowball = Stemmer("english", 0)


def _stem_word(word: str) -> str:
    if "-" in word or "." in word or word.isdigit():
        return word
    return _snowball.stemWord(word)


# --- the indexer's fast path ------------------------------------------------------

#: Distinct chunks (and words stemmed) remembered by ``index_terms`` before a cache starts over
#: (bounds memory on huge vocabularies; a natural-language corpus stays far below).
WORD_CACHE_SIZE = 500_000
_stem_cache: dict[str, str] = {}
#: Chunks longer than this (bytes) are analysed each time they occur, not remembered.
CACHED_CHUNK_BYTES = 64


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


def _token_number(token: str) -> int:
    """One token's number in the vocabulary: its index term's, its terms' at one position
    (a hyphenated word and its parts), or 0 for a stop word."""
    terms = _analyse_word(token)
    if len(terms) == 1:
        return _vocabulary.term(terms[0])
    return _vocabulary.group(terms) if terms else 0


class _Split(tuple):
    """The analysed tokens of a chunk holding several (``"U.S.-based"``: "U.S", "based"), each
    at a position of its own; rare, and spread out by ``_analysed_tokens`` before counting."""


#: Every ASCII byte that no token holds (all but ``\\w``, ``.``, ``-`` and ``'``) as a space, and
#: ASCII capitals in lower case; bytes of other characters kept.  A token never spans such a
#: space, so the tokens of a text are the tokens of the chunks its translated UTF-8 ``split()``s
#: into, in order.  Lower-casing changes no term (the analysis lower-cases every token, and
#: lower-casing ASCII first leaves the lower case of the rest as it was); it makes "The",
#: "THE" and "the" one chunk, analysed and remembered once (a fifth fewer chunks on Reuters).
_ASCII_TOKEN_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-'")
_TOKEN_CHUNKS = bytes(
    byte if byte >= 0x80 else bytes([byte]).lower()[0] if byte in _ASCII_TOKEN_CHARS else 0x20 for byte in range(256)
)


class _ChunkCache(dict):
    """A chunk of text (UTF-8 bytes between non-token ASCII characters) -> what its tokens
    analyse to: one token's ``_token_number`` (most chunks are one word), None for a chunk
    with no token ("--", "“"), a ``_Split`` for several.  A chunk not seen yet is analysed on
    lookup (``__missing__``), so ``_analysed_tokens`` looks every chunk up in one ``map`` in
    C, with no pass to find the new ones first."""

    def __missing__(self, chunk: bytes) -> int | _Split | None:
        # ASCII letters and digits alone (most words) are one token, as the tokenizer finds it.
        tokens = [chunk.decode()] if chunk.isalnum() else _TOKEN_RE.findall(chunk.decode("utf-8", "surrogatepass"))
        if len(tokens) == 1:
            value = _token_number(tokens[0])
        else:
            value = _Split(map(_token_number, tokens)) if tokens else None
        if len(chunk) <= CACHED_CHUNK_BYTES:  # a long chunk (text without ASCII spaces: Chinese,
            if len(self) >= WORD_CACHE_SIZE:  # Thai) is seldom seen twice and would fill memory
                self.clear()
            self[chunk] = value
        return value


_chunk_cache = _ChunkCache()
_vocabulary = Vocabulary()
#: The token streams holding numbers of ``_vocabulary`` (``hold_vocabulary``): while there is
#: one, the vocabulary is never renewed.
_holders: weakref.WeakSet = weakref.WeakSet()


def vocabulary() -> Vocabulary:
    """The vocabulary the numbers ``kept_term_numbers`` gives now are of."""
    return _vocabulary


def hold_vocabulary(holder: object) -> Vocabulary:
    """Keep the vocabulary while ``holder`` (a token stream) keeps numbers of it."""
    _holders.add(holder)
    return _vocabulary


def release_vocabulary(holder: object) -> None:
    _holders.discard(holder)


def renew_vocabulary_if_full() -> None:
    """Start the numbering over once the vocabulary holds ``WORD_CACHE_SIZE`` entries and no
    stream holds numbers of it (memory stays bounded on a huge vocabulary).  Only the segment
    builder calls this, before it analyses an article, never between analysing one and adding
    it; a search analysing text meanwhile runs in the same thread (``watch``'s alerts)."""
    global _vocabulary
    if len(_vocabulary) >= WORD_CACHE_SIZE and not _holders:
        _vocabulary = Vocabulary()
        _chunk_cache.clear()


def _analysed_tokens(text: str) -> list:
    """Each token's ``_token_number`` in order; None marks a chunk with no token.

    The chunks are split by a byte translation, each distinct chunk tokenized once: together
    about half the cost of running the tokenizer's regular expression over every article.
    """
    chunks = text.encode("utf-8", "surrogatepass").translate(_TOKEN_CHUNKS).split()
    analysed = list(map(_chunk_cache.__getitem__, chunks))
    if _Split in map(type, analysed):
        spread: list = []
        for value in analysed:
            if value.__class__ is _Split:
                spread += value
            elif value is not None:
                spread.append(value)
        return spread
    return analysed


def kept_term_numbers(text: str) -> tuple[list[int], int]:
    """``(numbers, first position)``: the ``_token_number`` of every token not stopped, in order
    (a term's number, or a hyphenated word's, whose terms share a position), the first at
    ``first`` and each next one position further.  StopFilter renumbers from the first kept
    word's raw position, so ``first`` counts the stop words before it (not chunks without a
    token).  The numbers are of ``vocabulary()``."""
    analysed = _analysed_tokens(text)
    kept = list(filter(None, analysed))  # stop words are 0, chunks without a token None
    if not kept:
        return kept, 0
    before = analysed.index(kept[0])  # every value before it is 0 or None
    return kept, before - analysed[:before].count(None) if before else 0


def kept_tokens(text: str) -> tuple[list, int]:
    """``kept_term_numbers`` as terms: a str, or a tuple of terms sharing a position."""
    numbering = _vocabulary
    kept, first = kept_term_numbers(text)
    return list(map(numbering.value, kept)), first


def index_terms(text: str) -> tuple[dict[str, list[int]], int]:
    """``(term -> positions, number of tokens)`` for a title or body, as indexed.

    Identical to running ``news_analyzer()`` with ``positions=True`` in index
    mode (including StopFilter's renumbering, which starts at the first kept
    word's raw position), at a fraction of the cost: each distinct chunk is
    analysed once, and the per-word loop does nothing but collect positions.
    """
    kept, first = kept_tokens(text)
    positions: dict[str, list[int]] = {}
    if not kept:
        return positions, 0
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
