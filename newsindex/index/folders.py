"""The folders an index was built from, read from a generation's manifest.

A module of its own because ``stats`` reads them: the manifest module brings the
indexer's imports (cleaning, reading), which a summary of the index does not need.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote


def indexed_folders(generation: Path) -> dict[str, int]:
    """The paths given to ``newsindex index`` (and not removed), with the files indexed under each."""
    try:
        db = sqlite3.connect(f"file:{quote(str(generation / 'manifest.sqlite'))}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'roots'").fetchone():
            return {}
        folders = {}
        for (root,) in db.execute("SELECT path FROM roots ORDER BY path").fetchall():
            prefix = root.rstrip(os.sep) + os.sep
            # Paths under the folder sort between "folder/" and "folder0" ("0" follows "/").
            (count,) = db.execute(
                "SELECT COUNT(*) FROM files WHERE path = ? OR (path >= ? AND path < ?)",
                (root, prefix, prefix[:-1] + chr(ord(os.sep) + 1)),
            ).fetchone()
            folders[root] = count
        return folders
    finally:
        db.close()
