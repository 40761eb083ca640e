"""Search pieces that keep large archives fast: segments skipped by date, did-you-mean's word list."""

import os
import sqlite3
from datetime import datetime, timezone

import pytest

from newsindex.engine.whoosh import commit
from newsindex.engine.whoosh.filters import allowed_documents
from newsindex.engine.whoosh.lexicon import WORDS_FILE, words_starting
from newsindex.engine.whoosh.spelling import _candidates
from newsindex.engine.whoosh.store import current_generation, open_index
from newsindex.engine.whoosh.summary import read_summary
from newsindex.index import build_index, limits, run
from newsindex.index.stamps import STAMPS_FILE, read_stamps
from newsindex.query import SearchOptions, search


def _article(folder, name, published, title, body):
    folder.mkdir(parents=True, exist_ok=True)
    header = f"Published: {published}\n" if published else ""
    (folder / name).write_text(f"{header}Source: Test Wire\n\n{title}\n\n{body}\n", encoding="utf-8")


def _two_eras(tmp_path):
    """Two runs, so two segments: one of 2001 (and an undated article), one of 2020."""
    news, index_dir = tmp_path / "news", tmp_path / "index"
    for n in range(4):
        _article(
            news / "old",
            f"o{n}.txt",
            f"2001-05-0{n + 1}",
            f"Dock strike day {n}",
            f"Strike number {n} at the old docks.",
        )
    _article(news / "old", "undated.txt", None, "Strike memories", "An undated strike story from the docks.")
    build_index([news], index_dir, workers=1)
    for n in range(3):
        _article(
            news / "new", f"n{n}.txt", f"2020-06-0{n + 1}", f"Rail strike day {n}", f"Strike {n} on the zebrafish line."
        )
    build_index([news], index_dir, workers=1)
    return news, index_dir


def test_a_date_window_skips_segments_of_other_years_and_still_counts_exactly(tmp_path):
    _news, index_dir = _two_eras(tmp_path)
    options = SearchOptions(
        since=datetime(2020, 1, 1, tzinfo=timezone.utc), until=datetime(2020, 12, 31, tzinfo=timezone.utc)
    )
    result = search("strike", index_dir, options)
    assert result.total == 3
    assert result.undated_excluded == 1  # the undated article lives in the 2001 segment: it is not skipped
    assert search("docks", index_dir, options).total == 0
    with open_index(index_dir).searcher() as searcher:
        allowed = allowed_documents(searcher, options)
        leaves = list(searcher.reader().leaf_readers())
        assert len(leaves) >= 2
        verdicts = {}
        for leaf, offset in leaves:
            years = {stored["published"].year for stored in leaf.all_stored_fields() if stored.get("published")}
            verdicts[tuple(sorted(years))] = allowed.may_hold(offset)
    assert verdicts[(2020,)] is True
    assert verdicts[(2001,)] is True  # it holds an undated article, which the header counts
    options_2001 = SearchOptions(until=datetime(2001, 12, 31, tzinfo=timezone.utc))
    assert search("strike", index_dir, options_2001).total == 4


def test_a_segment_with_only_other_dates_is_ruled_out(tmp_path):
    news, index_dir = tmp_path / "news", tmp_path / "index"
    _article(news / "a", "a.txt", "2001-05-01", "Old strike", "Strike at the old docks.")
    build_index([news], index_dir, workers=1)
    _article(news / "b", "b.txt", "2020-05-01", "New strike", "Strike at the new docks.")
    build_index([news], index_dir, workers=1)
    options = SearchOptions(since=datetime(2020, 1, 1, tzinfo=timezone.utc))
    with open_index(index_dir).searcher() as searcher:
        allowed = allowed_documents(searcher, options)
        held = {}
        for leaf, offset in searcher.reader().leaf_readers():
            [stored] = list(leaf.all_stored_fields())
            held[stored["published"].year] = allowed.may_hold(offset)
    assert held == {2001: False, 2020: True}
    assert search("strike", index_dir, options).total == 1


def test_the_word_list_holds_every_segments_words_and_grows_with_each_run(tmp_path):
    _news, index_dir = _two_eras(tmp_path)
    generation = current_generation(index_dir)
    assert (generation / WORDS_FILE).exists()
    with open_index(index_dir).searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) >= 2
        for letter in "abcdefghijklmnopqrstuvwxyz":
            assert set(words_starting(generation, letter)) == set(_candidates(reader, letter, None))
    assert "zebrafish" in words_starting(generation, "z")  # from the second run's segment
    assert search("zebrafsh", index_dir).suggestion == "zebrafish"


