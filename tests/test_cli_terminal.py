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
    grouped = run("search", "said", "--index", demo_index, "--count", "--group-by", "year")
    assert grouped.exit_code == 2 and grouped.output.startswith("newsindex: error: --count prints one number")


# --- item 17: show by a relative path -----------------------------------------------------


@pytest.mark.parametrize("relative", ["seeds/000_eb7c0f23e2b03f76.txt", "./seeds/../seeds/000_eb7c0f23e2b03f76.txt"])
def test_show_finds_an_article_by_a_path_relative_to_the_current_directory(demo_index, monkeypatch, relative):
    monkeypatch.chdir(REPO)
    result = run("show", relative, "--index", demo_index, "--no-pager")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("North Korea abruptly withdraws staff from liaison office")
    monkeypatch.chdir(REPO / "corpus")
    assert run("show", relative, "--index", demo_index, "--no-pager").exit_code == 1


# --- item 21: times in the --tz zone ------------------------------------------------------


@pytest.fixture(scope="module")
def timed_index(tmp_path_factory):
    from newsindex.index import build_index

    root = tmp_path_factory.mktemp("timed")
    (root / "late.txt").write_text(
        "Published: 2021-03-01T23:30:00Z\nSource: Night Desk\n\nLate ferry news\n\nThe last ferry left late.",
        encoding="utf-8",
    )
    build_index([str(root)], root / "index", workers=1)
    return root / "index"


def test_times_are_shown_in_the_tz_zone_in_text_and_machine_formats(timed_index):
    utc = run("search", "ferry", "--index", timed_index)
    assert "2021-03-01 23:30 UTC" in utc.output
    tokyo = run("search", "ferry", "--index", timed_index, "--tz", "Asia/Tokyo")
    assert "2021-03-02 08:30 JST" in tokyo.output
    line = run("search", "ferry", "--index", timed_index, "--tz", "Asia/Tokyo", "--format", "jsonl").output
    assert json.loads(line)["published"] == "2021-03-02T08:30:00+09:00"
    csv_out = run("search", "ferry", "--index", timed_index, "--tz", "Asia/Tokyo", "--format", "csv").output
    assert "2021-03-02T08:30:00+09:00" in csv_out
    default = run("search", "ferry", "--index", timed_index, "--format", "jsonl").output
    assert json.loads(default)["published"] == "2021-03-01T23:30:00+00:00"
    short_id = json.loads(default)["short_id"]
    shown = run("show", short_id, "--index", timed_index, "--tz", "America/New_York", "--no-pager")
    assert "2021-03-01 18:30 EST" in shown.output
    shown_json = run("show", short_id, "--index", timed_index, "--tz", "America/New_York", "--format", "json")
    assert json.loads(shown_json.output)["published"] == "2021-03-01T18:30:00-05:00"


# --- item 1: colour through a pager -------------------------------------------------------


def _fake_pager(tmp_path, name: str):
    """A pager called ``name`` that records its arguments, $LESS and what it was given."""
    record = tmp_path / f"{name}.record"
    script = tmp_path / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(
        f'#!/bin/sh\n{{ printf "args=%s\\n" "$*"; printf "LESS=%s\\n" "${{LESS-unset}}"; cat; }} > "{record}"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, record


def _show_paged(demo_index, monkeypatch, pager, less=None):
    monkeypatch.setenv("PAGER", str(pager))
    if less is None:
        monkeypatch.delenv("LESS", raising=False)
    else:
        monkeypatch.setenv("LESS", less)
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run("show", "seeds/000_eb7c0f23e2b03f76.txt", "--index", demo_index, "--pager", "--color", "always")
    assert result.exit_code == 0, result.output


def test_colour_sent_to_less_is_shown_as_colour_without_the_users_less(demo_index, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    pager, record = _fake_pager(tmp_path, "less")
    _show_paged(demo_index, monkeypatch, pager)
    args, less, *text = record.read_text(encoding="utf-8").splitlines()
    assert less == "LESS=FRX" and "-R" in args.removeprefix("args=").split()
    assert "\x1b[1m" in "\n".join(text)


def test_the_users_less_is_kept_and_raw_colour_added(demo_index, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    pager, record = _fake_pager(tmp_path, "less")
    _show_paged(demo_index, monkeypatch, pager, less="-i")
    args, less, *_ = record.read_text(encoding="utf-8").splitlines()
    assert less == "LESS=-i" and "-R" in args.removeprefix("args=").split()


def test_a_pager_that_may_not_show_colour_gets_none(demo_index, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    pager, record = _fake_pager(tmp_path, "more")
    _show_paged(demo_index, monkeypatch, pager)
    text = record.read_text(encoding="utf-8")
    assert "North Korea abruptly withdraws" in text and "\x1b" not in text


# --- item 2: wrapping to the terminal's width ---------------------------------------------

_CSI = __import__("re").compile(r"\x1b\[[0-9;]*m")
LONG = (
    "Dock workers at the port walked off the job on Monday after talks over pay and shift patterns collapsed, "
    "leaving container ships anchored offshore and freight companies scrambling for berths elsewhere."
)


def _wide_result():
    from datetime import datetime, timezone

    from newsindex.models import Hit, SearchResult

    hit = Hit(
        id="x",
        short_id="abc1234567",
        path="/news/x.txt",
        title="Dock workers walk out as talks over pay and shift patterns collapse at the port",
        authors=["Ana Ruiz", "Tom Berg"],
        published=datetime(2021, 3, 1, 9, 0, tzinfo=timezone.utc),
        date_only=False,
        section="Business and the economy",
        source="Harbour Ledger",
        url=None,
        score=1.0,
        snippet=LONG,
        highlights=[(LONG.index("shift patterns"), LONG.index("shift patterns") + len("shift patterns"))],
    )
    return SearchResult(query="shift patterns", hits=[hit], total=1, seconds=0.01)


@pytest.mark.parametrize("color", [False, True])
def test_hits_wrap_at_word_boundaries_with_continuations_indented(color):
    from newsindex.render import Style, render_hits

    lines = list(render_hits(_wide_result(), "text", Style(color), width=40))
    visible = [_CSI.sub("", line) for line in lines]
    assert all(len(line) <= 40 for line in visible), visible
    words = " ".join(line.strip() for line in visible if line.strip()).split()
    assert "patterns" in words and "walked" in words and "collapsed," in words  # no word broken
    assert sum(1 for line in visible if line.strip()) >= 8
    body = [line for line in visible[1:] if line.strip()]
    assert all(line.startswith("    ") for line in body)  # under the text they continue


def test_show_wraps_paragraphs_and_pipes_are_not_wrapped(demo_index, monkeypatch):
    from newsindex.models import Article
    from newsindex.render import Style, render_article_text

    article = Article(
        id="x",
        path="/x.txt",
        title="T",
        authors=[],
        published=None,
        date_only=False,
        section=None,
        source=None,
        url=None,
        language=None,
        body=[LONG, LONG],
        content_hash="",
    )
    lines = list(render_article_text(article, Style(False), width=50))
    assert all(len(line) <= 50 for line in lines)
    assert " ".join(" ".join(lines).split()).count(LONG) == 2
    monkeypatch.chdir(REPO)
    piped = run("show", "seeds/000_eb7c0f23e2b03f76.txt", "--index", demo_index, "--no-pager")
    assert max(len(line) for line in piped.output.splitlines()) > 200  # a pipe gets whole paragraphs
