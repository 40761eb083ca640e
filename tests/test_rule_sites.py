"""No shipped rule was fitted to one site: each fires on two sites of the shared sets, or on none.

Slow (it extracts every page of the shared sets): ``pytest -m slow tests/test_rule_sites.py``.
A rule that fires nowhere in the shared sets was not fitted to them (wording in
other languages, conventions these pages lack); one that fires on exactly one
site was, and must go or become wording many outlets share.
"""

from __future__ import annotations

import pytest

from .conftest import SHARED_DATA
from .rule_sites import NAMED_RULES, alternatives, class_word_sites, rule_sites


def _shared_sets_present() -> bool:
    needed = (
        SHARED_DATA / "article-extraction-benchmark" / "ground-truth.json",
        SHARED_DATA / "readability-test-pages",
        SHARED_DATA / "cleaning-sets" / "cleanportaleval" / "gold.json",
    )
    return all(path.exists() for path in needed)


def test_alternatives_of_a_pattern():
    assert alternatives("(?:a|b(?:c|d))\\s*:") == ["(?:a)\\s*:", "(?:b(?:c|d))\\s*:"]
    assert alternatives("x|[|]y") == ["x", "[|]y"]
    assert alternatives("no branches") == ["no branches"]
    assert alternatives("[(\\[]?(?:p|q) by") == ["[(\\[]?(?:p) by", "[(\\[]?(?:q) by"]


@pytest.mark.slow
def test_every_shipped_phrase_rule_fires_on_two_sites_or_none():
    if not _shared_sets_present():
        pytest.skip("../shared/data extraction sets are not available")
    single = sorted(
        f"[{section}] {name}: {alternative} (only {next(iter(sites))})"
        for (section, name, alternative), sites in rule_sites(SHARED_DATA).items()
        if len(sites) == 1 and name not in NAMED_RULES
    )
    assert not single, "\n".join(single)


@pytest.mark.slow
def test_every_class_word_fires_on_two_sites_or_none():
    if not _shared_sets_present():
        pytest.skip("../shared/data extraction sets are not available")
    single = sorted(
        f"[{section}] {word} (only {next(iter(sites))})"
        for (section, word), sites in class_word_sites(SHARED_DATA).items()
        if len(sites) == 1
    )
    assert not single, "\n".join(single)
