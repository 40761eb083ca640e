"""Saved searches: each new match reported once, across runs, restarts and kills."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from newsindex.engine.whoosh.alerts import Alert, AlertProblem, add_alert, check_alerts, list_alerts, remove_alert
from newsindex.index import build_index
from newsindex.index.generations import CRASH_ENV


def _article(folder, name: str, title: str, body: str, source: str = "") -> None:
    path = folder / source / name if source else folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def archive(tmp_path):
    news = tmp_path / "news"
    _article(news, "old.txt", "Ferry terminal to close", "The ferry terminal closes after storm damage to the pier.")
    _article(news, "grain.txt", "Grain prices rise", "Grain prices rose on the exchange after a poor harvest.")
    index_dir = tmp_path / "index"
    build_index([str(news)], index_dir, workers=1)
    return news, index_dir


def _check(index_dir) -> list[tuple[str, str]]:
    delivered = []
    check_alerts(index_dir, lambda report: delivered.extend((report.alert, hit["title"]) for hit in report.hits))
    return delivered


def test_only_articles_after_the_alert_are_reported_and_each_once(archive):
    news, index_dir = archive
    assert add_alert(index_dir, Alert("ferries", "ferry terminal")) == 1  # matches already: never reported
    assert _check(index_dir) == []
    _article(news, "new.txt", "Second ferry terminal", "A ferry terminal opens on the east pier.")
    _article(news, "other.txt", "Harvest", "Farmers brought in the harvest early this year.")
    build_index([str(news)], index_dir, workers=1)
    assert _check(index_dir) == [("ferries", "Second ferry terminal")]
    assert _check(index_dir) == []  # a second check of the same generation
    (news / "new.txt").write_text("Second ferry terminal\n\nA ferry terminal opens on the east pier, late.\n")
    (news / "grain.txt").write_text("Grain prices rise\n\nThe ferry terminal strike lifted grain prices.\n")
    build_index([str(news)], index_dir, workers=1)
    # the edited match is not new; the article that came to match is
    assert _check(index_dir) == [("ferries", "Grain prices rise")]


def test_filters_and_several_alerts(archive):
    news, index_dir = archive
    add_alert(index_dir, Alert("wire", "harvest", sources=["wire"]))
    add_alert(index_dir, Alert("any", "harvest rally", match="any"))
    records = [
        {"title": "Harvest in", "body": "The harvest came in early this year.", "source": "wire"},
        {"title": "Harvest out", "body": "The harvest came in late this year.", "source": "blog"},
    ]
    (news / "feed.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    build_index([str(news)], index_dir, workers=1)
    assert sorted(_check(index_dir)) == [("any", "Harvest in"), ("any", "Harvest out"), ("wire", "Harvest in")]
    assert [alert.name for alert in list_alerts(index_dir)] == ["any", "wire"]
    remove_alert(index_dir, "any")
    assert [alert.name for alert in list_alerts(index_dir)] == ["wire"]


def test_bad_alerts_are_refused(archive, tmp_path):
    _news, index_dir = archive
    add_alert(index_dir, Alert("a", "ferry"))
    with pytest.raises(AlertProblem, match="exists"):
        add_alert(index_dir, Alert("a", "grain"))
    with pytest.raises(AlertProblem, match="name"):
        add_alert(index_dir, Alert("../x", "grain"))
    with pytest.raises(AlertProblem, match="no alert"):
        remove_alert(index_dir, "b")
    with pytest.raises(AlertProblem, match="no index"):
        add_alert(tmp_path / "nowhere", Alert("a", "grain"))
    with pytest.raises(AlertProblem):
        add_alert(index_dir, Alert("bad", 'ferry "unclosed'))


def test_the_hook_gets_the_matches_and_a_failing_hook_is_reported(archive, tmp_path):
    news, index_dir = archive
    received = tmp_path / "received.jsonl"
    add_alert(index_dir, Alert("good", "ferry", hook=f"cat > {received}"))
    add_alert(index_dir, Alert("bad", "ferry", hook="echo broken >&2; exit 3"))
    _article(news, "new.txt", "Night ferry", "The night ferry sails again.")
    build_index([str(news)], index_dir, workers=1)
    reports = {report.alert: report for report in check_alerts(index_dir, lambda _r: None)}
    lines = [json.loads(line) for line in received.read_text().splitlines()]
    assert [(line["alert"], line["title"]) for line in lines] == [("good", "Night ferry")]
    assert reports["good"].hook_error is None
    assert reports["bad"].hook_error == "hook exited with status 3: broken"
    assert [hit["title"] for hit in reports["bad"].hits] == ["Night ferry"]


RUN = """
import json, sys
from newsindex.index import build_index
from newsindex.index.generations import _checkpoint
from newsindex.engine.whoosh.alerts import check_alerts
news, index_dir = sys.argv[1:3]
build_index([news], index_dir, workers=1)
def deliver(report):
    for hit in report.hits:
        print(json.dumps({"alert": report.alert, "report": report.report, "title": hit["title"]}), flush=True)
check_alerts(index_dir, deliver, crash_hook=_checkpoint)
"""


@pytest.mark.parametrize(
    "point",
    [
        "alert-recorded",
        pytest.param("published", marks=pytest.mark.slow),
        pytest.param("alert-matched", marks=pytest.mark.slow),
    ],
)
def test_a_kill_between_commit_and_report_loses_and_repeats_nothing(archive, point):
    """Killed after the generation is published (before its matches are recorded) or
    after recording (before delivering): the restart reports each match exactly once."""
    news, index_dir = archive
    add_alert(index_dir, Alert("ferries", "ferry"))
    add_alert(index_dir, Alert("grain", "grain"))
    _article(news, "new1.txt", "Ferry one", "A ferry sails at dawn.")
    _article(news, "new2.txt", "Ferry two", "A ferry sails at dusk with grain.")

    def run(crash: str | None) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items() if key != CRASH_ENV}
        if crash:
            env[CRASH_ENV] = crash
        return subprocess.run(
            [sys.executable, "-c", RUN, str(news), str(index_dir)], env=env, capture_output=True, text=True, timeout=120
        )

    killed = run(point)
    assert killed.returncode == -9, killed.stderr
    restarted = run(None)
    assert restarted.returncode == 0, restarted.stderr
    lines = [json.loads(line) for line in (killed.stdout + restarted.stdout).splitlines()]
    assert sorted((line["alert"], line["title"]) for line in lines) == [
        ("ferries", "Ferry one"),
        ("ferries", "Ferry two"),
        ("grain", "Ferry two"),
    ]
    assert run(None).stdout == ""  # and never again


def test_an_empty_alert_list_says_so_to_a_person_and_nothing_to_a_script(archive):
    from click.testing import CliRunner

    from newsindex.cli import cli

    _news, index_dir = archive
    result = CliRunner().invoke(cli, ["alert", "list", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert result.stdout == "" and "no saved searches" in result.stderr
    scripted = CliRunner().invoke(cli, ["alert", "list", "--index", str(index_dir), "--format", "jsonl"])
    assert scripted.exit_code == 1 and scripted.stdout == "" and scripted.stderr == ""
