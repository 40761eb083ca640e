"""The ``newsindex`` command: parses options, calls the library, prints.

Exit codes follow ripgrep: 0 something found, 1 nothing found, 2 error.
Commands live in ``indexing``, ``searching`` and ``live``, shared options in
``common``.  Only the module of the command that runs is imported
(``common.COMMAND_MODULES``), and library modules inside each command, so that a
search does not pay for the indexer's imports, and the reverse.  An ordinary command
line of a reading command (search, similar, show, stats) is read without importing
click at all (``quick``); click reads every other one.  ``cli``, the click group,
is imported when first asked for.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

from .basics import EXIT_ERROR, EXIT_FOUND, Failure, _quiet_stdout, echo

__all__ = ["BLAS_THREADS", "cli", "limit_blas_threads", "main", "run"]

#: Commands that are over in a moment (and ``--help``, ``--version``: no command): they run
#: without the cycle collector.  ``index``, ``watch`` and the rest run long and keep it.
SHORT_COMMANDS = {None, "search", "show", "stats", "similar"}


def __getattr__(name: str):
    if name == "cli":
        from .common import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_name(args: list[str]) -> str | None:
    """The command in ``args`` (the group's own options all start with "-")."""
    return next((arg for arg in args if not arg.startswith("-")), None)


#: numpy's OpenBLAS starts a thread per core when imported, and newsindex does no linear
#: algebra for them to share: one thread saves a search that imports numpy about a
#: quarter of its CPU time.  A setting the user made stands.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}


def limit_blas_threads() -> None:
    """``BLAS_THREADS`` where the user set nothing; before numpy loads, or it has no effect."""
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    limit_blas_threads()
    args = sys.argv[1:]
    if _command_name(args) in SHORT_COMMANDS:
        gc.disable()
    try:
        command = None
        if args and args[0] in SHORT_COMMANDS:  # a reading command, perhaps read without click
            from .quick import quick_command

            command = quick_command(args)
        code = _run_quick(command) if command is not None else _run_click()
        sys.stdout.flush()  # here, where a closed pipe is still ours to handle
        if isinstance(code, int) and code:
            sys.exit(code)
    except Failure as exc:  # under click, a Failure is a click exception (``_run_click``)
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        echo("newsindex: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `newsindex search ... | head`: the reader left; that is not an error.
        _quiet_stdout()
        sys.exit(EXIT_FOUND)
    except Exception as exc:
        echo(f"newsindex: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _run_quick(command: Callable[[], object]) -> object:
    try:
        return command()
    except (EOFError, KeyboardInterrupt):  # as click has it: a new line, then "aborted"
        echo("", err=True)
        echo("newsindex: aborted", err=True)
        sys.exit(130)


def _run_click() -> object:
    from .clicking import click
    from .common import cli

    try:
        return cli.main(prog_name="newsindex", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        echo("newsindex: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)


def run() -> None:
    """The ``newsindex`` program (console script and ``python -m newsindex``): ``main``, and a
    short command then ends its process at once.

    A process ending normally tears down every module and object it made, a tenth
    of a search process's CPU time, for nothing: the output is flushed here and the
    process exits with ``os._exit``.  Nothing of ours needs ``atexit`` (a short
    command writes no file).  Long commands (``index``, ``watch``) end as usual, but with
    every object frozen first: Python's last collection would look through all of them for
    cycles no one will miss (60-80 ms after a one-file run over 200,000 files, which takes
    about a second); files are closed by their ``with`` blocks, not by that collection.
    """
    if _command_name(sys.argv[1:]) not in SHORT_COMMANDS:
        try:
            main()
        finally:
            gc.freeze()
        return
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: main said what there was to say
            pass
    os._exit(code or 0)
