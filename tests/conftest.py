"""Shared fixtures: paths to the repository's own data and to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_eb7c0f23e2b03f76.txt"
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def seed_index(tmp_path: Path) -> Path:
    from newsindex.index import build_index

    index_dir = tmp_path / "index"
    build_index([str(SEED.parent)], index_dir, workers=1)
    return index_dir


def index_articles(root: Path, articles: dict[str, str]) -> Path:
    """Write ``articles`` (a path under the archive -> its text) into ``root/news`` and index
    them with one worker: the index directory, every article in it."""
    from newsindex.index import build_index

    for name, text in articles.items():
        path = root / "news" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    index_dir = root / "index"
    report = build_index([str(root / "news")], index_dir, workers=1)
    assert report.documents == len(articles)
    return index_dir


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch):
    """A per-user config file on this machine must not change what tests see."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


def skip_unless_ci(reason: str) -> None:
    """Skip a test whose tool is missing, except on CI (``CI=true``), where a skipped
    check is a check that did not run: there it fails."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"on CI this must not skip: {reason}")
    pytest.skip(reason)
