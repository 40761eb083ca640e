"""The pipeline's records before an ``Article`` (read, extract, clean), and a skipped file.

Imported through ``models`` (``from newsindex.models import Draft`` works as
before); kept apart so that reading an index does not define them.
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
class Skipped:
    """A file or record that could not be turned into an article, and why."""

    path: str
    reason: str
