"""One stored article by short id, full id or path, read without Whoosh (``show``)."""

from __future__ import annotations

import os
from pathlib import Path

from ....models import Article
from ..hits import stored_article
from . import DirectUnsupported
from .postings import postings
from .reader import Generation, open_generation


def _first_document(generation: Generation, fieldname: str, value: str) -> int | None:
    """The lowest live document holding ``value`` in an ID field (Whoosh's ``document_number``)."""
    try:
        term = value.encode("utf-8")
    except UnicodeEncodeError:
        raise DirectUnsupported("an id that is not UTF-8") from None
    for segment in generation.segments:
        info = segment.term_info(fieldname, term)
        if info is None:
            continue
        ids, _weights = postings(info, segment.postfile)
        for docnum in ids:
            if docnum not in segment.deleted:
                return segment.offset + docnum
    return None


def find_article(index_dir: str | Path, handle: str) -> Article | None:
    """``articles.find_by_short_id`` and ``stored_article``, by the direct reader."""
    if not handle:
        raise DirectUnsupported("an empty id")
    generation = open_generation(Path(index_dir))
    lookups = [(fieldname, handle) for fieldname in ("short_id", "id", "path")]
    absolute = os.path.abspath(handle)  # as indexing stores a path given relative to the current directory
    if absolute != handle:
        lookups += [(fieldname, absolute) for fieldname in ("id", "path")]
    for fieldname, value in lookups:
        docnum = _first_document(generation, fieldname, value)
        if docnum is not None:
            return stored_article(generation.stored_fields(docnum))
    return None
