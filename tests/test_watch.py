"""``watch``: changes on disk reach the index in batches, by inotify or by polling."""

from __future__ import annotations

import errno
import threading
import time

import pytest

from newsindex.index import build_index
from newsindex.index.watch import Watcher, WatchSettings
from newsindex.query import search


def _article(path, word: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Bulletin {word}\n\nHarbour pilots reported {word} near the breakwater at dawn today.\n")


def _found(index_dir, word: str) -> int:
    return search(word, index_dir).total


def _until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(params=["inotify", "poll"])
def watching(request, tmp_path):
    news = tmp_path / "news"
    _article(news / "old.txt", "walrus")
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    poll = 0.1 if request.param == "poll" else None
    watcher = Watcher([news], index_dir, settings=WatchSettings(debounce=0.05, max_delay=0.3, poll=poll, workers=1))
    mode = watcher.start()
    assert ("polling" in mode) == (poll is not None)
    batches = []
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(batches.append, lambda _r: None, stop), daemon=True)
    thread.start()
    yield news, index_dir, batches
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()
    watcher.stop()


def test_written_edited_moved_and_deleted_files_follow(watching, tmp_path):
    news, index_dir, batches = watching
    _article(news / "desk" / "new.txt", "narwhal")
    assert _until(lambda: _found(index_dir, "narwhal") == 1)
    (news / "desk" / "new.txt").write_text("Bulletin\n\nHarbour pilots reported a beluga instead.\n")
    assert _until(lambda: _found(index_dir, "beluga") == 1 and _found(index_dir, "narwhal") == 0)
    outside = tmp_path / "outside.txt"
    _article(outside, "dugong")
    outside.rename(news / "moved.txt")
    assert _until(lambda: _found(index_dir, "dugong") == 1)
    (news / "old.txt").unlink()
    assert _until(lambda: _found(index_dir, "walrus") == 0)
    folder = tmp_path / "folder"
    _article(folder / "inner.txt", "manatee")
    folder.rename(news / "folder")
    assert _until(lambda: _found(index_dir, "manatee") == 1)
    # the batch is handed over once its alerts are checked, a moment after the search sees it
    assert _until(lambda: sum(batch.report.added for batch in batches) >= 3)
    assert all(batch.report.documents >= 1 for batch in batches)


def test_hidden_and_foreign_files_are_left_alone(watching):
    news, index_dir, _batches = watching
    _article(news / ".draft.txt", "kraken")
    _article(news / "notes.swp", "kraken")
    _article(news / "real.txt", "selkie")
    assert _until(lambda: _found(index_dir, "selkie") == 1)
    time.sleep(0.3)
    assert _found(index_dir, "kraken") == 0


def test_a_burst_of_writes_is_one_batch(tmp_path):
    news = tmp_path / "news"
    _article(news / "seed.txt", "seed")
    index_dir = tmp_path / "index"
    watcher = Watcher([news], index_dir, settings=WatchSettings(debounce=0.3, max_delay=5, workers=1))
    first = watcher.catch_up(lambda _r: None)
    assert first.catch_up and first.report.added == 1
    watcher.start()
    try:
        for number in range(20):
            _article(news / f"burst{number}.txt", f"word{number}")
        batches = []
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(batches.append, lambda _r: None, stop), daemon=True)
        thread.start()
        assert _until(lambda: sum(b.report.added for b in batches) == 20)
        stop.set()
        thread.join(timeout=2)
    finally:
        watcher.stop()
    assert len(batches) == 1 and batches[0].changed >= 20


def test_falls_back_to_polling_when_inotify_runs_out(tmp_path, monkeypatch):
    from watchdog.observers import Observer

    def refuse(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(Observer, "schedule", refuse)
    news = tmp_path / "news"
    _article(news / "a.txt", "tern")
    watcher = Watcher([news], tmp_path / "index", settings=WatchSettings(workers=1))
    try:
        mode = watcher.start()
    finally:
        watcher.stop()
    assert mode.startswith("polling") and "limit" in mode
