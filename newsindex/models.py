"""Plain records passed between the pipeline stages.

read -> ``RawDocument`` -> extract -> ``Draft`` -> clean -> ``Article`` -> index;
search -> ``SearchResult`` (of ``Hit``) -> render.  Keeping these as dataclasses
with no behaviour means each stage can be tested and reused on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class RawDocument:
    """One document as read from disk: decoded text plus where it came from.

    ``kind`` says which extractor applies: ``"text"`` (scraped plain text),
    ``"html"``, or ``"record"`` (one JSON/JSONL/CSV record, already a dict in
    ``record``).  ``record_no`` is set for records so ids become ``path#N``.
    """

    path: str
    kind: str
    text: str = ""
    record: dict | None = None
    record_no: int | None = None
    encoding: str | None = None
    size: int = 0
    mtime: float = 0.0

    @property
    def id(self) -> str:
        return self.path if self.record_no is None else f"{self.path}#{self.record_no}"


@dataclass
class Removal:
    """A piece of text the cleaner removed, and the rule that removed it."""

    text: str
    rule: str


@dataclass
class Draft:
    """Metadata and candidate paragraphs found by an extractor, before cleaning."""

    id: str
    path: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    date_only: bool = False
    section: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: True when the paragraphs come from a trusted structured field (for
    #: example a JSON-LD ``articleBody``) and need no page-level cleaning.
    trusted_body: bool = False
    #: True when an HTML extractor already chose the article's region from the page's
    #: structure: the cleaner then does not cut the text again by its line shapes.
    region_chosen: bool = False


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
class Skipped:
    """A file or record that could not be turned into an article, and why."""

    path: str
    reason: str


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
