"""The near-duplicate graph worked out at index time, and its file."""

from __future__ import annotations

import random
import zlib
from array import array
from itertools import combinations

import pytest

from newsindex.engine.whoosh.store import (
    NEIGHBOURS_FILE,
    IndexProblem,
    NearDuplicates,
    current_generation,
    open_index,
    write_near_duplicates,
)
from newsindex.index import build_index, dedup
from newsindex.index.dedup import are_near_duplicates, near_duplicate_graph, pack_sketch, sketch, sketch_values
from newsindex.query import SearchOptions, search

STORY = (
    "The city council voted on Tuesday to close the old ferry terminal at the end of the summer, citing "
    "repair costs that have tripled since the harbour wall was damaged in last winter's storms. Commuters "
    "will be moved to a temporary landing on the east pier while engineers survey the site, and the council "
    "said a decision on rebuilding would follow a public consultation in the autumn."
)


def rewrites(text: str, count: int, seed: int) -> list[str]:
    """``count`` copies of ``text``, each with two words changed (as outlets edit wire copy)."""
    rng = random.Random(seed)
    copies = []
    for _ in range(count):
        words = text.split()
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(["local", "officials", "reportedly", "new"])
        copies.append(" ".join(words))
    return copies


def graph_of(texts: list[str]) -> list[list[int]]:
    packed = [pack_sketch(sketch(text)) for text in texts]
    offsets, neighbours = near_duplicate_graph(lambda: enumerate(packed), len(packed))
    return [list(neighbours[offsets[d] : offsets[d + 1]]) for d in range(len(texts))]


