"""An ordinary command line of a reading command, read without click.

Importing click and building its commands is about a fifth of the work of a whole ``newsindex
search`` process (issue 18: a search should cost at most 4x a bare Python start).  Most command
lines are plain: a command, words, a few known options with good values.  ``parsed`` reads those
with the declarations of ``params`` and gives the values click would give; anything else (help,
a misspelt option, a bad value, a missing argument, shell completion) it leaves to click, which
says what is wrong as it always has.  tests/test_quick_parse.py holds ``parsed`` equal to click.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .params import READING, Option, Param

#: The variable that asks click for shell completions instead of running the command.
COMPLETION_VARIABLE = "_NEWSINDEX_COMPLETE"


class _Declined(Exception):
    """The command line is not a plain one: click reads it."""


def parsed(args: list[str]) -> tuple[str, dict[str, object]] | None:
    """``(command, its parameters)`` as click would read ``args`` (the words after ``newsindex``),
    or None where click must read them."""
    if not args or args[0] not in READING or COMPLETION_VARIABLE in os.environ:
        return None
    try:
        return args[0], _parse(READING[args[0]], args[1:])
    except (_Declined, ValueError):
        return None


def quick_command(args: list[str]) -> Callable[[], object] | None:
    """The reading command ``args`` name, ready to run without click, or None."""
    from .basics import plain_streams

    found = parsed(args)
    if found is None or not plain_streams():
        return None
    from ..deferring import import_stdlib_lightly

    import_stdlib_lightly()  # as click's import does (``clicking``), before the library's
    from .reading import COMMANDS

    command, values = found
    return lambda: COMMANDS[command](**values)


def _parse(params: tuple[Param, ...], args: list[str]) -> dict[str, object]:
    strings = {string: param for param in params if isinstance(param, Option) for string in param.strings}
    given: dict[str, list] = {}
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            words.extend(rest)
        elif arg[:1] == "-" and len(arg) > 1:
            string, value = _split(arg, strings)
            option = strings[string]
            sets = option.strings[string]
            if sets is not None:  # a flag
                if value is not None:
                    raise _Declined(arg)
                given.setdefault(option.name, []).append(sets)
                continue
            if value is None:
                value = next(rest, None)
                if value is None or (value[:1] == "-" and len(value) > 1):
                    raise _Declined(arg)
            given.setdefault(option.name, []).append(option.convert(value))
        else:
            words.append(arg)
    values = {}
    for param in params:
        if param.is_argument:
            values[param.name] = _arguments(param, words)
        elif param.name in given:
            values[param.name] = tuple(given[param.name]) if param.multiple else given[param.name][-1]
        else:
            values[param.name] = param.default
    if words:
        raise _Declined(words)  # more words than the arguments take
    return values


def _split(arg: str, strings: dict[str, Option]) -> tuple[str, str | None]:
    """The option string in ``arg`` and the value written in it (``--limit=5``, ``-n5``), if any."""
    if arg.startswith("--"):
        string, equals, value = arg.partition("=")
        if string in strings:
            return string, value if equals else None
    elif arg[:2] in strings and strings[arg[:2]].strings[arg[:2]] is None:
        return arg[:2], arg[2:] or None
    raise _Declined(arg)


def _arguments(param: Param, words: list[str]):
    if param.settings.get("nargs", 1) == -1:
        taken = tuple(param.convert(word) for word in words)
        words.clear()
        return taken
    if not words:
        raise _Declined(param.name)  # click says it is missing
    return param.convert(words.pop(0))
