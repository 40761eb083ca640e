"""Stage 5, search: parse a query, rank with BM25F, filter, group, snippet.

The query language is Whoosh's (words, "phrases", -exclude, NOT, OR,
parentheses, wildcards, ``term~`` fuzzy) with our field names: ``title:``,
``author:``, ``source:``, ``section:`` and ``date:`` (``date:2019-03``,
``date:[2019-03-01 TO 2019-03-31]``).  Every word must match by default; when
nothing does, the query is relaxed to rank documents with most of the words
first, and the result says so.  Near-duplicates (the same wire story at
several outlets) fold into one hit with a count, unless asked for.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

from whoosh import collectors, qparser, query, scoring, sorting
from whoosh.idsets import DocIdSet
from whoosh.support.levenshtein import distance as edit_distance

from .analysis import TOKEN_PATTERN, function_terms_of, news_analyzer
from .dates import add_months, period
from .feedback import RERANK_DEPTH, expandable, rescored
from .matching import flattened
from .models import Article, Hit, SearchResult
from .store import (
    UNDATED_MONTH,
    NearDuplicates,
    column_values,
    open_index,
    shared_generation,
)

SNIPPET_CHARS = 220
MAX_QUERY_CHARS = 2000
#: Distinct words, phrases and patterns a query may hold (a word looked up in
#: title and body counts once).
MAX_QUERY_TERMS = 200
MAX_NESTING = 20
#: Edits a fuzzy term may allow: more matches nearly every word of a big index.
MAX_FUZZY_EDITS = 2
#: Wildcard and fuzzy expansion stops at this many distinct index terms.
MAX_EXPANSION = 1000
GROUPS = {"source": "source", "author": "authors", "section": "section", "year": "year", "month": "month"}


class NewsBM25F(scoring.BM25F):
    """Whoosh's BM25F (BM25 per field, summed over title and body) with the standard BM25
    idf and a title weight of its own.

    The idf is log(1 + (N - n + 0.5) / (n + 0.5)) (Lucene's, tantivy's);
    Whoosh's own, log(N / (n + 1)) + 1, gives common words more weight and
    ranked lower on NPL, Cranfield and CISI.  ``title_weight`` is what a
    title word counts for against a body word: the index stores title
    postings with the schema's field boost (2), and the scorer rescales
    them, so the weight is a search setting, not an index format.
    """

    def __init__(self, B: float, K1: float, title_weight: float) -> None:
        super().__init__(B=B, K1=K1)
        self.title_weight = title_weight

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        frequency = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - frequency + 0.5) / (frequency + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        if fieldname != "title" or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        indexed = searcher.schema[fieldname].format.field_boost or 1.0
        return _WeightedFieldScorer(searcher, fieldname, text, self.B, self.K1, self.title_weight / indexed)


class _WeightedFieldScorer(scoring.BM25FScorer):
    """BM25 of a field whose postings' weights are rescaled by ``scale``."""

    def __init__(self, searcher, fieldname: str, text, B: float, K1: float, scale: float) -> None:
        self.scale = scale
        super().__init__(searcher, fieldname, text, B, K1)

    def _score(self, weight: float, length: float) -> float:
        return scoring.bm25(self.idf, weight * self.scale, length, self.avgfl, self.B, self.K1)


#: BM25F parameters and the title's weight, chosen across every collection of
#: bench/ranking.py (see the README's ranking section for the figures).
WEIGHTING = NewsBM25F(B=0.4, K1=0.9, title_weight=2.0)
#: How many candidates are looked at to fold near-duplicates and re-rank by
#: recency, per result wanted.
CANDIDATES_PER_HIT = 3
_LABELLED_FIELDS = ("authors", "source", "section")


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


# --- parsing ----------------------------------------------------------------------

_DATE_CLAUSE_RE = re.compile(r"(?<![\w:])(?:date|published):(\[[^\]]*\]|\"[^\"]*\"|\S+)", re.IGNORECASE)


def _parser(schema, match: str) -> qparser.QueryParser:
    group = qparser.AndGroup if match == "all" else qparser.OrGroup
    parser = qparser.MultifieldParser(["title", "body"], schema, group=group)
    parser.add_plugin(qparser.FieldAliasPlugin({"authors": ["author", "by"], "source": ["outlet"]}))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    # "+" and "-" mark required/excluded words only at a word's start, so
    # "COVID-19" stays one word.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?:(?<=\s)|^)\+", minusexpr=r"(?:(?<=[\s(])|^)-"))
    return parser


