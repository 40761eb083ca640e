"""The demo corpus against corpus/EXPECTED.jsonl: every article, every field."""

from __future__ import annotations

import json

import pytest

from newsindex.dates import format_iso
from newsindex.ingest import iter_articles
from newsindex.models import Article, Skipped

from .conftest import REPO

CORPUS = REPO / "corpus"
ROWS = [
    json.loads(line) for line in (CORPUS / "EXPECTED.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def extracted() -> dict[str, Article]:
    articles: dict[str, Article] = {}
    skipped: list[Skipped] = []
    for item in iter_articles([CORPUS]):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        articles[str(item.id).replace(str(REPO) + "/", "")] = item
    assert not skipped, skipped
    return articles


def row_id(row: dict) -> str:
    return row["path"] if row["record"] is None else f"{row['path']}#{row['record']}"


def test_corpus_is_big_and_varied_enough():
    assert len(ROWS) >= 40
    assert len({row["source"] for row in ROWS}) >= 5
    assert len({(row["published"] or "")[:4] for row in ROWS if row["published"]}) >= 3
    suffixes = {row["path"].rsplit(".", 1)[-1] for row in ROWS}
    assert {"txt", "html", "json", "jsonl"} <= suffixes


def test_every_article_file_has_an_expected_row(extracted):
    assert sorted(extracted) == sorted(row_id(row) for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_article_matches_expected(extracted, row):
    article = extracted[str(CORPUS.parent / row_id(row)).replace(str(REPO) + "/", "")]
    assert article.title == row["title"]
    assert article.authors == row["authors"]
    assert format_iso(article.published, article.date_only) == row["published"]
    assert article.source == row["source"]
    assert article.section == row["section"]
    assert row["sentence"] in article.text
    for boilerplate in row["boilerplate"]:
        assert boilerplate not in article.text
    assert row["title"] not in article.body  # the title is metadata, never repeated as a paragraph
