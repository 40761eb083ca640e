"""Peak resident memory of a running command and all its child processes, for the bench scripts.

Sampled from ``/proc`` (Linux) every 20 ms on a thread while the command runs:

    process = subprocess.Popen(command)
    with PeakMemory(process.pid) as memory:
        process.communicate()
    print(memory.peak, memory.peak_main)
"""

from __future__ import annotations

import os
import threading
import time


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident memory (bytes) of a process and all its descendants, and of the process alone."""
    total = own = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        total += rss
                        if current == pid:
                            own = rss
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total, own


class PeakMemory:
    """The highest ``tree_rss`` seen while the ``with`` block runs: ``peak`` (the whole
    tree) and ``peak_main`` (the process itself)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = self.peak_main = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            total, own = tree_rss(self.pid)
            self.peak, self.peak_main = max(self.peak, total), max(self.peak_main, own)
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
