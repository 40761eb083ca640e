"""Ranking: what a ranked "any word" query keeps of its words, and how it orders hits."""

import itertools

import pytest

from newsindex.engine.whoosh.parsing import parse_query
from newsindex.engine.whoosh.store import make_schema
from newsindex.index import build_index
from newsindex.query import SearchOptions, search

from .conftest import index_articles

SCHEMA = make_schema()


def words_of(text, match="any"):
    """The (field, term) pairs a query searches for."""
    return sorted(set(parse_query(text, SCHEMA, match).iter_all_terms()))


def terms_of(text, match="any"):
    return sorted({term for _field, term in parse_query(text, SCHEMA, match).iter_all_terms()})


def test_an_any_query_leaves_out_its_function_words():
    assert terms_of("what is known about the effects of the strike on their ports") == [
        "effect",
        "known",
        "port",
        "strike",
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
    return index_articles(tmp_path_factory.mktemp("ranking"), ARTICLES)


def test_function_words_alone_bring_in_no_match(small_archive):
    result = search("what is there about harbour dredging", small_archive, SearchOptions(match="any"))
    assert [hit.title for hit in result.hits] == ["Harbour dredging starts", "Port fees rise"]
    assert result.total == 2
    # The same words as a phrase are looked for as typed.
    phrase = search('"what there is about"', small_archive, SearchOptions(match="any"))
    assert [hit.title for hit in phrase.hits] == ["What there is about the weather"]


# --- what a typed word counts for: repeats and hyphenated compounds ---------------------

WORDS_ARCHIVE = {
    "strike.txt": "Union news\n\nThe strike went on; the strike ballot was held; the port was quiet.",
    "port.txt": "Harbour news\n\nThe port grew; port fees rose at the port; a strike was averted.",
    "hyphen.txt": "Plant opens\n\nA petro-chemicals plant opened on the coast.",
    "open.txt": "Plant shuts\n\nA petro chemicals plant shut inland.",
    "closed.txt": "Exports rise\n\nPetrochemicals exports rose in May.",
    "other.txt": "Chemists meet\n\nChemists met to talk about chemicals and pay.",
}


@pytest.fixture(scope="module")
def words_archive(tmp_path_factory):
    return index_articles(tmp_path_factory.mktemp("words"), WORDS_ARCHIVE)


@pytest.mark.parametrize("match", ["any", "all"])
def test_a_word_typed_twice_counts_twice(words_archive, match):
    options = SearchOptions(match=match, feedback=False)
    assert search("strike port", words_archive, options).hits[0].title == "Harbour news"
    assert search("strike port strike", words_archive, options).hits[0].title == "Union news"
    assert search("port strike port", words_archive, options).hits[0].title == "Harbour news"


def test_repeats_weigh_only_plain_words():
    weights = {(f, t): b for f, t, b in _leaves("strike port strike")}
    assert weights[("body", "strike")] == weights[("title", "strike")] == 2.0
    assert weights[("body", "port")] == 1.0
    assert all(b == 1.0 for _f, _t, b in _leaves('"port strike" strike'))  # one typed outside the phrase
    assert all(b == 1.0 for _f, _t, b in _leaves("title:strike strike"))


def _leaves(text, match="any"):
    from whoosh import query

    return [
        (leaf.fieldname, leaf.text, leaf.boost)
        for leaf in parse_query(text, SCHEMA, match).leaves()
        if type(leaf) is query.Term
    ]


@pytest.mark.parametrize("match", ["any", "all"])
def test_a_hyphenated_word_finds_every_spelling_of_it(words_archive, match):
    found = {hit.title for hit in search("petro-chemicals", words_archive, SearchOptions(match=match)).hits}
    assert {"Plant opens", "Plant shuts", "Exports rise"} <= found
    if match == "all":
        assert "Chemists meet" not in found  # "chemicals" alone is not the compound


def test_a_hyphenated_word_in_a_phrase_is_looked_for_as_typed(words_archive):
    found = [hit.title for hit in search('"petro-chemicals plant"', words_archive, SearchOptions(match="any")).hits]
    assert found == ["Plant opens"]


# --- pseudo-relevance feedback (RM3, --match any) --------------------------------------

FILLER_WORDS = [
    "council",
    "budget",
    "school",
    "teachers",
    "election",
    "vote",
    "minister",
    "railway",
    "station",
    "football",
    "league",
    "museum",
    "painting",
    "hospital",
    "nurses",
    "bridge",
    "traffic",
    "police",
    "court",
    "judge",
    "festival",
    "music",
    "theatre",
    "river",
    "flood",
    "bank",
    "loan",
    "market",
    "shares",
    "factory",
    "workers",
    "union",
    "airport",
    "flight",
    "weather",
    "storm",
    "library",
    "books",
]


def write_coffee_archive(news, repeat: int = 1) -> None:
    """Five reports of a frost hitting Brazil's coffee harvest, a short office-coffee
    story, a longer frost report, each saying "coffee" once, and 90 others.  ``repeat``
    makes the frost reports that many times longer (more feedback text)."""
    import random

    news.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    for number in range(90):
        words = " ".join(rng.choice(FILLER_WORDS) for _ in range(40))
        (news / f"filler{number:02d}.txt").write_text(f"Report {number}\n\n{words.capitalize()}.\n")
    for number in range(5):
        body = " ".join(
            ["A severe frost in Brazil damaged coffee trees and the coffee harvest;"]
            + ["growers in Minas Gerais said frost losses would cut the harvest by a fifth;"] * repeat
        )
        (news / f"frost{number}.txt").write_text(f"Frost report {number}\n\n{body} ({number}).\n")
    (news / "office.txt").write_text("Office kitchen\n\nThe office kitchen has a new coffee machine.\n")
    (news / "growers.txt").write_text(
        "Growers count losses\n\nGrowers in Minas Gerais, Brazil, counted frost losses across the harvest, "
        "from beans to coffee, after a second night of frost damaged trees.\n"
    )


@pytest.fixture(scope="module")
def coffee_archive(tmp_path_factory):
    # Frost reports of a few sentences: one-sentence reports are too little text for
    # feedback to reorder anything (``expansion_share``).
    root = tmp_path_factory.mktemp("coffee")
    write_coffee_archive(root / "news", repeat=3)
    build_index([str(root / "news")], root / "index", workers=1)
    return root / "index"


def test_feedback_reranks_by_the_words_of_the_best_articles(coffee_archive):
    plain = search("coffee", coffee_archive, SearchOptions(match="any", feedback=False, limit=20))
    fed = search("coffee", coffee_archive, SearchOptions(match="any", limit=20))
    order = [hit.title for hit in plain.hits]
    assert order.index("Office kitchen") < order.index("Growers count losses")
    order = [hit.title for hit in fed.hits]
    assert order.index("Growers count losses") < order.index("Office kitchen")
    # Re-ranking only: the same articles match, and the same words are highlighted.
    assert fed.total == plain.total == 7
    assert {hit.title for hit in fed.hits} == {hit.title for hit in plain.hits}
    assert all(hit.snippet[s:e].lower() == "coffee" for hit in fed.hits for s, e in hit.highlights)


def test_feedback_pages_follow_one_order(coffee_archive):
    whole = search("coffee harvest", coffee_archive, SearchOptions(match="any", limit=6, duplicates=True))
    first = search("coffee harvest", coffee_archive, SearchOptions(match="any", limit=3, duplicates=True))
    second = search("coffee harvest", coffee_archive, SearchOptions(match="any", limit=3, page=2, duplicates=True))
    assert [h.id for h in first.hits + second.hits] == [h.id for h in whole.hits]


def test_feedback_only_for_a_plain_ranked_or_of_words():
    from newsindex.engine.whoosh.feedback import expandable

    assert expandable(parse_query("coffee frost brazil", SCHEMA, "any"))
    assert not expandable(parse_query('"coffee frost" brazil', SCHEMA, "any"))
    assert not expandable(parse_query("coffee source:reuters", SCHEMA, "any"))
    assert not expandable(parse_query("coffee frost", SCHEMA, "all"))


def test_added_words_count_as_much_as_the_text_they_were_learnt_from():
    from newsindex.engine.whoosh.feedback import EVIDENCE_WORDS, MAX_EXPANSION, expansion_share

    lengths = [0, 1, 100, EVIDENCE_WORDS // 2, EVIDENCE_WORDS - 1, EVIDENCE_WORDS, 10 * EVIDENCE_WORDS]
    shares = [expansion_share(words) for words in lengths]
    assert shares[0] == 0  # no feedback text: nothing added
    below = shares[: lengths.index(EVIDENCE_WORDS)]
    assert all(a < b for a, b in itertools.pairwise(below))  # more text, more share
    assert shares[-2] == shares[-1] == MAX_EXPANSION  # long stories: never more than the cap


def _added_share(index_dir) -> float:
    """The total weight of the words feedback adds to "coffee" in ``index_dir``."""
    from newsindex.engine.whoosh.feedback import relevance_model
    from newsindex.engine.whoosh.store import open_index
    from newsindex.engine.whoosh.weighting import WEIGHTING

    with open_index(index_dir).searcher(weighting=WEIGHTING) as searcher:
        ranked = searcher.search(parse_query("coffee", SCHEMA, "any"), limit=10)
        return sum(relevance_model(searcher, [(hit.score, hit.docnum) for hit in ranked]).values())


def test_the_added_words_share_grows_with_the_feedback_articles_length(coffee_archive, tmp_path):
    from newsindex.engine.whoosh.feedback import MAX_EXPANSION

    write_coffee_archive(tmp_path / "news", repeat=20)  # the same stories, far longer frost reports
    build_index([str(tmp_path / "news")], tmp_path / "index", workers=1)
    short, long = _added_share(coffee_archive), _added_share(tmp_path / "index")
    assert 0 < short < long
    # Thousands of words of feedback text: the full share, times how much the articles agree
    # on the words (``agreement``), which only ever scales it down.
    assert long <= MAX_EXPANSION


def test_words_the_feedback_articles_share_earn_more_than_scattered_ones():
    from newsindex.engine.whoosh.feedback import agreement

    assert agreement([10, 10], [1.0, 1.0], 10) == pytest.approx(1.0)
    assert agreement([2, 2], [1.0, 1.0], 10) == pytest.approx(0.2)
    # Weighted by the words' weights: the heavier word's spread counts more.
    assert agreement([8, 2], [3.0, 1.0], 10) == pytest.approx((8 * 3 + 2) / 40)
    assert agreement([], [], 10) == 0.0


def test_feedback_articles_count_less_the_further_they_score_below_the_best():
    from newsindex.engine.whoosh.feedback import closeness

    assert closeness(8.0, 8.0) == pytest.approx(1.0)
    weights = [closeness(score, 10.0) for score in (10.0, 9.0, 8.0, 6.0, 3.0)]
    assert all(a > b for a, b in itertools.pairwise(weights))
    # Scale-free: a long question's scores (ten times larger) give the same weights.
    assert closeness(80.0, 100.0) == pytest.approx(closeness(8.0, 10.0))
    assert closeness(6.0, 10.0) < 0.2  # an article at 60% of the best teaches little


def test_feedback_prefers_the_articles_own_words_to_words_every_article_uses():
    from newsindex.engine.whoosh.feedback import specificity

    # As common in the feedback articles as in the whole archive: nothing to learn.
    assert specificity(0.01, 0.01) == 0.0
    assert specificity(0.001, 0.01) == 0.0
    # Ten times more common in them than in the archive beats twice as common,
    # even when the twice-as-common word is used more in absolute terms.
    assert 0.01 * specificity(0.01, 0.001) > 0.02 * specificity(0.02, 0.01)


def test_feedback_learns_from_a_story_filed_again_once(tmp_path):
    from newsindex.engine.whoosh import feedback
    from newsindex.engine.whoosh.parsing import parse_query
    from newsindex.engine.whoosh.store import open_index
    from newsindex.engine.whoosh.weighting import WEIGHTING

    news = tmp_path / "news"
    news.mkdir()
    for version in range(3):  # one headline, three texts: not near-duplicates
        extra = " Dealers said so again." * version
        (news / f"g7-{version}.txt").write_text(
            f"Markets react quietly to communique\n\nCurrency markets reacted quietly to the communique.{extra}\n"
        )
    for number in range(4):
        (news / f"crash-{number}.txt").write_text(
            f"Stock market crash {number}\n\nThe stock market crash wiped out gains, brokers said ({number}).\n"
        )
    build_index([str(news)], tmp_path / "index", workers=1)
    with open_index(tmp_path / "index").searcher(weighting=WEIGHTING) as searcher:
        parsed = parse_query("how did markets react to the crash", searcher.schema, "any")
        ranked = [(hit.score, hit.docnum) for hit in searcher.search(parsed, limit=10)]
        chosen = feedback.distinct_stories(searcher, ranked)
        titles = [searcher.stored_fields(docnum)["title"] for _score, docnum in chosen]
    assert len(ranked) == 7
    assert titles.count("Markets react quietly to communique") == 1
    assert len(titles) == 5 and len(set(titles)) == 5


@pytest.fixture(scope="module")
def markets_archive(tmp_path_factory):
    """A story that repeats one rare word of a question ("react") in its headline and text,
    beside stories about the whole question (stock market, crash, October)."""
    import random

    rng = random.Random(11)
    articles = {
        f"filler{number:02d}.txt": f"Report {number}\n\n"
        + " ".join(rng.choice(FILLER_WORDS) for _ in range(40)).capitalize()
        + " The market was quiet."
        + (" Shares in the stock fell in October." if number % 2 == 0 else "")
        + (" A car crash closed the road." if number % 3 == 0 else "")
        + "\n"
        for number in range(60)
    }
    articles["summit.txt"] = (
        "Markets react quietly to summit communique\n\n"
        "Currency markets react quietly to the summit. Dealers said traders would react later "
        "and bond markets would react to the communique next week.\n"
    )
    details = ["Dealers in London sold shares all day.", "In Tokyo brokers took calls all night."]
    for number, detail in enumerate(details):
        articles[f"crash{number}.txt"] = (
            f"Investors count their losses ({number})\n\n"
            f"The stock market crash in October wiped out a year of gains. {detail}\n"
        )
    return index_articles(tmp_path_factory.mktemp("markets"), articles)


def test_an_any_query_ranks_the_articles_holding_more_of_it_first(markets_archive, monkeypatch):
    question = "how did the stock market react to the crash in october"
    options = SearchOptions(match="any", feedback=False, limit=3, duplicates=True)
    monkeypatch.setattr("newsindex.engine.whoosh.coordination.STRENGTH", 0.0)
    plain = search(question, markets_archive, options)
    assert plain.hits[0].title.startswith("Markets react")  # BM25 alone: a rare word three times outscores the rest
    monkeypatch.undo()
    coordinated = search(question, markets_archive, options)
    assert [hit.title.startswith("Investors count") for hit in coordinated.hits[:2]] == [True, True]
    assert coordinated.total == plain.total  # a reordering: the same articles match


def test_re_ranking_reads_the_posting_arrays_and_scores_as_the_matchers_do(tmp_path, monkeypatch):
    """Coordination and feedback read the added and typed words' scores at the re-ranked
    articles from the posting arrays; walking Whoosh's matchers instead gives the same
    ranking and the same scores to the last bit."""
    import random

    from newsindex.engine.whoosh import counting, feedback

    rng = random.Random(3)
    articles = {
        f"story{number:03d}.txt": f"Report {number}\n\n"
        + " ".join(rng.choice(FILLER_WORDS) for _ in range(60)).capitalize()
        + ".\n"
        for number in range(120)
    }
    index_dir = index_articles(tmp_path, articles)
    question = " ".join(FILLER_WORDS[:4])
    read_from_arrays = []
    real = counting.term_scores_at

    def spying(*args):
        found = real(*args)
        read_from_arrays.append(found is not None)
        return found

    monkeypatch.setattr(feedback, "term_scores_at", spying)  # coordination reads through feedback.scores_at
    options = SearchOptions(match="any", limit=50, duplicates=True)
    from_arrays = [(hit.id, hit.score) for hit in search(question, index_dir, options).hits]
    assert read_from_arrays and all(read_from_arrays)  # every list long enough to have arrays
    monkeypatch.setattr(feedback, "term_scores_at", lambda *args: None)
    from_matchers = [(hit.id, hit.score) for hit in search(question, index_dir, options).hits]
    assert from_arrays == from_matchers


def test_coordination_counts_a_hyphenated_word_once_in_whichever_spelling(tmp_path):
    """ "covid-19" is looked up as its parts and closed up ("covid19"); an article spelling it
    either way holds the word, so coordination gives both the same share of the question
    (counting the spellings as three words gave the rare "covid19" the larger share)."""
    from newsindex.engine.whoosh.coordination import QuestionWord, coordinated, question_words
    from newsindex.engine.whoosh.store import open_index
    from newsindex.engine.whoosh.weighting import WEIGHTING

    articles = {
        f"other{number:02d}.txt": f"Report {number}\n\nCovid cases rose by 19 in the city.\n" for number in range(30)
    }
    articles["parts.txt"] = "Trial begins\n\nThe covid-19 vaccine trial begins today in the city.\n"
    articles["closed.txt"] = "Trial starts\n\nThe covid19 vaccine trial starts today in the city.\n"
    articles["neither.txt"] = "Trial opens\n\nThe vaccine trial opens today in the city.\n"
    index_dir = index_articles(tmp_path, articles)
    words = question_words(parse_query("covid-19 vaccine", make_schema(), "any"))
    assert words == [QuestionWord(("vaccin",)), QuestionWord(("covid", "19"), closed="covid19")]
    with open_index(index_dir).searcher(weighting=WEIGHTING) as searcher:
        docnum = {searcher.stored_fields(n)["title"]: n for n in searcher.reader().all_doc_ids()}
        ranked = [(1.0, docnum["Trial begins"]), (1.0, docnum["Trial starts"]), (1.0, docnum["Trial opens"])]
        shares = {score_docnum[1]: score_docnum[0] for score_docnum in coordinated(searcher, words, ranked)}
    assert shares[docnum["Trial begins"]] == pytest.approx(shares[docnum["Trial starts"]])
    assert shares[docnum["Trial begins"]] == pytest.approx(1.0)
    assert shares[docnum["Trial opens"]] < 1.0  # without the word it holds only "vaccine"'s share
