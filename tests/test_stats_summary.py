"""The per-generation summary ``stats`` reads (summary.py) equals counting every stored article."""

from __future__ import annotations

import json
import random

from newsindex.engine.whoosh.stats import counted_summary, index_stats
from newsindex.engine.whoosh.store import current_generation
from newsindex.engine.whoosh.summary import SUMMARY_FILE, read_summary
from newsindex.index import build_index, limits
from newsindex.query.outlets import merged_counts

OUTLETS = ["Harbour Times", "Port Gazette", "harbour times", ""]
WRITERS = ["Ana Ruiz", "Tom Berg", "Li Wei", "Sara Okafor"]


def _write(folder, name: str, rng: random.Random) -> None:
    outlet = rng.choice(OUTLETS)
    record = {
        "title": f"Bulletin {name}",
        "body": f"Pilots guided vessel {name} past the breakwater. " * rng.randrange(1, 4),
        "published": None
        if rng.random() < 0.15
        else f"{rng.choice([1999, 2020, 2021])}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
    }
    if outlet:
        record["source"] = outlet
    writers = rng.sample(WRITERS, rng.randrange(0, 3))
    if writers:
        record["authors"] = writers
    (folder / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")


def test_summary_equals_counting_every_article_over_adds_edits_removals_and_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MERGE_FACTOR", 2)
    monkeypatch.setattr(limits, "MERGE_TIER_BASE", 3)
    rng = random.Random(7)
    news = tmp_path / "news"
    news.mkdir()
    names = [f"a{n}" for n in range(40)]
    for name in names:
        _write(news, name, rng)
    index_dir = tmp_path / "ix"
    for run in range(5):
        build_index([news], index_dir, workers=1)
        generation = current_generation(index_dir)
        assert (generation / SUMMARY_FILE).exists()
        shown = index_stats(index_dir)
        expected = counted_summary(index_dir)
        assert read_summary(generation) | {"version": 0} == expected | {"version": 0}, run
        expected["sources"] = merged_counts(expected["sources"])  # what stats shows of either
        assert {k: shown[k] for k in expected} == expected, run
        assert shown["documents"] == len(names) and shown["undated"] > 0
        assert set(shown["authors"]) == set(WRITERS) and sum(shown["authors"].values()) > len(names) // 2
        for _ in range(6):
            names.append(f"r{run}-{rng.randrange(10**6)}")
            _write(news, names[-1], rng)
        _write(news, rng.choice(names), rng)
        (news / f"{names.pop(rng.randrange(len(names)))}.json").unlink()


def test_an_index_without_a_summary_is_counted_the_old_way(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    rng = random.Random(1)
    for n in range(12):
        _write(news, f"a{n}", rng)
    build_index([news], tmp_path / "ix", workers=1)
    expected = index_stats(tmp_path / "ix")
    (current_generation(tmp_path / "ix") / SUMMARY_FILE).unlink()
    counted = index_stats(tmp_path / "ix")
    assert counted.pop("size_bytes") < expected.pop("size_bytes")
    assert counted == expected
