"""The reading commands' ordinary command lines are read without click (``newsindex.cli.quick``):
what the quick reading gives must be what click gives, and a whole command must print the same
either way."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import pytest

from newsindex.cli import params
from newsindex.cli.quick import parsed

from .conftest import REPO

VALUES = {
    params.IntRange: ["1", "5", "10000", "1000", "0", "-3", "x", "10001", " 7", "1_0", "2.5", ""],
    params.FloatRange: ["0.1", "3", "0.05", "1e-1", "x", "1e2", "-1", "inf"],
    type(None): ["oil", "", "2019-03", "-x", "Europe/London", "a b", "-", "--", "UTC"],
}
WORDS = ["oil", "port strike", "-oil", "--", "-", "", "éclair", "OR", "3f2a9c01de", "-n", "--limit"]
NOISE = ["--nope", "-x", "-nx", "--index", "--limit=", "--count=1", "--no-count", "--feedback=yes"]


def _values(param: params.Param) -> list[str]:
    if isinstance(param.type, params.Choice):
        return [*param.type.choices, "ALL", "bogus", ""]
    return VALUES[type(param.type)]


def _random_args(pick: random.Random, declared: tuple[params.Param, ...]) -> list[str]:
    options = [param for param in declared if isinstance(param, params.Option)]
    args: list[str] = []
    for _ in range(pick.randint(0, 7)):
        roll = pick.random()
        if roll < 0.3:
            args.append(pick.choice(WORDS))
            continue
        if roll < 0.35:
            args.append(pick.choice(NOISE))
            continue
        option = pick.choice(options)
        string = pick.choice(list(option.strings))
        if option.strings[string] is not None:  # a flag
            args.append(string if pick.random() < 0.9 else f"{string}=1")
            continue
        value = pick.choice(_values(option))
        form = pick.random()
        if form < 0.6:
            args += [string, value]
        elif string.startswith("--"):
            args.append(f"{string}={value}")
        else:
            args.append(f"{string}{value}")
    return args


def _click_reading(command: str, args: list[str]):
    """click's parameters for ``newsindex COMMAND ARGS...``, or "error"."""
    import click

    from newsindex.cli import searching  # noqa: F401  (the reading commands join the group)
    from newsindex.cli.common import cli

    try:
        return cli.commands[command].make_context(command, list(args)).params
    except (click.ClickException, click.exceptions.Exit):
        return "error"


def test_the_quick_reading_is_click_s_reading_or_none(capsys):
    pick = random.Random(18)
    read = declined = 0
    for _ in range(4000):
        command = pick.choice(list(params.READING))
        args = _random_args(pick, params.READING[command])
        by_click = _click_reading(command, args)
        quick = parsed([command, *args])
        if quick is None:
            declined += 1
            continue
        assert quick == (command, by_click), (command, args)
        read += 1
    assert read > 600 and declined > 600, (read, declined)


def test_plain_command_lines_are_read_quickly_and_others_left_to_click():
    assert parsed(["search", "oil", "prices", "-n", "5", "--format=jsonl", "--no-feedback"]) == (
        "search",
        {**_defaults("search"), "words": ("oil", "prices"), "limit": 5, "fmt": "jsonl", "feedback": False},
    )
    assert parsed(["show", "3f2a9c01de", "--index", "ix"]) == (
        "show",
        {**_defaults("show"), "article_id": "3f2a9c01de", "index_dir": "ix"},
    )
    assert parsed(["search", "--", "-football", "strike"])[1]["words"] == ("-football", "strike")
    assert parsed(["search", "--author", "A", "--author", "B", "-n3"])[1]["authors"] == ("A", "B")
    for click_s in (
        ["search", "--help"],
        ["search", "-h"],
        ["search", "-oil"],  # click explains how to search for an excluded word
        ["search", "-n", "0"],
        ["search", "--sort", "best"],
        ["show"],
        ["show", "a", "b"],
        ["stats", "extra"],
        ["index", "news"],
        ["--version"],
        [],
    ):
        assert parsed(click_s) is None, click_s


def _defaults(command: str) -> dict[str, object]:
    return parsed([command, "x"] if command in ("show", "similar") else [command])[1]


