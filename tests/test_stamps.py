"""The stamps file: every indexed file's size and mtime as the manifest has them, loaded at once."""

import os
import sqlite3

import pytest

from newsindex.engine.whoosh.store import current_generation
from newsindex.index import build_index, manifest, remove_from_index, stamps
from newsindex.index.manifest import _KnownFiles
from newsindex.index.stamps import STAMPS_FILE, StampChanges, Stamps, read_stamps


def _table(generation) -> dict[str, tuple[int, float]]:
    with sqlite3.connect(generation / "manifest.sqlite") as db:
        return {path: (size, mtime) for path, size, mtime in db.execute("SELECT path, size, mtime FROM files")}


def _file(generation) -> dict[str, tuple[int, float]] | None:
    table = _table(generation)
    loaded = read_stamps(generation / STAMPS_FILE, len(table))
    return None if loaded is None else {path: loaded.stamp(path) for path in loaded.place}


def _story(folder, name: str, text: str = "Grain left the harbour at dawn.") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"Story {name}\n\n{text}\n", encoding="utf-8")


def test_stamps_written_and_read_are_the_same_and_any_other_count_is_refused(tmp_path):
    odd = "caf\udce9.txt"  # an undecodable byte of a file name, as a listing gives it
    written = Stamps.from_rows([("/a/x.txt", 10, 1.5), (f"/b/{odd}", 0, 1700000000.123456), ("/c\nd.txt", 2**40, 0.0)])
    written.update({"/a/x.txt": None, "/e.txt": (7, 2.25), "/c\nd.txt": (3, 4.0)})
    written.write(tmp_path / STAMPS_FILE)
    read = read_stamps(tmp_path / STAMPS_FILE, 3)
    assert {path: read.stamp(path) for path in read.place} == {
        f"/b/{odd}": (0, 1700000000.123456),
        "/c\nd.txt": (3, 4.0),
        "/e.txt": (7, 2.25),
    }
    assert read_stamps(tmp_path / STAMPS_FILE, 4) is None  # the manifest holds another count
    (tmp_path / STAMPS_FILE).write_bytes((tmp_path / STAMPS_FILE).read_bytes()[:-3])
    assert read_stamps(tmp_path / STAMPS_FILE, 3) is None  # cut short
    assert read_stamps(tmp_path / "missing", 3) is None
    Stamps({}, [], []).write(tmp_path / "empty")
    assert read_stamps(tmp_path / "empty", 0).place == {}
    (tmp_path / "gen-000002").mkdir()
    os.link(tmp_path / "empty", tmp_path / "gen-000002" / "empty")
    assert read_stamps(tmp_path / "gen-000002" / "empty", 0) is None  # written for another generation
    (tmp_path / "zero").write_bytes(b"")
    assert read_stamps(tmp_path / "zero", 0) is None  # nothing to map
    written.write(tmp_path / STAMPS_FILE)
    (tmp_path / STAMPS_FILE).write_bytes((tmp_path / STAMPS_FILE).read_bytes().replace(b"/e.txt", b"/\xff.txt"))
    assert read_stamps(tmp_path / STAMPS_FILE, 3) is None  # a name that is no UTF-8 (and the mapping closes)


def test_the_files_a_walk_did_not_mark_are_its_unmet_ones_places_left_unused_or_not():
    known = Stamps.from_rows([(f"/news/{number}.txt", number, 1.0) for number in range(6)])
    met = known.marks()
    for number in (0, 2, 3, 5):
        met[known.place[f"/news/{number}.txt"]] = 1
    assert known.unmet(met) == ["/news/1.txt", "/news/4.txt"]
    known.update({"/news/1.txt": None, "/news/9.txt": (9, 9.0)})  # place 1 unused, place 6 new
    met = known.marks()
    met[known.place["/news/9.txt"]] = 1
    assert known.unmet(met) == ["/news/0.txt", "/news/2.txt", "/news/3.txt", "/news/4.txt", "/news/5.txt"]


def test_too_many_changes_are_not_kept(monkeypatch):
    monkeypatch.setattr(stamps, "STAMP_CHANGES_KEPT", 2)
    changes = StampChanges()
    changes.put("/a", (1, 1.0))
    changes.put("/b", None)
    assert changes.changes == {"/a": (1, 1.0), "/b": None}
    changes.put("/c", (2, 2.0))
    assert changes.changes is None


