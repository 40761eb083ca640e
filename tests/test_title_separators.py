"""One list of title separators (data/title_separators.txt) for every reader of titles."""

import pytest

from newsindex.data import data_lines
from newsindex.extract.html.structured import _title_heads
from newsindex.extract.outlets import strip_site_suffix, title_separator_re


@pytest.mark.parametrize("mark", data_lines("title_separators.txt"))
def test_every_listed_mark_splits_a_title(mark):
    assert title_separator_re().search(f"Harbour works run a year late {mark} Harbour Ledger")


@pytest.mark.parametrize("text", ["e-mail rules", "10:30 sailing", "AC/DC tour", "well-known"])
def test_marks_inside_words_split_nothing(text):
    assert title_separator_re().search(text) is None


def test_the_vote_and_the_site_cut_agree_on_the_marks():
    title = "Harbour works run a year late · Harbour Ledger"
    assert _title_heads(title) == ["Harbour works run a year late"]
    assert strip_site_suffix(title, "Harbour Ledger") == "Harbour works run a year late"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Outside the web: standalone binaries · V8", "Outside the web: standalone binaries"),
        ("Alibaba to raise $12.9bn in Hong Kong listing : CityAM", "Alibaba to raise $12.9bn in Hong Kong listing"),
        ("Oil prices rise again - Reuters", "Oil prices rise again"),
        ("Oil prices rise again | the harbour ledger", "Oil prices rise again | the harbour ledger"),  # no name
    ],
)
def test_the_site_cut_reads_every_listed_mark(title, expected):
    assert strip_site_suffix(title, None) == expected


def test_the_known_outlet_after_a_dash_is_cut():
    assert strip_site_suffix("Oil prices rise again - Ledger", "Ledger") == "Oil prices rise again"
