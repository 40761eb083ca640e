"""Merging segments by their postings (segment_merge.py) and the tiered merge policy."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from whoosh.filedb.filestore import FileStorage

from newsindex.engine.whoosh.merging import merge_budget, plan_merges
from newsindex.engine.whoosh.segment import SegmentBuilder
from newsindex.engine.whoosh.segment_merge import merge_segments
from newsindex.engine.whoosh.store import INDEX_NAME, make_schema
from newsindex.index import limits
from newsindex.index.documents import _FAST_TEXT, document_fields

WORDS = [
    "harbour",
    "pelican",
    "berth",
    "dockers",
    "tanker",
    "grain",
    "cocoa",
    "strike",
    "port",
    "wheat",
    "crude",
    "barrel",
    "rally",
]


def _fields(number: int, rng: random.Random) -> dict:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 400)))
    return document_fields(
        {
            "id": f"doc-{number}",
            "short_id": f"s{number}",
            "path": f"/archive/{number}.txt",
            "title": f"Report {number} {rng.choice(WORDS)}",
            "body": body + f" unique{number}",
            "meta": {"source": rng.choice(["Reuters", "AP", "Harbour Times"]), "authors": [rng.choice(WORDS)]},
            "published": None if number % 7 == 0 else datetime(1987 + number % 3, 1 + number % 12, 3, 10, number % 60),
        }
    )


def _index(tmp_path, sizes: list[int], seed: int = 5):
    """A fresh index of segments of ``sizes`` documents, each written by ``SegmentBuilder``."""
    rng = random.Random(seed)
    schema = make_schema()
    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(schema, indexname=INDEX_NAME)
    builder = SegmentBuilder(tmp_path, schema, INDEX_NAME, fast_text=_FAST_TEXT)
    segments, number = [], 0
    for size in sizes:
        for _ in range(size):
            builder.add(_fields(number, rng))
            number += 1
        segments.append(builder.write())
    writer = ix.writer()
    writer.commit(mergetype=lambda _w, _s: segments)
    return storage, storage.open_index(INDEX_NAME)


def _content(ix) -> dict:
    """Everything a search reads: every term's postings, the stored fields and lengths of the live
    documents (numbered among the live ones), document frequencies counting live documents."""
    with ix.reader() as reader:
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        new = {old: n for n, old in enumerate(live)}
        postings = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            items = []
            while matcher.is_active():
                if matcher.id() in new:
                    # Whoosh reads an Existence posting's value as b"" inline, None from a block
                    items.append((new[matcher.id()], matcher.weight(), matcher.value() or b""))
                matcher.next()
            if items:
                postings[fieldname, term] = items
        stored = [reader.stored_fields(d) for d in live]
        lengths = [(reader.doc_field_length(d, "body"), reader.doc_field_length(d, "title")) for d in live]
        published = list(reader.column_reader("published", translate=False)) if reader.has_column("published") else None
        if published is not None:
            published = [published[d] for d in live]
    return {"postings": postings, "stored": stored, "lengths": lengths, "published": published}


def _merge_all(storage, ix, group: slice):
    segments = ix._segments()
    merged = merge_segments(storage, ix.schema, INDEX_NAME, segments[group])
    rest = [*segments[: group.start or 0], merged, *segments[group.stop or len(segments) :]]
    writer = ix.writer()
    writer.commit(mergetype=lambda _w, _s: rest)
    return storage.open_index(INDEX_NAME)


@pytest.mark.parametrize("sizes", [[40, 3, 170, 1, 60], [5, 5, 5], [300, 200]])
def test_a_merged_segment_reads_back_as_its_parts(tmp_path, sizes):
    storage, ix = _index(tmp_path, sizes)
    before = _content(ix)
    stats = _term_stats(ix)
    ix = _merge_all(storage, ix, slice(0, len(sizes)))
    assert len(ix._segments()) == 1 and ix.doc_count_all() == sum(sizes)
    after = _content(ix)
    assert after == before
    if sum(sizes) > 128:  # long lists span segments: blocks and inline lists were joined
        assert max(len(items) for items in after["postings"].values()) > 128
    assert _term_stats(ix) == stats


def _term_stats(ix) -> dict:
    """What scoring reads of each term: document frequency, total weight, max weight, length range."""
    with ix.reader() as reader:
        return {
            (f, t): (
                reader.doc_frequency(f, t),
                round(reader.frequency(f, t), 3),
                reader.max_weight(f, t) if hasattr(reader, "max_weight") else None,
                reader.term_info(f, t).min_length(),
                reader.term_info(f, t).max_length(),
            )
            for f, t in reader.all_terms()
        }


def test_merging_drops_deleted_documents_and_renumbers(tmp_path):
    storage, ix = _index(tmp_path, [150, 90, 20])
    rng = random.Random(9)
    writer = ix.writer()
    for docnum in rng.sample(range(260), 70):
        writer.delete_document(docnum)
    writer.commit(mergetype=lambda _w, segments: segments)
    ix = storage.open_index(INDEX_NAME)
    before = _content(ix)
    ix = _merge_all(storage, ix, slice(0, 3))
    assert ix.doc_count_all() == ix.doc_count() == 190
    assert _content(ix) == before


def test_merging_part_of_the_segments_keeps_the_rest(tmp_path):
    storage, ix = _index(tmp_path, [30, 40, 50, 60])
    before = _content(ix)
    ix = _merge_all(storage, ix, slice(1, 3))
    assert [s.doc_count_all() for s in ix._segments()] == [30, 90, 60]
    assert _content(ix) == before


def test_the_plan_merges_a_full_tier_and_cascades(monkeypatch):
    monkeypatch.setattr(limits, "MERGE_FACTOR", 4)
    monkeypatch.setattr(limits, "MERGE_TIER_BASE", 100)
    none = [0] * 8
    assert plan_merges([5000, 10, 20, 30], none[:4], 10**6) == []  # three small ones wait
    assert plan_merges([5000, 10, 20, 30, 40], none[:5], 10**6) == [[1, 2, 3, 4]]
    # Four of 30 make 120, the fourth of the tier above (101-400): all seven become one.
    sizes = [300, 300, 300, 30, 30, 30, 30]
    assert plan_merges(sizes, none[:7], 10**6) == [[0, 1, 2, 3, 4, 5, 6]]
    assert plan_merges(sizes, none[:7], 200) == [[3, 4, 5, 6]]  # the big merge waits for a bigger run
    assert plan_merges(sizes, none[:7], 100) == []
    # A mostly deleted segment is rewritten alone.
    assert plan_merges([5000, 40], [0, 60], 10**6) == [[1]]


def test_segment_count_stays_bounded_as_an_archive_grows(monkeypatch):
    """Hundreds of runs each adding a segment of 1-3,000 articles: segments stay few, every
    article is rewritten a few times at most, and few runs merge past their budget."""
    monkeypatch.setattr(limits, "MERGE_FACTOR", 4)
    monkeypatch.setattr(limits, "MERGE_TIER_BASE", 2000)
    monkeypatch.setattr(limits, "MERGE_BUDGET_MIN", 20_000)
    rng = random.Random(3)
    sizes: list[int] = []
    rewritten = most = over_budget = 0
    for _run in range(600):
        added = rng.choice([1, 1, 1, 5, 3000])
        sizes.append(added)
        plan = plan_merges(sizes, [0] * len(sizes), merge_budget(added))
        cost = sum(sizes[n] for group in plan for n in group)
        rewritten += cost
        over_budget += cost > merge_budget(added)
        gone = {n for group in plan for n in group[1:]}
        merged = {group[0]: sum(sizes[n] for n in group) for group in plan}
        sizes = [merged.get(n, size) for n, size in enumerate(sizes) if n not in gone]
        most = max(most, len(sizes))
    assert most <= 20, most
    assert rewritten <= 3 * sum(sizes), (rewritten, sum(sizes))
    assert over_budget <= 6, over_budget  # a tier grown to 8 segments is merged whatever the budget


def test_a_tier_of_twice_the_factor_is_merged_whatever_the_budget(monkeypatch):
    monkeypatch.setattr(limits, "MERGE_FACTOR", 4)
    monkeypatch.setattr(limits, "MERGE_TIER_BASE", 100)
    assert plan_merges([300] * 7, [0] * 7, 10) == []
    assert plan_merges([300] * 8, [0] * 8, 10) == [list(range(8))]
