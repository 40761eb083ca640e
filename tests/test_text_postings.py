"""The segment builder's token stream for title and body (``text_postings``) gives every term's
list exactly as grouping ``index_terms`` by term and article does."""

from __future__ import annotations

import random

import pytest

from newsindex.engine.whoosh import text_postings, tokens
from newsindex.engine.whoosh.segment_format import INLINE_LIMIT, encode_positions
from newsindex.engine.whoosh.text_postings import TextPostings
from newsindex.engine.whoosh.tokens import index_terms, kept_term_numbers

WORDS = [
    "grain",
    "wheat",
    "exports",
    "rose",
    "U.S.",
    "U.S.-based",
    "state-run",
    "the-the",
    "a-b-c",
    "mid-2019",
    "COVID-19",
    "e-mail",
    "the",
    "of",
    "and",
    "café's",
    "Naïve",
    "Straße",
    "東京",
    "½",
    "1,000,000",
    "3.5%",
    "o'neill's",
    "rock’n’roll",
    "x--y",
    "--",
    "“quoted”",
]


def _expected(texts: list[str]) -> dict[bytes, tuple[list[int], list[int], list[bytes], list[int]]]:
    """term -> (articles, frequencies, encoded positions, every position), from ``index_terms``."""
    lists: dict[bytes, tuple[list, list, list, list]] = {}
    for docnum, text in enumerate(texts):
        for term, positions in index_terms(text)[0].items():
            docs, freqs, values, flat = lists.setdefault(term.encode("utf-8"), ([], [], [], []))
            docs.append(docnum)
            freqs.append(len(positions))
            values.append(encode_positions(positions))
            flat += positions
    return dict(sorted(lists.items()))


@pytest.mark.parametrize(
    ("at_once", "vocabulary"),  # lists made a slice of the postings at a time; terms ranked in 16 or 32 bits
    [(65536, 5000), (7, 5000), (1, 5000), (65536, 70_000)],
)
def test_sorted_lists_match_index_terms_grouped_by_term(monkeypatch, at_once, vocabulary):
    monkeypatch.setattr(text_postings, "_POSTINGS_AT_ONCE", at_once)
    rng = random.Random(5)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 80))) for _ in range(300)]
    many = [f"w{n}" for n in range(vocabulary)]
    texts.append(" ".join(["the"] * 3 + many + ["w4999", "grain", "w4999"]))  # positions past 4096
    texts.append(" ".join(reversed(many[: vocabulary // 2])))
    texts.append("the of and")  # stop words only: no tokens, length 0
    postings = TextPostings()
    lengths = [postings.add(docnum, kept_term_numbers(text)) for docnum, text in enumerate(texts)]
    assert lengths == [index_terms(text)[1] for text in texts]
    expected = _expected(texts)
    got = list(postings.sorted_lists())
    assert [term for term, *_rest in got] == list(expected)
    assert any(len(docs) > INLINE_LIMIT for _term, docs, *_rest in got)  # the arrays' positions are checked
    for term, docs, freqs, values, positions in got:
        want_docs, want_freqs, want_values, want_flat = expected[term]
        assert (docs, freqs) == (want_docs, want_freqs), term
        if len(docs) > INLINE_LIMIT:  # in blocks: the positions go to the arrays alone
            assert values is None
            assert positions[0] == want_freqs and list(positions[1]) == want_flat, term
        else:  # inline: Whoosh's encoded positions
            assert values == want_values, term
            assert positions is None


def test_an_empty_stream_has_no_lists():
    postings = TextPostings()
    assert postings.add(0, kept_term_numbers("the a an")) == 0
    assert list(postings.sorted_lists()) == []
    assert postings.token_count == postings.term_count == 0


def test_the_vocabulary_starts_over_only_when_no_stream_holds_its_numbers(monkeypatch):
    """Term numbers are the analysis's (``vocabulary``); once it is full it is renewed, but
    never under a stream holding numbers of it, so every segment's lists stay right."""
    monkeypatch.setattr(tokens, "WORD_CACHE_SIZE", 50)
    rng = random.Random(11)
    texts = [" ".join(rng.choice(WORDS) + rng.choice(["", "x", "y", "-z"]) for _ in range(40)) for _ in range(30)]
    held = TextPostings()
    held.add(0, kept_term_numbers(texts[0]))
    tokens.renew_vocabulary_if_full()
    assert tokens.vocabulary() is held.vocabulary  # full, but held: kept
    for batch in (texts[:15], texts[15:]):
        tokens.renew_vocabulary_if_full()  # as the segment builder does before each article
        postings = TextPostings()
        for docnum, text in enumerate(batch):
            postings.add(docnum, kept_term_numbers(text))
        expected = _expected(batch)
        got = {term: (docs, freqs) for term, docs, freqs, *_rest in postings.sorted_lists()}
        assert got == {term: (docs, freqs) for term, (docs, freqs, *_rest) in expected.items()}
    assert tokens.vocabulary() is held.vocabulary
    list(held.sorted_lists())  # the stream is emptied: nothing holds the vocabulary now
    tokens.renew_vocabulary_if_full()
    assert tokens.vocabulary() is not held.vocabulary
    assert len(tokens.vocabulary()) == 1  # started over (number 0 only)
    postings = TextPostings()
    for docnum, text in enumerate(texts):
        tokens.renew_vocabulary_if_full()
        postings.add(docnum, kept_term_numbers(text))
    got = {term: (docs, freqs) for term, docs, freqs, *_rest in postings.sorted_lists()}
    assert got == {term: (docs, freqs) for term, (docs, freqs, *_rest) in _expected(texts).items()}