def test_graph_links_exactly_the_pairs_that_are_near_duplicates():
    rng = random.Random(7)
    vocabulary = [*STORY.split(), "grain", "tariff", "minister", "exports", "rally", "court", "verdict"]
    unrelated = [" ".join(rng.choice(vocabulary) for _ in range(60)) for _ in range(12)]
    texts = [*rewrites(STORY, 4, seed=1), *unrelated, STORY[: len(STORY) // 2]]
    graph = graph_of(texts)
    sketches = [sketch(text) for text in texts]
    expected = [[] for _ in texts]
    for first, second in combinations(range(len(texts)), 2):
        if are_near_duplicates(sketches[first], sketches[second]):
            expected[first].append(second)
            expected[second].append(first)
    assert graph == expected
    assert graph[0] == [1, 2, 3]  # the rewrites find each other, and nothing else does


def test_many_copies_of_one_story_are_linked_as_one_group():
    """More copies than SMALL_BUCKET, beside rewrites and unrelated texts: the copies are
    split and compared as one group, and every near-duplicate pair is still linked."""
    rng = random.Random(11)
    vocabulary = [*STORY.split(), "grain", "tariff", "minister", "exports", "rally", "court", "verdict"]
    unrelated = [" ".join(rng.choice(vocabulary) for _ in range(60)) for _ in range(dedup.SMALL_BUCKET)]
    texts = [*[STORY] * (dedup.SMALL_BUCKET + 4), *rewrites(STORY, 3, seed=5), *unrelated]
    graph = graph_of(texts)
    sketches = [sketch(text) for text in texts]
    for first, second in combinations(range(len(texts)), 2):
        linked = second in graph[first]
        assert linked == are_near_duplicates(sketches[first], sketches[second]), (first, second)
        assert linked == (first in graph[second])
    copies = dedup.SMALL_BUCKET + 4
    assert all(set(range(copies)) - {d} <= set(graph[d]) for d in range(copies))


def test_every_article_keeps_at_most_max_neighbours(monkeypatch):
    monkeypatch.setattr(dedup, "MAX_NEIGHBOURS", 2)
    graph = graph_of(rewrites(STORY, 6, seed=3))
    assert all(1 <= len(neighbours) <= 2 for neighbours in graph)


def test_short_and_deleted_articles_have_no_neighbours():
    packed = [pack_sketch(sketch(STORY)), pack_sketch([]), pack_sketch(sketch(STORY))]
    live = [(0, packed[0]), (1, packed[1])]  # document 2 is deleted: not among the live ones
    offsets, neighbours = near_duplicate_graph(lambda: live, 3)
    assert list(offsets) == [0, 0, 0, 0] and len(neighbours) == 0
    assert sketch_values(packed[1]) == ()


def test_graph_file_round_trip_and_damage(tmp_path):
    path = tmp_path / "gen-000001" / NEIGHBOURS_FILE
    path.parent.mkdir()
    write_near_duplicates(path, array("I", [0, 2, 3, 4, 4]), array("I", [1, 2, 0, 0]))
    graph = NearDuplicates(path)
    assert [list(graph.of(d)) for d in range(4)] == [[1, 2], [0], [0], []]
    assert list(graph.of(99)) == []
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(IndexProblem, match="damaged"):
        NearDuplicates(path)


def test_counts_follow_the_archive_from_run_to_run(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    copies = rewrites(STORY, 3, seed=5)
    for number, text in enumerate(copies[:2]):
        (news / f"copy{number}.txt").write_text(f"Ferry terminal to close\n\n{text}\n")
    (news / "other.txt").write_text("Grain prices rise\n\nGrain prices rose on the exchange after a poor harvest.\n")
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    assert [hit.similar for hit in search("ferry terminal", index_dir).hits] == [1]
    (news / "copy2.txt").write_text(f"Terminal closing\n\n{copies[2]}\n")
    build_index([str(news)], index_dir, workers=1)
    assert [hit.similar for hit in search("ferry terminal", index_dir).hits] == [2]
    assert len(search("ferry terminal", index_dir, SearchOptions(duplicates=True)).hits) == 3
    (news / "copy0.txt").unlink()
    build_index([str(news)], index_dir, workers=1)
    assert [hit.similar for hit in search("ferry terminal", index_dir).hits] == [1]
    assert (current_generation(index_dir) / NEIGHBOURS_FILE).is_file()


def test_copies_alone_in_every_split_are_still_linked():
    """A bucket of more distinct sketches than SMALL_BUCKET is split by each one's next
    values; copies of a text that meet no other sketch there must still be linked."""
    size = dedup.SKETCH_SIZE
    distinct = {n: (1, *range(1000 * (n + 1), 1000 * (n + 1) + size - 1)) for n in range(dedup.SMALL_BUCKET + 1)}
    copy = (1, *range(500, 500 + size - 1))
    sketches = {**distinct, 90: copy, 91: copy, 92: copy}
    linker = dedup._Linker(sketches.__getitem__)
    linker.bucket(1, sorted(sketches))
    assert {d: sorted(n) for d, n in linker.adjacent.items()} == {90: [91, 92], 91: [90, 92], 92: [90, 91]}


def test_the_sketch_is_kept_packed_in_its_column_and_not_stored(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(f"Ferry terminal to close\n\n{STORY}\n")
    (news / "b.txt").write_text("Grain prices rise\n\nGrain prices rose.\n")  # too short for a sketch
    build_index([str(news)], tmp_path / "index", workers=1)
    with open_index(tmp_path / "index").searcher() as searcher:
        column = searcher.reader().column_reader("sketch")
        for docnum in searcher.reader().all_doc_ids():
            stored = searcher.stored_fields(docnum)
            assert "sketch" not in stored  # the hex copy it once had: 5% of a Reuters index
            assert column[docnum] == pack_sketch(sketch(stored["body"]))


_ASCII_PIECES = ["the", "Ferry", "U.S.", "re-opening", "it's", "2nd", "x_y", "\t", "\n", " -- ", "(a)", "99%"]


@pytest.mark.parametrize("seed", range(40))
def test_ascii_text_is_split_into_the_same_words_as_any_other(seed):
    """The ASCII path splits by a byte translation; it must find what ``\\w+`` finds.  A
    trailing non-ASCII mark that is no word character sends the same words the other way."""
    rng = random.Random(seed)
    pieces = [chr(code) for code in range(128)] + _ASCII_PIECES
    text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randrange(40, 400)))
    assert text.isascii()
    assert dedup._smallest_hashes(text, 32) == dedup._smallest_hashes(text + " ¶", 32)
    assert len(dedup._smallest_hashes(text, 32)) > 0


@pytest.mark.parametrize("words", [12, 40, 70, 300, 3000])
def test_the_smallest_hashes_are_those_of_a_sort_of_all(words):
    """Only the values below a threshold are sorted; they must be the ``size`` smallest of
    all the article's shingle hashes, at every length (a short one is sorted whole)."""
    rng = random.Random(words)
    vocabulary = [f"w{n}" for n in range(500)]
    text = " ".join(rng.choice(vocabulary) for _ in range(words))
    tokens = text.encode("ascii").split()
    shingles = {b" ".join(tokens[at : at + dedup.SHINGLE_WORDS]) for at in range(len(tokens) - dedup.SHINGLE_WORDS + 1)}
    every = sorted(zlib.crc32(shingle) for shingle in shingles)
    for size in (1, 8, 32):
        assert dedup._smallest_hashes(text, size) == every[:size]


@pytest.mark.parametrize("distinct", [1, 5, 31, 33, 80])
def test_repeated_shingles_still_give_the_smallest_distinct_hashes(distinct):
    """The threshold is set from the count of shingles, repeats included: a text repeating a
    few of them falls short of ``size`` values below it and must sort them all instead."""
    cycle = [f"Word{n}" for n in range(distinct + dedup.SHINGLE_WORDS - 1)]
    text = " ".join(cycle * (4000 // len(cycle)))
    tokens = text.lower().encode("ascii").split()
    shingles = {b" ".join(tokens[at : at + dedup.SHINGLE_WORDS]) for at in range(len(tokens) - dedup.SHINGLE_WORDS + 1)}
    every = sorted(zlib.crc32(shingle) for shingle in shingles)
    for size in (1, 8, 32):
        assert dedup._smallest_hashes(text, size) == every[:size]
