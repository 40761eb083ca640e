"""The benchmarks' own logic: what they measure must be what users do."""

from __future__ import annotations

import importlib.util
import sys

from .conftest import REPO


def _bench(name: str):
    """A bench script as a module; its folder importable, as it is when the script runs."""
    if str(REPO / "bench") not in sys.path:
        sys.path.append(str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_latency_queries_include_the_common_words_users_type(tmp_path):
    bench = _bench("search_latency")
    for number in range(5):
        (tmp_path / f"{number}.txt").write_text(
            "Title\n\nsaid that with from have which will would this were been also their "
            "tanker harbour drought pipeline refinery cargo\n",
            encoding="utf-8",
        )
    queries = bench.sample_queries(tmp_path, 12, seed=1)
    words = {word.strip('"') for query in queries for word in query.split()}
    assert words & {"said", "that", "with"}, queries
    # The filtered sample, reported beside it, leaves them out.
    filtered = bench.sample_queries(tmp_path, 12, seed=1, skip_common=True)
    assert not {word.strip('"') for query in filtered for word in query.split()} & bench._COMMON


def test_extraction_label_artefacts_are_listed_not_dropped():
    bench = _bench("extraction_quality")
    truth = "URL: http://example.org/news/a-story\nThe council opened the school as a shelter.\n"
    assert bench.without_address_line(truth) == "The council opened the school as a shelter.\n"
    assert bench.without_address_line("No address line here.") == "No address line here."
    front = bench.Page(
        "cleanportal", "site_04", "site", "", "", "URL: http://x.org/\n<!-- this page contains no article -->"
    )
    story = bench.Page("cleanportal", "site_05", "site", "", "", truth)
    notes = bench.label_notes([front, story])
    assert len(notes) == 1 and "site_04" in notes[0] and "no article" in notes[0]


def test_ranking_map_does_not_depend_on_how_ties_were_ordered(monkeypatch):
    import itertools
    import statistics

    monkeypatch.syspath_prepend(str(REPO / "bench"))  # ranking_runs imports its neighbours
    runs = _bench("ranking_runs")
    scores = [3.0, 2.0, 2.0, 2.0, 1.0]  # b, c and d tie
    relevant = {"c", "e", "unretrieved"}

    def plain_ap(order):
        found, total = 0, 0.0
        for rank, stem in enumerate(order, 1):
            if stem in relevant:
                found += 1
                total += found / rank
        return total / len(relevant)

    orders = [["a", *middle, "e"] for middle in itertools.permutations(["b", "c", "d"])]
    by_order = {plain_ap(order) for order in orders}
    assert len(by_order) > 1  # the plain figure depends on the tie order
    expected = statistics.fmean(plain_ap(order) for order in orders)
    for order in orders:
        assert abs(runs.tie_aware_ap(order, scores, relevant) - expected) < 1e-12
