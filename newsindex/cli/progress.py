"""The indexing progress line on stderr: a bar over a total known from the start, plain words,
and a rate and time left only once they mean something."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Seconds before a rate is shown: the first seconds (start-up, the count, the
#: first batch) would give "0/s" and a wild time left.
RATE_AFTER = 2.0
#: Seconds between redraws.
REDRAW = 0.1
BAR_WIDTH = 30


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ProgressLine:
    """``progress(done, total)`` for ``build_index``: one line, redrawn in place.

    ``write`` takes each rendering (the CLI writes it to stderr after a carriage
    return); ``clock`` is injectable for tests.
    """

    def __init__(self, write: Callable[[str], None], clock: Callable[[], float] = time.perf_counter) -> None:
        self.write = write
        self.clock = clock
        self.started = clock()
        self.last = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and now - self.last < REDRAW:
            return
        self.last = now
        self.write(self.render(done, total, now - self.started))

    @staticmethod
    def render(done: int, total: int, elapsed: float) -> str:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        text = f"{'█' * filled}{'░' * (BAR_WIDTH - filled)} {done:,} of {total:,} files"
        if elapsed >= RATE_AFTER and done > 0:
            rate = done / elapsed
            text += f"  {rate:,.0f} files/s"
            if done < total:
                text += f"  about {_duration((total - done) / rate)} left"
        return text
