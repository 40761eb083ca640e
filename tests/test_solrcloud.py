"""The Solr engine on a real SolrCloud cluster: two nodes and ZooKeeper started by scripts/solrcloud.

The cluster is started once for the module (Solr's MiniSolrCloudCluster, built with
Maven on first use).  Without Java or Maven the tests skip with the reason, except
under CI (CI=true), where they must run: there a missing tool fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from newsindex.cli import cli

from .conftest import REPO, SEED

pytestmark = pytest.mark.solrcloud
SCRIPT = REPO / "scripts" / "solrcloud"
CORPUS = REPO / "corpus"
#: Queries whose hits both engines must agree on (plain words and phrases: ranked by BM25 in both).
AGREEING_QUERIES = [
    "liaison office",
    '"water rationing"',
    "dock workers",
    "reservoir",
    "harbour",
    "ransomware council",
    "title:drought",
    "author:harmon",
    "drought OR rationing",
    "port -strike",
]


def _missing_tools() -> str | None:
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed: the SolrCloud tests need Java 17+ and Maven"
    return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Base URLs of a running 2-node cluster, and its directory (for stop-node/start-node)."""
    missing = _missing_tools()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the SolrCloud tests, but {missing}")
        pytest.skip(missing)
    directory = tmp_path_factory.mktemp("solrcloud")
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start", "2", str(directory)], capture_output=True, text=True, timeout=900
    )
    if started.returncode != 0:
        log = directory / "launcher.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        subprocess.run([sys.executable, str(SCRIPT), "stop", str(directory)], timeout=120)
        pytest.fail(f"the cluster did not start: {started.stderr.strip()}\n{tail}")
    nodes = started.stdout.split()
    assert len(nodes) == 2 and all(url.startswith("http://127.0.0.1:") for url in nodes)
    yield nodes, directory
    subprocess.run([sys.executable, str(SCRIPT), "stop", str(directory)], timeout=120)
    assert not (directory / "ready").exists()


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo(cluster, tmp_path_factory):
    """The demo corpus and the seed in a 2-shard collection with 2 copies of each shard,
    and the same in a Whoosh index, for comparison."""
    nodes, _ = cluster
    url = f"{nodes[0]}/demo"
    indexed = run("index", CORPUS, SEED.parent, "--solr", url, "--shards", 2, "--replicas", 2, "--format", "json")
    assert indexed.exit_code == 0, indexed.output
    whoosh = tmp_path_factory.mktemp("whoosh") / "index"
    assert run("index", CORPUS, SEED.parent, "--index", whoosh, "-q").exit_code == 0
    return url, whoosh, json.loads(indexed.output)


def search_json(*args) -> dict:
    result = run("search", *args, "--format", "json", "-n", 50)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_the_demo_corpus_is_indexed_whole_and_the_second_run_reads_nothing(demo):
    url, whoosh, report = demo
    stats = json.loads(run("stats", "--index", whoosh, "--format", "json").output)
    assert report["documents"] == stats["documents"] and report["failed"] == 0
    again = json.loads(run("index", CORPUS, SEED.parent, "--solr", url, "--format", "json").output)
    assert again["unchanged"] == report["added"] and again["added"] == again["updated"] == 0
    assert again["documents"] == report["documents"]


def test_liaison_office_finds_the_seed_first_with_its_metadata(demo):
    url, _, _ = demo
    result = run("search", "liaison office", "--engine", "solr", "--solr", url)
    assert result.exit_code == 0, result.output
    first = result.output.split("\n 2.")[0]
    assert "North Korea abruptly withdraws staff from liaison office" in first
    assert "2019-03-23" in first and "Shelia Harmon" in first and "World Media" in first
    hit = search_json("liaison office", "--solr", url)["hits"][0]
    assert hit["path"].endswith("000_eb7c0f23e2b03f76.txt") and hit["authors"] == ["Shelia Harmon"]
    assert hit["published"].startswith("2019-03-23") and hit["section"] == "World Media"
    shown = run("show", hit["short_id"], "--solr", url, "--format", "json")
    article = json.loads(shown.output)
    assert article["title"] == hit["title"] and "liaison office" in str(article["body"])


@pytest.mark.parametrize("query", AGREEING_QUERIES)
def test_the_same_matches_and_top_hit_as_the_embedded_engine(demo, query):
    url, whoosh, _ = demo
    solr = search_json(query, "--solr", url, "--duplicates")
    embedded = search_json(query, "--index", whoosh, "--duplicates")
    assert solr["total"] == embedded["total"] > 0
    assert {h["id"] for h in solr["hits"]} == {h["id"] for h in embedded["hits"]}
    assert solr["hits"][0]["id"] == embedded["hits"][0]["id"]
    folded = search_json(query, "--solr", url)
    assert folded["total"] == embedded["total"]  # the total counts every match, folded or not
    assert len(folded["hits"]) + sum(h["similar"] for h in folded["hits"]) == len(solr["hits"])


