"""The direct reader (engine/whoosh/direct) answers exactly as the Whoosh path does.

Random searches run through both paths: the same articles in the same order, the same
scores (to 1e-9, before rounding), the same totals and undated counts, the same hits
(snippets, highlights, near-duplicate counts).  The tables and settings the reader keeps
without Whoosh are held equal to Whoosh's own.  Each request the reader does not take is
checked to go to the Whoosh path, and a common search imports no Whoosh module but its stemmer.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsindex.engine.whoosh.direct import DirectUnsupported
from newsindex.engine.whoosh.direct import search as direct
from newsindex.engine.whoosh.direct.reader import open_generation
from newsindex.query.options import SearchOptions

from .conftest import REPO, shared_data

_WORD_RE = re.compile(r"[A-Za-z]{2,}|\d{2,4}")


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    from newsindex.index import build_index

    index_dir = tmp_path_factory.mktemp("direct") / "index"
    build_index([str(REPO / "corpus")], index_dir, workers=1)
    return index_dir


def _whoosh_search(text: str, index_dir: Path, options: SearchOptions):
    from newsindex.engine.whoosh.searching import search

    return search(text, index_dir, options)


def _whoosh_ranking(text: str, index_dir: Path, options: SearchOptions) -> tuple[list[tuple[int, float]], int, int]:
    """Every match the Whoosh path finds, in its order, with unrounded scores, the total and
    the undated count (``results._collect`` asked for all of them, nothing folded)."""
    from newsindex.engine.whoosh.filters import _month_clause, allowed_documents
    from newsindex.engine.whoosh.parsing import parse_query
    from newsindex.engine.whoosh.results import _collect, _Scope
    from newsindex.engine.whoosh.store import shared_generation
    from newsindex.engine.whoosh.weighting import WEIGHTING

    opened = shared_generation(index_dir, WEIGHTING)
    searcher = opened.searcher
    parsed = parse_query(text, searcher.schema, "all")
    allowed = allowed_documents(searcher, options)
    scope = _Scope(searcher, allowed, _month_clause(searcher, allowed), opened.near_duplicates())
    everything = replace(options, limit=searcher.doc_count_all() + 1, page=1, duplicates=True)
    page, total, undated = _collect(scope, parsed, everything)
    return [(candidate.docnum, candidate.score) for candidate in page], total, undated


def _direct_ranking(text: str, index_dir: Path, options: SearchOptions) -> tuple[list[tuple[int, float]], int, int]:
    generation = open_generation(index_dir)
    typed = [t for word in text.split() for t in direct._analyse_word(word)]
    repeats = {term: typed.count(term) for term in dict.fromkeys(typed)}
    window = direct._window(generation, options)
    ranked, total = direct._matches(generation, list(repeats), window, repeats)
    ranked.sort(key=lambda hit: (-hit[0], hit[1]))
    return [(docnum, score) for score, docnum in ranked], total, window.undated if window else 0


def _vocabulary(index_dir: Path) -> tuple[list[list[str]], list[str]]:
    """Each live article's words (title and body), and every word."""
    generation = open_generation(index_dir)
    articles = []
    deleted = {segment.offset + docnum for segment in generation.segments for docnum in segment.deleted}
    for docnum in range(generation.doc_count_all):
        if docnum in deleted:
            continue
        stored = generation.stored_fields(docnum)
        articles.append(_WORD_RE.findall(f"{stored.get('title', '')} {stored.get('body', '')}"))
    return articles, sorted({word for words in articles for word in words})


def _random_request(rng: random.Random, articles, vocabulary, matching: bool = False) -> tuple[str, SearchOptions]:
    shape = 0.0 if matching else rng.random()
    if shape < 0.6:  # words from one article: an AND that matches
        words = rng.sample(rng.choice(articles), k=rng.randint(1, 3))
    elif shape < 0.85:  # any words: often nothing matches (the Whoosh path's)
        words = rng.sample(vocabulary, k=rng.randint(1, 2))
    else:  # with case changes and common words
        words = [rng.choice(["the", "Oil", "PORT", "said", "market", "water", "2021"]), *rng.sample(vocabulary, k=1)]
    options = SearchOptions(
        limit=rng.choice([1, 3, 10]),
        page=rng.choice([1, 1, 1, 2]),
        duplicates=rng.random() < 0.2,
        suggest=rng.random() < 0.7,
    )
    if rng.random() < 0.4:
        start = datetime(rng.choice([2019, 2020, 2021, 2022, 1987]), rng.randint(1, 12), 1, tzinfo=timezone.utc)
        span = timedelta(days=rng.choice([31, 120, 400, 4000]))
        which = rng.random()
        since = start if which < 0.7 else None
        until = start + span if which > 0.3 else None
        if since and rng.random() < 0.3:
            since = since.astimezone(timezone(timedelta(hours=rng.choice([-5, 2, 9]))))
        options = replace(options, since=since, until=until)
    return " ".join(words), options


