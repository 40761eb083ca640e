"""Ranking and counting by arrays (counting.py) gives the matcher path's totals and rankings."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest

from newsindex.engine.whoosh import counting, results
from newsindex.engine.whoosh.store import open_index
from newsindex.index import build_index, limits
from newsindex.query import SearchOptions, search

WORDS = ["harbour", "pelican", "berth", "dockers", "tanker", "grain", "cocoa", "strike", "port", "wheat", "crude"]
OUTLETS = ["Harbour Times", "Port Gazette", "Grain Wire"]


def _write(folder, name: str, rng: random.Random) -> None:
    words = [rng.choice(WORDS[: rng.randrange(3, len(WORDS))]) for _ in range(rng.randrange(5, 120))]
    record = {
        "title": " ".join(rng.sample(WORDS, 3)) + f" {name}",
        "body": " ".join(words) + f". Filed as {name}.",
        "source": rng.choice(OUTLETS),
        "published": None
        if rng.random() < 0.1
        else f"{rng.choice([2019, 2020, 2021])}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
    }
    (folder / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Several runs (so several segments, deletions and rewrites) of a few hundred articles."""
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("counting")
    news = root / "news"
    news.mkdir()
    index_dir = root / "ix"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "MERGE_FACTOR", 100)  # keep the runs' segments, deletions and all
        _runs(news, index_dir, rng)
    assert len(open_index(index_dir)._segments()) > 1
    return index_dir


def _runs(news, index_dir, rng: random.Random) -> None:
    names: list[str] = []
    for run in range(4):
        for _ in range(120):
            names.append(f"a{run}-{len(names)}")
            _write(news, names[-1], rng)
        for _ in range(15):
            (news / f"{names.pop(rng.randrange(len(names)))}.json").unlink()
        for _ in range(10):
            _write(news, rng.choice(names), rng)
        build_index([news], index_dir, workers=1)


def _run(index_dir, text: str, options: SearchOptions, arrays: bool, monkeypatch):
    monkeypatch.setenv("NEWSINDEX_DIRECT", "0")  # the Whoosh path (the direct reader takes plain --match all)
    monkeypatch.setattr(counting, "MIN_POSTINGS", 0 if arrays else 10**12)
    monkeypatch.setattr(counting, "MIN_POSTINGS_TO_IMPORT", 0 if arrays else 10**12)
    called = []
    original = counting.ranked_matches

    def spy(*args):
        found = original(*args)
        called.append(found is not None)
        return found

    monkeypatch.setattr(results, "ranked_matches", spy)
    result = search(text, index_dir, options)
    return result, called


def _options(rng: random.Random) -> SearchOptions:
    kwargs = {"match": rng.choice(["all", "any"]), "limit": rng.choice([3, 10]), "feedback": False}
    if rng.random() < 0.5:
        kwargs["since"] = datetime(2020, rng.randrange(1, 6), 1, tzinfo=timezone.utc)
        kwargs["until"] = datetime(2021, rng.randrange(1, 6), 1, tzinfo=timezone.utc)
    if rng.random() < 0.3:
        kwargs["sources"] = [rng.choice(OUTLETS)]
    if rng.random() < 0.3:
        kwargs["duplicates"] = True
    return SearchOptions(**kwargs)


def _same_as_the_matchers(archive, text: str, options: SearchOptions, rng: random.Random, monkeypatch):
    """Run ``text`` by arrays and by the matchers; the totals, undated counts and rankings agree."""
    # Segments decoded whole under a date window (undated matches counted from the arrays), or
    # only their window's span (each undated article checked on its own).
    monkeypatch.setattr(counting, "MAX_UNDATED_CHECKS", rng.choice([0, 64]))
    # Matches combined per document over the segment, or by sorting the postings.
    monkeypatch.setattr(counting, "DENSE_SHARE", rng.choice([8, 10**9]))
    walked, _ = _run(archive, text, options, arrays=False, monkeypatch=monkeypatch)
    counted, used = _run(archive, text, options, arrays=True, monkeypatch=monkeypatch)
    assert used and all(used), "the array path was not taken"
    assert (counted.total, counted.undated_excluded) == (walked.total, walked.undated_excluded)
    # Scores agree to the last bits; equal scores may come in either order.
    assert [round(h.score, 3) for h in counted.hits] == [round(h.score, 3) for h in walked.hits]
    assert sorted((round(h.score, 3), h.id) for h in counted.hits) == sorted(
        (round(h.score, 3), h.id) for h in walked.hits
    )
    return walked


