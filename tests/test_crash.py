"""Crash safety, proven on a real ``newsindex index`` process.

Each test runs the CLI in a subprocess over a corpus made in tmp_path and kills
it (SIGKILL) at a named point of the run -- ``NEWSINDEX_CRASH_AT`` makes the
indexer kill itself there, in the main process or in a worker -- then checks
that the index still opens, that search works, that the committed generation
holds exactly the documents its info.json says, and that a re-run reaches the
expected count.  Also: a full disk (RLIMIT_FSIZE) and two writers at once.
``-m slow`` adds kills after random delays.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time

import pytest

from newsindex.engine.whoosh.store import current_generation, open_index
from newsindex.index.generations import CRASH_ENV, CRASH_POINTS, SHARED_WALK_CRASH_POINTS
from newsindex.query import SearchOptions, search

FILES = 160  # enough for two worker processes
WALK_SHARED, FORK_WALKED = SHARED_WALK_CRASH_POINTS


def _article(folder, n: int, extra: str = "") -> None:
    path = folder / f"desk-{n % 4}" / f"{n:04d}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Published: 2020-0{1 + n % 9}-1{n % 10}\n\nHarbour bulletin {n}\n\n"
        f"Pilots guided vessel{n} past the breakwater at dawn. {extra}\n\n"
        f"The port authority logged cargo lot{n} and the tug crews rested.\n",
        encoding="utf-8",
    )


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    for n in range(FILES):
        _article(folder, n)
    return folder


def _change(folder) -> int:
    """Add, change and remove files (enough to read for two workers); returns the article count afterwards."""
    for n in range(FILES, FILES + 60):
        _article(folder, n, "Fresh arrival.")
    for n in range(0, 30):
        _article(folder, n, "Amended: a squall delayed the convoy.")
    for n in range(30, 40):
        (folder / f"desk-{n % 4}" / f"{n:04d}.txt").unlink()
    return FILES + 60 - 10


#: ``python -m newsindex`` with every record file split in pieces of 20 records.
SMALL_PIECES = (
    "import sys; from newsindex.index import limits; limits.SPLIT_RECORD_BYTES = 1; limits.PIECE_RECORDS = 20; "
    "from newsindex.cli import main; sys.argv[0] = 'newsindex'; main()"
)


#: ``python -m newsindex`` sharing its walk with a fork however small the index (from 50,000 files).
SHARED_WALK = (
    "import sys; from newsindex.index import limits; limits.SHARED_WALK_FILES = 1; "
    "from newsindex.cli import main; sys.argv[0] = 'newsindex'; main()"
)


def run_index(
    corpus,
    index_dir,
    crash: str | None = None,
    limit_bytes: int | None = None,
    small_pieces: bool = False,
    shared_walk: bool = False,
    **popen,
):
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash:
        env[CRASH_ENV] = crash

    def limits() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    start = [sys.executable, "-m", "newsindex"]
    if small_pieces or shared_walk:
        start = [sys.executable, "-c", SMALL_PIECES if small_pieces else SHARED_WALK]
    command = [*start, "index", str(corpus), "--index", str(index_dir), "--workers", "2"]
    return subprocess.Popen(
        [*command, "-q"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limits,
        **popen,
    )


def finish(process, timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def committed_documents(index_dir) -> int:
    """The committed generation opens, searches, and holds what its info.json says."""
    info = json.loads((current_generation(index_dir) / "info.json").read_text(encoding="utf-8"))
    with open_index(index_dir).searcher() as searcher:
        documents = searcher.doc_count()
    assert documents == info["documents"]
    result = search("vessel breakwater", index_dir, SearchOptions(limit=5))
    assert result.total == documents
    search('"port authority" squall', index_dir, SearchOptions(limit=5))
    return documents


def assert_recovers(corpus, index_dir, expected: int) -> None:
    code, _out, err = finish(run_index(corpus, index_dir))
    assert code == 0, err
    assert committed_documents(index_dir) == expected
    assert [p.name for p in index_dir.glob("gen-*")] == [current_generation(index_dir).name]


@pytest.fixture
def indexed(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    code, _out, err = finish(run_index(corpus, index_dir))
    assert code == 0, err
    assert committed_documents(index_dir) == FILES
    return index_dir


# The first run, killed before anything was committed: no index, and the next run builds it.
def test_killed_first_run_leaves_no_index_and_next_run_builds_it(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    code, _out, _err = finish(run_index(corpus, index_dir, crash="segments-committed"))
    assert code == -signal.SIGKILL
    assert current_generation(index_dir) is None
    assert_recovers(corpus, index_dir, FILES)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_kill_at_each_point_keeps_a_whole_index(corpus, indexed, point):
    expected = _change(corpus)
    code, _out, err = finish(run_index(corpus, indexed, crash=point))
    if point.startswith("worker-"):
        # A worker killed: the main process notices and stops with one clear line.
        assert code == 2, err
        assert err.strip().count("\n") == 0 and "worker process died" in err
    else:
        assert code == -signal.SIGKILL, err
    documents = committed_documents(indexed)
    assert documents == (expected if point == "published" else FILES)
    assert_recovers(corpus, indexed, expected)


def _running_with(marker: str) -> list[int]:
    """Processes (not zombies) whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().decode("utf-8", "replace")
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                state = handle.read().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if marker in command and state != "Z":
            found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the walk is shared on Linux")