def test_filters_facets_and_dates_agree_with_the_embedded_engine(demo):
    url, whoosh, _ = demo
    for query, options in (
        ("strike OR port", ["--since", "2021", "--until", "2021-06"]),
        ("strike OR port", ["--source", "Harbour Ledger"]),
        ("korea", ["--author", "harmon"]),
        ("korea", ["--section", "world media"]),
        ("drought", ["--since", "2022-08-01", "--sort", "oldest"]),
        ("*", ["--since", "2021", "--until", "2021-06"]),
        ("NOT port", ["--source", "Coastline Post"]),
    ):
        solr = search_json(query, "--solr", url, "--duplicates", *options)
        embedded = search_json(query, "--index", whoosh, "--duplicates", *options)
        assert solr["total"] == embedded["total"] > 0, options
        assert {h["id"] for h in solr["hits"]} == {h["id"] for h in embedded["hits"]}, options
    grouped = run("search", "drought", "--solr", url, "--group-by", "month", "--group-by", "source")
    expected = run("search", "drought", "--index", whoosh, "--group-by", "month", "--group-by", "source")
    assert grouped.exit_code == 0
    assert _facet_lines(grouped.output) == _facet_lines(expected.output)


def _facet_lines(output: str) -> dict:
    blocks, name = {}, None
    for line in output.splitlines():
        if line.startswith("by "):
            name = line
            blocks[name] = set()
        elif name and line.startswith("  ") and line.strip():
            label, count = line.split()[:-1], line.split()[-1]
            if count.isdigit():
                blocks[name].add((" ".join(label), int(count)))
            else:  # the count is followed by a bar
                parts = line.split()
                number = next(p for p in reversed(parts) if p.isdigit())
                blocks[name].add((line.split(number)[0].strip(), int(number)))
    return blocks


def test_did_you_mean_similar_and_highlights(demo):
    url, _, _ = demo
    misspelt = search_json("liason", "--solr", url)
    assert misspelt["suggestion"] == "liaison"
    hit = search_json("water rationing", "--solr", url)["hits"][0]
    result = run("search", "water rationing", "--solr", url, "--format", "json")
    assert "rationing" in hit["snippet"].lower() and result.exit_code == 0
    similar = run("similar", hit["short_id"], "--solr", url, "--format", "json")
    assert similar.exit_code == 0
    assert hit["id"] not in {h["id"] for h in json.loads(similar.output)["hits"]}


def test_bad_input_gets_the_same_one_line_errors(demo, cluster):
    url, whoosh, _ = demo
    for query in ('"unclosed', "(drought", "a*", "strike~3"):
        solr = run("search", query, "--solr", url)
        embedded = run("search", query, "--index", whoosh)
        assert solr.exit_code == embedded.exit_code == 2
        assert solr.output == embedded.output and solr.output.count("\n") == 1
    for args, message in (
        (["--solr", "http://127.0.0.1:1/solr"], "cannot reach the Solr cluster"),
        (["--solr", "ftp://x/solr"], "not a Solr URL"),
        (["--engine", "solr"], "needs --solr URL"),
        (["--solr", f"{cluster[0][0]}/nothing_here"], "no collection 'nothing_here'"),
    ):
        result = run("search", "drought", *args)
        assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1, result.output
    assert "Traceback" not in run("show", "nosuchid", "--solr", url).output


def test_incremental_changed_new_and_removed_files(cluster, tmp_path):
    nodes, _ = cluster
    url = f"{nodes[1]}/incremental"
    archive = tmp_path / "archive"
    shutil.copytree(CORPUS / "harbour-ledger", archive / "harbour")
    shutil.copy(SEED, archive / "seed.txt")
    first = json.loads(run("index", archive, "--solr", url, "--shards", 2, "--format", "json").output)
    (archive / "seed.txt").unlink()
    changed = next(p for p in sorted((archive / "harbour").iterdir()) if p.suffix == ".txt")
    changed.write_text(changed.read_text() + "\n\nA zebracorn was seen at the harbour.\n")
    os.utime(changed, (time.time() + 5, time.time() + 5))
    shutil.copy(REPO / "corpus" / "meridian-news" / sorted(os.listdir(CORPUS / "meridian-news"))[0], archive)
    second = json.loads(run("index", archive, "--solr", url, "--format", "json").output)
    assert (second["added"], second["updated"], second["removed"]) == (1, 1, 1)
    assert second["documents"] == first["documents"]  # one article gone, one new
    assert search_json("zebracorn", "--solr", url)["total"] == 1
    assert search_json("liaison office", "--solr", url)["total"] == 0
    day_first = json.loads(run("index", archive, "--solr", url, "--dayfirst", "--format", "json").output)
    assert day_first["reread"] and day_first["updated"] > 0 and day_first["unchanged"] == day_first["added"] == 0
    assert day_first["documents"] == second["documents"]


