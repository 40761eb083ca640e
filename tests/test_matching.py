"""The flat matchers against Whoosh's own unions and intersections, on real posting lists."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from whoosh import query

from newsindex.engine.whoosh.matching import AnyTermMatcher, AnyTermQuery, WordsQuery, flattened
from newsindex.engine.whoosh.parsing import parse_query
from newsindex.engine.whoosh.store import make_schema, open_index
from newsindex.engine.whoosh.weighting import WEIGHTING
from newsindex.index import build_index
from tests.conftest import REPO, shared_data

WORDS = ["council", "port", "strike", "water", "said", "police", "year", "city", "harbour", "budget", "nosuchword"]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    build_index([str(REPO / "corpus")], index_dir, workers=1)
    return index_dir


def _matches(searcher, q: query.Query) -> list[tuple[int, float]]:
    results = searcher.search(q, limit=None, optimize=False)
    return sorted((hit.docnum, hit.score) for hit in results)


def _assert_same(searcher, whoosh_query: query.Query) -> int:
    ours = flattened(whoosh_query)
    assert isinstance(ours, (WordsQuery, AnyTermQuery))
    expected, found = _matches(searcher, whoosh_query), _matches(searcher, ours)
    assert [docnum for docnum, _ in found] == [docnum for docnum, _ in expected]
    for (_, mine), (_, theirs) in zip(found, expected, strict=True):
        assert math.isclose(mine, theirs, rel_tol=1e-9)
    return len(expected)


def test_words_matcher_matches_and_scores_like_whoosh(corpus_index):
    ix = open_index(corpus_index)
    matched = 0
    with ix.searcher(weighting=WEIGHTING) as searcher:
        for size in (2, 3):
            for words in itertools.combinations(WORDS, size):
                matched += _assert_same(searcher, parse_query(" ".join(words), ix.schema, "all"))
    assert matched > 100  # the combinations do match something


def test_any_term_matcher_matches_and_scores_like_whoosh(corpus_index):
    ix = open_index(corpus_index)
    with ix.searcher(weighting=WEIGHTING) as searcher:
        for size in (2, 3, len(WORDS)):
            for words in itertools.combinations(WORDS, size):
                assert _assert_same(searcher, parse_query(" ".join(words), ix.schema, "any")) > 0


def test_any_term_matcher_skips_like_whoosh(corpus_index):
    ix = open_index(corpus_index)
    parsed = parse_query("council port strike water police", ix.schema, "any")
    with ix.searcher(weighting=WEIGHTING) as searcher:
        segment = searcher.leaf_searchers()[0][0]
        context = searcher.context()
        for step in (1, 2, 3, 5, 8):
            ours = AnyTermMatcher([term.matcher(segment, context) for term in parsed.subqueries])
            theirs = parsed.matcher(segment, context)
            target = 0
            while theirs.is_active():
                assert ours.is_active() and ours.id() == theirs.id()
                assert math.isclose(ours.score(), theirs.score(), rel_tol=1e-9)
                target = theirs.id() + step
                theirs.skip_to(target)
                ours.skip_to(target)
            assert not ours.is_active() and target > 0


def test_words_matcher_on_long_lists_in_several_segments(tmp_path):
    """Reuters, two runs (two segments) of about a thousand articles each: long
    posting lists, whole blocks skipped."""
    reuters = shared_data("reuters-txt")
    index_dir = tmp_path / "index"
    build_index([str(reuters / "00")], index_dir, workers=1)
    build_index([str(reuters / "00"), str(reuters / "01")], index_dir, workers=1)
    ix = open_index(index_dir)
    with ix.searcher(weighting=WEIGHTING) as searcher:
        assert len(searcher.reader().leaf_readers()) >= 2
        for text in ("oil prices", "said company", "canada decline rates", "loss profit year", "bank said"):
            for match in ("all", "any"):
                assert _assert_same(searcher, parse_query(text, ix.schema, match)) > 0


def test_only_ands_of_plain_words_are_flattened():
    schema = make_schema()
    words = parse_query("oil prices", schema, "all")
    nested = query.And([words, query.Or([query.Term("month", "1987-03"), query.Term("month", "undated")])])
    assert isinstance(flattened(nested), WordsQuery)
    assert len(flattened(nested).subqueries) == 3
    for text in ('"oil prices" rise', "oil -prices", "oil pri*", "oil^2 prices", "oil"):
        assert not isinstance(flattened(parse_query(text, schema, "all")), WordsQuery), text
    # A field-prefixed word is still a term.
    assert isinstance(flattened(parse_query("title:oil prices", schema, "all")), WordsQuery)
    assert isinstance(flattened(parse_query("oil prices", schema, "any")), AnyTermQuery)
    assert not isinstance(flattened(parse_query('oil "crude prices"', schema, "any")), AnyTermQuery)
