"""Property tests: hostile input never raises anything but our own errors.

Each reader, the date and byline parsers and the query parser get random and
mutated input.  The default run is quick; ``-m slow`` runs many more cases.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsindex.dates import parse_date, period
from newsindex.extract import extract, parse_byline, split_authors
from newsindex.ingest import iter_articles
from newsindex.models import Article, RawDocument, Skipped
from newsindex.query import QueryError, SearchOptions, search
from newsindex.read import ReadError, decode

EXAMPLES = int(os.environ.get("NEWSINDEX_FUZZ_EXAMPLES", "60"))
fuzz = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

scraped_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Published: Sat, March 23, 2019",
                "Updated: 99-99-9999",
                "World Media | By Shelia Harmon",
                "By",
                "By , and ,",
                "Posted by 12345",
                "Source:",
                "URL: http://",
                "Like this:",
                "Please refresh the page for the fullest version.",
                "",
                "    indented wire line",
                "\x00\x1b[31m",
            ]
        ),
        st.text(max_size=200),
    ),
    max_size=40,
)


@fuzz
@given(st.binary(max_size=4096))
def test_decode_returns_text_or_read_error(data):
    for html in (False, True):
        try:
            text, encoding = decode(data, html=html)
        except ReadError:
            continue
        assert isinstance(text, str) and encoding


@fuzz
@given(scraped_lines)
def test_text_extraction_keeps_to_the_input(lines):
    """Extraction only selects and trims: every word it keeps was in the input."""
    text = "\n".join(lines)
    draft = extract(RawDocument(path="/a/b.txt", kind="text", text=text))
    assert all(p and p == p.strip() for p in draft.paragraphs)
    words = set(" ".join(text.split()).split())
    for kept in (draft.title, *draft.paragraphs):
        assert set(kept.split()) <= words, kept


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=80),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=25,
)
record_keys = st.sampled_from(
    [
        "title",
        "headline",
        "body",
        "content",
        "date",
        "published",
        "author",
        "authors",
        "byline",
        "url",
        "source",
        "fields",
        "section",
        "text",
    ]
)


@fuzz
@given(st.dictionaries(record_keys, json_values, max_size=8))
def test_record_extraction_keeps_to_the_record(record):
    """A record's title and body come from its own string values, never from elsewhere."""
    draft = extract(RawDocument(path="/a/feed.jsonl", kind="record", record=record, record_no=1))
    words = set(" ".join(_strings(record)).split())
    for kept in (draft.title, *draft.paragraphs):
        assert set(kept.split()) <= words, kept
    assert all(author.strip() for author in draft.authors)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [] if value is None else [str(value)]  # numbers are kept as text


@fuzz
@given(st.text(max_size=120))
def test_date_and_byline_parsers_never_raise(text):
    parsed = parse_date(text)
    assert parsed is None or parsed.value.tzinfo is not None
    assert parse_byline(text) is None or isinstance(parse_byline(text)[0], list)
    assert isinstance(split_authors(text), list)
    try:
        start, end = period(text)
    except ValueError:
        pass
    else:
        assert start < end


@fuzz
@given(
    st.lists(
        st.tuples(st.sampled_from([".txt", ".json", ".jsonl", ".csv", ".html", ".txt.gz"]), st.binary(max_size=2048)),
        min_size=1,
        max_size=4,
    )
)
def test_pipeline_yields_an_article_or_a_reported_skip_for_every_file(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fuzz")
    for number, (suffix, data) in enumerate(files):
        (root / f"f{number}{suffix}").write_bytes(data)
    items = list(iter_articles([root]))
    assert all(isinstance(item, (Article, Skipped)) for item in items)
    seen_files = {item.path.split("#")[0] for item in items}
    assert seen_files == {str(root / f"f{number}{suffix}") for number, (suffix, _data) in enumerate(files)}
    for item in items:
        if isinstance(item, Skipped):
            assert item.reason and "\n" not in item.reason


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    from newsindex.index import build_index

    root = tmp_path_factory.mktemp("fuzzindex")
    (root / "news").mkdir()
    for number in range(5):
        (root / "news" / f"a{number}.txt").write_text(
            f"Published: 2020-0{number + 1}-05\nBy Ann Lee\n\nTitle {number} port strike\n\n"
            f"Body {number} about the port strike, drought and the U.S. COVID-19 rules.\n",
            encoding="utf-8",
        )
    build_index([str(root / "news")], root / "index", workers=1)
    return root / "index"


query_atoms = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "-",
        "+",
        "*",
        "?",
        "~",
        ":",
        "[",
        "]",
        " TO ",
        " OR ",
        " AND ",
        " NOT ",
        "title:",
        "author:",
        "date:",
        "date:[2019 TO 2020]",
        "source:",
        "port",
        "strike",
        "strik*",
        "U.S.",
        "covid-19",
        "\x00",
        "\\",
        "^2",
    ]
)


@fuzz
@given(st.lists(st.one_of(query_atoms, st.text(max_size=12)), max_size=25).map("".join))
def test_queries_either_run_or_fail_with_a_query_error(small_index, text):
    try:
        result = search(text, small_index, SearchOptions(limit=3))
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert result.total >= len(result.hits)
        json.dumps([hit.title for hit in result.hits])
