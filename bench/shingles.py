"""The main-text metric every extraction benchmark here uses, defined once.

It is the article-extraction-benchmark project's score: the text is cut into
token 4-gram shingles, shingles are matched as multisets, precision and
recall are computed per page and averaged over pages (macro), and F1 is
taken from the two averages.  A page with nothing extracted has no precision
and is left out of that mean (its recall, 0, still counts); a page whose
truth is empty has no recall.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

WORD_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    """Multiset of ``size``-token windows; a text shorter than that is one window."""
    words = WORD_RE.findall(text or "")
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def page_scores(truth: str, predicted: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page; None where the page has no such figure."""
    expected, got = shingles(truth), shingles(predicted)
    hits = sum((expected & got).values())
    extra = sum(got.values()) - hits
    missed = sum(expected.values()) - hits
    if extra == missed == 0:
        return 1.0, 1.0
    precision = hits / (hits + extra) if hits + extra else None
    recall = hits / (hits + missed) if hits + missed else None
    return precision, recall


def macro_f1(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """(precision, recall, F1) over (truth, predicted) pages, averaged per page."""
    return summarise(page_scores(truth, predicted) for truth, predicted in pairs)


def summarise(scores: Iterable[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    """(precision, recall, F1) from per-page ``page_scores``."""
    precisions, recalls = [], []
    for precision, recall in scores:
        if precision is not None:
            precisions.append(precision)
        if recall is not None:
            recalls.append(recall)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
