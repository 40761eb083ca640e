"""Hostile files among good ones: each bad file is skipped with a reason,
the good ones around it are indexed, and nothing raises."""

from __future__ import annotations

import gzip
import os
import shutil
import time

import pytest

from newsindex.index import build_index
from newsindex.ingest import IngestOptions, drafts_from_file, iter_articles
from newsindex.models import Article, Skipped
from newsindex.read import classify

from .conftest import SEED

GOOD = "Published: 2021-05-04\nBy Ana Ruiz\n\nHarbour reopens\n\nShips moved through the harbour again on Tuesday.\n"


@pytest.fixture
def hostile_tree(tmp_path):
    root = tmp_path / "news"
    root.mkdir()
    (root / "good.txt").write_text(GOOD, encoding="utf-8")
    shutil.copy(SEED, root / "seed.txt")
    (root / "random.txt").write_bytes(os.urandom(20_000).replace(b"\n", b"\x00"))
    (root / "mixed.txt").write_bytes(
        "Published: 2020-01-02\n\nCafé mixé\n\n".encode() + "Ça coûte cher.".encode("cp1252")
    )
    (root / "long-line.txt").write_text("Title\n\n" + "word " * 1_100_000, encoding="utf-8")
    (root / "bomb.txt.gz").write_bytes(gzip.compress(b"\0" * (80 * 1024 * 1024), compresslevel=1))
    (root / "truncated.txt.gz").write_bytes(gzip.compress(GOOD.encode())[:-12])
    with open(root / "huge.txt", "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    (root / "empty.txt").write_bytes(b"")
    (root / "broken.jsonl").write_text('{"title": "Fine", "body": "Kept."}\n{oops\n', encoding="utf-8")
    (root / "loop").symlink_to(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD, encoding="utf-8")
    (root / "escape").symlink_to(outside)
    os.mkfifo(root / "pipe.txt")
    return root


def test_bad_files_are_skipped_with_reasons_and_good_ones_indexed(hostile_tree, tmp_path):
    started = time.perf_counter()
    report = build_index([str(hostile_tree)], tmp_path / "index", workers=2)
    elapsed = time.perf_counter() - started
    reasons = {os.path.basename(s.path.split("#")[0]): s.reason for s in report.failed}
    assert "binary" in reasons["random.txt"]
    assert "expands to over" in reasons["bomb.txt.gz"]
    assert "over 64 MB" in reasons["huge.txt"]
    assert "truncated.txt.gz" in reasons
    assert "empty" in reasons["empty.txt"]
    assert "line 2" in reasons["broken.jsonl"]
    ignored = {os.path.basename(s.path): s.reason for s in report.ignored}
    assert "symbolic link" in ignored["loop"] and "symbolic link" in ignored["escape"]
    assert "not a regular file" in ignored["pipe.txt"]
    # good.txt, seed.txt, mixed.txt, long-line.txt and the good JSONL record
    assert report.documents == 5
    assert elapsed < 60


def test_mixed_encoding_file_is_read_not_dropped(hostile_tree):
    articles = [a for a in iter_articles([hostile_tree / "mixed.txt"]) if isinstance(a, Article)]
    assert articles and "Ça coûte cher." in articles[0].text


def test_file_deleted_between_discovery_and_reading_is_reported(tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text(GOOD, encoding="utf-8")
    found = classify(path)
    path.unlink()
    [item] = list(drafts_from_file(found, IngestOptions()))
    assert isinstance(item, Skipped)
    assert "vanished" in item.reason


def test_links_are_followed_only_when_asked(hostile_tree):
    followed = list(iter_articles([hostile_tree], IngestOptions(follow_links=True)))
    paths = {os.path.basename(item.path) for item in followed if isinstance(item, Article)}
    assert "secret.txt" in paths
    assert "secret.txt" not in {
        os.path.basename(a.path) for a in iter_articles([hostile_tree]) if isinstance(a, Article)
    }


def test_enormous_text_is_cut_with_a_warning(hostile_tree):
    [article] = [a for a in iter_articles([hostile_tree / "long-line.txt"]) if isinstance(a, Article)]
    assert len(article.text) <= 500_000
    assert any("cut to its first" in warning for warning in article.warnings)
