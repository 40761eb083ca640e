"""The near-duplicate graph updated from run to run is the graph a full rebuild gives."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from newsindex.engine.whoosh import neargraph
from newsindex.engine.whoosh.location import LEGACY_STATE_FILE, LINKS_FILE, STATE_FILE
from newsindex.engine.whoosh.neargraph import capped, full_graph, load_state
from newsindex.engine.whoosh.store import (
    NEIGHBOURS_FILE,
    NearDuplicates,
    current_generation,
    live_fixed_column,
    open_index,
)
from newsindex.index import build_index, dedup, limits
from newsindex.index.dedup import near_duplicate_graph

STORIES = [
    "The city council voted on Tuesday to close the old ferry terminal at the end of the summer citing repair "
    "costs that have tripled since the harbour wall was damaged in last winter's storms",
    "Grain exporters warned that a new tariff on shipments would cut sales abroad by a third this season and "
    "farmers in the north said they would hold back their harvest until prices recovered",
    "The court adjourned the fraud trial of the former minister after defence lawyers asked for more time to "
    "study documents seized from the offices of two shipping companies last spring",
]
#: A sign-off many articles share: its shingles make big buckets that are split.
SIGN_OFF = "reporting by the news desk editing by the night desk for more stories visit our website today"
WORDS = ["grain", "tariff", "minister", "exports", "rally", "court", "verdict"]
WORDS += ["harbour", "storm", "council", "ferry", "budget", "strike"]


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:  # a story, lightly edited, as outlets rewrite wire copy
        words = rng.choice(STORIES).split()
        for _ in range(rng.randrange(4)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        body = " ".join(words)
    else:
        body = " ".join(rng.choice(WORDS) for _ in range(40))
    if rng.random() < 0.5:
        body += " " + SIGN_OFF
    return body


def _write(folder, name: str, rng: random.Random) -> None:
    (folder / name).write_text(f"Headline {name}\n\n{_text(rng)}\n", encoding="utf-8")


def _articles(tmp_path, count: int, rng: random.Random):
    """A folder of ``count`` random articles ``a0.txt``..., as the tests below start."""
    news = tmp_path / "news"
    news.mkdir()
    for number in range(count):
        _write(news, f"a{number}.txt", rng)
    return news


def _check(index_dir) -> None:
    """The generation's state and file equal a full rebuild and dedup's own graph."""
    generation = current_generation(index_dir)
    state = load_state(generation)
    assert state is not None
    with open_index(index_dir).reader() as reader:
        full = full_graph(reader)
        offsets, neighbours = near_duplicate_graph(lambda: live_fixed_column(reader, "sketch"), reader.doc_count_all())
    assert state.segment_ids == full.segment_ids
    assert np.array_equal(state.heads, full.heads)
    assert np.array_equal(state.links, full.links)
    assert list(capped(full)[0]) == list(offsets) and list(capped(full)[1]) == list(neighbours)
    on_disk = NearDuplicates(generation / NEIGHBOURS_FILE)
    assert [list(on_disk.of(d)) for d in range(len(offsets) - 1)] == [
        list(neighbours[offsets[d] : offsets[d + 1]]) for d in range(len(offsets) - 1)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_graph_equals_a_full_rebuild(tmp_path, monkeypatch, seed):
    """Random runs of additions, edits, removals and byte-identical copies, with small
    caps and segment limits so that splits, cut lists and merges all happen."""
    monkeypatch.setattr(dedup, "MAX_NEIGHBOURS", 4)
    monkeypatch.setattr(dedup, "SMALL_BUCKET", 3)
    monkeypatch.setattr(limits, "MERGE_FACTOR", 2)
    rng = random.Random(seed)
    news = tmp_path / "news"
    news.mkdir()
    index_dir = tmp_path / "index"
    names: list[str] = []
    for number in range(30):
        names.append(f"a{number}.txt")
        _write(news, names[-1], rng)
    build_index([str(news)], index_dir, workers=1)
    _check(index_dir)
    incremental = 0
    for run in range(6):
        for _ in range(rng.randrange(1, 6)):
            action = rng.random()
            if action < 0.4 or len(names) < 5:
                names.append(f"r{run}-{rng.randrange(10**6)}.txt")
                _write(news, names[-1], rng)
            elif action < 0.6:
                _write(news, rng.choice(names), rng)
            elif action < 0.8:
                gone = names.pop(rng.randrange(len(names)))
                (news / gone).unlink()
            else:  # a byte-identical copy: the document is rewritten with two paths
                names.append(f"copy{run}-{rng.randrange(10**6)}.txt")
                (news / names[-1]).write_bytes((news / rng.choice(names[:-1])).read_bytes())
        build_index([str(news)], index_dir, workers=1)
        _check(index_dir)
        incremental += not load_state(current_generation(index_dir)).full
    assert incremental == 6  # every later run updated the graph rather than rebuilt it


def test_a_run_that_leaves_the_links_as_they_were_links_their_file_from_the_generation_before(tmp_path):
    rng = random.Random(11)
    news = _articles(tmp_path, 10, rng)
    (news / "copy.txt").write_bytes((news / "a3.txt").read_bytes().replace(b"Headline", b"Copy"))
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    first = current_generation(index_dir)
    assert len(load_state(first).links)  # the copy and its original are linked
    first_links = (first / LINKS_FILE).stat().st_ino
    (news / "other.txt").write_text("Weather\n\nSnow fell on the northern hills overnight.\n", encoding="utf-8")
    build_index([str(news)], index_dir, workers=1)
    second = current_generation(index_dir)
    assert (second / LINKS_FILE).stat().st_ino == first_links  # linked, not written
    second_links, second_count = (second / LINKS_FILE).stat().st_ino, len(load_state(second).links)
    _check(index_dir)
    (news / "copy2.txt").write_bytes((news / "a5.txt").read_bytes().replace(b"Headline", b"Again"))
    build_index([str(news)], index_dir, workers=1)
    third = current_generation(index_dir)
    assert (third / LINKS_FILE).stat().st_ino != second_links
    assert len(load_state(third).links) > second_count
    _check(index_dir)


@pytest.mark.parametrize("damage", ["garbled", "cut short", "an older version's", "links cut short"])
def test_a_generation_without_state_is_rebuilt(tmp_path, damage):
    rng = random.Random(5)
    news = _articles(tmp_path, 8, rng)
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    generation = current_generation(index_dir)
    state = (generation / STATE_FILE).read_bytes()
    assert load_state(generation) is not None
    if damage == "garbled":
        (generation / STATE_FILE).write_bytes(b"damaged")
    elif damage == "cut short":
        (generation / STATE_FILE).write_bytes(state[:-5])
    elif damage == "links cut short":
        links = (generation / LINKS_FILE).read_bytes()
        (generation / LINKS_FILE).unlink()
        (generation / LINKS_FILE).write_bytes(links[:-8])
    else:  # version 1 kept it in a numpy archive: not read, and not carried into the next generation
        (generation / STATE_FILE).rename(generation / LEGACY_STATE_FILE)
    assert load_state(generation) is None
    _write(news, "late.txt", rng)
    build_index([str(news)], index_dir, workers=1)
    assert load_state(current_generation(index_dir)).full
    assert not (current_generation(index_dir) / LEGACY_STATE_FILE).exists()
    _check(index_dir)


def test_a_run_that_merges_segments_relinks_only_what_changed(tmp_path, monkeypatch):
    """Merging renumbers documents the last graph knew: they are carried over, not linked
    again, so a one-file run that merges the small segments stays a one-file run."""
    monkeypatch.setattr(limits, "MERGE_FACTOR", 3)
    rng = random.Random(7)
    news = _articles(tmp_path, 40, rng)
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    merged_runs = 0
    for run in range(4):
        with open_index(index_dir).reader() as reader:
            before = len(list(reader.leaf_readers()))
        _write(news, f"new{run}.txt", rng)
        build_index([str(news)], index_dir, workers=1)
        _check(index_dir)
        with open_index(index_dir).reader() as reader:
            merged = len(list(reader.leaf_readers())) <= before
        state = load_state(current_generation(index_dir))
        assert not state.full
        if merged:
            merged_runs += 1
            # The new article's leading values are the only ones touched.
            assert state.relinked <= dedup.SKETCH_INDEXED
    assert merged_runs >= 1


def _random_links(rng: np.random.Generator, documents: int, count: int) -> np.ndarray:
    owners = rng.integers(0, documents, count).astype(np.uint64)
    neighbours = rng.integers(0, documents, count).astype(np.uint64)
    return np.unique(owners << np.uint64(32) | neighbours)


def _renumbered_by_passes(links: np.ndarray, renumber: np.ndarray) -> np.ndarray:
    owners = renumber[(links >> np.uint64(32)).astype(np.int64)]
    neighbours = renumber[(links & np.uint64(0xFFFFFFFF)).astype(np.int64)]
    alive = (owners >= 0) & (neighbours >= 0)
    return owners[alive].astype(np.uint64) << np.uint64(32) | neighbours[alive].astype(np.uint64)


@pytest.mark.parametrize("dropped", [(), (0,), (3, 17, 499), tuple(range(0, 500, 7))])
def test_links_of_documents_that_keep_their_numbers_are_renumbered_as_by_the_full_passes(dropped):
    from newsindex.engine.whoosh.neargraph import _links_of, _renumbered

    rng = np.random.default_rng(len(dropped))
    links = _random_links(rng, 500, 4000)
    renumber = np.arange(500, dtype=np.int64)
    renumber[list(dropped)] = -1
    kept = renumber >= 0
    assert np.array_equal(_renumbered(links, renumber, kept), _renumbered_by_passes(links, renumber))
    moved = renumber.copy()
    moved[kept] = np.arange(int(kept.sum()))  # a merge: the documents after a dropped one move down
    assert np.array_equal(_renumbered(links, moved, kept), _renumbered_by_passes(links, moved))
    docs = np.array(sorted(rng.choice(500, 30, replace=False)))
    expected = np.flatnonzero(np.isin((links >> np.uint64(32)).astype(np.int64), docs))
    assert np.array_equal(_links_of(links, docs), expected)
    assert len(_links_of(links, np.array([], dtype=np.int64))) == 0


@pytest.mark.parametrize("cap", [3, 10_000])
def test_capped_lists_keep_each_documents_first_neighbours(monkeypatch, cap):
    from newsindex.engine.whoosh.neargraph import GraphState

    monkeypatch.setattr(dedup, "MAX_NEIGHBOURS", cap)
    links = _random_links(np.random.default_rng(5), 300, 3000)
    state = GraphState(["s"], [300], np.zeros((300, dedup.SKETCH_INDEXED), dtype=np.uint32), links)
    offsets, neighbours = capped(state)
    owners = (links >> np.uint64(32)).astype(np.int64)
    for doc in range(300):
        expected = (links[owners == doc] & np.uint64(0xFFFFFFFF)).astype(np.uint32)[:cap]
        assert list(neighbours[offsets[doc] : offsets[doc + 1]]) == expected.tolist()
    assert len(offsets) == 301 and (cap < 10 or len(neighbours) == len(links))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("fork_fails", [False, True])
def test_a_full_graph_linked_half_in_a_fork_is_the_graph_one_process_links(tmp_path, monkeypatch, fork_fails):
    monkeypatch.setattr(dedup, "SMALL_BUCKET", 3)
    rng = random.Random(9)
    news = _articles(tmp_path, 120, rng)
    build_index([str(news)], tmp_path / "index", workers=1)
    monkeypatch.setattr(neargraph, "SHARED_LINKING_BUCKETS", 2)
    forked = []
    real_link = neargraph._link

    def link(buckets, read, sketches=None):
        forked.append((os.getpid(), len(buckets)))
        if fork_fails and os.getpid() != parent:
            os._exit(3)  # the fork fails: its half is linked here
        return real_link(buckets, read, sketches)

    parent = os.getpid()
    monkeypatch.setattr(neargraph, "_link", link)
    with open_index(tmp_path / "index").reader() as reader:
        alone = full_graph(reader)
        shared = full_graph(reader, share=True)
    assert np.array_equal(shared.links, alone.links) and len(alone.links) > 10
    assert np.array_equal(shared.heads, alone.heads)
    # One process linked every bucket alone; then this one linked a part, and the rest
    # was linked by the fork (which records nothing here) or, when it failed, here again.
    mine = [count for pid, count in forked if pid == parent]
    assert len(mine) == (3 if fork_fails else 2) and mine[0] > mine[1] > 0
    if fork_fails:
        assert mine[1] + mine[2] == mine[0]
