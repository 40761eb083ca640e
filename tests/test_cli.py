"""End-to-end through the command line, as a user runs it (click's CliRunner)."""

import json
import os
import re
import shutil
import sys

import pytest
from click.testing import CliRunner

from newsindex.cli import cli

from .conftest import SEED

SEED_TITLE = "North Korea abruptly withdraws staff from liaison office"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_index_then_search_finds_the_seed_first(tmp_path):
    index_dir = tmp_path / "ix"
    result = run("index", SEED.parent, "--index", index_dir)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    result = run("search", "liaison office", "--index", index_dir, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    first = json.loads(result.output.splitlines()[0])
    assert first["title"] == SEED_TITLE
    assert first["authors"] == ["Shelia Harmon"]
    assert first["published"].startswith("2019-03-23")
    assert first["section"] == "World Media"
    for key in ("id", "path", "source", "url", "score", "snippet"):
        assert key in first
    assert "liaison office" in first["snippet"]


def test_date_filters_include_and_exclude(seed_index):
    excluded = run("search", "liaison office", "--index", seed_index, "--since", "2019-04-01", "--format", "jsonl")
    assert excluded.exit_code == 1
    assert excluded.output.strip() == ""
    kept = run(
        "search",
        "liaison office",
        "--index",
        seed_index,
        "--since",
        "2019-03-01",
        "--until",
        "2019-03-31",
        "--format",
        "jsonl",
    )
    assert kept.exit_code == 0
    assert json.loads(kept.output.splitlines()[0])["title"] == SEED_TITLE


def test_no_match_exits_1_and_errors_exit_2(seed_index, tmp_path):
    assert run("search", "zeppelin", "--index", seed_index).exit_code == 1
    missing = run("search", "korea", "--index", tmp_path / "nowhere")
    assert missing.exit_code == 2
    assert "no index at" in missing.output
    bad_date = run("search", "korea", "--index", seed_index, "--since", "someday")
    assert bad_date.exit_code == 2
    assert "not a date" in bad_date.output
    assert "Traceback" not in bad_date.output


def test_text_output_without_terminal_has_no_colour(seed_index):
    result = run("search", "liaison", "--index", seed_index)
    assert result.exit_code == 0
    assert SEED_TITLE in result.output
    assert "\x1b[" not in result.output
    coloured = run("search", "liaison", "--index", seed_index, "--color", "always")
    assert "\x1b[1;31m" in coloured.output


def test_other_formats(seed_index):
    paths = run("search", "korea", "--index", seed_index, "--format", "paths")
    assert paths.output.strip().endswith("000_eb7c0f23e2b03f76.txt")
    csv_out = run("search", "korea", "--index", seed_index, "--format", "csv")
    assert csv_out.output.splitlines()[0].startswith("id,short_id,path,title")
    whole = json.loads(run("search", "korea", "--index", seed_index, "--format", "json").output)
    assert whole["total"] == 1 and whole["hits"][0]["title"] == SEED_TITLE


def test_show_prints_the_whole_article_by_short_id(seed_index):
    hit = json.loads(run("search", "korea", "--index", seed_index, "--format", "jsonl").output.splitlines()[0])
    result = run("show", hit["short_id"], "--index", seed_index, "--no-pager")
    assert result.exit_code == 0
    assert result.output.startswith(SEED_TITLE)
    assert "Paeksol Trading Corp" in result.output
    assert run("show", "0000000000", "--index", seed_index).exit_code == 1


def test_stats_counts_documents(seed_index):
    result = run("stats", "--index", seed_index, "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["documents"] == 1
    assert summary["first"] == "2019-03-23"
    assert summary["size_bytes"] > 0


def test_extract_jsonl_keys_and_explain(tmp_path):
    result = run("extract", SEED, "--format", "jsonl", "--explain")
    assert result.exit_code == 0, result.output
    article = json.loads(result.output)
    for key in ("path", "title", "authors", "published", "section", "source", "url", "body"):
        assert key in article
    rules = {r["rule"] for r in article["removed"]}
    assert "metadata:byline" in rules


def test_index_reports_bad_files_and_keeps_going(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "broken.json").write_text("{not json", encoding="utf-8")
    errors = tmp_path / "errors.tsv"
    result = run("index", corpus, "--index", tmp_path / "ix", "--format", "json", "--errors", errors)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["added"] == 1
    assert report["failed"] == 2
    assert {k for k in ("added", "updated", "removed", "unchanged", "failed", "seconds")} <= report.keys()
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert any("binary.txt\tbinary file" in line for line in lines)
    assert any("broken.json\tinvalid JSON" in line for line in lines)


@pytest.mark.parametrize(
    ("rules_text", "said"),
    [
        ("[line]\nsign-off: (unclosed\n", "[line] rule 'sign-off': bad pattern"),
        ("sign-off: Reuters\n", "expected 'name: pattern' inside a [section]"),
    ],
)
def test_a_bad_rules_file_is_refused_before_the_run_in_one_line(tmp_path, rules_text, said):
    """The shipped rules are compiled when a run needs them; a user's file is checked before
    any run, so a mistake in it is one line naming the rule, and no index is made."""
    bad = tmp_path / "rules.txt"
    bad.write_text(rules_text, encoding="utf-8")
    for command in (("index", SEED.parent, "--index", tmp_path / "ix"), ("extract", SEED)):
        result = run(*command, "--rules", bad)
        assert result.exit_code == 2, result.output
        assert said in result.output and len(result.output.strip().splitlines()) == 1, result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "ix").exists() or not any((tmp_path / "ix").glob("gen-*"))


def test_help_ends_with_examples():
    for command in ("index", "search", "extract", "show", "stats"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.output
        assert "newsindex " + command in result.output


# --- record field mapping: --field and config files ---------------------------------------

RECORD = {
    "hed": "Ferry strike ends",
    "alt_hed": "Strike over",
    "copy": {"text": "Crews returned to the ferries at dawn after a week of talks."},
    "when": "2022-06-01",
}


def _extract_one(*args):
    result = run("extract", *args, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_file_maps_fields_and_field_overrides_it(tmp_path):
    export = _write(tmp_path / "feed.jsonl", json.dumps(RECORD) + "\n")
    config = _write(
        tmp_path / "mine.toml",
        '[fields]\ntitle = "hed"\nbody = ["missing.key", "copy.text"]\npublished = "when"\n',
    )
    article = _extract_one(export, "--config", config)
    assert (article["title"], article["body"][:5], article["published"][:10]) == (
        "Ferry strike ends",
        "Crews",
        "2022-06-01",
    )
    assert _extract_one(export, "--config", config, "--field", "title=alt_hed")["title"] == "Strike over"


def test_the_user_config_is_read_unless_config_names_another(tmp_path, monkeypatch):
    export = _write(tmp_path / "feed.jsonl", json.dumps(RECORD) + "\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    _write(tmp_path / "xdg" / "newsindex" / "config.toml", '[fields]\ntitle = "alt_hed"\nbody = "copy.text"\n')
    assert _extract_one(export)["title"] == "Strike over"
    other = _write(tmp_path / "other.toml", '[fields]\ntitle = "hed"\nbody = "copy.text"\n')
    assert _extract_one(export, "--config", other)["title"] == "Ferry strike ends"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[fields]\ntitle = "hed"\nbody = \n', r"invalid TOML: .*\(at line 3, column 8\)$"),
        ('[fields]\nheadline = "hed"\n', r"unknown article field 'headline' in \[fields\] \(known: authors, body, "),
        ("[fields]\nbody = 3\n", r"fields\.body must be a record key or a list of keys \(strings\), not a number 3$"),
        ('[fields]\nbody = ["a", 2]\n', r"fields\.body must be a record key or a list of keys"),
        ('fields = "body"\n', r"'fields' must be a table \(\[fields\]\), not a string$"),
        ('[feilds]\nbody = "x"\n', r"unknown setting 'feilds' \(known: fields, sources, engine, index\)$"),
    ],
)
def test_bad_config_file_is_one_line_naming_it_and_exit_2(tmp_path, text, message):
    config = _write(tmp_path / "bad.toml", text)
    for command in ("index", "extract"):
        where = ["--index", tmp_path / "ix"] if command == "index" else []
        result = run(command, SEED, "--config", config, *where)
        assert result.exit_code == 2
        [line] = result.output.splitlines()
        assert line.startswith(f"newsindex: error: config file {config}: ")
        assert re.search(message, line), line


def test_missing_config_file_is_an_error(tmp_path):
    result = run("extract", SEED, "--config", tmp_path / "nowhere.toml")
    assert result.exit_code == 2
    assert result.output == f"newsindex: error: config file not found: {tmp_path / 'nowhere.toml'}\n"


def test_a_new_field_mapping_re_reads_record_files_only(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus / "feed.jsonl", json.dumps(RECORD) + "\n")
    shutil.copy(SEED, corpus / "seed.txt")
    first = _write(tmp_path / "a.toml", '[fields]\ntitle = "hed"\nbody = "copy.text"\n')
    second = _write(tmp_path / "b.toml", '[fields]\ntitle = "alt_hed"\nbody = "copy.text"\n')

    def index(config):
        result = run("index", corpus, "--index", tmp_path / "ix", "--config", config, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def titles():
        result = run("search", "ferries", "--index", tmp_path / "ix", "--format", "jsonl")
        return [json.loads(line)["title"] for line in result.output.splitlines()]

    index(first)
    assert titles() == ["Ferry strike ends"]
    again = index(first)
    assert (again["updated"], again["unchanged"]) == (0, 2)
    remapped = index(second)
    assert (remapped["updated"], remapped["unchanged"], remapped["documents"]) == (1, 1, 2)
    assert titles() == ["Strike over"]


def test_index_says_when_a_changed_dayfirst_reads_everything_again(tmp_path):
    index_dir = tmp_path / "ix"
    assert run("index", SEED.parent, "--index", index_dir).exit_code == 0
    same = run("index", SEED.parent, "--index", index_dir)
    assert "read again" not in same.output and "1 unchanged" in same.output
    changed = run("index", SEED.parent, "--index", index_dir, "--dayfirst")
    assert changed.exit_code == 0, changed.output
    assert "--dayfirst, --rules, --source or [sources] differ from the last run" in changed.output
    named = run("index", SEED.parent, "--index", index_dir, "--dayfirst", "--source", "Harbour Post")
    assert "differ from the last run" in named.output  # a new outlet for the run reads everything again
    assert "1 added" in changed.output


def test_feedback_can_be_turned_off_for_any_queries(tmp_path):
    from .test_ranking import write_coffee_archive

    # An archive where feedback changes the order: without it the short office story
    # about coffee ranks above the frost report; with it, the reverse.
    write_coffee_archive(tmp_path / "news", repeat=3)  # reports of a few sentences: text enough to learn from
    index_dir = tmp_path / "ix"
    assert run("index", tmp_path / "news", "--index", index_dir, "-q").exit_code == 0
    orders = {}
    for flag in ("--feedback", "--no-feedback"):
        result = run("search", "coffee", "--match", "any", flag, "--index", index_dir, "-n", "20", "--format=jsonl")
        assert result.exit_code == 0, result.output
        orders[flag] = [json.loads(line)["title"] for line in result.output.splitlines()]
    assert orders["--no-feedback"].index("Office kitchen") < orders["--no-feedback"].index("Growers count losses")
    assert orders["--feedback"].index("Growers count losses") < orders["--feedback"].index("Office kitchen")


@pytest.mark.parametrize(("preset", "expected"), [(None, "1"), ("4", "4")])
def test_the_command_keeps_numpy_to_one_blas_thread_unless_told_otherwise(monkeypatch, preset, expected):
    from newsindex.cli import main

    if preset is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", preset)
    monkeypatch.setattr(sys, "argv", ["newsindex", "--version"])
    main()
    assert os.environ["OPENBLAS_NUM_THREADS"] == expected