@pytest.mark.parametrize("kept", [50_000, 1])
def test_every_run_leaves_stamps_equal_to_its_manifest(tmp_path, monkeypatch, kept):
    """Adding, editing, deleting, a failing file, ``remove``: the stamps file says what the
    manifest says after each (``kept`` 1: the run reads the table at its end instead)."""
    monkeypatch.setattr(stamps, "STAMP_CHANGES_KEPT", kept)
    news, index_dir = tmp_path / "news", tmp_path / "index"
    for number in range(6):
        _story(news / f"desk{number % 2}", f"s{number}.txt")
    (news / "desk0" / "broken.txt").write_bytes(b"\x00" * 10)

    def check():
        generation = current_generation(index_dir)
        assert _file(generation) == _table(generation) and _table(generation)

    build_index([news], index_dir, workers=1)
    check()
    _story(news / "desk1", "late.txt")
    (news / "desk0" / "s0.txt").write_text("Story s0\n\nEdited: the grain stayed.\n", encoding="utf-8")
    os.utime(news / "desk0" / "s0.txt", (1, 1))
    (news / "desk1" / "s1.txt").unlink()
    build_index([news], index_dir, workers=1)
    check()
    remove_from_index([news / "desk0"], index_dir)
    check()
    assert not any("desk0" in path for path in _table(current_generation(index_dir)))


def test_a_run_loads_the_stamps_file_and_passes_over_one_that_does_not_fit(tmp_path, monkeypatch):
    news, index_dir = tmp_path / "news", tmp_path / "index"
    for number in range(4):
        _story(news, f"s{number}.txt")
    build_index([news], index_dir, workers=1)
    generation = current_generation(index_dir)
    asked = []
    real = manifest._rows_stamps  # the manifest's table read
    monkeypatch.setattr(manifest, "_rows_stamps", lambda db: asked.append(1) or real(db))
    known = _KnownFiles(generation)
    assert asked == [] and sorted(known) == sorted(_table(generation))  # from the file
    Stamps.from_rows([("/elsewhere.txt", 1, 1.0)]).write(generation / STAMPS_FILE)  # another count
    known = _KnownFiles(generation)
    assert asked == [1] and sorted(known) == sorted(_table(generation))  # from the table
    (generation / STAMPS_FILE).unlink()
    report = build_index([news], index_dir, workers=1)
    assert report.unchanged == 4 and report.updated == 0


def test_an_archive_of_more_files_than_a_run_holds_is_asked_file_by_file_without_stamps(tmp_path, monkeypatch):
    news, index_dir = tmp_path / "news", tmp_path / "index"
    for number in range(4):
        _story(news, f"s{number}.txt")
    build_index([news], index_dir, workers=1)
    assert (current_generation(index_dir) / STAMPS_FILE).exists()
    monkeypatch.setattr(manifest, "KNOWN_FILES_IN_MEMORY", 4)
    _story(news, "late.txt")  # five files: over the limit
    report = build_index([news], index_dir, workers=1)
    generation = current_generation(index_dir)
    assert report.added == 1 and report.unchanged == 4
    assert _KnownFiles(generation).stamps is None and not (generation / STAMPS_FILE).exists()
    (news / "s0.txt").unlink()
    assert build_index([news], index_dir, workers=1).removed == 1  # the files gone still found


def test_a_run_told_what_changed_writes_no_stamps_and_the_next_whole_run_does(tmp_path):
    news, index_dir = tmp_path / "news", tmp_path / "index"
    for number in range(3):
        _story(news, f"s{number}.txt")
    build_index([news], index_dir, workers=1)
    _story(news, "late.txt")
    build_index([news], index_dir, workers=1, changed=[str(news / "late.txt")])
    generation = current_generation(index_dir)
    assert not (generation / STAMPS_FILE).exists()  # nor one linked from the generation before
    _story(news, "later.txt")
    report = build_index([news], index_dir, workers=1)
    assert report.added == 1 and report.unchanged == 4
    generation = current_generation(index_dir)
    assert _file(generation) == _table(generation)
