"""Query text to a Whoosh query: syntax checked with a position, date clauses, fuzzy and wildcard
limits, labelled fields.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime

from whoosh import query

from ...dates import period
from ...query.options import QueryError
from .analysis import compound_terms, function_terms_of, news_analyzer

MAX_QUERY_CHARS = 2000
#: Distinct words, phrases and patterns a query may hold (a word looked up in
#: title and body counts once).
MAX_QUERY_TERMS = 200
MAX_NESTING = 20
#: Edits a fuzzy term may allow: more matches nearly every word of a big index.
MAX_FUZZY_EDITS = 2
#: Wildcard and fuzzy expansion stops at this many distinct index terms.
MAX_PATTERN_WORDS = 1000


_LABELLED_FIELDS = ("authors", "source", "section")


_DATE_CLAUSE_RE = re.compile(r"(?<![\w:])(?:date|published):(\[[^\]]*\]|\"[^\"]*\"|\S+)", re.IGNORECASE)


#: Field names a query may use for each indexed field, the first the one the help shows.
FIELD_ALIASES = {"authors": ["author", "by"], "source": ["outlet"]}
#: The fields named to a user who typed an unknown one.
SHOWN_FIELDS = ("title:", "author:", "source:", "section:", "date:", "body:")
# A field name as Whoosh's parser reads one: a word and a colon, then text.
_FIELD_RE = re.compile(r"(?<![\w.:/-])([A-Za-z_]\w*):(?=[^\s:])")
_QUOTED_RE = re.compile(r'"[^"]*"')
_FIELD_CLAUSE_RE = re.compile(r"(?<![\w.:/-])[A-Za-z_]\w*:\S+")
#: A query of plain words: letters and digits, whitespace between them.
_PLAIN_WORDS_RE = re.compile(r"\s*[^\W_]+(?:\s+[^\W_]+)*\s*")
#: Words Whoosh's parser reads as operators (upper case only).
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_DEFAULT_FIELDS = ("title", "body")


def _check_fields(text: str, schema) -> None:
    """An unknown field is an error naming the fields there are.

    Whoosh's parser reads ``autor:sherer`` as the words "autor sherer", which
    match nothing, and did-you-mean then offered "food:bar" for ``foo:bar``.
    """
    known = set(schema.names()) | {alias for names in FIELD_ALIASES.values() for alias in names}
    for found in _FIELD_RE.finditer(_QUOTED_RE.sub(" ", text)):
        name = found.group(1)
        if name not in known:
            raise QueryError(
                f"unknown field {name!r} in {_shown(found.group(0) + text[found.end() :].split(' ')[0])}: "
                f"the fields are {', '.join(SHOWN_FIELDS)} (quote the text to search for it as words)"
            )


def _plain_words(text: str, schema, match: str) -> query.Query | None:
    """The query Whoosh's parser makes of plain words, made directly; None for anything else.

    Most queries are a few words.  Whoosh's parser is a costly import and compiles a
    regular expression per plugin each time it is made, a tenth of a search process; for
    plain words it only looks each word up in title and body (every word, or any).
    """
    words = text.split()
    if not _PLAIN_WORDS_RE.fullmatch(text) or _OPERATORS.intersection(words):
        return None
    groups = []
    for word in words:
        alternatives = []
        for name in _DEFAULT_FIELDS:
            terms = list(schema[name].process_text(word, mode="query"))
            if len(terms) > 1:
                return None
            alternatives.append(query.Term(name, terms[0]) if terms else query.NullQuery)
        groups.append(query.Or(alternatives))
    return (query.And(groups) if match == "all" else query.Or(groups)).normalize()


def _parser(schema, match: str):
    from whoosh import qparser  # only for a query that is more than plain words (_plain_words)

    group = qparser.AndGroup if match == "all" else qparser.OrGroup
    parser = qparser.MultifieldParser(["title", "body"], schema, group=group)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
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
    _check_fields(text, schema)
    try:
        parsed = _plain_words(text, schema, match)
        if parsed is None:
            parsed = _only_excluded_words(_parser(schema, match).parse(text, normalize=False)).normalize()
        parsed = _match_all(parsed)
    except Exception as exc:  # whoosh raises assorted types
        raise QueryError(f"cannot parse query {_shown(text)}: {' '.join(str(exc).split())[:120]}") from None
    if match == "any":
        parsed = _without_function_words(parsed, text)  # before the term limit: they cost nothing
    parsed = _compounds_spelt_every_way(_weighted_by_repeats(parsed, text), match)
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


def _only_excluded_words(parsed: query.Query) -> query.Query:
    """``-football`` alone means every article without the word (Whoosh's
    parser makes nothing of it: an empty group less the word)."""
    if (
        isinstance(parsed, query.AndNot)
        and isinstance(parsed.a, query.compound.CompoundQuery)
        and not parsed.a.subqueries
    ):
        return query.AndNot(query.Every(), parsed.b)
    return parsed


def _match_all(parsed: query.Query) -> query.Query:
    """``*`` is every article: one ``Every()`` over document numbers.

    Whoosh reads ``*`` as ``Every`` per default field, which walks every word
    of title and body to find the documents (14.7 s on 20,841 articles).
    """

    def simplify(node: query.Query) -> query.Query:
        if isinstance(node, query.Every):
            return query.Every(boost=node.boost)
        if isinstance(node, (query.And, query.Or)) and node.subqueries:
            if all(isinstance(sub, query.Every) for sub in node.subqueries):
                return query.Every(boost=node.boost)
            if isinstance(node, query.And):
                rest = [sub for sub in node.subqueries if not isinstance(sub, query.Every)]
                return rest[0] if len(rest) == 1 else query.And(rest, boost=node.boost)
        return node

    return parsed.accept(simplify)


def browses(parsed: query.Query) -> bool:
    """Whether a query only picks articles, with no word to rank by: ``*``, ``-football``, ``NOT x``."""
    if isinstance(parsed, query.Every):
        return True
    if isinstance(parsed, query.AndNot):
        return browses(parsed.a)
    if type(parsed) is query.And:
        return all(isinstance(sub, query.Not) or browses(sub) for sub in parsed.subqueries)
    return False


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


def _weighted_by_repeats(parsed: query.Query, text: str) -> query.Query:
    """A plain query of words with each word weighted by how often it is typed.

    BM25 scores a query word by its count in the query as well as in the
    article (Robertson and Walker's query-term factor with k3 unbounded: a
    word typed twice counts twice, as Lucene and Anserini score a bag of
    words).  Whoosh's parser keeps a repeated word once, so a long question
    ("... titles? ... from approximate titles? ... to their titles?") weighs
    its subject as much as a word said in passing.  Only the words of a plain
    OR of words (``--match any``) or AND of words (``--match all``) looked up
    in title and body unboosted get a weight; phrases, words in a typed field
    and boosted words keep theirs.  bench/ranking.py, first ranking, MAP: ADI .400 -> .407, CISI
    .171 -> .208, LISA .307 -> .315; CRAN .308 -> .306, MED .524 -> .519,
    NPL .294 -> .293; Reuters topic names repeat no word (development figures;
    the default ranking's are in bench/README.md).
    """
    counts: dict[str, int] = {}
    typed = _FIELD_CLAUSE_RE.sub(" ", _QUOTED_RE.sub(" ", text))  # the words not in a phrase or a field
    for token in news_analyzer()(typed, mode="query"):
        counts[token.text] = counts.get(token.text, 0) + 1
    if all(count == 1 for count in counts.values()):
        return parsed

    def weighted(node: query.Query) -> query.Query:
        if type(node) is query.Term and node.boost == 1.0 and node.fieldname in _DEFAULT_FIELDS:
            repeats = counts.get(node.text, 1)
            return query.Term(node.fieldname, node.text, boost=float(repeats)) if repeats > 1 else node
        if type(node) is query.Or and node.boost == 1.0 and all(type(sub) is query.Term for sub in node.subqueries):
            return query.Or([weighted(sub) for sub in node.subqueries])
        return node

    if type(parsed) is query.Term:
        return weighted(parsed)
    if type(parsed) in (query.Or, query.And) and parsed.boost == 1.0:
        return type(parsed)([weighted(sub) for sub in parsed.subqueries])
    return parsed


@dataclass(frozen=True)
class Spelling:
    """What an any-query's term spelling a hyphenated word stands for: the word as typed, its
    parts (an article holding all of them has the word) and the word closed up (so has one
    holding that).  Set as ``spelling`` on each such ``query.Term``."""

    word: str
    parts: tuple[str, ...]
    closed: str


def _compounds_spelt_every_way(parsed: query.Query, match: str) -> query.Query:
    """A plain query of words with each hyphenated word looked up in every spelling of it.

    Writers spell a compound three ways: "petro-chemicals", "petro chemicals",
    "petrochemicals" (the Reuters archive: 1, 0 and 49 stories).  The index
    stores a hyphenated word's parts beside it, so the parts find the first two
    spellings, and the word closed up finds the third; the hyphenated word alone
    finds only the first.  In an any-query the parts and the closed-up word are
    words of the query (as tantivy and Lucene split them, with the closed form
    besides); in an all-query the word is there when both parts or the
    closed-up word are.  A phrase keeps the word as typed.  bench/ranking.py, first ranking (function words out, repeats
    weighted), MAP: Cranfield .306 -> .315 (87 hyphenated query words), LISA
    .315 -> .323 (29), CISI .208 -> .210 (25), MED .519 -> .517 (5: "x-ray",
    "pre-school"), ADI .4074 -> .4072 (development figures).
    """

    def spellings(term: query.Term) -> list[query.Term]:
        parts, closed = compound_terms(term.text)
        spelling = Spelling(str(term.text), tuple(parts), closed)
        spelt = [query.Term(term.fieldname, text, boost=term.boost) for text in dict.fromkeys([*parts, closed])]
        for node in spelt:
            node.spelling = spelling  # coordination counts the word once, in whichever spelling
        return spelt

    def hyphenated(node: query.Query) -> bool:
        # The field first: a number field's term (``year:1987``) is bytes, not text.
        return type(node) is query.Term and node.fieldname in _DEFAULT_FIELDS and "-" in node.text

    def word(clause: query.Query) -> query.Query:
        """One word of an all-query: (title:a-b OR body:a-b) -> closed-up OR (a AND b)."""
        terms = [clause] if type(clause) is query.Term else list(clause.subqueries) if type(clause) is query.Or else []
        if not terms or not all(hyphenated(term) for term in terms):
            return clause
        closed = [query.Term(term.fieldname, compound_terms(term.text)[1], boost=term.boost) for term in terms]
        parts = compound_terms(terms[0].text)[0]
        groups = [query.Or([query.Term(term.fieldname, part, boost=term.boost) for term in terms]) for part in parts]
        return query.Or([*closed, query.And(groups)]) if len(groups) > 1 else query.Or(closed + groups)

    if match == "any" and type(parsed) in (query.Or, query.Term):
        leaves = list(parsed.subqueries) if type(parsed) is query.Or else [parsed]
        if not any(hyphenated(leaf) for leaf in leaves):
            return parsed
        return query.Or([new for leaf in leaves for new in (spellings(leaf) if hyphenated(leaf) else [leaf])])
    if match == "all" and type(parsed) is query.And:
        return query.And([word(clause) for clause in parsed.subqueries])
    if match == "all" and type(parsed) in (query.Or, query.Term):
        return word(parsed)
    return parsed


def _check_expansions(parsed: query.Query, reader) -> None:
    """Refuse wildcard and fuzzy terms that would expand to too many words."""
    for node in parsed.leaves():
        if isinstance(node, query.terms.MultiTerm) and node.field() in reader.schema:
            expansions = sum(1 for _ in itertools.islice(node._btexts(reader), MAX_PATTERN_WORDS + 1))
            if expansions > MAX_PATTERN_WORDS:
                raise QueryError(
                    f"{node.text!r} matches more than {MAX_PATTERN_WORDS} different words; make it more specific"
                )


def _expand_labels(parsed: query.Query, reader) -> query.Query:
    """``author:harmon`` matches "Shelia Harmon": widen label terms over the lexicon.

    Authors, sources and sections are indexed as whole lower-cased names, so a
    term matches any name that contains all its words.
    """

    def widen(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and node.fieldname in _LABELLED_FIELDS:
            return _label_query(reader, node.fieldname, str(node.text)) or node
        if isinstance(node, query.Phrase) and node.fieldname in _LABELLED_FIELDS:
            # 'source:"a, b"': commas split a label into names, which have no positions to
            # be a phrase of; every name must match instead.
            names = [_label_query(reader, node.fieldname, str(word)) for word in node.words]
            kept = [name for name in names if name is not None]
            return query.And(kept) if kept else query.NullQuery
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
