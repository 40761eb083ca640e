"""The benchmarks' own logic: what they measure must be what users do."""

from __future__ import annotations

import importlib.util

from .conftest import REPO


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_latency_queries_include_the_common_words_users_type(tmp_path):
    bench = _bench("search_latency")
    for number in range(5):
        (tmp_path / f"{number}.txt").write_text(
            "Title\n\nsaid that with from have which will would this were been also their "
            "tanker harbour drought pipeline refinery cargo\n", encoding="utf-8"
        )
    queries = bench.sample_queries(tmp_path, 12, seed=1)
    words = {word.strip('"') for query in queries for word in query.split()}
    assert words & {"said", "that", "with"}, queries
    # The filtered sample, reported beside it, leaves them out.
    filtered = bench.sample_queries(tmp_path, 12, seed=1, skip_common=True)
    assert not {word.strip('"') for query in filtered for word in query.split()} & bench._COMMON