def _hits(result) -> list[dict]:
    return [vars(hit) for hit in result.hits]


def _same_result(text: str, index_dir: Path, options: SearchOptions) -> str:
    """Both paths on one request: 'direct' when the direct reader answered (and agreed)."""
    expected = _whoosh_search(text, index_dir, options)
    try:
        found = direct.search(text, index_dir, options)
    except DirectUnsupported as reason:
        if "nothing matched" in str(reason):
            assert expected.total == 0 or expected.relaxed, text  # no article holds every word
        else:
            assert any(why in str(reason) for why in ("no word", "not plain words", "long posting")), (text, reason)
        return "fallback"
    assert not expected.relaxed, text
    assert (found.total, found.undated_excluded, found.filters, found.suggestion) == (
        expected.total,
        expected.undated_excluded,
        expected.filters,
        expected.suggestion,
    ), text
    assert _hits(found) == _hits(expected), text
    ranked, total, undated = _direct_ranking(text, index_dir, options)
    whoosh_ranked, whoosh_total, whoosh_undated = _whoosh_ranking(text, index_dir, options)
    assert (total, undated) == (whoosh_total, whoosh_undated), text
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in whoosh_ranked], text
    for (_, score), (_, whoosh_score) in zip(ranked, whoosh_ranked, strict=True):
        assert score == pytest.approx(whoosh_score, rel=1e-9, abs=0), text
    return "direct"


def _run_random(index_dir: Path, count: int, seed: int, matching: bool = False) -> dict[str, int]:
    rng = random.Random(seed)
    articles, vocabulary = _vocabulary(index_dir)
    outcomes = {"direct": 0, "fallback": 0}
    for _ in range(count):
        text, options = _random_request(rng, articles, vocabulary, matching)
        outcomes[_same_result(text, index_dir, options)] += 1
    return outcomes


def test_random_searches_on_the_demo_corpus_agree_with_the_whoosh_path(demo_index):
    outcomes = _run_random(demo_index, 1000, seed=18)
    # The rest: no article holds every word (a quarter of the requests pick words at random).
    assert outcomes["direct"] > 600, outcomes


def test_a_generation_with_deleted_documents_reads_the_same(demo_index, tmp_path):
    from newsindex.engine.whoosh.store import INDEX_NAME, current_generation, open_index

    index_dir = tmp_path / "index"
    shutil.copytree(demo_index, index_dir)
    ix = open_index(index_dir)
    writer = ix.writer()
    for docnum in (0, 3, 7, 20):
        writer.delete_document(docnum)
    writer.commit(mergetype=lambda _writer, segments: segments)
    assert open_index(index_dir).doc_count() == open_index(index_dir).doc_count_all() - 4
    assert INDEX_NAME and current_generation(index_dir) is not None
    # Only words of one live article: a relaxed search (nothing holds every word) fails on the
    # Whoosh path itself when the index has deletions (feedback.rescored, IndexError; reported).
    outcomes = _run_random(index_dir, 300, seed=7, matching=True)
    assert outcomes["direct"] > 150, outcomes


def test_a_term_table_walked_field_by_field_holds_whoosh_s_lexicon(demo_index):
    from newsindex.engine.whoosh.direct.termtable import TermTable
    from newsindex.engine.whoosh.store import current_generation, open_index

    generation = current_generation(demo_index)
    with open_index(demo_index).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            table = TermTable(str(generation / leaf.segment().make_filename(".trm")))
            for fieldname in ("authors", "body", "id", "month", "short_id", "source", "title", "year"):
                walked = table.field_terms(fieldname)
                assert walked == list(leaf.lexicon(fieldname)), fieldname
            assert len(table.field_terms("body")) > 1000 and table.field_terms("no such field") == []
            table.close()


