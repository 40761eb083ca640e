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

bench/ranking.py, MAP without and with it (tantivy's BM25 in the same run):
NPL 0.289 -> 0.291 (0.285), Cranfield 0.309 -> 0.326 (0.304), CISI 0.173 ->
0.200 (0.168).  Re-scoring 100 articles gave 0.290 / 0.324 / 0.191, all of
them (a query with the words added) 0.292 / 0.327 / 0.204 at four times the
cost.  The typed words keep 0.8 of the weight, not Anserini's 0.5, which
lowered NPL (0.274): its one-line abstracts give a feedback model little to
go on, and 0.8 raised all three collections; nothing else was fitted.  On
Reuters an any-query takes about 23 ms in process instead of 9.
"""

from __future__ import annotations

from whoosh import query

from .analysis import index_terms

#: Articles of the first ranking taken as relevant.
FEEDBACK_DOCS = 10
#: Words added to the query.
FEEDBACK_TERMS = 10
#: Share of the final score kept by the typed words.
ORIGINAL_WEIGHT = 0.8
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
    weights summing to ``1 - ORIGINAL_WEIGHT``.

    Each article's words count by their share of its words times its score;
    the ``FEEDBACK_TERMS`` best words not too common in the archive are kept.
    """
    relevance: dict[str, float] = {}
    for score, docnum in top:
        stored = searcher.stored_fields(docnum)
        counts: dict[str, int] = {}
        for name in _TEXT_FIELDS:
            for term, positions in index_terms(stored.get(name) or "")[0].items():
                counts[term] = counts.get(term, 0) + len(positions)
        length = sum(counts.values()) or 1
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
    return {term: (1 - ORIGINAL_WEIGHT) * weight / total for term, weight in chosen} if total > 0 else {}


def rescored(searcher, parsed: query.Query, ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The first ``RERANK_DEPTH`` of ``ranked`` (score, docnum), best first, scored
    again with the relevance model of its best ``FEEDBACK_DOCS``; the rest as they were.

    A new score is ``ORIGINAL_WEIGHT`` times the first score per typed word,
    plus each added word's BM25F score (Whoosh's own scorer, postings read
    only at the articles re-scored) times its weight: what the query
    ``typed words x ORIGINAL_WEIGHT / n + added words x weight`` would score.
    """
    head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
    typed = sum(1 for fieldname, _text in parsed.iter_all_terms() if fieldname == "body")
    added = relevance_model(searcher, head[:FEEDBACK_DOCS]) if typed else {}
    if not added:
        return ranked
    scores = {docnum: score * ORIGINAL_WEIGHT / typed for score, docnum in head}
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
    return head + [(score * ORIGINAL_WEIGHT / typed, docnum) for score, docnum in tail]
