"""Pseudo-relevance feedback for ranked OR queries (``--match any``): RM3.

A long question typed in plain words ("what did the central bank say about
inflation") shares only some of its words with the articles that answer
it.  RM3 (Lavrenko and Croft's relevance model, as Anserini runs it) takes
the best few articles of a first ranking as if they were relevant, finds the
words they are most about, and scores the first ranking's top again with
those words added to the query's own.  Only the order of the top
``RERANK_DEPTH`` changes: the articles matched are still those holding a
word of the query, so the total, the facets and the highlighted words stay
the ones the user typed, and every page comes from the same order.

How much the added words count depends on how much text they were
learnt from.  Ten news stories of a hundred words or more give a
relevance model worth half the score (Anserini's weight); ten one-line
abstracts (the NPL collection) give one that is mostly noise, and its
words get about a fifth of that.  The share is ``MAX_EXPANSION`` times the
feedback articles' words over ``EVIDENCE_WORDS``, at most ``MAX_EXPANSION``.

bench/ranking.py, MAP without feedback, with the typed words keeping a
fixed 0.8 (the previous rule), and with this one (BM25 K1 0.9, B 0.4):
NPL 0.294 / 0.307 / 0.306, Cranfield 0.305 / 0.322 / 0.319, CISI 0.166 /
0.199 / 0.201, Reuters topics 0.490 / 0.500 / 0.512 (tantivy 0.285, 0.304,
0.168, 0.497).  At K1 1.2, B 0.75, a fixed 0.5 lowered NPL to 0.274, and
2,000 evidence words instead of 1,000 gave Reuters 0.497 (0.505).
Re-scoring the first 1,000 instead of 300 added at most 0.004.  On Reuters
an any-query takes about 19 ms in process instead of 9.
"""

from __future__ import annotations

from whoosh import query

from .analysis import index_terms

#: Articles of the first ranking taken as relevant.
FEEDBACK_DOCS = 10
#: Words added to the query.
FEEDBACK_TERMS = 10
#: Largest share of the final score the added words get (Anserini's RM3 weight).
MAX_EXPANSION = 0.5
#: Words of feedback text (the feedback articles' lengths added up) that earn
#: the added words their full share; less text, proportionally less.
EVIDENCE_WORDS = 1000
#: Words in more than this share of the archive are never added: they say
#: nothing about a topic.
MAX_SHARE = 0.1
#: How deep into the first ranking articles are scored again (the same for
#: every page, so pages stay consistent; below it the first order stands).
RERANK_DEPTH = 300
_TEXT_FIELDS = ("title", "body")


def expandable(parsed: query.Query) -> bool:
    """Whether ``parsed`` is a plain ranked OR of words (what RM3 is for)."""
    leaves = [parsed] if type(parsed) is query.Term else list(parsed.subqueries) if type(parsed) is query.Or else []
    return bool(leaves) and all(type(leaf) is query.Term and leaf.fieldname in _TEXT_FIELDS for leaf in leaves)


def relevance_model(searcher, top: list[tuple[float, int]]) -> dict[str, float]:
    """The words of the ``top`` (score, docnum) articles worth adding to a query, with
    weights summing to their ``expansion_share``.

    Each article's words count by their share of its words times its score;
    the ``FEEDBACK_TERMS`` best words not too common in the archive are kept.
    """
    relevance: dict[str, float] = {}
    evidence = 0
    for score, docnum in top:
        stored = searcher.stored_fields(docnum)
        counts: dict[str, int] = {}
        for name in _TEXT_FIELDS:
            for term, positions in index_terms(stored.get(name) or "")[0].items():
                counts[term] = counts.get(term, 0) + len(positions)
        length = sum(counts.values()) or 1
        evidence += length
        for term, count in counts.items():
            relevance[term] = relevance.get(term, 0.0) + score * count / length
    reader = searcher.reader()
    ceiling = MAX_SHARE * reader.doc_count_all()
    chosen: list[tuple[str, float]] = []
    for term, weight in sorted(relevance.items(), key=lambda item: (-item[1], item[0])):
        if len(term) > 1 and not term.isdigit() and max(reader.doc_frequency(f, term) for f in _TEXT_FIELDS) <= ceiling:
            chosen.append((term, weight))
            if len(chosen) == FEEDBACK_TERMS:
                break
    total = sum(weight for _term, weight in chosen)
    share = expansion_share(evidence)
    return {term: share * weight / total for term, weight in chosen} if total > 0 else {}


def expansion_share(evidence: int) -> float:
    """The share of the score for words learnt from ``evidence`` words of feedback text."""
    return MAX_EXPANSION * min(1.0, evidence / EVIDENCE_WORDS)


def rescored(searcher, parsed: query.Query, ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The first ``RERANK_DEPTH`` of ``ranked`` (score, docnum), best first, scored
    again with the relevance model of its best ``FEEDBACK_DOCS``; the rest as they were.

    A new score is the typed words' share (1 - the added words' weights)
    times the first score per typed word, plus each added word's BM25F score
    (Whoosh's own scorer, postings read only at the articles re-scored) times
    its weight: what the query ``typed words x share / n + added words x
    weight`` would score.
    """
    head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
    typed = sum(1 for fieldname, _text in parsed.iter_all_terms() if fieldname == "body")
    added = relevance_model(searcher, head[:FEEDBACK_DOCS]) if typed else {}
    if not added:
        return ranked
    kept = 1 - sum(added.values())
    scores = {docnum: score * kept / typed for score, docnum in head}
    order = sorted(scores)
    weighting = searcher.weighting
    for term, weight in added.items():
        for fieldname in _TEXT_FIELDS:
            if not searcher.doc_frequency(fieldname, term):
                continue
            postings = searcher.postings(fieldname, term)
            scorer = weighting.scorer(searcher, fieldname, term)
            current = postings.id()
            for docnum in order:
                if docnum < current:  # most re-scored articles lack a given added word
                    continue
                if docnum > current:
                    postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                    current = postings.id()
                    if current != docnum:
                        continue
                scores[docnum] += weight * scorer.score(postings)
    head = sorted(((score, docnum) for docnum, score in scores.items()), key=lambda item: (-item[0], item[1]))
    # The rest score as if no added word were in them: in their order, and below
    # every re-scored article (whose first scores were higher).
    return head + [(score * kept / typed, docnum) for score, docnum in tail]
