"""Ranking: what a ranked "any word" query keeps of its words, and how it orders hits."""

import pytest

from newsindex.index import build_index, make_schema
from newsindex.search import SearchOptions, parse_query, search

SCHEMA = make_schema()


def words_of(text, match="any"):
    """The (field, term) pairs a query searches for."""
    return sorted(set(parse_query(text, SCHEMA, match).iter_all_terms()))


def terms_of(text, match="any"):
    return sorted({term for _field, term in parse_query(text, SCHEMA, match).iter_all_terms()})


def test_an_any_query_leaves_out_its_function_words():
    assert terms_of("what is known about the effects of the strike on their ports") == [
        "effect", "known", "port", "strike"
    ]


def test_function_words_stay_in_all_queries_and_phrases():
    assert "what" in terms_of("what about the strike", match="all")
    assert "about" in terms_of("what about the strike", match="all")
    phrase = parse_query('"what about" strike', SCHEMA, "any")
    assert "about" in {term for _field, term in phrase.iter_all_terms()}


def test_a_query_of_only_function_words_keeps_them():
    assert terms_of("who was there") == ["there", "was", "who"]


def test_typed_fields_boosts_and_operators_keep_function_words():
    assert ("title", "what") in words_of("title:what strike")
    assert "what" in terms_of("what^2 strike")
    assert "what" in terms_of("+strike what")  # not a plain OR of words


def test_a_content_word_sharing_a_function_words_stem_stays():
    # "likely" stems to "like", a function word ("like a storm")
    assert terms_of("likely strike") == ["like", "strike"]
    assert terms_of("like the strike") == ["strike"]


ARTICLES = {
    "a.txt": "Harbour dredging starts\n\nDredging of the harbour channel starts next week, the port said.",
    "b.txt": "What there is about the weather\n\nWhat there is about it is that there is more of it than before.",
    "c.txt": "Rain again\n\nThere was more rain, which is what the farmers wanted, about time too.",
    "d.txt": "Port fees rise\n\nThe port raised its fees for ships calling at the harbour.",
}


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranking")
    for name, text in ARTICLES.items():
        (root / "news").mkdir(exist_ok=True)
        (root / "news" / name).write_text(text, encoding="utf-8")
    build_index([str(root / "news")], root / "index", workers=1)
    return root / "index"


def test_function_words_alone_bring_in_no_match(small_archive):
    result = search("what is there about harbour dredging", small_archive, SearchOptions(match="any"))
    assert [hit.title for hit in result.hits] == ["Harbour dredging starts", "Port fees rise"]
    assert result.total == 2
    # The same words as a phrase are looked for as typed.
    phrase = search('"what there is about"', small_archive, SearchOptions(match="any"))
    assert [hit.title for hit in phrase.hits] == ["What there is about the weather"]
