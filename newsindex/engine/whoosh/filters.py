"""Filters by date, author, source and section as sets of allowed documents, read from columns once per open index."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from weakref import WeakKeyDictionary

from whoosh import query
from whoosh.idsets import DocIdSet

from ...dates import add_months
from ...query.options import SearchOptions
from ...query.outlets import same_outlet
from .parsing import _label_query
from .store import UNDATED_MONTH, column_values


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


_UNDATED = 2**64 - 1  # what the published column holds for a document without a date


class DocumentFilter(DocIdSet):
    """The documents a search's filters let through, asked one document at a time.

    Whoosh asks a filter only about documents that match the query, so the
    date window is tested against the ``published`` column (read in bulk, one
    integer per document) per match rather than turned into a set of every
    document in range; author, source and section filters are the (small)
    sets of documents holding those labels.  Undated articles hold the
    column's maximum and never pass a date window.
    """

    def __init__(
        self,
        published: array | None,
        low: int,
        high: int,
        labelled: set[int] | None,
        window: tuple[datetime | None, datetime | None] = (None, None),
        spans: list[tuple[int, int, bool, int, int]] | None = None,
    ) -> None:
        self.published = published
        self.low = low
        self.high = high
        self.labelled = labelled
        self.window = window  # the date window as aware datetimes (None: open)
        self.spans = spans  # see _date_spans

    def may_hold(self, start: int) -> bool:
        """Whether the segment whose documents start at ``start`` may hold a document
        this filter lets through, or an undated one (which the header counts).

        A search of one month in a ten-year archive then skips the segments
        written for other years without building a matcher in them: their
        matches would each be visited only to be turned away.
        """
        if self.spans is None:
            return True
        for first, _count, undated, oldest, newest in self.spans:
            if first == start:
                return undated or (oldest < self.high and newest >= self.low)
        return True

    def __contains__(self, docnum: int) -> bool:
        if self.published is not None and not self.low <= self.published[docnum] < self.high:
            return False
        return self.labelled is None or docnum in self.labelled

    def undated_but_allowed(self, docnum: int) -> bool:
        """Kept out only for having no date: what the header counts as "undated"."""
        return (
            self.published is not None
            and self.published[docnum] == _UNDATED
            and (self.labelled is None or docnum in self.labelled)
        )

    def __bool__(self) -> bool:  # an empty filter must still filter (Whoosh skips falsy ones)
        return True

    def __iter__(self) -> Iterator[int]:
        documents = range(len(self.published)) if self.published is not None else sorted(self.labelled or ())
        return (docnum for docnum in documents if docnum in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def allowed_documents(searcher, options: SearchOptions, date_ranges=()) -> DocumentFilter | None:
    """What the date ranges and label filters let through; ``None`` for no filter."""
    ranges = list(date_ranges)
    if options.since or options.until:
        ranges.append((options.since, options.until))
    reader = searcher.reader()
    published, low, high = None, 0, _UNDATED
    window: tuple[datetime | None, datetime | None] = (None, None)
    if ranges:
        field = searcher.schema["published"]
        start = max((start for start, _ in ranges if start), default=None)
        end = min((end for _, end in ranges if end), default=None)
        low = field.to_column_value(_naive_utc(start)) if start else 0
        high = field.to_column_value(_naive_utc(end)) if end else _UNDATED
        published = _per_reader(reader, "published", lambda: column_values(reader, "published"))
        spans = _per_reader(reader, "published spans", lambda: _date_spans(reader, published))
        window = (start, end)
    labelled: set[int] | None = None
    for fieldname, values in (("authors", options.authors), ("source", options.sources), ("section", options.sections)):
        alternatives = [q for q in (_label_query(reader, fieldname, v) for v in values) if q is not None]
        if alternatives and fieldname == "source":
            alternatives = _same_outlets(reader, alternatives)
        if alternatives:
            matching = set(searcher.docs_for_query(query.Or(alternatives)))
            labelled = matching if labelled is None else labelled & matching
    if published is None and labelled is None:
        return None
    return DocumentFilter(published, low, high, labelled, window, spans if published is not None else None)


def _same_outlets(reader, alternatives: list[query.Query]) -> list[query.Query]:
    """A source filter finds an outlet by its name and by its host (``query.outlets``)."""
    matched = {text for q in alternatives for _, text in q.terms()}
    labels = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon("source")]
    extra = [label for label in same_outlet(matched, labels) if label not in matched]
    return alternatives + [query.Term("source", label) for label in extra]


def _date_spans(reader, published: array) -> list[tuple[int, int, bool, int, int]]:
    """Per segment: its first document, its size, whether it holds an undated
    article, and its oldest and newest publication time (column values)."""
    spans = []
    for leaf, offset in reader.leaf_readers():
        values = published[offset : offset + leaf.doc_count_all()]
        if values:
            spans.append((offset, len(values), _UNDATED in values, min(values), max(values)))
    return spans


#: Per open index reader, what every date-filtered search reads and only a new
#: generation (a new reader) changes: the publication times, the months.
_READER_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _per_reader(reader, key: str, compute: Callable[[], object]):
    """``compute()`` once per open reader (a searcher is kept open between searches)."""
    cache = _READER_CACHE.get(reader)
    if cache is None:
        cache = _READER_CACHE[reader] = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _articles_per_month(reader) -> dict[str, int]:
    """Dated articles per ``YYYY-MM`` month term."""
    held = {}
    for raw in reader.lexicon("month"):
        month = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if month != UNDATED_MONTH:
            held[month] = reader.doc_frequency("month", month)
    return held


def _month_clause(searcher, allowed: DocumentFilter | None) -> query.Query | None:
    """The months a date window touches (and undated articles, for their count), as
    terms the matcher can skip by, when they hold under half the archive.

    Every match is otherwise tested against the window one by one: in a
    ten-year archive, a search of one month visits the other nine years'
    matches for nothing.  The terms score nothing; the window itself is still
    checked exactly by ``allowed``.
    """
    if allowed is None or allowed.published is None:
        return None
    start, end = allowed.window
    reader = searcher.reader()
    held_by_month = _per_reader(reader, "months", lambda: _articles_per_month(reader))
    months = []
    for month in held_by_month:
        first = datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=timezone.utc)  # written as YYYY-MM
        if (end is None or first < end) and (start is None or add_months(first, 1) > start):
            months.append(month)
    held = sum(held_by_month[month] for month in months)
    if held * 2 > reader.doc_count():
        return None
    return query.Or([query.Term("month", month, boost=0.0) for month in [*months, UNDATED_MONTH]])