def test_did_you_mean_reads_the_word_list_not_the_segments(tmp_path):
    _news, index_dir = _two_eras(tmp_path)
    generation = current_generation(index_dir)
    # A word list naming a word the segments lack shows which one was read.
    words = words_starting(generation, "z")
    text = (generation / WORDS_FILE).read_bytes()
    assert b"zebrafish\n" in text and words == ["zebrafish"]
    (generation / WORDS_FILE).write_bytes(text.replace(b"zebrafish\n", b"zebrafisx\n"))
    assert search("zebrafsh", index_dir).suggestion is None  # "zebrafisx" is in no article: not offered
    (generation / WORDS_FILE).unlink()
    assert search("zebrafsh", index_dir).suggestion == "zebrafish"  # no list: the segments are walked


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.parametrize("fork_fails", [False, True])
def test_lists_written_by_a_fork_are_the_lists_the_run_writes_itself(tmp_path, monkeypatch, fork_fails):
    """A run of two workers over a large index writes its word list and summary, and syncs its
    segments, in a fork while it links the near-duplicates (a one-file run too); a fork that
    fails leaves all of it to the run."""
    news = tmp_path / "news"
    for n in range(40):
        day = f"2020-06-{n % 28 + 1:02d}"
        _article(news, f"a{n}.txt", day, f"Harbour story {n}", f"Ferry{n} crews strike at dawn.")
    build_index([news], tmp_path / "alone", workers=2)
    monkeypatch.setattr(limits, "SHARED_FINISH_DOCUMENTS", 10)
    parent = os.getpid()
    written = []
    real = commit.write_words

    def write_words(generation, reader, previous):
        if os.getpid() != parent and fork_fails:
            os._exit(3)
        written.append(os.getpid())
        return real(generation, reader, previous)

    monkeypatch.setattr(commit, "write_words", write_words)
    durable = []
    real_fsync_tree = run._fsync_tree
    monkeypatch.setattr(
        run, "_fsync_tree", lambda path, skip=frozenset(): (durable.append(skip), real_fsync_tree(path, skip))
    )
    build_index([news], tmp_path / "shared", workers=2)
    assert written == ([parent] if fork_fails else [])  # the fork's own call is not seen here
    # The fork synced the segments and tables of contents: the run syncs the rest only.
    segment_files = {p.name for p in current_generation(tmp_path / "shared").iterdir() if "articles_" in p.name}
    assert segment_files and (segment_files <= durable[0]) is (not fork_fails)
    lists = [(current_generation(tmp_path / name) / WORDS_FILE).read_bytes() for name in ("alone", "shared")]
    bodies = [text.split(b"\n", 1)[1] for text in lists]  # the header names the run's own segments
    assert bodies[0] == bodies[1]
    assert b"ferry39\n" in lists[1]
    summaries = [read_summary(current_generation(tmp_path / name)) for name in ("alone", "shared")]
    assert summaries[0] == summaries[1] and sum(summaries[1]["months"].values()) == 40
    # One more file: a run of one article, its lists written apart all the same.
    _article(news, "late.txt", "2021-01-05", "Late story", "Quayside zeppelins moored overnight.")
    written.clear()
    build_index([news], tmp_path / "shared", workers=2)
    assert written == ([parent] if fork_fails else [])
    generation = current_generation(tmp_path / "shared")
    assert words_starting(generation, "z") == ["zeppelin"]  # stemmed
    assert read_summary(generation)["months"]["2021-01"] == 1
    # The files' stamps too: written and synced by the fork, the manifest's as they are.
    assert (STAMPS_FILE in durable[-1]) is (not fork_fails)
    with sqlite3.connect(generation / "manifest.sqlite") as db:
        table = {path: (size, mtime) for path, size, mtime in db.execute("SELECT path, size, mtime FROM files")}
    stamps = read_stamps(generation / STAMPS_FILE, len(table))
    assert {path: stamps.stamp(path) for path in stamps.place} == table


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_segment_fsync_failing_in_the_forks_thread_leaves_the_syncing_to_the_run(tmp_path, monkeypatch):
    """The fork syncs the segments in a thread; an error there fails the fork, and the run syncs
    them itself (and writes the word list and stamps), as after any failed fork."""
    news = tmp_path / "news"
    for n in range(40):
        _article(news, f"a{n}.txt", f"2020-06-{n % 28 + 1:02d}", f"Harbour story {n}", f"Ferry{n} crews strike.")
    monkeypatch.setattr(limits, "SHARED_FINISH_DOCUMENTS", 10)
    parent = os.getpid()
    real_fsync_files = commit._fsync_files

    def fsync_files(paths):
        if os.getpid() != parent and any("articles_" in path for path in paths):
            raise OSError(5, "Input/output error")
        return real_fsync_files(paths)

    monkeypatch.setattr(commit, "_fsync_files", fsync_files)
    durable = []
    real_fsync_tree = run._fsync_tree
    monkeypatch.setattr(
        run, "_fsync_tree", lambda path, skip=frozenset(): (durable.append(skip), real_fsync_tree(path, skip))
    )
    report = build_index([news], tmp_path / "index", workers=2)
    assert report.documents == 40
    generation = current_generation(tmp_path / "index")
    assert not any("articles_" in name for name in durable[0])  # none was taken as synced by the fork
    assert words_starting(generation, "f") == [f"ferry{n}" for n in sorted(range(40), key=str)]
    assert (generation / STAMPS_FILE).exists()
