"""Where an index lives and what its generation holds besides Whoosh's files: no Whoosh here.

Both ways of reading an index use this: Whoosh's (``store``) and the direct
reader (``direct``), which a search of plain words takes without importing Whoosh.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .. import IndexProblem

INDEX_NAME = "articles"
#: The saved searches of an index (``alerts``), beside its generations: an index without
#: this file has none, and an indexing run then needs no search machinery to report them.
ALERTS_FILE = "alerts.sqlite"
#: 2: ``paths`` of duplicates, sketch indexed by its smallest values, manifest of articles.
#: 3: the manifest keeps each article's learned-boilerplate keys, not its paragraphs.
#: 4: the whole sketch also in a column.
#: 5: undated articles carry ``UNDATED_MONTH`` in the month field.
#: 6: near-duplicates found at index time (``NEIGHBOURS_FILE``); the sketch is a column only.
#:    Since 2026-12-03 the packed sketch is no longer also stored as hex; nothing read that
#:    copy, so an index holding it reads and updates alike.
#: 7: words stemmed by Snowball's current English stemmer (PyStemmer), not whoosh's older
#:    Porter2: 87 of 72,535 words of the shared collections stem differently ("added").
#: 8: the posting blocks of title and body lists hold no positions: they are in the lists'
#:    posting arrays alone (Whoosh's matcher read them there; since format 10 see ``array_matcher``).
#: 9: stored fields compressed with Zstandard (``stored_codec``), not zlib.
#: 10: a title or body list too long to be inline has no Whoosh blocks: it is its posting
#:    arrays alone, with an extent of length 0 (``array_matcher``, ``merged_arrays``).
FORMAT_VERSION = 10
#: The month term of an article without a date.
UNDATED_MONTH = "undated"
#: Each generation's near-duplicate graph (dedup.near_duplicate_graph), aligned
#: with its document numbers: a header, then ``offsets`` and ``neighbours`` as
#: little-endian 32-bit integers.
NEIGHBOURS_FILE = "neighbours.bin"
#: The near-duplicate graph's state for the next run (``neargraph``): its documents' leading
#: values, and its links, in a file of their own that a run whose links did not change links
#: from the generation before; and where version 1 of it was kept.  Named here so that a
#: run's bookkeeping need not import numpy to know them.
STATE_FILE = "neargraph.state"
LINKS_FILE = "neargraph.links"
LEGACY_STATE_FILE = "neargraph.npz"
_NEIGHBOURS_HEADER = struct.Struct("<8sII")
_NEIGHBOURS_MAGIC = b"NXNEAR01"
_GEN_PREFIX = "gen-"


def short_id(article_id: str) -> str:
    """A short, stable handle for ``show`` and ``similar``."""
    import hashlib  # here: only indexing makes them, and hashlib loads OpenSSL

    return hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


# --- locating -----------------------------------------------------------------


def default_index_dir() -> Path:
    """``$NEWSINDEX_INDEX``, else the per-user data directory."""
    env = os.environ.get("NEWSINDEX_INDEX")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base, "newsindex", "index")


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexProblem(f"cannot read index at {index_dir}: {exc.strerror}") from None
    if not name.startswith(_GEN_PREFIX) or "/" in name:
        raise IndexProblem(f"index at {index_dir} is damaged (bad CURRENT file); rebuild it with --rebuild")
    return index_dir / name


def _format_problem(index_dir: Path, found) -> IndexProblem:
    return IndexProblem(
        f"index at {index_dir} was made by another version of newsindex (format {found}, this one reads "
        f"{FORMAT_VERSION}); rebuild it with: newsindex index PATH --rebuild"
    )


def require_current_format(index_dir: Path, generation: Path) -> None:
    """Refuse a generation written in another index format: every command, reading or writing
    (a write would label another format's terms and columns as this one's)."""
    found = _read_info(generation).get("format")
    if found != FORMAT_VERSION:
        raise _format_problem(index_dir, found)


def missing_index_problem(index_dir: Path) -> IndexProblem:
    """Why there is no committed generation to read in ``index_dir``, for the user."""
    if index_dir.exists() and any(index_dir.glob("*.toc")):
        return IndexProblem(f"{index_dir} holds an index of another program or version; rebuild it with --rebuild")
    if _being_written(index_dir):
        return IndexProblem(f"the index at {index_dir} is being built; search again when the first run finishes")
    return IndexProblem(f"no index at {index_dir}; create one with: newsindex index PATH --index {index_dir}")


def _being_written(index_dir: Path) -> bool:
    """Whether a writer holds the index's ``LOCK`` now (a first run before it has
    published anything); a lock file left by a dead run is not held."""
    import fcntl

    try:
        with open(index_dir / "LOCK", "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


# --- the near-duplicate graph ------------------------------------------------------


def write_near_duplicates(path: Path, offsets: array, neighbours: array) -> None:
    """Write a generation's graph (see ``NEIGHBOURS_FILE``)."""
    with open(path, "wb") as handle:
        handle.write(_NEIGHBOURS_HEADER.pack(_NEIGHBOURS_MAGIC, len(offsets) - 1, len(neighbours)))
        for values in (offsets, neighbours):
            if sys.byteorder == "big" or not isinstance(values, array) or values.typecode != "I":
                values = array("I", values)  # a copy, little-endian
                if sys.byteorder == "big":
                    values.byteswap()
            handle.write(values)


TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:
    from typing import TypeVar

    Ranked = TypeVar("Ranked")


class NearDuplicates:
    """A generation's near-duplicate graph, mapped from its file: looking an
    article's list up reads a few bytes, however large the index."""

    def __init__(self, path: Path) -> None:
        try:
            with open(path, "rb") as handle:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            magic, documents, pairs = _NEIGHBOURS_HEADER.unpack_from(self._map)
            expected = _NEIGHBOURS_HEADER.size + 4 * (documents + 1 + pairs)
            if magic != _NEIGHBOURS_MAGIC or len(self._map) != expected:
                raise ValueError
        except (OSError, ValueError, struct.error):
            raise IndexProblem(
                f"index at {path.parent.parent} is damaged (near-duplicate file); rebuild it with --rebuild"
            ) from None
        body = memoryview(self._map)[_NEIGHBOURS_HEADER.size :]
        if sys.byteorder == "little":
            values: Sequence[int] = body.cast("I")
        else:
            values = array("I", body)
            values.byteswap()
        self.documents = documents
        self._offsets = values[: documents + 1]
        self._neighbours = values[documents + 1 :]

    def of(self, docnum: int) -> Sequence[int]:
        """The near-duplicates of document ``docnum`` (document numbers, ascending)."""
        if not 0 <= docnum < self.documents:
            return ()
        return self._neighbours[self._offsets[docnum] : self._offsets[docnum + 1]]

    def fold(self, ranked: Iterable[Ranked], docnum: Callable[[Ranked], int]) -> list[Ranked]:
        """``ranked`` (best first) without each item that is a near-duplicate of a better-ranked
        item kept: a wire story and its copies show once, as their best-ranked copy."""
        kept: list[Ranked] = []
        kept_docnums: set[int] = set()
        for item in ranked:
            number = docnum(item)
            if kept_docnums.isdisjoint(self.of(number)):
                kept_docnums.add(number)
                kept.append(item)
        return kept


def _read_info(generation: Path) -> dict:
    try:
        return json.loads((generation / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def index_disk_size(index_dir: Path) -> int:
    generation = current_generation(index_dir)
    if generation is None:
        return 0
    return sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
