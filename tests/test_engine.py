"""The engine seam: the CLI and the library reach the index through ``newsindex.engine``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsindex.cli import cli
from newsindex.engine import ENGINES, Engine, IndexProblem, open_engine
from newsindex.query import SearchOptions, article, search, similar

from .conftest import SEED


def test_the_default_engine_is_whoosh_and_meets_the_interface(tmp_path):
    engine = open_engine(None, tmp_path / "index")
    assert engine.name == "whoosh" and isinstance(engine, Engine)
    assert set(ENGINES) >= {"whoosh"}


def test_an_unknown_engine_is_a_one_line_problem(tmp_path):
    with pytest.raises(IndexProblem, match="unknown engine 'nope'"):
        open_engine("nope", tmp_path)
    done = CliRunner().invoke(cli, ["search", "liaison", "--engine", "nope", "--index", str(tmp_path)])
    assert done.exit_code == 2
    assert done.output.strip().splitlines() == ["newsindex: error: unknown engine 'nope' (choose from solr, whoosh)"]


def test_a_whole_round_through_the_engine(tmp_path):
    engine = open_engine("whoosh", tmp_path / "index", workers=1)
    report = engine.index([str(SEED.parent)])
    assert report.documents >= 1 and report.index_dir == str(tmp_path / "index")
    result = engine.search("liaison office", SearchOptions(limit=3))
    first = result.hits[0]
    assert first.path.endswith(SEED.name) and first.authors == ["Shelia Harmon"]
    stored = engine.article(first.short_id)
    assert stored is not None and stored.title == first.title and stored.body
    assert engine.article(first.path).title == first.title  # by path too
    assert engine.article("0000000000") is None
    assert engine.similar("0000000000") is None
    stats = engine.stats()
    assert stats["documents"] == report.documents
    assert set(stats) >= {"index", "generation", "undated", "first", "last", "sources", "years", "months", "size_bytes"}
    engine.close()


def test_the_library_functions_choose_the_engine_by_name(seed_index):
    hits = search("liaison office", seed_index, engine="whoosh").hits
    assert hits and hits[0].path.endswith(SEED.name)
    assert article(hits[0].short_id, seed_index).title == hits[0].title
    found = similar(hits[0].short_id, seed_index)
    assert found is not None and all(hit.short_id != hits[0].short_id for hit in found.hits)
    with pytest.raises(IndexProblem):
        search("liaison", seed_index, engine="nope")
