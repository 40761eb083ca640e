"""Reading an index's Whoosh files with our own code, for the searches most people type.

A search from a shell is a whole process, and importing Whoosh's reading side
alone took 4.7 times a bare Python start.  The segment builder
(``segment_files``) already writes Whoosh's W3Codec files itself; this is the
symmetrical read side, one module per concern:

- ``toc``: the newest table of contents of a generation and its segments (the
  same one Whoosh opens), read with a restricted unpickler;
- ``termtable``: a segment's term table (Whoosh's ordered hash file) and term infos;
- ``postings``: posting lists, inline and in zlib blocks;
- ``columns``: field lengths, numeric columns (publication times), stored fields;
- ``reader``: a generation opened: its segments side by side, statistics across them;
- ``search``: the common search (plain words, every word, date window, relevance,
  near-duplicates folded, snippets), scored by ``bm25`` as ``weighting`` scores;
- ``article``: one stored article by short id, id or path (``show``).

Anything else, or an index this reader does not recognise, goes to the Whoosh
path (``DirectUnsupported``), decided before Whoosh is imported.  No Whoosh
module is imported here (``tokens`` stems with PyStemmer).
"""

from __future__ import annotations

try:  # the C unpickler alone: the ``pickle`` module around it is a large import
    from _pickle import Unpickler, UnpicklingError, load, loads
except ImportError:  # not CPython
    from pickle import Unpickler, UnpicklingError, load, loads

__all__ = ["DirectUnsupported", "Unpickler", "UnpicklingError", "load", "loads"]


class DirectUnsupported(Exception):
    """This index or request is for the Whoosh path; the message says why (for tests)."""
