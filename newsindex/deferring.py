"""Importing a library with some of its own imports deferred until they are used.

A command is a whole process start, and a library's imports are often a large
share of its time while the command never uses them: Whoosh imports HTTP and
SSL for a download helper (``engine.whoosh``), click imports ``inspect`` (with
``ast``, ``dis``, ``tokenize``) to clean up help texts and ``uuid`` (with
``platform``) for a parameter type we do not use (``cli``).

``import_with_stand_ins(modules, stand_ins)`` imports ``modules`` while a
stand-in module holds the place of each module named in ``stand_ins``: the
library binds the stand-in (``import inspect``) or the names given for it
(``from hashlib import md5``), and any other name looked up in a stand-in
imports the real module then.  The stand-ins are only in ``sys.modules``
during these imports: whoever imports one of the real modules afterwards gets
the real module.  Where a module was imported already, nothing is replaced.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from importlib import import_module


class StandIn(types.ModuleType):
    """A module in ``sys.modules`` only while a library is imported; looking up a name it
    was not given imports the real module."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(real(self.__name__), name)


def real(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if need be (also while a stand-in holds its place)."""
    if isinstance(sys.modules.get(name), StandIn):
        del sys.modules[name]
    return import_module(name)


def import_with_stand_ins(modules: Iterable[str], stand_ins: dict[str, dict[str, object] | None]) -> None:
    """Import ``modules`` with a ``StandIn`` for each module of ``stand_ins`` not yet imported,
    holding the names given for it (None: none)."""
    placed = {}
    for name, attributes in stand_ins.items():
        if name not in sys.modules:
            module = StandIn(name)
            module.__dict__.update(attributes or {})
            placed[name] = module
    sys.modules.update(placed)
    try:
        for name in modules:
            import_module(name)
    finally:
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _quote_from_bytes(*args, **kwargs) -> str:
    return real("urllib.parse").quote_from_bytes(*args, **kwargs)


def _get_annotations(obj, *, globals=None, locals=None, eval_str=False) -> dict:
    """``inspect.get_annotations`` of a class, unevaluated, as ``dataclasses`` asks for it
    (Python 3.12 on) for every class it makes; anything else from the real ``inspect``."""
    if isinstance(obj, type) and not eval_str:
        annotations = obj.__dict__.get("__annotations__")  # noqa: RUF063 - inspect is what is deferred
        if annotations is None or isinstance(annotations, types.GetSetDescriptorType):
            return {}
        if isinstance(annotations, dict):
            return dict(annotations)
    return real("inspect").get_annotations(obj, globals=globals, locals=locals, eval_str=eval_str)


#: What two standard modules that every command imports import, and no command uses:
#: ``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``) for classes without a
#: docstring (ours all have one) and, from Python 3.12, a class's annotations (given here);
#: ``pathlib`` imports ``urllib.parse`` (with ``ipaddress``) for ``Path.as_uri``, which we never call.
STDLIB_STAND_INS: dict[str, dict[str, object] | None] = {
    "inspect": {"get_annotations": _get_annotations},
    "urllib.parse": {"quote_from_bytes": _quote_from_bytes},
}


def import_stdlib_lightly() -> None:
    """Import ``dataclasses`` and ``pathlib`` without the modules ``STDLIB_STAND_INS`` defers."""
    import_with_stand_ins(["dataclasses", "pathlib"], STDLIB_STAND_INS)
