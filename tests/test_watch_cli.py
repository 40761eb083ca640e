"""``newsindex watch`` as a user runs it: batches printed, Ctrl-C, kill -9 at any moment.

The kill tests write files while ``watch`` runs, kill it with SIGKILL at a
random moment (during a batch, between batches, while catching up), start it
again, and check that the index ends up with exactly the files on disk and
that every committed generation opens and searches.  ``-m slow`` kills more often.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from newsindex.engine.whoosh.hits import stored_article
from newsindex.engine.whoosh.store import current_generation, open_index
from newsindex.index.generations import CRASH_ENV
from newsindex.query import search


def _article(folder, number: int, word: str = "") -> None:
    path = folder / f"desk-{number % 3}" / f"{number:04d}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Harbour bulletin {number}\n\nPilots guided vessel{number} past the breakwater at dawn {word}.\n",
        encoding="utf-8",
    )


class _Watch:
    """A ``newsindex watch --format jsonl`` process and its output lines, read as they come."""

    def __init__(self, news, index_dir, *extra: str, crash: str | None = None) -> None:
        env = {key: value for key, value in os.environ.items() if key != CRASH_ENV}
        if crash:
            env[CRASH_ENV] = crash
        command = [sys.executable, "-m", "newsindex", "watch", str(news), "--index", str(index_dir)]
        command += ["--format", "jsonl", "--debounce", "0.05", "--max-delay", "0.3", "--workers", "1", *extra]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def next(self, timeout: float = 30) -> dict:
        return self.lines.get(timeout=timeout)

    def batch_where(self, condition, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            record = self.next(max(0.01, deadline - time.monotonic()))
            if record["event"] == "batch" and condition(record):
                return record

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.mark.parametrize("poll", [None, "0.1"])
def test_watch_prints_batches_and_stops_on_ctrl_c(tmp_path, poll):
    news = tmp_path / "news"
    _article(news, 1)
    index_dir = tmp_path / "index"
    watch = _Watch(news, index_dir, *(["--poll", poll] if poll else []))
    try:
        first = watch.next()
        assert first["event"] == "batch" and first["catch_up"] and first["added"] == 1
        _article(news, 2, "narwhal")
        written = time.monotonic()
        batch = watch.batch_where(lambda record: record["added"] == 1)
        assert batch["documents"] == 2 and not batch["catch_up"]
        assert search("narwhal", index_dir).total == 1
        assert time.monotonic() - written < 10
        (news / "desk-1" / "0001.txt").unlink()
        assert watch.batch_where(lambda record: record["removed"] == 1)["documents"] == 1
        watch.process.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        assert watch.process.wait(timeout=5) == 0
        assert time.monotonic() - stopped < 3  # a second when the machine is not shared
    finally:
        if watch.process.poll() is None:
            watch.kill()


def test_watch_reports_alert_matches_once(tmp_path):
    news = tmp_path / "news"
    _article(news, 1)
    index_dir = tmp_path / "index"
    subprocess.run([sys.executable, "-m", "newsindex", "index", str(news), "--index", str(index_dir), "-q"], check=True)
    subprocess.run(
        [sys.executable, "-m", "newsindex", "alert", "add", "whales", "narwhal", "--index", str(index_dir)], check=True
    )
    watch = _Watch(news, index_dir)
    try:
        watch.next()
        _article(news, 2, "narwhal")
        matches = []
        while not matches:
            record = watch.next()
            if record["event"] == "alert":
                matches.append(record)
        assert matches[0]["alert"] == "whales" and matches[0]["title"] == "Harbour bulletin 2"
        _article(news, 3, "walrus")
        watch.batch_where(lambda record: record["added"] == 1)
    finally:
        watch.kill()
    watch = _Watch(news, index_dir)  # a restart reports nothing again
    try:
        assert watch.next()["event"] == "batch"
        time.sleep(0.5)
        assert watch.lines.empty()
    finally:
        watch.kill()


def _kill_rounds(tmp_path, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    news = tmp_path / "news"
    for number in range(20):
        _article(news, number)
    index_dir = tmp_path / "index"
    present = set(range(20))
    following = 20
    for _ in range(rounds):
        watch = _Watch(news, index_dir)
        deadline = time.monotonic() + rng.uniform(0.3, 3.0)
        while time.monotonic() < deadline:
            action = rng.random()
            if action < 0.6 or len(present) < 5:
                _article(news, following)
                present.add(following)
                following += 1
            elif action < 0.8:
                number = rng.choice(sorted(present))
                _article(news, number, "amended")
            else:
                number = rng.choice(sorted(present))
                (news / f"desk-{number % 3}" / f"{number:04d}.txt").unlink()
                present.discard(number)
            time.sleep(rng.uniform(0, 0.15))
        watch.kill()
        generation = current_generation(index_dir)
        if generation is not None:  # whatever was committed opens and searches
            with open_index(index_dir).searcher() as searcher:
                assert searcher.doc_count() == json.loads((generation / "info.json").read_text())["documents"]
    watch = _Watch(news, index_dir)
    try:
        watch.next(timeout=60)  # the catch-up
    finally:
        watch.kill()
    with open_index(index_dir).searcher() as searcher:
        paths = {stored_article(searcher.stored_fields(docnum)).path for docnum in searcher.reader().all_doc_ids()}
    assert paths == {str(news / f"desk-{n % 3}" / f"{n:04d}.txt") for n in present}


def test_kill_9_of_watch_at_random_moments_loses_nothing(tmp_path):
    _kill_rounds(tmp_path, rounds=3, seed=1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 6))
def test_kill_9_of_watch_many_times(tmp_path, seed):
    _kill_rounds(tmp_path, rounds=8, seed=seed)


@pytest.mark.parametrize(
    "point",
    [
        "alert-recorded",
        pytest.param("watch-indexed", marks=pytest.mark.slow),
        pytest.param("before-publish", marks=pytest.mark.slow),
    ],
)
def test_watch_killed_at_a_named_point_catches_up(tmp_path, point):
    news = tmp_path / "news"
    _article(news, 1)
    index_dir = tmp_path / "index"
    subprocess.run([sys.executable, "-m", "newsindex", "index", str(news), "--index", str(index_dir), "-q"], check=True)
    subprocess.run(
        [sys.executable, "-m", "newsindex", "alert", "add", "whales", "narwhal", "--index", str(index_dir)], check=True
    )
    watch = _Watch(news, index_dir, crash=point)
    watch.next()  # nothing to catch up: no generation written, no alert checked past the first
    _article(news, 2, "narwhal")
    assert watch.process.wait(timeout=30) == -signal.SIGKILL
    alerts = []
    watch = _Watch(news, index_dir)
    try:
        while True:
            record = watch.next()
            if record["event"] == "alert":
                alerts.append(record["title"])
            if record["event"] == "batch":
                break
        time.sleep(0.3)
        while not watch.lines.empty():
            record = watch.lines.get()
            if record["event"] == "alert":
                alerts.append(record["title"])
    finally:
        watch.kill()
    assert search("narwhal", index_dir).total == 1
    assert alerts == ["Harbour bulletin 2"]