def _shown(text: str, limit: int = 60) -> str:
    """A query as quoted in an error message: one line, bounded."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")


def _check_syntax(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    if text.count('"') % 2:
        raise QueryError(f"unclosed quote at character {text.rfind(chr(34)) + 1} of {_shown(text)}")
    depth = 0
    for position, char in enumerate(text, 1):
        if char == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(f"parentheses nest more than {MAX_NESTING} deep at character {position}")
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError(f"unmatched ')' at character {position} of {_shown(text)}")
    if depth:
        raise QueryError(f"unclosed '(' in {_shown(text)}")


def _date_clauses(text: str) -> tuple[str, list[tuple[datetime | None, datetime | None]]]:
    """Take ``date:`` clauses out of the query as (start, end) ranges."""
    ranges: list[tuple[datetime | None, datetime | None]] = []

    def take(match: re.Match) -> str:
        value = match.group(1).strip('"')
        try:
            if value.startswith("["):
                low, sep, high = value.strip("[]").partition(" TO ")
                if not sep:
                    raise ValueError(f"a date range is written date:[START TO END], not {_shown(match.group(0))}")
                low, high = low.strip(), high.strip()
                start = period(low)[0] if low and low != "*" else None
                end = period(high)[1] if high and high != "*" else None
            else:
                start, end = period(value)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        ranges.append((start, end))
        return " "

    return _DATE_CLAUSE_RE.sub(take, text), ranges


def parse_query(text: str, schema, match: str = "all") -> query.Query:
    """Parse the user's query (without date clauses) or raise ``QueryError``."""
    _check_syntax(text)
    if not text.strip():
        return query.Every()
    try:
        parsed = _parser(schema, match).parse(text)
    except Exception as exc:  # whoosh raises assorted types
        raise QueryError(f"cannot parse query {_shown(text)}: {' '.join(str(exc).split())[:120]}") from None
    if match == "any":
        parsed = _without_function_words(parsed, text)  # before the term limit: they cost nothing
    terms: set[tuple] = set()
    for node in parsed.leaves():
        # A word is one term however many fields it is looked up in.
        terms.add((type(node).__name__, getattr(node, "text", None), tuple(getattr(node, "words", ()))))
        if isinstance(node, (query.Wildcard, query.Prefix)) and len(str(node.text).strip("*?")) < 2:
            raise QueryError(f"wildcard {node.text!r} is too broad: give at least two letters")
        if isinstance(node, query.FuzzyTerm):
            # Lucene's rule of thumb: 1 edit for words under 6 letters, 2 above;
            # and the first letter fixed, which also keeps expansion fast.
            word = str(node.text)
            allowed = 0 if len(word) < 3 else 1 if len(word) < 6 else MAX_FUZZY_EDITS
            if node.maxdist > allowed:
                raise QueryError(
                    f"fuzzy term {word!r} may differ by at most {allowed} letter(s) (words of 6+ letters: 2)"
                    if allowed
                    else f"fuzzy term {word!r} is too short: give at least three letters"
                )
            node.prefixlength = max(node.prefixlength, 1)
    if len(terms) > MAX_QUERY_TERMS:
        raise QueryError(f"query has {len(terms)} distinct terms; the limit is {MAX_QUERY_TERMS}")
    if isinstance(parsed, query.Not):
        parsed = query.And([query.Every(), parsed])  # "NOT x" alone: everything but x
    return parsed


def _without_function_words(parsed: query.Query, text: str) -> query.Query:
    """A ranked OR of words, less its function words ("what", "about", "their").

    Each one still matches most of the archive and only adds noise to the
    ranking: bench/ranking.py, MAP NPL 0.285 -> 0.289, Cranfield 0.308 ->
    0.309, CISI 0.163 -> 0.173.  Only a plain OR of words is changed: a word
    typed in both default fields (title and body) unboosted; phrases, fields,
    boosts, +required and -excluded words stay, and so does every word of a
    query that has nothing else.  Done before the term limit is counted.
    """
    if type(parsed) is not query.Or:
        return parsed
    function_terms = function_terms_of(text)
    fields: dict[str, set[str]] = {}
    for sub in parsed.subqueries:
        if type(sub) is query.Term and sub.boost == 1.0 and sub.text in function_terms:
            fields.setdefault(sub.text, set()).add(sub.fieldname)
    dropped = {text for text, names in fields.items() if names == {"title", "body"}}
    kept = [
        sub for sub in parsed.subqueries if not (type(sub) is query.Term and sub.boost == 1.0 and sub.text in dropped)
    ]
    if not dropped or not kept:
        return parsed
    return query.Or(kept, boost=parsed.boost) if len(kept) > 1 else kept[0]


