"""One outlet under its name and its host: counted once, found by either (query.outlets)."""

import json

import pytest
from click.testing import CliRunner

from newsindex.cli import cli
from newsindex.query.outlets import merged_counts, outlet_aliases, same_outlet

from .conftest import REPO

CORPUS = REPO / "corpus"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Greyhaven Watch", "greyhavenwatch.example"], {"greyhavenwatch.example": "Greyhaven Watch"}),
        (["The Valley Courier", "www.valleycourier.example"], {"www.valleycourier.example": "The Valley Courier"}),
        (["BBC", "news.bbc.co.uk"], {"news.bbc.co.uk": "BBC"}),
        (["Harbour Ledger", "greyhavenwatch.example"], {}),  # no name explains the host
        (["Greyhaven", "Greyhaven Watch"], {}),  # two names are never merged
        (["example.com", "Example.com"], {}),  # a name written as a host is a host
    ],
)
def test_a_host_belongs_to_the_outlet_its_name_spells(labels, expected):
    assert outlet_aliases(labels) == expected


def test_counts_merge_under_the_name():
    counts = {"Greyhaven Watch": 2, "greyhavenwatch.example": 2, "Harbour Ledger": 3, "(unknown)": 1}
    assert merged_counts(counts) == {"Greyhaven Watch": 4, "Harbour Ledger": 3, "(unknown)": 1}


def test_a_filter_on_the_name_or_the_host_takes_both():
    labels = ["greyhaven watch", "greyhavenwatch.example", "harbour ledger"]
    assert same_outlet(["greyhaven watch"], labels) == ["greyhaven watch", "greyhavenwatch.example"]
    assert same_outlet(["greyhavenwatch.example"], labels) == ["greyhaven watch", "greyhavenwatch.example"]
    assert same_outlet(["harbour ledger"], labels) == ["harbour ledger"]


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("outlets") / "index"
    result = CliRunner().invoke(cli, ["index", str(CORPUS), "--index", str(index), "-q"])
    assert result.exit_code == 0, result.output
    return index


def _json(*args) -> dict:
    result = CliRunner().invoke(cli, [*map(str, args), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_stats_shows_the_outlet_once(demo_index):
    sources = _json("stats", "--index", demo_index)["sources"]
    assert sources["Greyhaven Watch"] == 4
    assert "greyhavenwatch.example" not in sources
    assert sources["ellisobserver.example"] == 1  # no article names that outlet: its host stays


def test_the_name_and_the_host_find_the_same_articles(demo_index):
    found = {}
    for label in ("Greyhaven Watch", "greyhavenwatch.example", "greyhaven"):
        hits = _json("search", "*", "--index", demo_index, "--duplicates", "-n", 50, "--source", label)["hits"]
        found[label] = {hit["id"] for hit in hits}
        assert {hit["source"] for hit in hits} == {"Greyhaven Watch", "greyhavenwatch.example"}
    assert len(found["Greyhaven Watch"]) == 4
    assert found["Greyhaven Watch"] == found["greyhavenwatch.example"] == found["greyhaven"]


def test_group_by_source_counts_the_outlet_once(demo_index):
    facets = _json("search", "*", "--index", demo_index, "--duplicates", "--group-by", "source")["facets"]
    assert facets["source"]["Greyhaven Watch"] == 4
    assert "greyhavenwatch.example" not in facets["source"]
