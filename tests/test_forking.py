"""Work in a fork of the process (``forking.Forked``): its result comes back, a failure is None."""

from __future__ import annotations

import os
import time

import pytest

from newsindex.forking import Forked, forkable

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_a_fork_works_on_what_this_process_has_and_sends_its_result_back():
    data = list(range(100_000))  # in memory before the fork: nothing is sent to it
    fork = Forked(lambda: str(sum(data)).encode())
    assert forkable() and fork.start()
    assert fork.result() == str(sum(range(100_000))).encode()
    assert fork.pid is None and fork.result() is None  # waited for; nothing more to take


def test_a_fork_that_fails_gives_no_result():
    def fail() -> bytes:
        raise RuntimeError("in the fork")

    fork = Forked(fail)
    assert fork.start()
    assert fork.result() is None


def test_stopping_a_fork_ends_it_and_reaps_it():
    fork = Forked(lambda: time.sleep(60) or b"late")
    assert fork.start()
    pid = fork.pid
    started = time.monotonic()
    fork.stop()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped, not left a zombie
    assert fork.result() is None