def test_a_run_killed_while_its_walk_is_shared_leaves_the_index_whole_and_no_fork_behind(corpus, indexed):
    expected = _change(corpus)
    code, _out, err = finish(run_index(corpus, indexed, crash=WALK_SHARED, shared_walk=True))
    assert code == -signal.SIGKILL, err
    assert committed_documents(indexed) == FILES
    assert_recovers(corpus, indexed, expected)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the walk is shared on Linux")
def test_a_fork_sharing_the_walk_dies_with_its_run(corpus, indexed):
    _change(corpus)
    process = run_index(corpus, indexed, crash=f"{FORK_WALKED}:pause", shared_walk=True)  # the fork waits a minute
    deadline = time.monotonic() + 20
    while len(_running_with(str(indexed))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    forks = [pid for pid in _running_with(str(indexed)) if pid != process.pid]
    assert len(forks) == 1, "the run's walk was not shared"
    process.kill()
    finish(process)
    while _running_with(str(indexed)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running_with(str(indexed)) == []  # gone with its parent, not left sleeping
    assert committed_documents(indexed) == FILES


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the walk is shared on Linux")
def test_a_fork_killed_in_a_shared_walk_leaves_the_run_to_walk_its_half(corpus, indexed):
    from newsindex.index import build_index

    expected = _change(corpus)
    code, _out, err = finish(run_index(corpus, indexed, crash=FORK_WALKED, shared_walk=True))
    assert code == 0, err
    assert committed_documents(indexed) == expected
    again = build_index([corpus], indexed, workers=1)  # nothing left for a next run
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, expected)


def _records(path, numbers: range, extra: str = "") -> None:
    with open(path, "a", encoding="utf-8") as handle:
        for n in numbers:
            body = f"Pilots guided vessel{n} past the breakwater at dawn. {extra} The port authority logged lot{n}."
            handle.write(json.dumps({"title": f"Harbour bulletin {n}", "body": body, "date": "2020-02-03"}) + "\n")


@pytest.mark.parametrize(
    "point",
    [
        "worker-indexing",
        *(pytest.param(point, marks=pytest.mark.slow) for point in ("batch-learned", "segments-written", "published")),
    ],
)
def test_kill_while_a_record_file_is_read_in_pieces(tmp_path, point):
    """A changed record file, killed mid-run: the old records stay searchable, then all new ones."""
    feed = tmp_path / "exports" / "feed.jsonl"
    feed.parent.mkdir()
    _records(feed, range(300))
    index_dir = tmp_path / "ix"
    code, _out, err = finish(run_index(feed.parent, index_dir, small_pieces=True))
    assert code == 0, err
    assert committed_documents(index_dir) == 300
    feed.unlink()
    _records(feed, range(250), "Amended.")  # changed: fewer records, and other text
    code, _out, err = finish(run_index(feed.parent, index_dir, crash=point, small_pieces=True))
    assert code == (2 if point.startswith("worker-") else -signal.SIGKILL), err
    assert committed_documents(index_dir) == (250 if point == "published" else 300)
    code, _out, err = finish(run_index(feed.parent, index_dir, small_pieces=True))
    assert code == 0, err
    assert committed_documents(index_dir) == 250
    assert search("amended", index_dir, SearchOptions(limit=5)).total == 250


@pytest.mark.parametrize("room", [None, 4096])
def test_full_disk_leaves_the_old_index_with_one_clear_line(corpus, indexed, room):
    """No file may grow past the limit: the copy of the manifest fails (None),
    or it fits and the database or a segment file fails later (4096)."""
    expected = _change(corpus)
    manifest = current_generation(indexed) / "manifest.sqlite"
    limit = 40_000 if room is None else manifest.stat().st_size + room
    code, _out, err = finish(run_index(corpus, indexed, limit_bytes=limit))
    assert code == 2
    assert err.count("\n") == 1 and "cannot write the index" in err and "previous index is unchanged" in err
    assert committed_documents(indexed) == FILES
    assert len(list(indexed.glob("gen-*"))) == 1
    assert_recovers(corpus, indexed, expected)


def test_a_second_writer_stops_with_a_clear_message(corpus, indexed):
    expected = _change(corpus)
    first = run_index(corpus, indexed, crash="batch-learned:pause")
    deadline = time.monotonic() + 30
    while f"pid {first.pid}" not in (indexed / "LOCK").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        code, _out, err = finish(run_index(corpus, indexed))
        assert code == 2
        assert err.count("\n") == 1 and "is being written by newsindex pid" in err
        assert committed_documents(indexed) == FILES  # readers keep working meanwhile
    finally:
        first.kill()
        first.wait()
    assert committed_documents(indexed) == FILES
    assert_recovers(corpus, indexed, expected)


@pytest.mark.slow
def test_kills_after_random_delays(corpus, indexed, request):
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("long: run with -m slow")
    rng = random.Random(2024)
    started = time.monotonic()
    finish(run_index(corpus, indexed.parent / "timing"))
    full = time.monotonic() - started
    committed, on_disk, killed = FILES, FILES, 0
    for attempt in range(30):
        for n in range(on_disk, on_disk + 70):  # every run has work to do
            _article(corpus, 10_000 + attempt * 100 + n, f"Round {attempt}.")
        on_disk += 70
        process = run_index(corpus, indexed)
        time.sleep(rng.uniform(0, full))
        process.kill()
        killed += process.wait() == -signal.SIGKILL
        documents = committed_documents(indexed)
        assert documents in (committed, on_disk)  # the old state or the whole new one, nothing between
        committed = documents
    assert killed >= 10
    assert_recovers(corpus, indexed, on_disk)