def test_the_declared_names_are_click_s_names():
    import click

    from newsindex.cli import searching  # noqa: F401
    from newsindex.cli.common import cli

    for command, declared in params.READING.items():
        made = cli.commands[command].params
        assert [param.name for param in declared] == [param.name for param in made], command
        for mine, clicks in zip(declared, made, strict=True):
            if isinstance(clicks, click.Option):
                assert set(mine.strings) == {*clicks.opts, *clicks.secondary_opts}, command


#: Command lines whose output the two ways must print alike (``{index}``: the demo corpus's index).
COMMAND_LINES = [
    ["search", "port", "strike", "--index", "{index}"],
    ["search", "port strike", "--index", "{index}", "--format", "jsonl"],
    ["search", "port strike", "--index", "{index}", "--format", "json", "--group-by", "source"],
    ["search", "strike", "--index", "{index}", "--format", "csv", "-n", "3", "--page", "2"],
    ["search", "strike", "--index", "{index}", "--format", "paths", "--sort", "newest"],
    ["search", "strike", "--index", "{index}", "--since", "2021-01", "--until", "2021-12", "--tz", "Europe/Paris"],
    ["search", "strike", "--index", "{index}", "--count"],
    ["search", "liaison office", "--index", "{index}", "--color", "always"],
    ["search", "strike", "--index", "{index}", "--group-by", "year", "--format", "jsonl"],
    ["search", "zzzqqq", "--index", "{index}"],
    ["search", "strike", "--index", "{index}", "--since", "garbage"],
    ["search", "strike", "--index", "{index}", "--tz", "Mars/Olympus"],
    ["search", "strike", "--index", "{index}/missing"],
    ["search", "strike", "--index", "{index}", "--engine", "solr"],
    ["show", "{short_id}", "--index", "{index}"],
    ["show", "{short_id}", "--index", "{index}", "--format", "json", "--tz", "Asia/Tokyo"],
    ["show", "nosuchid", "--index", "{index}"],
    ["stats", "--index", "{index}"],
    ["stats", "--index", "{index}", "--format", "json", "--all"],
    ["similar", "{short_id}", "--index", "{index}", "-n", "3", "--format", "jsonl"],
]

RUN_ALL = """
import io, json, sys
import newsindex.cli as cli
import newsindex.cli.quick
if sys.argv[1] == "click":  # every command line read by click
    newsindex.cli.quick.quick_command = lambda args: None
results = []
for args in json.loads(sys.argv[2]):
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8")
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8")
    sys.argv = ["newsindex", *args]
    try:
        cli.main()
        code = 0
    except SystemExit as exit:
        code = exit.code
    sys.stdout.flush(), sys.stderr.flush()
    results.append([args, code, out.getvalue().decode(), err.getvalue().decode()])
sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
print(json.dumps({"click": "click" in sys.modules, "results": results}))
"""


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    from newsindex.index import build_index

    index_dir = tmp_path_factory.mktemp("demo") / "index"
    build_index([str(REPO / "corpus")], index_dir, workers=1)
    return index_dir


def _run_all(way: str, command_lines: list[list[str]]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RUN_ALL, way, json.dumps(command_lines)],
        capture_output=True,
        text=True,
        timeout=300,
        env={name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "NEWSINDEX_INDEX")},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _untimed(result: list) -> list:
    """A result with the search's own time ("12 matches in 18 ms", "seconds": 0.0394) left out."""
    times = r' in \d+ ms|"seconds": [0-9.e-]+'
    return [re.sub(times, "(time)", part) if isinstance(part, str) else part for part in result]


def test_a_command_prints_the_same_read_quickly_or_by_click(demo_index):
    from newsindex import search

    short_id = search("port strike", demo_index).hits[0].short_id
    lines = [[arg.format(index=demo_index, short_id=short_id) for arg in args] for args in COMMAND_LINES]
    quick, by_click = _run_all("quick", lines), _run_all("click", lines)
    assert not quick["click"] and by_click["click"]
    for mine, clicks in zip(quick["results"], by_click["results"], strict=True):
        assert _untimed(mine) == _untimed(clicks)
    codes = {code for _, code, _, _ in quick["results"]}
    assert codes == {0, 1, 2}, codes  # found, nothing found, an error: each was compared