@pytest.mark.slow
def test_random_searches_on_a_reuters_index_of_several_segments_agree(tmp_path):
    from newsindex.index import build_index

    reuters = shared_data("reuters-txt")
    index_dir = tmp_path / "index"
    build_index([str(reuters / "00")], index_dir, workers=1)
    build_index([str(reuters / "00"), str(reuters / "01")], index_dir, workers=1)
    assert len(open_generation(index_dir).segments) > 1
    outcomes = _run_random(index_dir, 400, seed=21)
    assert outcomes["direct"] > 200, outcomes


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ('"port strike"', {}),  # a phrase
        ("strik*", {}),  # a wildcard
        ("port OR strike", {}),  # an operator
        ("title:port", {}),  # a field
        ("port -strike", {}),  # an excluded word
        ("date:2021 port", {}),  # a date clause
        ("port strike", {"match": "any"}),  # ranked any-query (feedback)
        ("port strike", {"sort": "newest"}),
        ("port strike", {"group_by": ("source",)}),
        ("port strike", {"recency_half_life": 30.0}),
        ("port strike", {"authors": ("Jane Doe",)}),
        ("port strike", {"sources": ("Harbour Ledger",)}),
        ("port strike", {"sections": ("Business",)}),
        ("*", {}),
        ("", {}),
    ],
)
def test_requests_the_direct_reader_does_not_take_go_to_the_whoosh_path(text, change):
    options = replace(SearchOptions(), **change)
    assert direct.plain_words(text, options) is None
    with pytest.raises(DirectUnsupported):
        direct.search(text, "/nonexistent", options)


def test_nothing_matched_goes_to_the_whoosh_path_and_rare_words_are_respelt_alike(demo_index):
    with pytest.raises(DirectUnsupported, match="nothing matched"):
        direct.search("liaison office", demo_index, SearchOptions())  # relaxed by the Whoosh path
    assert _whoosh_search("liaison office", demo_index, SearchOptions()).relaxed
    with pytest.raises(DirectUnsupported, match="nothing matched"):
        direct.search("zzzqqq", demo_index, SearchOptions())
    articles, _ = _vocabulary(demo_index)
    words = sorted({w.lower() for words in articles for w in words if w.isalpha() and len(w) > 4})
    words = random.Random(11).sample(words, 150)
    suggested = 0
    for word in words:  # each word, and a typo of it (two letters swapped)
        for typed in (word, word[0] + word[2] + word[1] + word[3:]):
            expected = _whoosh_search(typed, demo_index, SearchOptions())
            if expected.total == 0:
                continue
            found = direct.search(typed, demo_index, SearchOptions())
            assert (found.suggestion, found.total, _hits(found)) == (
                expected.suggestion,
                expected.total,
                _hits(expected),
            )
            suggested += found.suggestion is not None
    assert suggested >= 3


def test_long_posting_lists_go_to_the_whoosh_path(demo_index, monkeypatch):
    monkeypatch.setattr(direct, "MAX_POSTINGS", 5)
    monkeypatch.setattr(direct, "MAX_POSTINGS_LOADED", 5)
    with pytest.raises(DirectUnsupported, match="long posting lists"):
        direct.search("port strike", demo_index, SearchOptions())
    monkeypatch.setattr(direct, "MAX_POSTINGS", 10_000)
    monkeypatch.setattr(direct, "MAX_POSTINGS_LOADED", 10_000)
    assert direct.search("port strike", demo_index, SearchOptions()).total > 0


def test_a_process_with_whoosh_and_numpy_loaded_hands_over_shorter_lists(demo_index, monkeypatch):
    """Nothing left to import: the arrays path takes lists from MAX_POSTINGS_LOADED on."""
    import sys

    import numpy  # noqa: F401
    import whoosh.reading  # noqa: F401

    monkeypatch.setattr(direct, "MAX_POSTINGS", 10_000)
    monkeypatch.setattr(direct, "MAX_POSTINGS_LOADED", 5)
    with pytest.raises(DirectUnsupported, match="long posting lists"):
        direct.search("port strike", demo_index, SearchOptions())
    monkeypatch.delitem(sys.modules, "numpy")  # a one-off search process: numpy not imported
    assert direct.search("port strike", demo_index, SearchOptions()).total > 0


def test_edit_distance_equals_whooshs():
    from whoosh.support.levenshtein import distance

    from newsindex.engine.whoosh.respelling import edit_distance

    rng = random.Random(5)
    for _ in range(3000):
        first = "".join(rng.choice("abcde") for _ in range(rng.randint(0, 7)))
        second = "".join(rng.choice("abcde") for _ in range(rng.randint(0, 7)))
        assert edit_distance(first, second) == distance(first, second), (first, second)
        for limit in (1, 2):
            if edit_distance(first, second) <= limit:
                assert distance(first, second, limit=limit) == edit_distance(first, second)