def _check_expansions(parsed: query.Query, reader) -> None:
    """Refuse wildcard and fuzzy terms that would expand to too many words."""
    for node in parsed.leaves():
        if isinstance(node, query.terms.MultiTerm) and node.field() in reader.schema:
            expansions = sum(1 for _ in itertools.islice(node._btexts(reader), MAX_EXPANSION + 1))
            if expansions > MAX_EXPANSION:
                raise QueryError(
                    f"{node.text!r} matches more than {MAX_EXPANSION} different words; make it more specific"
                )


def _expand_labels(parsed: query.Query, reader) -> query.Query:
    """``author:harmon`` matches "Shelia Harmon": widen label terms over the lexicon.

    Authors, sources and sections are indexed as whole lower-cased names, so a
    term matches any name that contains all its words.
    """

    def widen(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and node.fieldname in _LABELLED_FIELDS:
            return _label_query(reader, node.fieldname, str(node.text)) or node
        return node

    return parsed.accept(widen)


def _label_query(reader, fieldname: str, value: str) -> query.Query | None:
    words = value.lower().split()
    if not words:
        return None
    names = [
        name
        for name in (term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon(fieldname))
        if all(word in name.split() for word in words) or name == value.lower()
    ]
    if not names:
        return query.Term(fieldname, value.lower())
    return (
        query.Or([query.Term(fieldname, name) for name in names]) if len(names) > 1 else query.Term(fieldname, names[0])
    )


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
    ) -> None:
        self.published = published
        self.low = low
        self.high = high
        self.labelled = labelled
        self.window = window  # the date window as aware datetimes (None: open)

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
        window = (start, end)
    labelled: set[int] | None = None
    for fieldname, values in (("authors", options.authors), ("source", options.sources), ("section", options.sections)):
        alternatives = [q for q in (_label_query(reader, fieldname, v) for v in values) if q is not None]
        if alternatives:
            matching = set(searcher.docs_for_query(query.Or(alternatives)))
            labelled = matching if labelled is None else labelled & matching
    if published is None and labelled is None:
        return None
    return DocumentFilter(published, low, high, labelled, window)


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


def _query_words(parsed: query.Query) -> set[str]:
    words: set[str] = set()
    for fieldname, text in parsed.iter_all_terms():
        if fieldname in ("title", "body") and isinstance(text, str):
            words.add(text)
    return words


# --- snippets ---------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def _analyzed(word: str) -> frozenset[str]:
    return frozenset(token.text for token in news_analyzer()(word))


