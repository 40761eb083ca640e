"""The command line on a terminal and in pipes: pagers, wrapping, closed pipes, machine formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from newsindex.cli import cli

from .conftest import REPO


def run(*args: str, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    """The README's demo index: the built-in corpus and the seed article."""
    from newsindex.index import build_index

    index_dir = tmp_path_factory.mktemp("demo") / "index"
    build_index([str(REPO / "corpus"), str(REPO / "seeds")], index_dir, workers=1)
    return index_dir


def _newsindex(*args, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "newsindex", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        **kwargs,
    )


@pytest.mark.parametrize("fmt", ["text", "jsonl", "paths"])
def test_a_reader_that_leaves_early_is_not_an_error(demo_index, fmt):
    """`newsindex search ... | head -1`: exit 0, nothing on stderr (ripgrep's manners)."""
    process = _newsindex("search", "said", "-n", "5000", "--index", demo_index, "--format", fmt)
    process.stdout.close()  # the reader is gone before the first line is written
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert b"rror" not in stderr and b"Traceback" not in stderr and b"Broken pipe" not in stderr


# --- item 5: unquoted words, and a leading "-" --------------------------------------------


def test_unquoted_words_are_all_query_words(demo_index):
    quoted = run("search", "liaison office", "--index", demo_index, "--format", "jsonl")
    unquoted = run("search", "liaison", "office", "--index", demo_index, "--format", "jsonl")
    assert unquoted.exit_code == 0, unquoted.output
    assert unquoted.output == quoted.output
    assert "liaison office" in json.loads(unquoted.output.splitlines()[0])["snippet"]


def test_a_leading_minus_after_double_dash_is_an_excluded_word(demo_index):
    everything = run("search", "--index", demo_index, "--format", "paths", "-n", "1000", "--", "-zeppelin")
    assert everything.exit_code == 0, everything.output
    assert len(everything.output.splitlines()) > 10
    without = run("search", "--index", demo_index, "--format", "paths", "-n", "1000", "--", "-korea")
    assert 0 < len(without.output.splitlines()) < len(everything.output.splitlines())


def test_a_leading_minus_without_double_dash_gets_a_helpful_error(demo_index):
    result = run("search", "-oil", "--index", demo_index)
    assert result.exit_code == 2
    assert "No such option: -o" not in result.output
    assert "newsindex search -- -oil" in result.output
    # a mistyped long option still gets click's own message
    typo = run("search", "oil", "--sicne", "2019", "--index", demo_index)
    assert typo.exit_code == 2 and "--since" in typo.output


# --- item 4: facets in machine formats ----------------------------------------------------


def test_group_by_in_json_is_a_facets_object(demo_index):
    result = run("search", "said", "--index", demo_index, "--format", "json", "--group-by", "year", "-n", "1000")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert sum(payload["facets"]["year"].values()) == payload["total"]


@pytest.mark.parametrize("fmt", ["csv", "paths", "jsonl"])
def test_group_by_with_a_one_row_per_hit_format_is_refused_in_one_line(demo_index, fmt):
    result = run("search", "said", "--index", demo_index, "--format", fmt, "--group-by", "month")
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("newsindex: error: --group-by") and "--format json" in line


# --- item 9: a page past the end ----------------------------------------------------------


def test_a_page_past_the_end_says_how_many_pages_there_are(demo_index):
    total = json.loads(run("search", "said", "--index", demo_index, "--format", "json").output)["total"]
    pages = -(-total // 10)
    result = run("search", "said", "--index", demo_index, "--page", "999999")
    assert result.exit_code == 1
    assert f"page 999999 is past the end: {total} matches make {pages} page" in result.output
    last = run("search", "said", "--index", demo_index, "--page", pages, "--format", "paths")
    assert last.exit_code == 0 and last.output.strip()


# --- item 20: --count ---------------------------------------------------------------------


def test_count_prints_only_the_number_of_matches(demo_index):
    total = json.loads(run("search", "said", "--index", demo_index, "--format", "json").output)["total"]
    result = run("search", "said", "--index", demo_index, "--count")
    assert (result.exit_code, result.output) == (0, f"{total}\n")
    dated = run("search", "said", "--index", demo_index, "--count", "--since", "2019-03-23", "--until", "2019-03-23")
    assert dated.exit_code == 0 and 0 < int(dated.output) < total
    none = run("search", "zeppelin", "--index", demo_index, "--count")
    assert (none.exit_code, none.output) == (1, "0\n")
