"""What a new user trips over when searching: browsing, unknown fields, respellings, pages, recency."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from whoosh import query

from newsindex.engine.whoosh.parsing import parse_query
from newsindex.index import build_index
from newsindex.query import SearchOptions, search

from .conftest import index_articles

ARTICLES = {
    "a/old.txt": "Published: 2020-01-01\nSource: Old Gazette\n\nHarbour fees rise\n\nThe harbour raised its fees.",
    "a/mid.txt": "Published: 2021-06-15\nSource: Mid Courier\n\nFerry timetable changes\n\nThe ferry sails later.",
    "a/new.txt": "Published: 2022-12-31\nSource: New Post\n\nPort reopens after storm\n\nThe port reopened today.",
    "a/undated.txt": "Source: New Post\n\nLighthouse keeper retires\n\nThe keeper retired after forty years.",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return index_articles(tmp_path_factory.mktemp("usability"), ARTICLES)


def _titles(result):
    return [hit.title for hit in result.hits]


# --- item 6: browsing the archive ---------------------------------------------------------


@pytest.mark.parametrize("text", ["*", "", "  ", "* *"])
def test_match_all_is_one_query_over_documents_not_a_wildcard_over_words(archive, text):
    """``*`` once expanded to every word of title and body (14.7 s on 20,841 articles)."""
    from newsindex.engine.whoosh.store import open_index

    parsed = parse_query(text, open_index(archive).schema)
    assert parsed == query.Every()


@pytest.mark.parametrize("text", ["*", ""])
def test_browsing_lists_every_article_newest_first_by_default(archive, text):
    result = search(text, archive, SearchOptions(limit=10))
    assert result.total == len(ARTICLES)
    assert _titles(result)[:3] == ["Port reopens after storm", "Ferry timetable changes", "Harbour fees rise"]
    oldest = search(text, archive, SearchOptions(sort="oldest"))
    assert _titles(oldest)[0] == "Harbour fees rise"
    since = datetime(2021, 1, 1, tzinfo=timezone.utc)
    dated = search(text, archive, SearchOptions(sort="newest", since=since))
    assert _titles(dated) == ["Port reopens after storm", "Ferry timetable changes"]


def test_browsing_with_exclusions_and_fields(archive):
    assert _titles(search("* -ferry", archive, SearchOptions(sort="oldest"))) == [
        "Harbour fees rise",
        "Port reopens after storm",
        "Lighthouse keeper retires",
    ]
    assert search("source:post *", archive).total == 2
    since = datetime(2021, 1, 1, tzinfo=timezone.utc)
    for text in ("* -ferry", "NOT ferry", "-ferry"):
        assert _titles(search(text, archive, SearchOptions(since=since))) == ["Port reopens after storm"]


# --- item 7: unknown fields ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["autor:sherer", "foo:bar", "port AND (headline:storm OR ferry)"])
def test_an_unknown_field_is_an_error_naming_the_fields_there_are(archive, text):
    from newsindex.query import QueryError

    with pytest.raises(QueryError) as caught:
        search(text, archive)
    message = str(caught.value)
    name = text.split(":")[0].split("(")[-1]
    assert f"unknown field {name!r}" in message
    for field in ("title", "author", "source", "section", "date"):
        assert f"{field}:" in message
    assert "food" not in message


@pytest.mark.parametrize("text", ['"autor:sherer"', "title:port", "author:x OR by:y", "outlet:post", "date:2022"])
def test_known_fields_and_quoted_colons_are_not_errors(archive, text):
    search(text, archive)


# --- item 8: did-you-mean when a misspelling exists somewhere -----------------------------


@pytest.fixture(scope="module")
def typo_archive(tmp_path_factory):
    """Thirty articles spell the words right; one misspells them."""
    root = tmp_path_factory.mktemp("typos")
    for number in range(30):
        text = (
            f"Published: 2021-01-{number % 28 + 1:02d}\n\nBudget talks, part {number}\n\n"
            f"The government and the Bundesbank met over the budget, round {number}."
        )
        (root / f"right-{number}.txt").write_text(text, encoding="utf-8")
    (root / "typo.txt").write_text(
        "Published: 2021-02-01\n\nA slip\n\nThe goverment asked the Bundesbnak about the lighthouse.",
        encoding="utf-8",
    )
    build_index([str(root)], root / "index", workers=1)
    return root / "index"


@pytest.mark.parametrize(("typed", "meant"), [("goverment", "government"), ("bundesbnak", "bundesbank")])
def test_a_rare_spelling_gets_the_much_commoner_one_suggested(typo_archive, typed, meant):
    result = search(typed, typo_archive)
    assert result.total == 1
    assert result.suggestion == meant


def test_a_rare_word_without_a_commoner_neighbour_is_left_alone(typo_archive):
    result = search("lighthouse", typo_archive)
    assert result.total == 1 and result.suggestion is None
    assert search("government", typo_archive).suggestion is None


# --- item 10: --recency is a half-life ----------------------------------------------------


def test_recency_halves_the_score_every_half_life():
    from newsindex.engine.whoosh.results import _Candidate, _recency_rerank

    newest = datetime(2022, 12, 31)
    days = [0, 30, 60, 90]
    candidates = [
        _Candidate(docnum, 8.0, {"published": newest.replace(day=31) - timedelta(days=age)})
        for docnum, age in enumerate(days)
    ]
    candidates.append(_Candidate(9, 8.0, {}))  # undated
    scores = {c.docnum: c.score for c in _recency_rerank(candidates, 30.0)}
    assert [scores[n] for n in range(4)] == pytest.approx([8.0, 4.0, 2.0, 1.0])
    assert scores[9] < 1.0  # undated: as if very old


def test_recency_lets_a_newer_article_overtake_one_scoring_under_twice_as_much(archive):
    plain = search("port OR harbour OR ferry", archive, SearchOptions(match="any"))
    recent = search("port OR harbour OR ferry", archive, SearchOptions(match="any", recency_half_life=30))
    assert _titles(recent)[0] == "Port reopens after storm"
    assert sorted(_titles(plain)) == sorted(_titles(recent))


def test_excluded_words_and_phrases_keep_every_match_inside_a_date_window(archive):
    """The month terms narrowing a date window lost matches of queries Whoosh matches itself
    (``strike -football`` from 2021-01 to 2021-06 found 0 of 7 in the demo corpus)."""
    since, until = datetime(2021, 1, 1, tzinfo=timezone.utc), datetime(2023, 1, 1, tzinfo=timezone.utc)
    window = SearchOptions(since=since, until=until, sort="oldest")
    for text in ("(ferry OR port OR fees) -harbour", "(ferry OR port) NOT harbour", '"ferry sails" OR "port reopened"'):
        assert _titles(search(text, archive, window)) == ["Ferry timetable changes", "Port reopens after storm"], text
