"""The ``newsindex`` command: parses options, calls the library, prints.

Exit codes follow ripgrep: 0 something found, 1 nothing found, 2 error.
Commands live in ``indexing``, ``searching`` and ``live``, shared options in
``common``.  Only the module of the command that runs is imported
(``common.COMMAND_MODULES``), and library modules inside each command, so that a
search does not pay for the indexer's imports, and the reverse.
"""

from __future__ import annotations

import gc
import os
import sys
import types

from ..deferring import import_with_stand_ins, real


def _cleandoc(text: str) -> str:
    """``inspect.cleandoc``, which click calls on every option's help text as a command is
    defined: tabs expanded, the first line stripped, the common indentation of the others
    removed, blank lines at either end dropped (tests/test_startup.py holds the two equal)."""
    lines = text.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()]
    margin = min(indents) if indents else 0
    lines = [lines[0].lstrip(), *(line[margin:] for line in lines[1:])]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


class _UUID:
    """Stands in for ``uuid.UUID`` in click's parameter types (a type we do not use): making
    one makes a real one."""

    def __new__(cls, *args, **kwargs):
        return real("uuid").UUID(*args, **kwargs)


def _no_catalogues() -> bool:
    """Whether ``gettext`` can find no message catalogue at all: it looks only under
    ``<sys.base_prefix>/share/locale`` (unless a program binds another directory, which
    imports ``gettext``), so without that directory every message stays as it is."""
    return "gettext" not in sys.modules and not os.path.isdir(os.path.join(sys.base_prefix, "share", "locale"))


def _gettext(message: str) -> str:
    return message if _no_catalogues() else real("gettext").gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if _no_catalogues():
        return singular if n == 1 else plural
    return real("gettext").ngettext(singular, plural, n)


def _quote_from_bytes(*args, **kwargs) -> str:
    return real("urllib.parse").quote_from_bytes(*args, **kwargs)


#: What click imports and a command need not (``deferring``): ``inspect`` (with ``ast``, ``dis``,
#: ``tokenize``: a quarter of click's import time) for ``cleandoc`` and ``isfunction``; ``uuid``
#: (with ``platform``) for its UUID parameter type; ``gettext`` (with ``locale``) to translate its
#: messages, where there is no catalogue to translate them with (``_no_catalogues``).
#: ``dataclasses`` imports ``inspect`` too, for
#: classes without a docstring (ours all have one), so it is imported alongside; ``pathlib``
#: imports ``urllib.parse`` (with ``ipaddress``) for ``Path.as_uri``, which we never call.
CLICK_STAND_INS: dict[str, dict[str, object]] = {
    "inspect": {"cleandoc": _cleandoc, "isfunction": lambda value: isinstance(value, types.FunctionType)},
    "uuid": {"UUID": _UUID},
    "gettext": {"gettext": _gettext, "ngettext": _ngettext},
    "urllib.parse": {"quote_from_bytes": _quote_from_bytes},
}

# A command's start-up is mostly imports: tens of thousands of objects that live until the
# process ends, so the cycle collector's passes over them free next to nothing.  It is off while
# click is imported, and everything alive then is frozen (``gc.freeze``: left out of every
# later pass); ``main`` turns it off for the short commands.  Together they take ~15% off the
# CPU time of a search process.
_collecting = gc.isenabled()
gc.disable()
try:
    import_with_stand_ins(["click", "dataclasses", "pathlib"], CLICK_STAND_INS)
    import click

    from .common import EXIT_ERROR, EXIT_FOUND, _quiet_stdout, cli
finally:
    if _collecting:
        gc.freeze()
        gc.enable()

__all__ = ["cli", "main", "run"]

#: Commands that are over in a moment (and ``--help``, ``--version``: no command): they run
#: without the cycle collector.  ``index``, ``watch`` and the rest run long and keep it.
SHORT_COMMANDS = {None, "search", "show", "stats", "similar"}


def _command_name(args: list[str]) -> str | None:
    """The command in ``args`` (the group's own options all start with "-")."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    if _command_name(sys.argv[1:]) in SHORT_COMMANDS:
        gc.disable()
    try:
        code = cli.main(prog_name="newsindex", standalone_mode=False)
        sys.stdout.flush()  # here, where a closed pipe is still ours to handle
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("newsindex: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("newsindex: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `newsindex search ... | head`: the reader left; that is not an error.
        _quiet_stdout()
        sys.exit(EXIT_FOUND)
    except Exception as exc:
        click.echo(f"newsindex: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def run() -> None:
    """The ``newsindex`` program (console script and ``python -m newsindex``): ``main``, and a
    short command then ends its process at once.

    A process ending normally tears down every module and object it made, a tenth
    of a search process's CPU time, for nothing: the output is flushed here and the
    process exits with ``os._exit``.  Nothing of ours needs ``atexit`` (a short
    command writes no file).  Long commands (``index``, ``watch``) end as usual.
    """
    if _command_name(sys.argv[1:]) not in SHORT_COMMANDS:
        main()
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