@pytest.mark.parametrize("seed", range(25))
def test_arrays_count_and_rank_as_the_matchers_do(archive, monkeypatch, seed):
    rng = random.Random(seed)
    text = " ".join(rng.sample(WORDS, rng.randrange(1, 4)))
    walked = _same_as_the_matchers(archive, text, _options(rng), rng, monkeypatch)
    assert walked.total > 0


def _phrase(rng: random.Random) -> str:
    return '"' + " ".join(rng.choice(WORDS[:4]) for _ in range(rng.randrange(2, 4))) + '"'


@pytest.mark.parametrize("seed", range(20))
def test_phrases_count_and_rank_as_the_matchers_do(archive, monkeypatch, seed):
    """A phrase alone, a phrase and words, two phrases: the positions checked by arrays match
    Whoosh's span matcher, with and without a window, on segments with deletions."""
    rng = random.Random(100 + seed)
    shape = seed % 3
    if shape == 0:
        text = _phrase(rng)
    elif shape == 1:
        text = f"{rng.choice(WORDS)} {_phrase(rng)}"
    else:
        text = f"{_phrase(rng)} {_phrase(rng)}"
    options = _options(rng)
    options.match = "all"
    _same_as_the_matchers(archive, text, options, rng, monkeypatch)


def test_phrases_found_somewhere(archive, monkeypatch):
    """The random phrases above are not all empty: most of the two-word ones match."""
    found = 0
    for first in WORDS[:4]:
        for second in WORDS[:4]:
            result, _ = _run(archive, f'"{first} {second}"', SearchOptions(), arrays=True, monkeypatch=monkeypatch)
            found += result.total > 0
    assert found >= 10


def test_a_phrase_apart_is_not_a_match(tmp_path, monkeypatch):
    """Words next to each other match a phrase; the same words apart or in the other order do not."""
    news = tmp_path / "news"
    news.mkdir()
    bodies = {"next": "cocoa wheat port", "apart": "cocoa port wheat", "reversed": "wheat cocoa port"}
    for name, body in bodies.items():
        (news / f"{name}.json").write_text(json.dumps({"title": name, "body": body + " strike."}), encoding="utf-8")
    build_index([news], tmp_path / "ix", workers=1)
    for arrays in (False, True):
        result, used = _run(tmp_path / "ix", '"cocoa wheat"', SearchOptions(), arrays=arrays, monkeypatch=monkeypatch)
        assert [hit.title for hit in result.hits] == ["next"]
        assert used == ([True] if arrays else [])


def test_a_negated_word_keeps_the_matcher_path(archive, monkeypatch):
    _result, used = _run(archive, '"harbour pelican" -wheat', SearchOptions(), arrays=True, monkeypatch=monkeypatch)
    assert not any(used)


def test_a_span_reads_only_the_blocks_that_may_hold_it(tmp_path):
    import numpy as np
    from whoosh.filedb.filestore import FileStorage

    from newsindex.engine.whoosh.segment import SegmentBuilder
    from newsindex.engine.whoosh.store import INDEX_NAME, make_schema
    from newsindex.index.documents import _FAST_TEXT

    schema = make_schema()
    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(schema, indexname=INDEX_NAME)
    builder = SegmentBuilder(tmp_path, schema, INDEX_NAME, fast_text=_FAST_TEXT)
    for n in range(1000):  # authors: a field whose long lists have blocks (title and body: arrays alone)
        builder.add({"id": f"d{n}", "title": "t", "body": "b", "authors": "harbour"})
    segment = builder.write()
    ix.writer().commit(mergetype=lambda _w, _s: [segment])
    with storage.open_index(INDEX_NAME).reader() as reader:
        whole_ids, whole_weights = counting._decode(np, reader.postings("authors", "harbour"), None)
        assert list(whole_ids) == list(range(1000))
        matcher = reader.postings("authors", "harbour")
        ids, weights = counting._decode(np, matcher, (300, 520, [900]))
        assert ids[0] <= 300 and 900 in ids and len(ids) < 500  # blocks before, between and after left unread
        assert not any(640 <= d < 896 for d in ids)  # blocks of 128: 640-767 and 768-895 skipped
        inside = (whole_ids >= 300) & (whole_ids <= 520)
        inside |= whole_ids == 900
        chosen = ((ids >= 300) & (ids <= 520)) | (ids == 900)
        assert list(ids[chosen]) == list(whole_ids[inside]) and list(weights[chosen]) == list(whole_weights[inside])
