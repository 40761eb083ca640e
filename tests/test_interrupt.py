"""Ctrl-C during a run: the indexer and its workers stop within a second, and say what is true."""

from __future__ import annotations

import os
import signal
import time

from .test_crash import finish, run_index
from .test_index import make_corpus


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _interrupt_while_workers_are_busy(news, index_dir) -> tuple[float, int, str, set[int]]:
    """Start a run whose workers are busy (paused in their extraction), press Ctrl-C."""
    process = run_index(news, index_dir, crash="worker-extracted:pause")
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(process.pid)
    assert len(workers) >= 2, "the workers started"
    time.sleep(1.0)  # into their work
    pressed = time.monotonic()
    process.send_signal(signal.SIGINT)
    code, _out, err = finish(process, timeout=60)
    return time.monotonic() - pressed, code, err, workers


def test_ctrl_c_on_a_first_build_stops_at_once_and_says_no_index_was_made(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 130)
    took, code, err, workers = _interrupt_while_workers_are_busy(news, tmp_path / "ix")
    assert code == 130, err
    assert took < 1.5, f"stopped {took:.1f} s after Ctrl-C"
    assert not any(_alive(pid) for pid in workers), "no worker keeps running"
    assert "no index was created" in err and "previous index" not in err, err
    assert err.strip().count("\n") == 0


def test_ctrl_c_on_an_update_says_the_previous_index_is_unchanged(tmp_path):
    from newsindex.index import build_index

    news = tmp_path / "news"
    make_corpus(news, 10)
    build_index([news], tmp_path / "ix", workers=1)
    make_corpus(news / "more", 130)
    took, code, err, _workers = _interrupt_while_workers_are_busy(news, tmp_path / "ix")
    assert code == 130 and took < 1.5, (took, err)
    assert "the previous index is unchanged" in err and "no index was created" not in err, err
