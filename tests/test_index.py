"""The indexing stage: fast segments equal Whoosh's, incremental runs, duplicates, locking."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from datetime import datetime

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.index import TOC

from newsindex.cli import cli
from newsindex.engine.whoosh import posting_arrays
from newsindex.engine.whoosh.analysis import index_terms, news_analyzer
from newsindex.engine.whoosh.segment import SegmentBuilder
from newsindex.engine.whoosh.segment_format import encode_positions
from newsindex.engine.whoosh.store import FORMAT_VERSION, INDEX_NAME, current_generation, make_schema, open_index
from newsindex.index import IndexLocked, IndexProblem, build_index, remove_from_index
from newsindex.index import limits as index_module
from newsindex.index.dedup import pack_sketch
from newsindex.index.documents import document_fields
from newsindex.index.generations import _Lock
from newsindex.query import SearchOptions, search

TRICKY_TEXT = [
    "The U.S. state-run COVID-19 café's re-opening, it's the 2nd e.g. test.",
    "Naïve Ünïcödé-Straße ΟΔΟΣ İstanbul the-the a-b-c x--y 'quoted' o'neill's rock’n’roll",
    "",
    "the a an of",
    "ﬁnance Ⅻ ²³ ½ 東京 ١٢٣ mid-2019 1,000,000 3.5% U.K.-based e-mail",
    "Running runners ran; generously, generation's generational organization.",
]


# --- analysis and the segment writer ----------------------------------------------------


def _whoosh_terms(text: str) -> tuple[dict[str, list[int]], int]:
    positions: dict[str, list[int]] = {}
    count = 0
    for token in news_analyzer()(text, positions=True, mode="index"):
        positions.setdefault(token.text, []).append(token.pos)
        count += 1
    return positions, count


def test_index_terms_equal_the_analyzer():
    rng = random.Random(7)
    words = [*" ".join(TRICKY_TEXT).split(), "the", "of", "x", "-", "'s", "U.S.", "co-op", "ÉCOLE", "ﬀ"]
    # Chunks are lower-cased in ASCII only: cased letters around a Greek capital sigma decide
    # its lower case, Kelvin's K and a dotted capital I lower-case to ASCII or to two letters.
    words += ["ΟΔΟΣ", "AΣ", "aΣb", "ΣA", "Ab-ΣΣ", "İZMIR", "\u212aELVIN", "ǅUKA", "McDONALD's", "U.S.-BASED"]
    texts = [*TRICKY_TEXT, *(" ".join(rng.choice(words) for _ in range(rng.randrange(40))) for _ in range(300))]
    ascii_words = [word for word in words if word.isascii()]  # ASCII text takes a tokenizer of its own
    texts += [" ".join(rng.choice(ascii_words) for _ in range(rng.randrange(1, 40))) for _ in range(100)]
    # Tokens split by chunks between separators: words glued by any of them, one or many
    separators = ["", " ", "-", ".", "'", "--", "—", "\u00a0", "“", "”", "’", ",", "/", "\t", "\udcff", "é"]
    texts += [
        "".join(rng.choice(words) + rng.choice(separators) for _ in range(rng.randrange(1, 30))) for _ in range(300)
    ]
    for text in texts:
        assert index_terms(text) == _whoosh_terms(text), text


def _records(count: int) -> list[dict]:
    rng = random.Random(11)
    vocabulary = " ".join(TRICKY_TEXT).split() + [f"word{n}" for n in range(60)]
    records = []
    for n in range(count):
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 300)))
        record = {
            "id": f"/corpus/{n:04d}.txt",
            "short_id": f"{n:010x}",
            "path": f"/corpus/{n:04d}.txt",
            "url": rng.choice([None, f"https://example.org/{n}"]),
            "title": " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(0, 9))),
            "body": body,
            "meta": {
                "authors": rng.choice([[], ["Ana Ruiz"], ["Bo, Jr.", "Cé Dée"]]),
                "source": rng.choice([None, "Harbour Ledger", "x,y"]),
                "section": rng.choice([None, "World", ""]),
                "date_only": False,
            },
            "content_hash": f"{n:032x}",
            "sketch": pack_sketch([f"{rng.randrange(2**32):08x}" for _ in range(rng.choice([0, 32]))]),
            "published": rng.choice([None, datetime(2019, rng.randrange(1, 13), rng.randrange(1, 28), 3, n % 60)]),
        }
        if n % 17 == 0:
            record["paths"] = [record["id"], f"/copies/{n}.txt"]
        records.append(record)
    return records


def _postings(reader, fieldname, term):
    matcher = reader.postings(fieldname, term)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value() or b""))
        matcher.next()
    return found


def test_segment_builder_reads_back_like_the_whoosh_writer(tmp_path):
    records = _records(400)
    fields = [document_fields(record) for record in records]
    plain, fast = tmp_path / "whoosh", tmp_path / "fast"
    plain.mkdir()
    fast.mkdir()
    ix = whoosh_index.create_in(str(plain), make_schema(), indexname=INDEX_NAME)
    writer = ix.writer()
    for values in fields:
        writer.add_document(**values)
    writer.commit()
    ix_fast = whoosh_index.create_in(str(fast), make_schema(), indexname=INDEX_NAME)
    builder = SegmentBuilder(fast, ix_fast.schema, INDEX_NAME, fast_text=frozenset({"title", "body"}))
    for values in fields:
        builder.add(values)
    TOC(ix_fast.schema, [builder.write()], 1).write(ix_fast.storage, INDEX_NAME)
    expected = whoosh_index.open_dir(str(plain), indexname=INDEX_NAME).reader()
    got = whoosh_index.open_dir(str(fast), indexname=INDEX_NAME).reader()
    assert got.doc_count() == expected.doc_count() == 400
    terms = list(expected.all_terms())
    assert list(got.all_terms()) == terms
    for fieldname, term in terms:
        want, have = expected.term_info(fieldname, term), got.term_info(fieldname, term)
        for stat in ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id"):
            assert getattr(have, stat)() == getattr(want, stat)(), (fieldname, term, stat)
        assert _postings(got, fieldname, term) == _postings(expected, fieldname, term), (fieldname, term)
    assert list(got.all_stored_fields()) == list(expected.all_stored_fields())
    for fieldname in ("title", "body", "authors"):
        assert got.field_length(fieldname) == expected.field_length(fieldname)
        assert [got.doc_field_length(d, fieldname) for d in range(400)] == [
            expected.doc_field_length(d, fieldname) for d in range(400)
        ]
    for column in ("published", "year", "month"):
        assert list(got.column_reader(column, translate=False)) == list(expected.column_reader(column, translate=False))


def test_a_date_column_value_is_whooshs_microseconds_since_datetime_min():
    from datetime import timedelta, timezone

    from whoosh.util.times import datetime_to_long

    from newsindex.engine.whoosh.segment_format import _microseconds

    rng = random.Random(3)
    values = [datetime.min, datetime.max, datetime(1987, 2, 26, 15, 1, 1, 790000)]
    values += [datetime.min + timedelta(microseconds=rng.randrange(10**17)) for _ in range(500)]
    values += [v.replace(tzinfo=timezone(timedelta(hours=rng.randrange(-12, 13)))) for v in values[3:100]]
    assert [_microseconds(v) for v in values] == [datetime_to_long(v) for v in values]


def test_long_text_lists_are_their_arrays_alone(tmp_path):
    """Format 10: a title or body list too long to be inline has no Whoosh blocks, only its
    posting arrays (an extent of length 0 at them); Whoosh's reader gives it an
    ``ArrayMatcher``, each posting's positions as its ``Positions`` format encodes them."""
    records = _records(400)
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    builder = SegmentBuilder(tmp_path, ix.schema, INDEX_NAME, fast_text=frozenset({"title", "body"}))
    for record in records:
        builder.add(document_fields(record))
    TOC(ix.schema, [builder.write()], 1).write(ix.storage, INDEX_NAME)
    reader = whoosh_index.open_dir(str(tmp_path), indexname=INDEX_NAME).reader()
    long_terms = [
        term for field, term in reader.all_terms() if field == "body" and reader.doc_frequency(field, term) > 128
    ]
    assert long_terms
    for term in long_terms:
        info = reader.term_info("body", term)
        length = info._length[0] if isinstance(info._length, tuple) else info._length
        assert length == 0 and reader._terms._postfile.get(info._offset, 4) == posting_arrays.MAGIC_WITH_POSITIONS
        matcher = reader.postings("body", term)
        assert type(matcher).__name__ == "ArrayMatcher"
        seen = 0
        while matcher.is_active():
            positions = index_terms(records[matcher.id()]["body"])[0][term.decode("utf-8")]
            assert matcher.value() == encode_positions(positions)
            matcher.next()
            seen += 1
        assert seen == reader.doc_frequency("body", term)


