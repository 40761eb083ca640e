"""What an indexing run tells its user: failures remembered across runs, the index kept apart
from what it indexes, progress, links, summaries (issue 17's indexing items)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from newsindex.cli import cli
from newsindex.index import build_index

from .test_index import make_corpus


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _failing_files(folder):
    """Three files that cannot be indexed, of three kinds."""
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 200)
    (folder / "feed.jsonl").write_text(
        '{"title": "Good one", "body": "Quay works resume."}\n{broken\n', encoding="utf-8"
    )
    return {str(folder / "empty.txt"), str(folder / "binary.txt"), str(folder / "feed.jsonl")}


def test_failed_files_stay_listed_until_fixed_or_gone(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 3)
    failing = _failing_files(news)
    index_dir = tmp_path / "ix"
    first = build_index([news], index_dir, workers=1)
    assert {s.path for s in first.failed} == failing
    second = build_index([news], index_dir, workers=1)
    assert {s.path for s in second.failed} == failing, "a second run still lists what still fails"
    assert [s.reason for s in sorted(second.failed, key=lambda s: s.path)] == [
        s.reason for s in sorted(first.failed, key=lambda s: s.path)
    ]
    assert second.added == second.updated == 0
    # Fixed: listed no more, and indexed.
    (news / "empty.txt").write_text("Quay reopens\n\nThe quay reopened on Monday.\n", encoding="utf-8")
    # Gone: listed no more.
    (news / "binary.txt").unlink()
    third = build_index([news], index_dir, workers=1)
    assert {s.path for s in third.failed} == {str(news / "feed.jsonl")}
    assert (third.updated, third.removed) == (1, 1)  # the fixed file read again, the gone one dropped
    fourth = build_index([news], index_dir, workers=1)
    assert {s.path for s in fourth.failed} == {str(news / "feed.jsonl")}
    # The record file fixed: its bad line is forgotten with its old version.
    (news / "feed.jsonl").write_text('{"title": "Good one", "body": "Quay works resume."}\n', encoding="utf-8")
    os.utime(news / "feed.jsonl", (1_700_000_000, 1_700_000_000))
    assert build_index([news], index_dir, workers=1).failed == []


def test_errors_file_of_a_second_run_lists_what_still_fails(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 2)
    failing = _failing_files(news)
    index_dir, errors = tmp_path / "ix", tmp_path / "failed.tsv"
    for _ in range(2):
        result = run("index", news, "--index", index_dir, "--errors", errors)
        assert result.exit_code == 0, result.output
        assert "3 failed" in result.output
        listed = {line.split("\t")[0] for line in errors.read_text(encoding="utf-8").splitlines()}
        assert listed == failing


def test_an_index_inside_the_folder_it_indexes_never_reads_itself(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 3)
    for _ in range(2):
        result = run("index", news, "--index", news / "idx", "--format", "json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert summary["failed"] == 0 and summary["ignored"] == 0, summary
        assert summary["documents"] == 3
    # Given as a path of its own it is skipped too (reached through another spelling).
    result = run("index", news, "--index", tmp_path / "." / "news" / "idx", "--format", "json")
    assert json.loads(result.output)["failed"] == 0


def test_a_non_empty_folder_that_is_no_index_is_refused(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 2)
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.txt").write_text("my thesis", encoding="utf-8")
    result = run("index", news, "--index", target)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "not a newsindex index" in result.output and str(target) in result.output
    assert sorted(p.name for p in target.iterdir()) == ["thesis.txt"]  # nothing written into it
    # An empty folder, or an index, is fine.
    (tmp_path / "empty").mkdir()
    assert run("index", news, "--index", tmp_path / "empty", "-q").exit_code == 0
    assert run("index", news, "--index", tmp_path / "empty", "-q").exit_code == 0


def test_progress_total_is_known_from_the_first_call_and_counts_files(tmp_path, monkeypatch):
    from newsindex.index import limits

    monkeypatch.setattr(limits, "BATCH_SIZE", 10)  # many batches: the walk is not over at the first
    monkeypatch.setattr(limits, "SPLIT_RECORD_BYTES", 1)  # the record file goes in pieces
    monkeypatch.setattr(limits, "PIECE_RECORDS", 3)
    news = tmp_path / "news"
    make_corpus(news, 45)
    lines = [json.dumps({"title": f"Record {n}", "body": f"Cargo figure {n} at the quay."}) for n in range(20)]
    (news / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls = []
    build_index([news], tmp_path / "ix", workers=1, progress=lambda done, total: calls.append((done, total)))
    assert calls, "progress was reported"
    assert {total for _done, total in calls} == {46}, "the total is the number of files, known up front"
    dones = [done for done, _total in calls]
    assert dones == sorted(dones) and dones[-1] == 46
    # An incremental run counts the unchanged files as done too.
    (news / "outlet" / "000.txt").write_text("Changed\n\nA changed report.\n", encoding="utf-8")
    calls.clear()
    build_index([news], tmp_path / "ix", workers=1, progress=lambda done, total: calls.append((done, total)))
    assert {total for _done, total in calls} == {46} and calls[-1][0] == 46


def test_progress_line_speaks_plainly_and_waits_for_a_rate():
    from newsindex.cli.progress import ProgressLine

    clock = iter([0.0, 0.2, 0.5, 5.0, 10.0])
    shown = []
    line = ProgressLine(write=shown.append, clock=lambda: next(clock))
    line(0, 2000)  # at 0.2 s
    line(10, 2000)  # at 0.5 s: too early for a rate
    assert shown and all("/s" not in text and "ETA" not in text and "left" not in text for text in shown)
    assert all("pieces" not in text and "files" in text for text in shown)
    line(1000, 2000)  # at 5 s: 200 files/s, 1,000 to go
    assert "200 files/s" in shown[-1] and "5 s left" in shown[-1]
    assert "1,000 of 2,000 files" in shown[-1]
    line(2000, 2000)
    assert "left" not in shown[-1]


@pytest.mark.parametrize(
    ("others", "line"),
    [(1, "1 file was not an article file and was ignored"), (2, "2 files were not article files and were ignored")],
)
def test_files_that_are_not_articles_are_counted_in_a_sentence(tmp_path, others, line):
    news = tmp_path / "news"
    make_corpus(news, 1)
    for number in range(others):
        (news / f"photo{number}.png").write_bytes(b"\x89PNG")
    result = run("index", news, "--index", tmp_path / "ix")
    assert result.exit_code == 0 and line in result.output


def test_links_not_followed_are_named_with_the_option_to_follow_them(tmp_path):
    real = tmp_path / "real"
    make_corpus(real, 2)
    news = tmp_path / "news"
    news.mkdir()
    (news / "articles").symlink_to(real / "outlet")
    (news / "one.txt").symlink_to(real / "outlet" / "000.txt")
    result = run("index", news, "--index", tmp_path / "ix")
    assert "ignored" not in result.output
    assert "2 symbolic links were not followed" in result.output
    assert "--follow-links" in result.output
    followed = run("index", news, "--index", tmp_path / "ix", "--follow-links")
    assert followed.exit_code == 0 and "symbolic link" not in followed.output


def test_index_summary_counts_duplicates_in_plain_words(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 1)
    one = run("index", news, "--index", tmp_path / "ix")
    assert one.exit_code == 0, one.output
    assert "1 article in" in one.output and "1 articles" not in one.output
    assert "0 files/s" not in one.output
    again = run("index", news, "--index", tmp_path / "ix")  # nothing read: no rate at all
    assert "files/s" not in again.output and "1 unchanged" in again.output
    copy = news / "copy"
    copy.mkdir()
    for n in range(2):
        (copy / f"{n}.txt").write_bytes((news / "outlet" / "000.txt").read_bytes())
    dup = run("index", news, "--index", tmp_path / "ix")
    assert "2 identical copies stored once" in dup.output, dup.output


WRITERS = [
    f"{first} {last}"
    for first in ("Omar", "Tom", "Li", "Sara", "Jan")
    for last in ("Berg", "Wei", "Okafor", "Reyes", "Novak")
]


def test_stats_shows_undated_articles_and_says_when_outlets_are_cut(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    records = [
        json.dumps(
            {
                "title": f"Report {n}",
                "body": f"The quay of outlet {n} reopened.",
                "source": f"outlet{n:02d}",
                "authors": [WRITERS[n % 25], "Ana Ruiz"] if n % 3 else [WRITERS[n % 25]],
            }
        )
        for n in range(45)
    ]
    (news / "feed.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    assert run("index", news, "--index", tmp_path / "ix", "-q").exit_code == 0
    shown = run("stats", "--index", tmp_path / "ix")
    assert shown.exit_code == 0, shown.output
    assert "45 undated" in shown.output
    assert "40 of 45 outlets" in shown.output and "--all" in shown.output
    authors = shown.output.split("authors (", 1)[1].splitlines()
    assert authors[0].startswith("20 of 26 authors") and authors[1].split()[:3] == ["Ana", "Ruiz", "30"]
    every = run("stats", "--index", tmp_path / "ix", "--all")
    assert "outlet44" in every.output and "of 45 outlets" not in every.output
    assert WRITERS[24] in every.output and "of 26 authors" not in every.output
    counts = json.loads(run("stats", "--index", tmp_path / "ix", "--format", "json").output)["authors"]
    assert len(counts) == 26 and counts["Ana Ruiz"] == 30 and counts[WRITERS[0]] == 2


def test_searching_while_a_first_build_runs_says_it_is_being_built(tmp_path):
    from newsindex.index.generations import _Lock

    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with _Lock(index_dir):  # what a first run holds while it builds
        for command in (["search", "quay"], ["stats"]):
            result = run(*command, "--index", index_dir)
            assert result.exit_code == 2
            assert "being built" in result.output and "create one" not in result.output, result.output
    # Once the writer has gone (e.g. it was interrupted), the usual advice.
    result = run("search", "quay", "--index", index_dir)
    assert "create one" in result.output


def test_the_config_file_names_the_index_after_option_and_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSINDEX_INDEX", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    config_dir = tmp_path / "config-home" / "newsindex"
    config_dir.mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))
    (config_dir / "config.toml").write_text(f'[index]\npath = "{tmp_path / "from-config"}"\n', encoding="utf-8")
    news = tmp_path / "news"
    make_corpus(news, 2)
    assert run("index", news, "-q").exit_code == 0
    assert (tmp_path / "from-config" / "CURRENT").is_file()
    assert not (tmp_path / "data-home").exists()
    assert run("search", "harbour", "--format", "paths").exit_code == 0
    assert json.loads(run("stats", "--format", "json").output)["index"] == str(tmp_path / "from-config")
    # NEWSINDEX_INDEX goes first, --index before both.
    monkeypatch.setenv("NEWSINDEX_INDEX", str(tmp_path / "from-env"))
    assert json.loads(run("index", news, "--format", "json").output)["index"] == str(tmp_path / "from-env")
    assert json.loads(run("index", news, "--index", tmp_path / "given", "--format", "json").output)["index"] == str(
        tmp_path / "given"
    )
    # A relative path is taken from the config file's folder; a bad value is one line.
    monkeypatch.delenv("NEWSINDEX_INDEX")
    (config_dir / "config.toml").write_text('[index]\npath = "ix"\n', encoding="utf-8")
    assert json.loads(run("index", news, "--format", "json").output)["index"] == str(config_dir / "ix")
    (config_dir / "config.toml").write_text("[index]\npath = 3\n", encoding="utf-8")
    bad = run("stats")
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and "index.path" in bad.output


def test_remove_drops_a_folder_and_stats_lists_the_folders_indexed(tmp_path):
    news, wire = tmp_path / "news", tmp_path / "wire"
    make_corpus(news, 4)
    (wire / "ap").mkdir(parents=True)
    (wire / "ap" / "a.txt").write_text("Zeppelin seen\n\nA zeppelin was seen over the quay.\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert run("index", news, wire, "--index", index_dir, "-q").exit_code == 0
    folders = json.loads(run("stats", "--index", index_dir, "--format", "json").output)["folders"]
    assert folders == {str(news): 4, str(wire): 1}
    assert str(wire) in run("stats", "--index", index_dir).output

    removed = run("remove", wire / "ap", "--index", index_dir)
    assert removed.exit_code == 0, removed.output
    assert "1 file removed" in removed.output and "4 articles" in removed.output
    assert run("search", "zeppelin", "--index", index_dir).exit_code == 1
    assert run("search", "harbour", "--index", index_dir).exit_code == 0
    folders = json.loads(run("stats", "--index", index_dir, "--format", "json").output)["folders"]
    assert folders == {str(news): 4, str(wire): 0}
    # A whole folder indexed, given as it was: it leaves the list (no file was left under it).
    dropped = run("remove", wire, "--index", index_dir)
    assert dropped.exit_code == 0 and "no longer a folder indexed" in dropped.output
    assert json.loads(run("stats", "--index", index_dir, "--format", "json").output)["folders"] == {str(news): 4}
    # A later run over the kept folder does not bring the removed one back.
    again = json.loads(run("index", news, "--index", index_dir, "--format", "json").output)
    assert again["documents"] == 4


def test_remove_errors_are_one_line(tmp_path):
    missing = run("remove", tmp_path / "news", "--index", tmp_path / "none")
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1
    news = tmp_path / "news"
    make_corpus(news, 2)
    assert run("index", news, "--index", tmp_path / "ix", "-q").exit_code == 0
    elsewhere = run("remove", tmp_path / "elsewhere", "--index", tmp_path / "ix")
    assert elsewhere.exit_code == 1 and "nothing indexed under" in elsewhere.output
    assert len(elsewhere.output.strip().splitlines()) == 1


def test_remove_is_crash_safe(tmp_path):
    news = tmp_path / "news"
    make_corpus(news, 6)
    build_index([news], tmp_path / "ix", workers=1)
    import subprocess
    import sys

    env = {**os.environ, "NEWSINDEX_CRASH_AT": "before-publish"}
    gone = str(news / "outlet" / "000.txt")
    killed = subprocess.run(
        [sys.executable, "-m", "newsindex", "remove", gone, "--index", str(tmp_path / "ix")],
        env=env,
        capture_output=True,
    )
    assert killed.returncode < 0  # killed as a crash would
    # The index before the removal, whole; the next removal works.
    assert json.loads(run("stats", "--index", tmp_path / "ix", "--format", "json").output)["documents"] == 6
    assert run("search", "figure0", "--index", tmp_path / "ix").exit_code == 0
    assert run("remove", gone, "--index", tmp_path / "ix").exit_code == 0
    assert run("search", "figure0", "--index", tmp_path / "ix").exit_code == 1
    assert json.loads(run("stats", "--index", tmp_path / "ix", "--format", "json").output)["documents"] == 5


@pytest.mark.parametrize("together", [1, 200, None])
@pytest.mark.parametrize("stage", ["article_from_draft", "document_fields"])
def test_an_article_failing_in_a_worker_is_reported_and_the_others_keep_their_sketches(
    tmp_path, monkeypatch, stage, together
):
    """Articles are cleaned a chunk at a time (``together`` characters of text), then sketched
    together and added: one failing at either step is reported, and every other article still
    gets its own sketch."""
    from newsindex.engine.whoosh.store import open_index
    from newsindex.index import dedup, limits, pool

    if together is not None:
        monkeypatch.setattr(limits, "SKETCHED_TOGETHER", together)

    news = tmp_path / "news"
    make_corpus(news, 6)
    bad = str(news / "outlet" / "002.txt")
    real = getattr(pool, stage)

    def failing(first, *rest):
        path = first.path if stage == "article_from_draft" else first["path"]
        if path == bad:
            raise ValueError("no body")
        return real(first, *rest)

    monkeypatch.setattr(pool, stage, failing)
    report = build_index([news], tmp_path / "ix", workers=1)
    failed = [(skipped.path, skipped.reason) for skipped in report.failed]
    assert failed == [(bad, "could not index: ValueError: no body")]
    assert report.documents == 5
    with open_index(tmp_path / "ix").searcher() as searcher:
        column = searcher.reader().column_reader("sketch")
        bodies = {docnum: searcher.stored_fields(docnum)["body"] for docnum in searcher.reader().all_doc_ids()}
        assert len(bodies) == 5
        for docnum, body in bodies.items():
            assert column[docnum] == dedup.packed_sketch(body) != dedup.pack_values([])
