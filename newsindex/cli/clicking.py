"""click, imported without the modules it imports for features we never use (``deferring``).

``common`` imports click from here, so every command group and test gets the same light click.
"""

from __future__ import annotations

import gc
import os
import sys
import types

from ..deferring import STDLIB_STAND_INS, import_with_stand_ins, real


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


#: What click imports and a command need not (``deferring``): ``inspect`` (with ``ast``, ``dis``,
#: ``tokenize``: a quarter of click's import time) for ``cleandoc`` and ``isfunction``; ``uuid``
#: (with ``platform``) for its UUID parameter type; ``gettext`` (with ``locale``) to translate its
#: messages, where there is no catalogue to translate them with (``_no_catalogues``).  And
#: ``deferring.STDLIB_STAND_INS``, as ``dataclasses`` and ``pathlib`` are imported alongside.
CLICK_STAND_INS: dict[str, dict[str, object] | None] = {
    **STDLIB_STAND_INS,
    "inspect": {"cleandoc": _cleandoc, "isfunction": lambda value: isinstance(value, types.FunctionType)},
    "uuid": {"UUID": _UUID},
    "gettext": {"gettext": _gettext, "ngettext": _ngettext},
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
finally:
    if _collecting:
        gc.freeze()
        gc.enable()


__all__ = ["CLICK_STAND_INS", "click"]