def test_segment_builder_refuses_unknown_fields_and_adds_nothing(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    builder = SegmentBuilder(tmp_path, ix.schema, INDEX_NAME, fast_text=frozenset({"title", "body"}))
    with pytest.raises(ValueError):
        builder.add({"id": "a", "nonsense": "x"})
    assert builder.docs == 0
    assert builder.write() is None


# --- a corpus on disk ----------------------------------------------------------------------

TEMPLATE_LINE = "Subscribe to the Harbour Ledger newsletter for the week's best stories."


def write_article(folder, name: str, title: str, body: str, day: int = 3) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Published: 2021-03-{day:02d}\n\n{title}\n\n{body}\n\n{TEMPLATE_LINE}\n", encoding="utf-8")
    return str(path)


def make_corpus(folder, count: int) -> None:
    for n in range(count):
        write_article(
            folder,
            f"outlet/{n:03d}.txt",
            f"Harbour report number {n}",
            f"The harbour authority published figure{n} today. Dockers said the berth{n % 7} was busy.",
            day=1 + n % 28,
        )


def count(index_dir) -> int:
    with open_index(index_dir).searcher() as searcher:
        return searcher.doc_count()


def hits(index_dir, words: str) -> list:
    return search(words, index_dir, SearchOptions(limit=500, duplicates=True)).hits


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    make_corpus(folder, 12)
    return folder


def test_incremental_runs_add_skip_update_and_remove(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    first = build_index([corpus], index_dir, workers=1)
    assert (first.added, first.updated, first.removed, first.unchanged, first.documents) == (12, 0, 0, 0, 12)

    again = build_index([corpus], index_dir, workers=1)
    assert (again.added, again.updated, again.removed, again.unchanged, again.documents) == (0, 0, 0, 12, 12)

    changed = corpus / "outlet" / "003.txt"
    write_article(corpus, "outlet/003.txt", "Harbour report number 3", "A zeppelin landed beside the berth today.")
    os.utime(changed, (1_700_000_000, 1_700_000_000))
    (corpus / "outlet" / "004.txt").unlink()
    write_article(corpus, "outlet/100.txt", "Harbour report number 100", "Quayside cranes idle; figure100 noted.")
    third = build_index([corpus], index_dir, workers=1)
    assert (third.added, third.updated, third.removed, third.unchanged, third.documents) == (1, 1, 1, 10, 12)
    assert [hit.path for hit in hits(index_dir, "zeppelin")] == [str(changed)]
    assert hits(index_dir, "figure3") == []
    assert hits(index_dir, "figure4") == []
    # Deleted documents stay out of an AND of words too: nothing has both, so it relaxes.
    assert search("harbour figure4", index_dir).relaxed
    assert [hit.path for hit in hits(index_dir, "figure100")] == [str(corpus / "outlet" / "100.txt")]
    assert [hit.path for hit in hits(index_dir, "harbour figure100")] == [str(corpus / "outlet" / "100.txt")]


def test_touched_but_unchanged_file_is_unchanged(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    os.utime(corpus / "outlet" / "001.txt", (1_600_000_000, 1_600_000_000))
    report = build_index([corpus], index_dir, workers=1)
    assert (report.updated, report.unchanged, report.documents) == (0, 12, 12)


def test_the_manifest_copied_during_the_walk_is_the_new_generation_s_or_is_removed(tmp_path, corpus):
    """A whole walk copies the manifest into the next generation while it runs: a run that
    finds nothing changed removes that unpublished copy; one that changes something uses it."""
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    first = current_generation(index_dir)
    report = build_index([corpus], index_dir, workers=1)
    assert report.unchanged == 12 and [path.name for path in index_dir.glob("gen-*")] == [first.name]
    (corpus / "outlet" / "new.txt").write_text("A new story\n\nThe harbour reopened on Monday after repairs.\n")
    report = build_index([corpus], index_dir, workers=1)
    second = current_generation(index_dir)
    assert report.added == 1 and second != first and [path.name for path in index_dir.glob("gen-*")] == [second.name]
    with sqlite3.connect(second / "manifest.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 13


def test_rebuild_starts_over(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    report = build_index([corpus], index_dir, rebuild=True, workers=1)
    assert (report.added, report.unchanged, report.documents) == (12, 0, 12)
    assert len(list(index_dir.glob("gen-*"))) == 1


def test_byte_identical_articles_are_stored_once_with_all_their_paths(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    original = corpus / "outlet" / "005.txt"
    copy = corpus / "outlet" / "copy-of-005.txt"
    shutil.copy(original, copy)
    report = build_index([corpus], index_dir, workers=1)
    assert (report.added, report.duplicates, report.documents) == (13, 1, 12)
    [hit] = hits(index_dir, "figure5")
    with open_index(index_dir).searcher() as searcher:
        stored = searcher.document(id=hit.id)
    assert sorted(stored["paths"]) == sorted([str(original), str(copy)])

    original.unlink()  # the copy keeps the article
    report = build_index([corpus], index_dir, workers=1)
    assert (report.removed, report.documents) == (1, 12)
    [hit] = hits(index_dir, "figure5")
    assert hit.path == str(copy)
    with open_index(index_dir).searcher() as searcher:
        assert "paths" not in searcher.document(id=str(copy))

    shutil.copy(copy, original)  # a copy again, then the copy changes
    build_index([corpus], index_dir, workers=1)
    write_article(corpus, "outlet/copy-of-005.txt", "Something else", "Entirely different words: walrus.")
    report = build_index([corpus], index_dir, workers=1)
    assert (report.updated, report.documents) == (1, 13)
    assert [h.path for h in hits(index_dir, "figure5")] == [str(original)]
    assert [h.path for h in hits(index_dir, "walrus")] == [str(copy)]

    copy.unlink()
    original.unlink()
    report = build_index([corpus], index_dir, workers=1)
    assert (report.removed, report.documents) == (2, 11)
    assert hits(index_dir, "figure5") == []


def test_learned_counts_match_a_fresh_build_after_changes(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    for n in (1, 2):
        (corpus / "outlet" / f"{n:03d}.txt").unlink()
    write_article(corpus, "outlet/007.txt", "Harbour report number 7", "Rewritten: the tide was late.")
    write_article(corpus, "outlet/200.txt", "Harbour report number 200", "New: a ferry arrived.")
    build_index([corpus], index_dir, workers=1)
    fresh = tmp_path / "fresh"
    build_index([corpus], fresh, workers=1)

    def learned(directory):
        return json.loads((current_generation(directory) / "learned.json").read_text(encoding="utf-8"))

    assert learned(index_dir) == learned(fresh)
    assert count(index_dir) == count(fresh) == 11


def test_parallel_run_equals_single_process_run(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    make_corpus(folder, 150)
    shutil.copy(folder / "outlet" / "010.txt", folder / "outlet" / "dup-010.txt")
    monkeypatch.setattr(index_module, "PARALLEL_MIN_FILES", 20)
    monkeypatch.setattr(index_module, "BATCH_SIZE", 40)
    single = build_index([folder], tmp_path / "one", workers=1)
    parallel = build_index([folder], tmp_path / "two", workers=2)
    assert single.as_dict() | {"seconds": 0, "rate": 0, "index": ""} == parallel.as_dict() | {
        "seconds": 0,
        "rate": 0,
        "index": "",
    }
    assert parallel.documents == 150
    for words in ("harbour", "figure77", "berth3 dockers", '"harbour authority"'):
        ranked = [sorted((-h.score, h.id) for h in hits(tmp_path / name, words)) for name in ("one", "two")]
        assert ranked[0] == ranked[1], words  # equal scores may come in either order


def test_segments_are_merged_and_counts_hold(tmp_path, corpus, monkeypatch):
    monkeypatch.setattr(index_module, "MERGE_FACTOR", 3)
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    for n in range(6):
        write_article(corpus, f"outlet/extra-{n}.txt", f"Extra report {n}", f"Pelican sighting extra{n}.")
        build_index([corpus], index_dir, workers=1)
    ix = open_index(index_dir)
    assert len(ix._segments()) <= 2  # one-file runs add a segment each; three of a tier become one
    assert count(index_dir) == 18
    assert len(hits(index_dir, "pelican")) == 6


def test_full_segments_are_merged_too_and_deleted_documents_dropped(tmp_path, corpus, monkeypatch):
    """A run writing many segments (every document fills one here) leaves a few: merging copies
    postings, so it needs none of the indexer's memory bound and merges full segments as well."""
    monkeypatch.setattr(index_module, "MERGE_FACTOR", 3)
    monkeypatch.setattr(index_module, "MERGE_TIER_BASE", 1)
    monkeypatch.setattr(index_module, "SEGMENT_MEMORY", 1)
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    sizes = [s.doc_count_all() for s in open_index(index_dir)._segments()]
    assert sum(sizes) == 12 and len(sizes) <= 4, sizes
    for n in range(3):
        write_article(corpus, f"outlet/extra-{n}.txt", f"Extra report {n}", f"Pelican sighting extra{n}.")
    for name in ("000", "001", "002", "003", "004", "005", "006"):
        (corpus / "outlet" / f"{name}.txt").unlink()
    build_index([corpus], index_dir, workers=1)
    assert count(index_dir) == 8
    assert len(hits(index_dir, "pelican")) == 3 and len(hits(index_dir, "harbour")) == 5
    segments = open_index(index_dir)._segments()
    assert not any(s.deleted_count() * 2 > s.doc_count_all() for s in segments)  # mostly deleted: rewritten


def test_phrase_queries_work_on_title_and_body(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    assert len(hits(index_dir, '"harbour authority published"')) == 12
    assert [h.title for h in hits(index_dir, 'title:"report number 4"')] == ["Harbour report number 4"]
    assert hits(index_dir, '"authority harbour"') == []


def test_report_fields(tmp_path, corpus):
    (corpus / "broken.json").write_text("{not json", encoding="utf-8")
    report = build_index([corpus], tmp_path / "ix", workers=1)
    data = report.as_dict()
    for key in ("added", "updated", "removed", "unchanged", "failed", "failures", "ignored", "duplicates"):
        assert key in data
    assert data["documents"] == 12 and data["failed"] == 1
    assert data["failures"][0]["path"].endswith("broken.json")
    assert data["seconds"] > 0 and data["rate"] > 0 and data["index"] == str(tmp_path / "ix")


def test_a_held_lock_stops_a_second_writer(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with _Lock(index_dir), pytest.raises(IndexLocked, match="is being written by newsindex pid"):
        build_index([corpus], index_dir, workers=1)
    assert build_index([corpus], index_dir, workers=1).documents == 12


def test_an_index_of_another_format_version_asks_for_rebuild(tmp_path, corpus):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    info_path = current_generation(index_dir) / "info.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info_path.write_text(json.dumps(info | {"format": FORMAT_VERSION - 1}), encoding="utf-8")
    for attempt in (
        lambda: open_index(index_dir),
        lambda: build_index([corpus], index_dir, workers=1),
        lambda: remove_from_index([corpus], index_dir),  # once wrote the old terms up as this format
    ):
        with pytest.raises(IndexProblem, match=r"another version of newsindex .*--rebuild"):
            attempt()
    before = (index_dir / "CURRENT").read_text()
    commands = [["search", "harbour"], ["stats"], ["show", "x"], ["similar", "x"], ["alert", "add", "a", "port"]]
    commands += [["remove", str(corpus)], ["index", str(corpus)], ["watch", str(corpus)]]
    for command in commands:
        result = CliRunner().invoke(cli, [*command, "--index", str(index_dir)])
        assert result.exit_code == 2 and "--rebuild" in result.output, (command, result.output)
    assert (index_dir / "CURRENT").read_text() == before
    assert build_index([corpus], index_dir, rebuild=True, workers=1).documents == 12


def test_missing_path_is_a_clear_problem(tmp_path):
    with pytest.raises(IndexProblem, match="no such file or directory"):
        build_index([tmp_path / "nowhere"], tmp_path / "ix", workers=1)


def test_a_lost_document_fails_the_run_and_keeps_the_old_index(tmp_path, corpus, monkeypatch):
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    write_article(corpus, "outlet/300.txt", "Harbour report number 300", "Lost: an albatross.")
    real_add = SegmentBuilder.add

    def lossy_add(self, fields):
        if "albatross" not in fields.get("body", ""):
            real_add(self, fields)

    monkeypatch.setattr(SegmentBuilder, "add", lossy_add)
    with pytest.raises(IndexProblem, match="documents"):
        build_index([corpus], index_dir, workers=1)
    monkeypatch.undo()
    assert count(index_dir) == 12
    assert build_index([corpus], index_dir, workers=1).documents == 13


# --- big record files, indexed in pieces -----------------------------------------------


def write_records(path, count: int, *, bad_lines: tuple[int, ...] = (), word: str = "cargo") -> None:
    """A JSONL export: record on line N is about ``word``N; ``bad_lines`` are broken JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        for line in range(1, count + 1):
            if line in bad_lines:
                handle.write('{"title": "broken\n')
                continue
            record = {
                "headline": f"Dock ledger entry {line}",
                "content": f"The wharf logged {word}{line} at berth{line % 9}. Tugs stood by.",
                "publishedAt": f"2021-04-{1 + line % 28:02d}T08:00:00Z",
                "source": {"name": "Quay Gazette"},
            }
            handle.write(json.dumps(record) + "\n")


@pytest.fixture
def small_pieces(monkeypatch):
    """Every record file is split, in pieces of 7 records, in batches of about 40."""
    monkeypatch.setattr(index_module, "SPLIT_RECORD_BYTES", 1)
    monkeypatch.setattr(index_module, "PIECE_RECORDS", 7)
    monkeypatch.setattr(index_module, "BATCH_SIZE", 40)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_file_in_pieces_keeps_every_record_and_its_line_number(tmp_path, small_pieces, workers):
    export = tmp_path / "export" / "wire.jsonl"
    export.parent.mkdir()
    write_records(export, 300, bad_lines=(17, 150))
    report = build_index([export.parent], tmp_path / "ix", workers=workers)
    assert (report.added, report.documents) == (1, 298)
    assert sorted((s.path, s.reason.partition(" (")[0]) for s in report.failed) == [
        (str(export), "line 150: invalid JSON"),
        (str(export), "line 17: invalid JSON"),
    ]
    with open_index(tmp_path / "ix").searcher() as searcher:
        ids = {stored["id"] for stored in searcher.all_stored_fields()}
    assert ids == {f"{export}#{line}" for line in range(1, 301) if line not in (17, 150)}
    [hit] = hits(tmp_path / "ix", "cargo233")
    assert (hit.id, hit.title, hit.source) == (f"{export}#233", "Dock ledger entry 233", "Quay Gazette")


def test_pieces_equal_a_whole_file_read(tmp_path, monkeypatch):
    export = tmp_path / "export" / "wire.jsonl"
    export.parent.mkdir()
    write_records(export, 120)
    whole = build_index([export], tmp_path / "whole", workers=1)
    monkeypatch.setattr(index_module, "SPLIT_RECORD_BYTES", 1)
    monkeypatch.setattr(index_module, "PIECE_RECORDS", 5)
    pieces = build_index([export], tmp_path / "pieces", workers=2)
    ignored = {"seconds": 0, "rate": 0, "index": ""}
    assert whole.as_dict() | ignored == pieces.as_dict() | ignored
    for words in ("wharf", "cargo77", "berth3 tugs"):
        ranked = [sorted((-h.score, h.id) for h in hits(tmp_path / name, words)) for name in ("whole", "pieces")]
        assert ranked[0] == ranked[1], words


def test_a_split_record_file_is_skipped_when_unchanged_and_replaced_when_changed(tmp_path, small_pieces):
    export = tmp_path / "export" / "wire.jsonl"
    export.parent.mkdir()
    write_records(export, 100)
    index_dir = tmp_path / "ix"
    build_index([export.parent], index_dir, workers=2)
    again = build_index([export.parent], index_dir, workers=2)
    assert (again.added, again.updated, again.unchanged, again.documents) == (0, 0, 1, 100)
    os.utime(export, (1_700_000_000, 1_700_000_000))  # touched, same content: hashed, not read
    touched = build_index([export.parent], index_dir, workers=2)
    assert (touched.updated, touched.unchanged, touched.documents) == (0, 1, 100)

    write_records(export, 60, word="timber")  # shorter, and every record says something else
    changed = build_index([export.parent], index_dir, workers=2)
    assert (changed.added, changed.updated, changed.documents) == (0, 1, 60)
    assert hits(index_dir, "cargo5") == []
    assert [h.id for h in hits(index_dir, "timber59")] == [f"{export}#59"]
    assert hits(index_dir, "timber61") == []
    fresh = build_index([export.parent], tmp_path / "fresh", workers=1)
    assert fresh.documents == 60

    def learned(directory):
        return json.loads((current_generation(directory) / "learned.json").read_text(encoding="utf-8"))

    assert learned(index_dir) == learned(tmp_path / "fresh")


def test_identical_records_in_pieces_are_one_document(tmp_path, small_pieces):
    export = tmp_path / "export"
    export.mkdir()
    write_records(export / "a.jsonl", 30)
    write_records(export / "b.jsonl", 30)
    report = build_index([export], tmp_path / "ix", workers=2)
    assert (report.added, report.duplicates, report.documents) == (2, 30, 30)
    [hit] = hits(tmp_path / "ix", "cargo12")
    with open_index(tmp_path / "ix").searcher() as searcher:
        assert sorted(searcher.document(id=hit.id)["paths"]) == [f"{export}/a.jsonl#12", f"{export}/b.jsonl#12"]


def test_a_json_array_is_indexed_in_pieces_like_jsonl(tmp_path, small_pieces):
    lines = tmp_path / "wire.jsonl"
    write_records(lines, 90)
    records = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    export = tmp_path / "export" / "api.json"
    export.parent.mkdir()
    export.write_text(json.dumps({"status": "ok", "response": {"results": records}}, indent=1), encoding="utf-8")
    report = build_index([export.parent], tmp_path / "ix", workers=2)
    assert (report.added, report.documents, report.failed) == (1, 90, [])
    assert [h.id for h in hits(tmp_path / "ix", "cargo61")] == [f"{export}#61"]


def test_a_file_read_once_gets_the_digest_of_the_file_on_disk(tmp_path):
    from newsindex.index.manifest import _bytes_digest, file_digest

    path = tmp_path / "a.txt"
    path.write_bytes(b"Title\n\nBody text \xc3\xa9 and more.\n" * 500)
    assert _bytes_digest(path.read_bytes()) == file_digest(path)


def test_changing_dayfirst_or_rules_reads_every_file_again(tmp_path):
    from newsindex.ingest import IngestOptions

    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(
        "Bridge reopens\n\nPublished: 03/04/2020\n\nThe river bridge reopened to traffic after repairs.\n\n"
        "Sponsored by Acme Ropes\n"
    )
    (news / "b.txt").write_text("Ferry strike\n\nPublished: 2020-05-06\n\nFerry crews walked out over pay.\n")
    index_dir = tmp_path / "index"

    def published(title: str) -> str:
        hit = next(
            hit
            for hit in search("bridge OR ferry", index_dir, SearchOptions(duplicates=True)).hits
            if hit.title == title
        )
        return hit.published.date().isoformat()

    build_index([str(news)], index_dir, workers=1)
    assert published("Bridge reopens") == "2020-03-04"
    elsewhere = tmp_path / "elsewhere.txt"  # indexed in an earlier run from another path
    elsewhere.write_text("Ferry timetable\n\nPublished: 05/06/2020\n\nThe ferry timetable changes in June.\n")
    build_index([str(elsewhere)], index_dir, workers=1)
    assert published("Ferry timetable") == "2020-05-06"
    report = build_index([str(news)], index_dir, workers=1, options=IngestOptions(dayfirst=True))
    assert report.reread and report.added == 3 and report.unchanged == 0
    assert published("Bridge reopens") == "2020-04-03"
    assert published("Ferry timetable") == "2020-06-05"
    assert published("Ferry strike") == "2020-05-06"
    again = build_index([str(news)], index_dir, workers=1, options=IngestOptions(dayfirst=True))
    assert not again.reread and again.unchanged == 2 and again.updated == 0
    assert search("acme", index_dir).total == 1
    rules = tmp_path / "rules.txt"
    rules.write_text("[line]\nsponsor: sponsored by .*\n")
    report = build_index([str(news)], index_dir, workers=1, options=IngestOptions(dayfirst=True, rules_files=[rules]))
    assert report.reread and report.documents == 3
    assert search("acme", index_dir).total == 0


def test_a_word_in_any_ascii_case_is_one_chunk_analysed_once():
    from newsindex.engine.whoosh import tokens

    tokens._chunk_cache.clear()
    terms = index_terms("Cocoa COCOA cocoa CoCoA Co-Op CO-OP")[0]
    assert terms == {"cocoa": [0, 1, 2, 3], "co-op": [4, 5], "co": [4, 5], "op": [4, 5]}
    assert sorted(tokens._chunk_cache) == [b"co-op", b"cocoa"]


def test_long_chunks_are_analysed_alike_but_not_remembered():
    """Text without ASCII separators (Chinese, Thai) is one long chunk: the same terms as the
    analyzer gives, and no cache entry that would hold whole paragraphs in memory."""
    from newsindex.engine.whoosh import tokens

    text = "東京都は月曜日、新しい計画を発表した。" * 20 + "Tokyo’s plan—announced Monday"
    tokens._chunk_cache.clear()
    assert index_terms(text) == _whoosh_terms(text)
    assert all(len(chunk) <= tokens.CACHED_CHUNK_BYTES for chunk in tokens._chunk_cache)
    assert tokens._chunk_cache  # the short chunks ("Monday") are remembered


def test_what_outlives_a_run_is_not_rescanned_by_the_next_young_collection():
    """After ``_no_gc`` the collector is on again, its youngest generation holds nothing the
    run made (the first allocation after a run scanned all of it), and a cycle the run made
    is still collected by a full collection: nothing is frozen for good (``watch``)."""
    import gc
    import weakref

    from newsindex.index.generations import _no_gc

    class Node:
        pass

    was_enabled = gc.isenabled()  # a CLI test may have left the collector off
    gc.enable()
    try:
        with _no_gc():
            assert not gc.isenabled()
            kept = [[number] for number in range(50_000)]
            cycle = Node()
            cycle.self = cycle
            alive = weakref.ref(cycle)
        assert gc.isenabled()
        oldest = gc.get_objects(generation=2)
        assert any(item is kept[-1] for item in oldest)  # not in a young generation, to be scanned
        del oldest
        del cycle
        gc.collect()
        assert alive() is None
    finally:
        if not was_enabled:
            gc.disable()
    assert len(kept) == 50_000