def test_two_clients_indexing_at_once_lose_nothing(cluster, tmp_path):
    nodes, _ = cluster
    url = ",".join(f"{node}/together" for node in nodes)
    halves = [tmp_path / "first", tmp_path / "second"]
    outlets = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    for number, outlet in enumerate(outlets):
        shutil.copytree(outlet, halves[number % 2] / outlet.name)
    command = [sys.executable, "-m", "newsindex", "index", "--solr", url, "--replicas", "2", "--format", "json"]
    clients = [subprocess.Popen([*command, str(half)], stdout=subprocess.PIPE, text=True) for half in halves]
    reports = [json.loads(client.communicate(timeout=300)[0]) for client in clients]
    assert all(client.returncode == 0 for client in clients)
    sent = sum(report["documents"] for report in reports)
    alone = sum(json.loads(run("index", half, "--index", tmp_path / f"w{n}", "--format", "json").output)["documents"]
                for n, half in enumerate(halves))  # fmt: skip
    assert sent == alone > 0
    assert json.loads(run("stats", "--solr", url, "--format", "json").output)["documents"] == alone


def test_a_stopped_node_loses_no_result_and_catches_up_when_it_returns(demo, cluster, tmp_path):
    url, _, report = demo
    nodes, directory = cluster
    before = {query: search_json(query, "--solr", url, "--duplicates") for query in AGREEING_QUERIES}
    stop = subprocess.run([sys.executable, str(SCRIPT), "stop-node", str(directory), "2"], capture_output=True)
    assert stop.returncode == 0, stop.stderr
    try:
        for node_url in (url, f"{nodes[1]}/demo,{url}"):  # the stopped node first in the list, too
            for query, expected in before.items():
                answer = search_json(query, "--solr", node_url, "--duplicates")
                assert answer["total"] == expected["total"], query
                assert [h["id"] for h in answer["hits"]] == [h["id"] for h in expected["hits"]], query
        all_documents = search_json("", "--solr", url, "--duplicates")
        assert all_documents["total"] == report["documents"]
        late = tmp_path / "late"
        late.mkdir()
        (late / "late.txt").write_text("Late edition\n\nA quokka parade closed the harbour road on Sunday.\n")
        added = run("index", late, "--solr", url, "--format", "json")
        assert added.exit_code == 0 and json.loads(added.output)["documents"] == 1
    finally:
        back = subprocess.run([sys.executable, str(SCRIPT), "start-node", str(directory), "2"], capture_output=True)
    assert back.returncode == 0, back.stderr
    assert _replicas_hold(nodes[1], "demo", "quokka", timeout=120) == 2  # both shards' copies on node 2
    assert search_json("quokka", "--solr", f"{nodes[1]}/demo")["total"] == 1


def _replicas_hold(node: str, collection: str, word: str, timeout: float) -> int:
    """How many of ``node``'s own replicas answer (non-distributed) once they are active,
    and hold the document with ``word``'s match count summed over them."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{node}/admin/collections", params={"action": "CLUSTERSTATUS", "wt": "json"}).json()
        shards = status["cluster"]["collections"][collection]["shards"]
        host = node.split("//")[1].replace("/", "_")
        mine = [r for s in shards.values() for r in s["replicas"].values() if r["node_name"] == host]
        if mine and all(r["state"] == "active" for r in mine):
            counts = []
            for replica in mine:
                answer = requests.get(
                    f"{replica['base_url']}/{replica['core']}/select",
                    params={"q": f"body:{word}", "distrib": "false", "wt": "json"},
                ).json()
                counts.append(answer["response"]["numFound"])
            if sum(counts) == 1:
                return len(mine)
        if time.monotonic() > deadline:
            raise AssertionError(f"node {node}'s replicas did not catch up: {mine}")
        time.sleep(1)


def test_an_outlet_is_found_and_counted_by_its_name_and_its_host(demo):
    url, whoosh, _ = demo
    for label in ("Greyhaven Watch", "greyhavenwatch.example", "greyhaven"):
        solr = search_json("*", "--solr", url, "--duplicates", "--source", label)
        embedded = search_json("*", "--index", whoosh, "--duplicates", "--source", label)
        assert {h["id"] for h in solr["hits"]} == {h["id"] for h in embedded["hits"]}, label
        assert {h["source"] for h in solr["hits"]} == {"Greyhaven Watch", "greyhavenwatch.example"}, label
    stats = json.loads(run("stats", "--solr", url, "--format", "json").output)
    assert stats["sources"]["Greyhaven Watch"] == 4 and "greyhavenwatch.example" not in stats["sources"]
    grouped = run("search", "*", "--solr", url, "--duplicates", "--group-by", "source")
    assert ("Greyhaven Watch", 4) in _facet_lines(grouped.output)["by source"]


def test_stats_count_the_same_authors_as_the_embedded_engine(demo):
    url, whoosh, _ = demo
    solr = json.loads(run("stats", "--solr", url, "--format", "json").output)["authors"]
    embedded = json.loads(run("stats", "--index", whoosh, "--format", "json").output)["authors"]
    assert solr == embedded and len(embedded) > 10
    shown = run("stats", "--solr", url)
    assert "authors (20 of" in shown.output and max(embedded, key=embedded.get) in shown.output
