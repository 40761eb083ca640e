"""Coordination for ranked OR queries (``--match any``): an article holding more of the question ranks higher.

BM25 adds up what each word scores, so an article that repeats one rare word of a
question in its headline and text ("markets react ...") can outrank one about the
whole question ("stock market", "crash", "october").  A name of two or more words
("corn oil") has the same trouble: articles about oil alone outrank those about corn
oil.  Lucene's classic scorer multiplied by the share of query words matched; here
the share is by idf (a rare word held counts more than a common one), raised to
``STRENGTH`` so that it tilts the order rather than replacing it.

Only the first ``RERANK_DEPTH`` of the first ranking are reordered (every page comes from
one order, as with feedback), and before feedback, so that feedback learns from articles
about the whole question.  An AND query (``--match all``, the direct reader) needs none:
every article it lists holds every word.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query

from . import bm25
from .feedback import RERANK_DEPTH, scores_at

#: The power of the idf share held.  MAP of the default ranking (feedback on) on the seven
#: collections of bench/ranking.py, NPL CRAN CISI MED LISA ADI Reuters topics, beside
#: tantivy's BM25 .2849 .3041 .1677 .5249 .2796 .4014 .4686-.4696 (development figures,
#: 2026-12-02, the same indexes; "worst" is feedback's largest cost against --no-feedback):
#:   none (before):  .2987 .3278 .2170 .5440 .3246 .4073 .4689  mean +9.1%  worst ADI  0.0%
#:   0.25:           .2974 .3272 .2158 .5441 .3500 .4066 .4784  mean +10.3% worst ADI -1.3%
#:   0.35:           .2967 .3320 .2154 .5431 .3529 .4032 .4812  mean +10.5% worst ADI -0.9%
#:   0.5 (kept):     .2959 .3310 .2114 .5418 .3458 .4033 .4863  mean +9.7%  worst LISA -0.2%
#:   1 (Lucene's):   .2948 .3204 .1955 .5293 .3232 .3817 .4847  mean +5.5%  worst LISA -5.0%
#: 0.5 is the one at or above tantivy everywhere with feedback costing nothing to speak of
#: anywhere; 0.25-0.35 score a little better on average but put feedback at or past the 1%
#: the issue allows on ADI.  It costs the abstracts a little (NPL, CISI, ADI: a long question
#: whose words no abstract holds all of) and lifts the news collection most (Reuters topics of
#: two or more words .383 -> .413: "corn oil" no longer ranks stories about oil alone first).
STRENGTH = 0.5
_TEXT_FIELDS = ("title", "body")


@dataclass(frozen=True)
class QuestionWord:
    """A word of the question in the body field: each of ``terms`` an article holds earns the
    term's idf; holding ``closed`` (a hyphenated word closed up: "covid19" for "covid-19",
    whose ``terms`` are its parts) earns them all."""

    terms: tuple[str, ...]
    closed: str | None = None


def question_words(parsed: query.Query) -> list[QuestionWord]:
    """The words of an any-query in the body field.  The spellings a hyphenated word is looked
    up in are one word: its parts, with the closed-up spelling standing for them all, so an
    article writing "covid19" holds what one writing "covid-19" does, and the rare closed-up
    spelling is no word of its own that nearly every article lacks."""
    words: list[QuestionWord] = []
    spelt: dict[str, QuestionWord] = {}
    for node in parsed.leaves():
        spelling = getattr(node, "spelling", None)
        if spelling is None:
            words += [QuestionWord((term,)) for fieldname, term in node.iter_all_terms() if fieldname == "body"]
        elif node.fieldname == "body":
            parts = spelling.parts or (spelling.closed,)
            spelt[spelling.word] = QuestionWord(parts, spelling.closed if spelling.parts else None)
    return words + list(spelt.values())


def coordinated(searcher, words: list[QuestionWord], ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The first ``RERANK_DEPTH`` of ``ranked`` (score, docnum), best first, each score times
    the idf share of ``words`` the article holds to the power ``STRENGTH``; the rest in their
    order, below them."""
    if sum(len(word.terms) for word in words) < 2 or not ranked or STRENGTH <= 0:
        return ranked
    head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
    parent = searcher.get_parent()
    documents = parent.doc_count_all()
    looked_up = {term for word in words for term in (*word.terms, word.closed) if term is not None}
    idf = {
        term: bm25.idf(documents, max(parent.doc_frequency(fieldname, term) for fieldname in _TEXT_FIELDS))
        for term in looked_up
    }
    total = sum(idf[term] for word in words for term in word.terms)
    if total <= 0:
        return ranked
    order = sorted(docnum for _score, docnum in head)
    holding = {
        term: set().union(*(scores_at(searcher, fieldname, term, order) for fieldname in _TEXT_FIELDS))
        for term in looked_up
    }
    held = dict.fromkeys(order, 0.0)
    for word in words:
        whole = holding[word.closed] if word.closed is not None else set()
        for term in word.terms:
            for docnum in holding[term] | whole:
                held[docnum] += idf[term]
    rescaled = sorted(
        ((score * (held[docnum] / total) ** STRENGTH, docnum) for score, docnum in head),
        key=lambda item: (-item[0], item[1]),
    )
    floor = rescaled[-1][0] if rescaled else 0.0
    return rescaled + [(min(score, floor), docnum) for score, docnum in tail]