def test_the_engine_answers_both_ways_alike(demo_index, monkeypatch):
    from newsindex.engine.whoosh.engine import WhooshEngine

    engine = WhooshEngine(demo_index)
    requests = [("port strike", SearchOptions()), ("liaison office", SearchOptions()), ('"port strike"', None)]
    for text, options in requests:
        monkeypatch.setenv("NEWSINDEX_DIRECT", "1")
        first = engine.search(text, options)
        monkeypatch.setenv("NEWSINDEX_DIRECT", "0")
        second = engine.search(text, options)
        assert (_hits(first), first.total, first.relaxed) == (_hits(second), second.total, second.relaxed)
    for handle in [first.hits[0].short_id, first.hits[0].id, first.hits[0].path, "nope"]:
        monkeypatch.setenv("NEWSINDEX_DIRECT", "1")
        shown = engine.article(handle)
        monkeypatch.setenv("NEWSINDEX_DIRECT", "0")
        assert shown == engine.article(handle)


def test_show_by_the_direct_reader_finds_what_whoosh_finds(demo_index):
    from newsindex.engine.whoosh.articles import find_by_short_id, stored_article
    from newsindex.engine.whoosh.direct.article import find_article

    generation = open_generation(demo_index)
    for docnum in range(generation.doc_count_all):
        stored = generation.stored_fields(docnum)
        path = stored_article(stored).path  # a file's one article stores no path: its id is its path
        for handle in (stored["short_id"], stored["id"], path):
            found = find_article(demo_index, handle)
            assert found is not None and found == stored_article(find_by_short_id(demo_index, handle))
    assert find_article(demo_index, "no-such-article") is None


def _whoosh_modules_after(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from newsindex.cli import main\n"
        f"sys.argv = ['newsindex', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code in (0, None), exit.code\n"
        "print('--- modules ---', *sys.modules, sep='\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.rpartition("--- modules ---")[2].split())
    assert "newsindex.engine.whoosh.direct.reader" in loaded  # the direct reader really answered
    return {name for name in loaded if name == "whoosh" or name.startswith("whoosh.")}


def test_a_common_search_and_show_import_no_whoosh_module(demo_index):
    for extra in ([], ["--since", "2020-01", "--until", "2022-12"], ["-n", "3", "--page", "2"], ["--duplicates"]):
        assert _whoosh_modules_after("search", "port strikes", "--index", str(demo_index), *extra) == set()
    short_id = direct.search("port strike", demo_index, SearchOptions()).hits[0].short_id
    assert _whoosh_modules_after("show", short_id, "--index", str(demo_index)) == set()


def test_kept_tables_equal_whooshs():
    from whoosh.analysis.filters import STOP_WORDS
    from whoosh.support.charset import accent_map
    from whoosh.util.numeric import byte_to_length

    from newsindex.engine.whoosh.direct.columns import LENGTH_OF_BYTE
    from newsindex.engine.whoosh.tokens import _STOP_WORDS, _accent_map

    assert _STOP_WORDS == STOP_WORDS
    assert _accent_map() == accent_map
    assert list(LENGTH_OF_BYTE) == [byte_to_length(n) for n in range(256)]


def test_column_times_and_query_terms_equal_whooshs(demo_index):
    from newsindex.engine.whoosh.store import make_schema

    schema = make_schema()
    rng = random.Random(3)
    for _ in range(300):
        moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 2_000_000_000))
        moment = moment.astimezone(timezone(timedelta(minutes=rng.choice([-300, 0, 60, 330]))))
        naive = moment.astimezone(timezone.utc).replace(tzinfo=None)
        assert direct._column_time(moment) == schema["published"].to_column_value(naive)
    _, vocabulary = _vocabulary(demo_index)
    for word in [*vocabulary, "The", "US", "Café", "naïve", "Straße", "2021", "x"]:
        expected = list(schema["body"].process_text(word, mode="query"))
        assert list(direct._analyse_word(word)) == expected, word


def test_a_word_typed_twice_counts_twice_both_ways(demo_index):
    # parsing._weighted_by_repeats (ranking, issue 16): the direct reader weighs repeats alike.
    articles, _words = _vocabulary(demo_index)
    words = next(words for words in articles if len(set(words)) > 3)
    first, second = sorted(set(words), key=words.index)[:2]
    assert _same_result(f"{first} {second} {first}", demo_index, SearchOptions(duplicates=True)) == "direct"
