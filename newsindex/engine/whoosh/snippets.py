"""Snippets: the passage of an article's body that holds most of the query's words, with their
positions for highlighting.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .tokens import _TOKEN_RE, TOKEN_PATTERN, _analyse_word

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:
    from whoosh import query

SNIPPET_CHARS = 220


def _query_words(parsed: query.Query) -> set[str]:
    words: set[str] = set()
    for fieldname, text in parsed.iter_all_terms():
        if fieldname in ("title", "body") and isinstance(text, str):
            words.add(text)
    return words


@lru_cache(maxsize=50_000)
def _analyzed(word: str) -> frozenset[str]:
    """The terms ``news_analyzer()`` makes of ``word``: for one token (all the snippet and
    the spelling code pass), the same steps as functions, without Whoosh's analysis package."""
    if _TOKEN_RE.fullmatch(word):
        return frozenset(_analyse_word(word))
    from .analysis import news_analyzer

    return frozenset(token.text for token in news_analyzer()(word))


@lru_cache(maxsize=256)
def _candidate_words(prefixes: frozenset[str]) -> re.Pattern:
    """The words of a text (as ``analysis.TOKEN_PATTERN`` splits it) that may analyse to a query term:
    those starting with a term's first three letters, in any case, and any word
    with a non-ASCII letter (folding may change its start).

    The two look-behinds admit only a word's first letter (not one after
    "U." in "U.S"), so the regex engine skips every other word in C.
    """
    starts = "|".join(re.escape(prefix) for prefix in sorted(prefixes, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?<!\w[.\-'’])(?=(?i:{starts})|[\w.\-'’]*[^\x00-\x7f]){TOKEN_PATTERN}")


def make_snippet(text: str, words: set[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` with most distinct query words, and their spans.

    Only words sharing a three-letter prefix with a query term are looked at
    (``_candidate_words``) and analysed, so long articles stay cheap.
    """
    text = " ".join(text.split())
    if not text:
        return "", []
    matches: list[tuple[int, int, str]] = []
    candidates = _candidate_words(frozenset(word[:3] for word in words)) if words else None
    for found in candidates.finditer(text) if candidates else ():
        hit = _analyzed(found.group().lower()) & words
        if hit:
            matches.append((found.start(), found.end(), next(iter(hit))))
    if not matches:
        if len(text) <= width:
            return text, []
        cut = text.rfind(" ", 0, width)
        return text[: cut if cut > width // 2 else width] + " …", []
    best_start, best_score = 0, -1
    for start, _end, _word in matches:
        window_start = max(0, start - width // 4)
        inside = [w for s, e, w in matches if window_start <= s and e <= window_start + width]
        score = len(set(inside)) * 100 + len(inside)
        if score > best_score:
            best_start, best_score = window_start, score
    if best_start > 0:
        space = text.find(" ", best_start)
        if 0 <= space < best_start + 30:
            best_start = space + 1
    end = min(len(text), best_start + width)
    if end < len(text):
        space = text.rfind(" ", best_start, end)
        if space > best_start + width // 2:
            end = space
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end < len(text) else ""
    offset = len(prefix) - best_start
    spans = [(s + offset, e + offset) for s, e, _ in matches if s >= best_start and e <= end]
    return prefix + text[best_start:end] + suffix, spans
