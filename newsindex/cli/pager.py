"""Paging long output on a terminal: $PAGER (else less), with colour only where it shows as colour.

click passes colour escapes to the pager as they are when told the output is
coloured, and sets ``LESS=-R`` only when it decides about colour itself: with
our colours and no ``$LESS``, less showed ``ESC[1m`` as text.  Here less gets
``LESS=FRX`` when the user has no ``$LESS`` (quit if one screen, raw colour,
no screen clearing, as git does) and ``-R`` whenever colour is sent; any
other pager, which may not understand escapes, gets none.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field

DEFAULT_LESS = "FRX"


@dataclass
class Pager:
    """The pager command to run and the environment to run it in."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def is_less(self) -> bool:
        return os.path.basename(self.argv[0]) == "less"

    @property
    def shows_colour(self) -> bool:
        return self.is_less


def find_pager() -> Pager | None:
    """$PAGER, else less, else none (``PAGER=`` or ``PAGER=cat`` turn paging off)."""
    command = os.environ.get("PAGER")
    argv = shlex.split(command) if command is not None else ["less"]
    if not argv or os.path.basename(argv[0]) == "cat" or shutil.which(argv[0]) is None:
        return None
    env = dict(os.environ)
    if os.path.basename(argv[0]) == "less":
        if not env.get("LESS"):
            env["LESS"] = DEFAULT_LESS
        argv = [*argv, "-R"]  # raw colour, whatever $LESS says
    return Pager(argv, env)


def page(text: str, pager: Pager) -> None:
    """Feed ``text`` to the pager and wait for the user to leave it."""
    process = subprocess.Popen(pager.argv, stdin=subprocess.PIPE, env=pager.env, text=True, errors="replace")
    try:
        process.stdin.write(text)
        process.stdin.close()
    except BrokenPipeError:  # the user quit before reading it all
        pass
    while True:
        try:
            process.wait()
            break
        except KeyboardInterrupt:  # less handles Ctrl-C itself; wait for it to exit
            continue
