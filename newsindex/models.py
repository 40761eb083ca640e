"""Plain records passed between the pipeline stages.

read -> ``RawDocument`` -> extract -> ``Draft`` -> clean -> ``Article`` -> index;
search -> ``SearchResult`` (of ``Hit``) -> render.  Keeping these as dataclasses
with no behaviour means each stage can be tested and reused on its own.

The records before ``Article`` (``RawDocument``, ``Removal``, ``Draft``,
``Skipped``) are defined in ``drafts`` and reached through here on first use:
making a dataclass runs generated code, and a search, ``show`` or ``stats``
process uses none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a search process need not)
if TYPE_CHECKING:
    from .drafts import Draft, RawDocument, Removal, Skipped

_IN_DRAFTS = ("RawDocument", "Removal", "Draft", "Skipped")


def __getattr__(name: str):
    if name in _IN_DRAFTS:
        from . import drafts

        return getattr(drafts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Article:
    """A cleaned article: what is indexed and what ``extract`` prints.

    ``published`` is timezone-aware UTC; ``date_only`` records that the source
    gave a day but no time, so renderers can avoid inventing midnight.
    """

    id: str
    path: str
    title: str
    authors: list[str]
    published: datetime | None
    date_only: bool
    section: str | None
    source: str | None
    url: str | None
    language: str | None
    body: list[str]
    content_hash: str
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.body)


@dataclass
class Hit:
    """One search result, ready to render."""

    id: str
    short_id: str
    path: str
    title: str
    authors: list[str]
    published: datetime | None
    date_only: bool
    section: str | None
    source: str | None
    url: str | None
    score: float
    snippet: str
    #: (start, end) character spans of matched terms inside ``snippet``.
    highlights: list[tuple[int, int]] = field(default_factory=list)
    similar: int = 0


@dataclass
class SearchResult:
    """A page of hits plus what a header line needs to explain them."""

    query: str
    hits: list[Hit]
    total: int
    seconds: float
    filters: list[str] = field(default_factory=list)
    undated_excluded: int = 0
    relaxed: bool = False
    suggestion: str | None = None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


__all__ = ["Article", "Draft", "Hit", "RawDocument", "Removal", "SearchResult", "Skipped"]