@lru_cache(maxsize=256)
def _candidate_words(prefixes: frozenset[str]) -> re.Pattern:
    """The words of a text (as ``analysis.TOKEN_PATTERN`` splits it) that may analyse to a query term:
    those starting with a term's first three letters, in any case, and any word
    with a non-ASCII letter (folding may change its start).

    The two look-behinds admit only a word's first letter (not one after
    "U." in "U.S"), so the regex engine skips every other word in C.
    """
    starts = "|".join(re.escape(prefix) for prefix in sorted(prefixes, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?<!\w[.\-'’])(?=(?i:{starts})|[\w.\-'’]*[^\x00-\x7f]){TOKEN_PATTERN}")


def make_snippet(text: str, words: set[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` with most distinct query words, and their spans.

    Only words sharing a three-letter prefix with a query term are looked at
    (``_candidate_words``) and analysed, so long articles stay cheap.
    """
    text = " ".join(text.split())
    if not text:
        return "", []
    matches: list[tuple[int, int, str]] = []
    candidates = _candidate_words(frozenset(word[:3] for word in words)) if words else None
    for found in candidates.finditer(text) if candidates else ():
        hit = _analyzed(found.group().lower()) & words
        if hit:
            matches.append((found.start(), found.end(), next(iter(hit))))
    if not matches:
        if len(text) <= width:
            return text, []
        cut = text.rfind(" ", 0, width)
        return text[: cut if cut > width // 2 else width] + " …", []
    best_start, best_score = 0, -1
    for start, _end, _word in matches:
        window_start = max(0, start - width // 4)
        inside = [w for s, e, w in matches if window_start <= s and e <= window_start + width]
        score = len(set(inside)) * 100 + len(inside)
        if score > best_score:
            best_start, best_score = window_start, score
    if best_start > 0:
        space = text.find(" ", best_start)
        if 0 <= space < best_start + 30:
            best_start = space + 1
    end = min(len(text), best_start + width)
    if end < len(text):
        space = text.rfind(" ", best_start, end)
        if space > best_start + width // 2:
            end = space
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end < len(text) else ""
    offset = len(prefix) - best_start
    spans = [(s + offset, e + offset) for s, e, _ in matches if s >= best_start and e <= end]
    return prefix + text[best_start:end] + suffix, spans


# --- hits -------------------------------------------------------------------------


def _published(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _stored_metadata(stored: dict) -> dict:
    """The fields a hit and a shown article share, from an index entry."""
    meta = stored.get("meta") or {}
    return {
        "id": stored["id"],
        "path": stored.get("path", ""),
        "title": stored.get("title", ""),
        "authors": list(meta.get("authors") or []),
        "published": _published(stored.get("published")),
        "date_only": bool(meta.get("date_only")),
        "section": meta.get("section"),
        "source": meta.get("source"),
        "url": stored.get("url"),
    }


def _hit_from_stored(stored: dict, score: float, words: set[str]) -> Hit:
    snippet, spans = make_snippet(stored.get("body", ""), words)
    return Hit(
        **_stored_metadata(stored),
        short_id=stored.get("short_id", ""),
        score=round(float(score), 4),
        snippet=snippet,
        highlights=spans,
    )


@dataclass
class _Candidate:
    docnum: int
    score: float
    stored: dict = field(default_factory=dict)  # read only for the hits shown (and for recency)
    similar: int = 0


def _sortedby(sort: str) -> tuple[str | None, bool]:
    if sort == "newest":
        return "published", True
    if sort == "oldest":
        return "published", False
    return None, False


@dataclass
class _Scope:
    """What one search works out once and its steps share."""

    searcher: object
    allowed: DocumentFilter | None
    months: query.Query | None  # see _month_clause
    near_duplicates: NearDuplicates


def _every_match_collector(limit: int, sortedby, reverse: bool, allowed) -> collectors.Collector:
    """A collector of the best ``limit`` that visits every match, so its count is the total.

    Whoosh's own top-N collector, even with block skipping off, swaps an OR
    or AND for a cheaper matcher every few hits once its heap is full, skipping the
    documents that could no longer reach the top: its count then falls short
    (a two-word any-query on Reuters counted 653 of 1,566 matches).
    ``replace=0`` turns the swapping off.
    """
    if sortedby is not None:
        collector = collectors.SortingCollector(sortedby, limit=limit, reverse=reverse)
    else:
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
    return collectors.FilterCollector(collector, allowed) if allowed is not None else collector


def _collect(
    scope: _Scope, parsed, options: SearchOptions, feedback: bool = False
) -> tuple[list[_Candidate], int, int]:
    """The page of hits wanted (near-duplicates folded), the match total, and the undated matches.

    Up to ``CANDIDATES_PER_HIT`` times the page is fetched, so that folding
    copies of one story away still leaves a full page.  Every match is
    visited once (no block skipping), which gives the exact total in the
    same pass: cheaper than Whoosh's skipping search followed by its
    separate counting pass.  With ``feedback`` the first ``RERANK_DEPTH``
    are scored again with the words of the best of them (feedback.py).
    """
    sortedby, reverse = _sortedby(options.sort)
    wanted = options.page * options.limit
    fetch = wanted if options.duplicates and not options.recency_half_life else wanted * CANDIDATES_PER_HIT + 10
    if feedback:
        fetch = max(fetch, RERANK_DEPTH)
    searcher, allowed = scope.searcher, scope.allowed
    tally = _UndatedTally(allowed) if allowed is not None and allowed.published is not None else allowed
    matching = flattened(query.And([parsed, scope.months]) if scope.months is not None else parsed)
    collector = _every_match_collector(fetch, sortedby, reverse, tally)
    searcher.search_with_collector(matching, collector)
    results = collector.results()
    total = len(results)
    undated = tally.undated if isinstance(tally, _UndatedTally) else 0
    ranked = [(hit.score or 0.0, hit.docnum) for hit in results]
    if feedback:
        ranked = rescored(searcher, parsed, ranked)
    candidates = [_Candidate(docnum, score) for score, docnum in ranked]
    if options.recency_half_life and options.sort == "relevance":
        for candidate in candidates:
            candidate.stored = searcher.stored_fields(candidate.docnum)
        candidates = _recency_rerank(candidates, options.recency_half_life)
    if not options.duplicates:
        candidates = _fold_duplicates(candidates, scope.near_duplicates)
    start = (options.page - 1) * options.limit
    page = candidates[start : start + options.limit]
    for candidate in page:
        candidate.stored = candidate.stored or searcher.stored_fields(candidate.docnum)
    return page, total, undated


class _UndatedTally(DocIdSet):
    """The filters of one search, counting the matches turned away only for having no date."""

    def __init__(self, allowed: DocumentFilter) -> None:
        self.allowed = allowed
        self.undated = 0

    def __contains__(self, docnum: int) -> bool:
        if docnum in self.allowed:
            return True
        if self.allowed.undated_but_allowed(docnum):
            self.undated += 1
        return False

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(self.allowed)

    def __len__(self) -> int:
        return len(self.allowed)


def _fold_duplicates(candidates: list[_Candidate], near_duplicates: NearDuplicates) -> list[_Candidate]:
    """Each candidate folded into the best-ranked kept candidate it is a near-duplicate of."""
    kept: list[_Candidate] = []
    rank_of: dict[int, int] = {}
    for candidate in candidates:
        twins = [rank_of[other] for other in near_duplicates.of(candidate.docnum) if other in rank_of]
        if twins:
            kept[min(twins)].similar += 1
        else:
            rank_of[candidate.docnum] = len(kept)
            kept.append(candidate)
    return kept


def _recency_rerank(candidates: list[_Candidate], half_life_days: float) -> list[_Candidate]:
    """Scale scores by age: an article ``half_life_days`` older than the newest
    candidate keeps 75% of its score, twice that 62.5%, and so on (never < 50%)."""
    dates = [c.stored.get("published") for c in candidates if c.stored.get("published")]
    if not dates:
        return candidates
    newest = max(dates)
    for candidate in candidates:
        published = candidate.stored.get("published")
        age_days = (newest - published).total_seconds() / 86400 if published else 10 * half_life_days
        candidate.score *= 0.5 + 0.5 * math.pow(0.5, age_days / half_life_days)
    return sorted(candidates, key=lambda c: c.score, reverse=True)


def _count_similar(scope: _Scope, candidate: _Candidate) -> int:
    """Near-duplicates of one hit anywhere in the index that the filters let through
    (the graph keeps up to ``dedup.MAX_NEIGHBOURS`` per article)."""
    others = scope.near_duplicates.of(candidate.docnum)
    allowed = scope.allowed
    return len(others) if allowed is None else sum(1 for docnum in others if docnum in allowed)


# --- facets -----------------------------------------------------------------------


def _facets(searcher, parsed, allowed, group_by: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    facets: dict[str, list[tuple[str, int]]] = {}
    parsed = flattened(parsed)
    for name in group_by:
        fieldname = GROUPS[name]
        facet = sorting.FieldFacet(fieldname, allow_overlap=fieldname == "authors", maptype=sorting.Count)
        results = searcher.search(parsed, limit=1, filter=allowed, groupedby={name: facet})
        counts = results.groups(name)
        labels = _display_labels(searcher, fieldname, counts)
        merged: dict[str, int] = {}
        for key, count in counts.items():
            label = labels.get(key, str(key)) if _has_value(key) else "undated" if name in ("year", "month") else None
            if label is not None:
                merged[label] = merged.get(label, 0) + count
        if name in ("year", "month"):
            facets[name] = sorted(merged.items())  # a timeline reads in order
        else:
            facets[name] = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return facets


def _has_value(key) -> bool:
    """Whoosh reports documents without a value under None, "" or the NUMERIC maximum."""
    return key not in (None, "", b"") and str(key) != "2147483647"


def _display_labels(searcher, fieldname: str, counts: dict) -> dict:
    """Indexed labels are lower-cased; show them as the articles spell them."""
    if fieldname not in _LABELLED_FIELDS:
        return {}
    meta_key = {"authors": "authors", "source": "source", "section": "section"}[fieldname]
    labels = {}
    for key in counts:
        if not isinstance(key, str) or not key:
            continue
        docnum = next(iter(searcher.postings(fieldname, key).all_ids()), None) if key else None
        if docnum is None:
            continue
        value = (searcher.stored_fields(docnum).get("meta") or {}).get(meta_key)
        values = value if isinstance(value, list) else [value]
        labels[key] = next((v for v in values if v and v.lower().replace(",", " ") == key), key)
    return labels


# --- did you mean -----------------------------------------------------------------


def _respellings(reader, word: str, max_edits: int, count: int = 3) -> list[str]:
    """The ``count`` body terms nearest to ``word``: fewest edits (at most ``max_edits``),
    then most frequent.

    Terms are stems, so the typed word itself may be one that its own
    analysis misses ("coffe" is the stem of "coffee" but stems to "coff"):
    that counts as no edit at all.  Candidates share the first letter (few
    typos are in it).  Each segment's words are walked directly, which is
    four times faster than Whoosh's corrector walking the merged word list,
    and two cheap tests (length, and letters in one word but not the other:
    an edit changes at most two) skip most edit-distance computations.
    """
    letters = set(word)
    within: dict[str, int] = {}
    seen: set[str] = set()  # most words are in every segment: test each once
    for leaf, _offset in reader.leaf_readers():
        for raw in leaf.expand_prefix("body", word[0]):
            candidate = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if candidate in seen:
                continue
            seen.add(candidate)
            if (
                abs(len(candidate) - len(word)) > max_edits
                or len(letters.symmetric_difference(candidate)) > 2 * max_edits
            ):
                continue
            edits = edit_distance(candidate, word, limit=max_edits)
            if edits <= max_edits:
                within[candidate] = edits
    ranked = sorted(within, key=lambda candidate: (within[candidate], -reader.frequency("body", candidate), candidate))
    return ranked[:count]


#: Articles read to find how the archive spells a suggested stem.
SPELLING_SAMPLES = 8


def _spelled_out(searcher, terms: Sequence[str], typed: str) -> str | None:
    """How the archive writes a word that analyses to one of ``terms`` (stems
    such as "economi"), as near to what was typed as can be.

    The forms come from a few articles holding each term ("economy",
    "economies"); the nearest to ``typed`` wins, then the more frequent
    term, then the commoner form.  A term with no form found stands for itself.
    """
    best: tuple | None = None
    reader = searcher.reader()
    for rank, term in enumerate(terms):
        forms: dict[str, int] = {}
        pattern = _candidate_words(frozenset({term[:3]}))
        for docnum in itertools.islice(reader.postings("body", term).all_ids(), SPELLING_SAMPLES):
            for found in pattern.finditer(searcher.stored_fields(docnum).get("body", "")):
                form = found.group().lower()
                if term in _analyzed(form):
                    forms[form] = forms.get(form, 0) + 1
        for form, seen in (forms or {term: 0}).items():
            key = (edit_distance(form, typed), rank, -seen, form)
            if best is None or key < best:
                best = key
    return best[-1] if best else None


def _suggest(searcher, text: str, allowed, total: int, match: str) -> str | None:
    """A respelt query, when one would find more than ``total`` articles."""
    # Long "words" are not typos of index terms, and edit distance on them is costly.
    words = [
        w
        for w in re.findall(r"(?<![\w'’-])[A-Za-z][A-Za-z'’-]{2,24}(?![\w'’-])", text)
        if not w.isupper() or len(w) > 3
    ]
    if not words:
        return None
    reader = searcher.reader()
    changed = text
    for word in words:
        analysed = list(_analyzed(word.lower()))
        if not analysed or any(reader.doc_frequency("body", term) for term in analysed):
            continue
        nearest = _respellings(reader, word.lower(), 1 if len(word) < 6 else 2)
        respelt_word = _spelled_out(searcher, nearest, word.lower())
        if respelt_word:
            changed = re.sub(rf"\b{re.escape(word)}\b", respelt_word, changed, count=1)
    if changed == text:
        return None
    try:
        respelt = parse_query(_DATE_CLAUSE_RE.sub(" ", changed), searcher.schema, match)
    except QueryError:
        return None
    found = len(searcher.search(respelt, limit=1, filter=allowed))
    return changed if found > total else None


# --- the search -------------------------------------------------------------------


def search(text: str, index_dir: str | Path, options: SearchOptions | None = None) -> SearchResult:
    """Run a query against the index in ``index_dir``."""
    options = options or SearchOptions()
    started = time.perf_counter()
    for name in options.group_by:
        if name not in GROUPS:
            raise QueryError(f"cannot group by {name!r} (choose from {', '.join(GROUPS)})")
    opened = shared_generation(Path(index_dir), WEIGHTING)
    searcher = opened.searcher
    remaining, date_ranges = _date_clauses(text)
    schema = searcher.schema
    parsed = _expand_labels(parse_query(remaining, schema, options.match), searcher.reader())
    _check_expansions(parsed, searcher.reader())
    allowed = allowed_documents(searcher, options, date_ranges)
    relaxed = False
    scope = _Scope(searcher, allowed, _month_clause(searcher, allowed), opened.near_duplicates())
    feedback = options.match == "any" and _feedback_wanted(parsed, options)
    page, total, undated = _collect(scope, parsed, options, feedback)
    strict_total = total
    if total == 0 and options.match == "all" and isinstance(parsed, query.And) and len(parsed.subqueries) > 1:
        # Relaxed, the query is an any-query and ranks exactly as one.
        relaxed_query = _expand_labels(parse_query(remaining, schema, "any"), searcher.reader())
        relaxed_page, relaxed_total, relaxed_undated = _collect(
            scope, relaxed_query, options, _feedback_wanted(relaxed_query, options)
        )
        if relaxed_total:
            parsed, relaxed = relaxed_query, True
            page, total, undated = relaxed_page, relaxed_total, relaxed_undated
    words = _query_words(parsed)
    hits = []
    for candidate in page:
        hit = _hit_from_stored(candidate.stored, candidate.score, words)
        hit.similar = _count_similar(scope, candidate) if not options.duplicates else 0
        hits.append(hit)
    facets = _facets(searcher, parsed, allowed, options.group_by) if options.group_by else {}
    suggestion = None
    if options.suggest and strict_total < 3:
        # Against the query as typed: a relaxed result for "coffe exports"
        # is only the articles about exports.
        suggestion = _suggest(searcher, text, allowed, strict_total, options.match)
    return SearchResult(
        query=text,
        hits=hits,
        total=total,
        seconds=time.perf_counter() - started,
        filters=list(options.filters_text),
        undated_excluded=undated,
        relaxed=relaxed,
        suggestion=suggestion,
        facets=facets,
    )


def _feedback_wanted(parsed: query.Query, options: SearchOptions) -> bool:
    """Whether a ranked any-query is re-ranked with feedback (feedback.py)."""
    return options.feedback and options.sort == "relevance" and expandable(parsed)


def _find_docnum(searcher, handle: str) -> int | None:
    for fieldname in ("short_id", "id", "path"):
        docnum = searcher.document_number(**{fieldname: handle})
        if docnum is not None:
            return docnum
    return None


def find_by_short_id(index_dir: str | Path, handle: str) -> dict | None:
    """The stored article for a short id (or a full id, or a path)."""
    ix = open_index(Path(index_dir))
    with ix.searcher() as searcher:
        docnum = _find_docnum(searcher, handle)
        return searcher.stored_fields(docnum) if docnum is not None else None


def similar(handle: str, index_dir: str | Path, limit: int = 10) -> SearchResult | None:
    """Articles most like the one with id ``handle`` ("more like this")."""
    started = time.perf_counter()
    ix = open_index(Path(index_dir))
    with ix.searcher(weighting=WEIGHTING) as searcher:
        docnum = _find_docnum(searcher, handle)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
        results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=25)
        key_terms = {term for term, _ in searcher.key_terms_from_text("body", text, numterms=25)}
        hits = [_hit_from_stored(hit.fields(), hit.score or 0.0, key_terms) for hit in results]
    return SearchResult(
        query=f"similar to {stored.get('title', handle)}",
        hits=hits,
        total=len(hits),
        seconds=time.perf_counter() - started,
    )


def stored_article(stored: dict) -> Article:
    """Rebuild an ``Article`` from an index entry, for ``show``."""
    body = stored.get("body", "")
    return Article(
        **_stored_metadata(stored),
        language=None,
        body=[p for p in body.split("\n\n") if p],
        content_hash=stored.get("content_hash", ""),
    )
