"""What a search is asked for besides its words (SearchOptions), and the error a bad query raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

GROUPS = {"source": "source", "author": "authors", "section": "section", "year": "year", "month": "month"}


class QueryError(Exception):
    """The query cannot be understood; the message says where."""


@dataclass
class SearchOptions:
    """Everything about a search except the query text."""

    limit: int = 10
    page: int = 1
    match: str = "all"  # "all" or "any"
    sort: str = "relevance"
    since: datetime | None = None  # inclusive, aware
    until: datetime | None = None  # exclusive upper bound, aware
    authors: Sequence[str] = ()
    sources: Sequence[str] = ()
    sections: Sequence[str] = ()
    group_by: Sequence[str] = ()
    duplicates: bool = False  # show near-duplicates as hits of their own
    recency_half_life: float | None = None  # days; None = no recency boost
    feedback: bool = True  # --match any: re-rank with the top articles' words (feedback.py)
    suggest: bool = True
    filters_text: list[str] = field(default_factory=list)
