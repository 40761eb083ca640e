"""Regular expressions compiled on first use.

Compiling a pattern is done in Python (``re._parser``, ``re._compiler``) and is
repeated by every process: a module of a dozen date patterns cost a search
process more than its own code, though a search uses none of them.  A
``LazyPattern`` compiles on the first use of any of its attributes and then
keeps the compiled pattern's bound methods as its own attributes, so later
calls cost what the compiled pattern's do.
"""

from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(pattern, flags)``, done when first used."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._arguments = (pattern, flags)

    def __getattr__(self, name: str):
        value = getattr(re.compile(*self._arguments), name)
        setattr(self, name, value)  # found directly from now on
        return value
