"""One stored article through Whoosh: found by short id, full id or path (``hits`` rebuilds it
as an ``Article``; ``direct.article`` finds it without Whoosh).
"""

from __future__ import annotations

import os
from pathlib import Path

from .hits import _published, _stored_metadata, stored_article  # noqa: F401 - imported from here by older code
from .store import open_index


def _find_docnum(searcher, handle: str) -> int | None:
    for fieldname in ("short_id", "id", "path"):
        docnum = searcher.document_number(**{fieldname: handle})
        if docnum is not None:
            return docnum
    absolute = os.path.abspath(handle)  # as indexing stores a path given relative to the current directory
    if absolute != handle:
        for fieldname in ("id", "path"):
            docnum = searcher.document_number(**{fieldname: absolute})
            if docnum is not None:
                return docnum
    return None


def find_by_short_id(index_dir: str | Path, handle: str) -> dict | None:
    """The stored article for a short id (or a full id, or a path)."""
    ix = open_index(Path(index_dir))
    with ix.searcher() as searcher:
        docnum = _find_docnum(searcher, handle)
        return searcher.stored_fields(docnum) if docnum is not None else None
