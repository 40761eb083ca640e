"""Pseudo-relevance feedback for ranked OR queries (``--match any``): RM3, guarded.

A long question typed in plain words ("what did the central bank say about
inflation") shares only some of its words with the articles that answer
it.  RM3 (Lavrenko and Croft's relevance model, as Anserini runs it) takes
the best few articles of a first ranking as if they were relevant, finds the
words they are most about, and scores the first ranking's top again with
those words added to the query's own.  Only the order of the top
``RERANK_DEPTH`` changes: the articles matched are still those holding a
word of the query, so the total, the facets and the highlighted words stay
the ones the user typed, and every page comes from the same order.

Plain RM3 goes wrong when the best articles are not about the question:
when few articles are (a small archive, a rare subject), or when a typed
word has another sense the archive holds more of ("crash" of a stock market
beside plane crashes).  Its added words then pull in more of the wrong
articles.  So, per query, from how the first ranking looks:

* an article teaches in proportion to how close its score comes to the
  best one's (``closeness``: when one or two articles stand far above the
  rest, a question few articles answer, the weaker matches below teach
  little) times the share of the question (by idf) it holds;
* a story counts once: of several articles under one headline (a wire
  story filed again), only the best-ranked is a feedback article
  (``distinct_stories``);
* a word counts by how much more the articles use it than the archive does
  (``specificity``), not only by how much they use it;
* a word counts by how much it comes with every typed word, not just one
  (``co_occurrence``, after Xu and Croft's local context analysis, 1996);
  one article's words and function words are never added;
* the added words' share of the score is ``MAX_EXPANSION`` scaled down by
  how little text they were learnt from (``expansion_share``) and by how
  little the articles agree on them (``agreement``): scattered first
  results -- a question the archive cannot answer -- get almost no
  feedback, which is the selective query expansion of Cronen-Townsend,
  Zhou and Croft (2004) without a threshold to tune.  The typed words keep
  at least half the score always.

The figures (bench/ranking.py, every collection) are in bench/README.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from heapq import heappush, heapreplace

from whoosh import query

from .analysis import function_word_terms, index_terms
from .counting import term_scores_at

#: Articles of the first ranking taken as relevant.
FEEDBACK_DOCS = 10
#: Words added to the query.
FEEDBACK_TERMS = 10
#: Largest share of the final score the added words get (Anserini's RM3 weight).
MAX_EXPANSION = 0.5
#: Words of feedback text (the feedback articles' lengths added up) that earn
#: the added words their full share; less text, proportionally less.
EVIDENCE_WORDS = 1000
#: Feedback articles a word must be in to be added (one article's words are its own).
MIN_FEEDBACK_DOCS = 2
#: How steeply a feedback article's weight falls with its score below the best one's
#: (``closeness``).  Feedback's MAP change against none on the seven collections of
#: bench/ranking.py (NPL CRAN CISI MED LISA ADI Reuters; development figures, K1 0.9 / B 0.4):
#:   articles by their plain score, words by RM3 alone (before): +1.7 +7.5 +0.8 +8.9 -4.5 -0.2 +2.4%
#:   SHARPNESS 5, words by specificity too:                    +1.7 +7.5 +3.1 +8.6 -0.3 +0.2 +1.5%
#:   SHARPNESS 10:                                             +1.8 +6.7 +4.0 +7.0 -0.4 +0.1 +2.5%
#:   SHARPNESS 20:                                             +1.4 +6.2 +3.1 +6.1 +0.9 +0.1 +2.6%
#:   SHARPNESS 10, MAX_EXPANSION 0.3:                          +0.8 +3.9 +3.1 +5.3 +0.7 +0.2 +1.7%
#: 10 has the best mean of those within the 1% the issue allows; its worst, LISA -0.4%, is
#: two long questions of 35 that few articles answer.  Under other BM25 settings the worst
#: moves (K1 1.2 / B 0.3: ADI -0.6%; K1 1.2 / B 0.6, title 0.5: LISA -1.7%, where 20 stays
#: above 0): the margin is thin on collections of 35 questions, and 20 is the safer next step
#: if a held-out collection says feedback still costs.
SHARPNESS = 10.0
#: Added to each typed word's co-occurrence share before they are multiplied.
CO_OCCURRENCE_FLOOR = 0.1
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


def relevance_model(searcher, top: list[tuple[float, int]], typed: Sequence[str] = ()) -> dict[str, float]:
    """The words of the ``top`` (score, docnum) articles worth adding to a query whose
    terms are ``typed``, with weights summing to their share of the final score.

    RM3's weights (each article's words by their share of its words times the
    article's weight), with three guards against drifting to another sense of
    a typed word:

    * an article counts by its score's ``closeness`` to the best one's times
      the share of the query (by idf) it holds: one about a plane crash
      holds "crash" of "stock market crash", not the rest, and teaches little;
    * a word counts by its ``specificity`` to the articles, so words every
      article uses are not added;
    * a word counts by how often it comes with every typed word
      (``co_occurrence``, after Xu and Croft's local context analysis): a word
      found only beside "crash" is not about the stock market;
    * a word must be in ``MIN_FEEDBACK_DOCS`` of the articles, or it is one
      article's, not the topic's.

    The share is ``expansion_share`` of the text learnt from times how much
    the articles agree (``agreement``).
    """
    reader = searcher.reader()
    idf = {term: _idf(searcher, term) for term in dict.fromkeys(typed)}
    idf_total = sum(idf.values())
    relevance: dict[str, float] = {}
    holding: dict[str, list[int]] = {}  # word -> the feedback articles (numbers in ``articles``) holding it
    articles: list[tuple[float, frozenset[str]]] = []  # each article's weight and the typed terms it holds
    evidence = 0
    best = top[0][0] if top and top[0][0] > 0 else 1.0
    for score, docnum in top:
        stored = searcher.stored_fields(docnum)
        counts: dict[str, int] = {}
        for name in _TEXT_FIELDS:
            for term, positions in index_terms(stored.get(name) or "")[0].items():
                counts[term] = counts.get(term, 0) + len(positions)
        length = sum(counts.values()) or 1
        evidence += length
        present = frozenset(term for term in idf if term in counts)
        weight = closeness(score, best) * (sum(idf[term] for term in present) / idf_total if idf_total else 1.0)
        number = len(articles)
        articles.append((weight, present))
        for term, count in counts.items():
            relevance[term] = relevance.get(term, 0.0) + weight * count / length
            found = holding.get(term)
            if found is None:
                holding[term] = [number]
            else:
                found.append(number)
    chosen = _best_words(reader, relevance, holding, articles, idf)
    total = sum(weight for _term, weight in chosen)
    if total <= 0:
        return {}
    agreed = agreement([len(holding[term]) for term, _weight in chosen], [w for _t, w in chosen], len(top))
    share = expansion_share(evidence) * agreed
    return {term: share * weight / total for term, weight in chosen}


def _best_words(
    reader,
    relevance: dict[str, float],
    holding: dict[str, list[int]],
    articles: list[tuple[float, frozenset[str]]],
    idf: dict[str, float],
) -> list[tuple[str, float]]:
    """The ``FEEDBACK_TERMS`` words of highest relevance x ``specificity`` x ``co_occurrence``,
    best first, among those ``MIN_FEEDBACK_DOCS`` of the articles hold (few: the rest of the
    articles' words are never looked up)."""
    ceiling = MAX_SHARE * reader.doc_count_all()
    needed = min(MIN_FEEDBACK_DOCS, len(articles))
    function_words = function_word_terms()
    learnt = sum(relevance.values())
    tokens = sum(reader.field_length(name) for name in _TEXT_FIELDS)
    best: list[tuple[float, str]] = []  # a min-heap of the best FEEDBACK_TERMS (weight, word)
    for term, weight in relevance.items():
        held = holding[term]
        if len(held) < needed or term in idf or term in function_words or len(term) < 2 or term.isdigit():
            continue
        support = sum(articles[number][0] for number in held)
        if support <= 0 or weight <= 0 or max(reader.doc_frequency(f, term) for f in _TEXT_FIELDS) > ceiling:
            continue
        found = sum(reader.frequency(f, term) for f in _TEXT_FIELDS)
        beside = {typed: sum(articles[n][0] for n in held if typed in articles[n][1]) for typed in idf}
        scored = (weight * specificity(weight / learnt, found / tokens) * co_occurrence(idf, support, beside), term)
        if len(best) < FEEDBACK_TERMS:
            heappush(best, scored)
        elif scored > best[0]:
            heapreplace(best, scored)
    return [(term, weight) for weight, term in sorted(best, reverse=True) if weight > 0]


def specificity(learnt: float, archive: float) -> float:
    """How much more a word is the feedback articles' than the archive's: log(p(word | the
    articles) / p(word | the archive)), 0 when it is no more theirs (Carpineto and others'
    KL-divergence expansion, 2001).  RM3 alone ranks words by how often the articles use them,
    which brings in words every article uses ("year", "differ", "role"); these reorder the
    ranking by how long an article is, not by what it is about."""
    if learnt <= 0 or archive <= 0:
        return 0.0
    return max(0.0, math.log(learnt / archive))


def closeness(score: float, best: float) -> float:
    """What a feedback article's first score makes it count for, against the best article's:
    exp(``SHARPNESS`` x (score / best - 1)): 1 for the best, 0.37 at 90% of its score, 0.14
    at 80%, 0.02 at 60%.  When the best articles stand far above the rest -- a question a few articles
    answer -- the weaker matches below them teach little; when the first ten score alike,
    the topic has many articles and all of them teach.  (RM3's own weight, the article's
    likelihood, is as steep; a BM25 score used as it is would make the tenth article count
    for 60-80% of the first whatever its score gap.)"""
    return math.exp(SHARPNESS * (score / best - 1)) if best > 0 else 1.0


def co_occurrence(idf: dict[str, float], support: float, beside: dict[str, float]) -> float:
    """How much a word comes with all the typed terms: over the feedback articles holding
    it (their weight ``support``), the share of that weight that also holds each typed
    term (``beside``), plus ``CO_OCCURRENCE_FLOOR`` (a typed word no article holds does not
    zero every word), multiplied over the typed terms with their idf as exponents
    (normalised: a geometric mean), as local context analysis does."""
    total = sum(idf.values())
    if not total:
        return 1.0
    product = 1.0
    for typed, weight in idf.items():
        product *= (CO_OCCURRENCE_FLOOR + beside.get(typed, 0.0) / support) ** (weight / total)
    return product


def agreement(holders: Sequence[int], weights: Sequence[float], articles: int) -> float:
    """How much the feedback articles agree on the words chosen: the weighted share of the
    articles holding each.  Articles about one topic share its words (a high share); a
    first ranking of scattered matches -- few articles about the question, or a question
    the archive does not answer -- shares few, and its words get proportionally less."""
    total = sum(weights)
    if not total or not articles:
        return 0.0
    return sum(h * w for h, w in zip(holders, weights, strict=True)) / (total * articles)


def _idf(searcher, term: str) -> float:
    """The query term's BM25 idf in the body field (the larger field, and never zero)."""
    parent = searcher.get_parent()
    frequency = parent.doc_frequency("body", term)
    return math.log(1 + (parent.doc_count_all() - frequency + 0.5) / (frequency + 0.5))


def expansion_share(evidence: int) -> float:
    """The share of the score for words learnt from ``evidence`` words of feedback text."""
    return MAX_EXPANSION * min(1.0, evidence / EVIDENCE_WORDS)


def distinct_stories(searcher, ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The first ``FEEDBACK_DOCS`` of ``ranked`` (score, docnum) that are distinct stories: of
    several articles under one headline, only the best-ranked.

    RM3 takes its feedback articles as independent samples of what is relevant.  A wire
    story filed again with a correction or an update keeps its headline, and each copy
    would count its words once more: on the 1987 Reuters archive three versions of
    "European markets react quietly to G-7 communique" (not near-duplicates: their texts
    differ) were three of the ten feedback articles for "how did the stock market react to
    the crash in october", and their words ("communique", "dollar", "G-7") lifted that
    April story above the October ones.  Articles without a title are each their own story.
    """
    seen: set[str] = set()
    chosen: list[tuple[float, int]] = []
    for score, docnum in ranked:
        headline = " ".join((searcher.stored_fields(docnum).get("title") or "").lower().split())
        if headline and headline in seen:
            continue
        seen.add(headline)
        chosen.append((score, docnum))
        if len(chosen) == FEEDBACK_DOCS:
            break
    return chosen


def scores_at(searcher, fieldname: str, term: str, docnums: list[int]) -> dict[int, float]:
    """``term``'s score in ``fieldname`` (Whoosh's own scorer) at each of ``docnums`` (sorted)
    whose article holds it: from the posting arrays (``counting.term_scores_at``), else by
    walking the postings to those articles alone.  For re-ranking a few hundred articles
    (here and ``coordination``)."""
    if not searcher.doc_frequency(fieldname, term):
        return {}
    found = term_scores_at(searcher, fieldname, term, docnums)
    if found is not None:  # the same scores, without a block decompressed per article
        return found
    found = {}
    postings = searcher.postings(fieldname, term)
    if not postings.is_active():  # its frequency counts deleted articles its postings skip
        return found
    scorer = searcher.weighting.scorer(searcher, fieldname, term)
    current = postings.id()
    for docnum in docnums:
        if docnum < current:  # most re-scored articles lack a given word
            continue
        if docnum > current:
            postings.skip_to(docnum)
            if not postings.is_active():
                break
            current = postings.id()
            if current != docnum:
                continue
        found[docnum] = scorer.score(postings)
    return found


def rescored(searcher, parsed: query.Query, ranked: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The first ``RERANK_DEPTH`` of ``ranked`` (score, docnum), best first, scored
    again with the relevance model of its best ``FEEDBACK_DOCS`` distinct stories; the rest
    as they were.

    A new score is the typed words' share (1 - the added words' weights)
    times the first score per typed word, plus each added word's BM25F score
    (Whoosh's own scorer, postings read only at the articles re-scored) times
    its weight: what the query ``typed words x share / n + added words x
    weight`` would score.
    """
    head, tail = ranked[:RERANK_DEPTH], ranked[RERANK_DEPTH:]
    terms = [text for fieldname, text in parsed.iter_all_terms() if fieldname == "body"]
    typed = len(terms)
    added = relevance_model(searcher, distinct_stories(searcher, head), terms) if typed else {}
    if not added:
        return ranked
    kept = 1 - sum(added.values())
    scores = {docnum: score * kept / typed for score, docnum in head}
    order = sorted(scores)
    for term, weight in added.items():
        for fieldname in _TEXT_FIELDS:
            for docnum, score in scores_at(searcher, fieldname, term, order).items():
                scores[docnum] += weight * score
    head = sorted(((score, docnum) for docnum, score in scores.items()), key=lambda item: (-item[0], item[1]))
    # The rest score as if no added word were in them: in their order, and below
    # every re-scored article (whose first scores were higher).
    return head + [(score * kept / typed, docnum) for score, docnum in tail]
