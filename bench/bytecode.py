"""The environment of a measured subprocess: bytecode cached, as in a normal installation.

``pip install`` compiles a package's modules, and any run of a checkout writes their
``__pycache__``.  In a container that sets ``PYTHONDONTWRITEBYTECODE`` (this one does) a
checkout has none, and every measured process would compile newsindex's modules again
inside the time measured.  So the variable is dropped and the cache goes outside the
repository (``PYTHONPYCACHEPREFIX``): a first, unmeasured run of each kind fills it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Where the benchmarks keep what they build between runs.
CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "newsindex-bench"


def cached_bytecode_env(keep: bool = False) -> dict[str, str]:
    """``os.environ`` with bytecode written to and read from ``CACHE / "pycache"``;
    as it is with ``keep``."""
    env = dict(os.environ)
    if not keep:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env
