"""The walk's comparison with the manifest, in one process and shared with a fork."""

from __future__ import annotations

import json
import os
import sys

import pytest

from newsindex.index import build_index, limits
from newsindex.index.compare import (
    CHANGED,
    NEW,
    SAME_FAILING,
    SAME_RECORDS,
    UNSTATABLE,
    Comparison,
    SharedComparison,
    walk_order,
)
from newsindex.index.stamps import Stamps
from newsindex.ingest import IngestOptions
from newsindex.models import Skipped
from newsindex.query import search
from newsindex.read import split_walk
from newsindex.read.files import BY_DESCRIPTOR, _walk, walk_files
from newsindex.read.split_walk import SplitWalk

#: The tests that fork (the walk is shared on Linux only).
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the walk is shared on Linux")


def _archive(root, count: int = 40):
    """``count`` small articles in three folders, a record file, and stamps for all as indexed."""
    for number in range(count):
        path = root / f"desk{number % 3}" / f"story-{number:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Story {number}\n\nGrain shipments number {number} left the harbour.\n", encoding="utf-8")
    (root / "wire.jsonl").write_text(json.dumps({"title": "Wire", "body": "A wire story."}) + "\n", encoding="utf-8")
    stamps = {}
    for path, _kind, _compression, _entry in walk_files([root]):
        stat = os.stat(path)
        stamps[path] = (path, stat.st_size, stat.st_mtime)
    return stamps


def _stamps(rows: dict) -> Stamps:
    """The stamps of ``rows`` (path -> (path, size, mtime)), as a run loads them."""
    return Stamps.from_rows(list(rows.values()))


def test_a_comparison_says_what_became_of_each_file_not_unchanged(tmp_path):
    stamps = _archive(tmp_path)
    edited = str(tmp_path / "desk1" / "story-001.txt")
    failing = str(tmp_path / "desk2" / "story-002.txt")
    new = tmp_path / "desk0" / "story-999.txt"
    new.write_text("New\n\nA new story.\n", encoding="utf-8")
    stamps[edited] = (edited, 1, 0.0)
    gone = str(tmp_path / "desk0" / "story-000.txt")
    walked = list(walk_files([tmp_path]))
    os.unlink(gone)  # listed, then deleted before its stat call
    elsewhere = str(tmp_path / "moved" / "story-500.txt")  # indexed, not walked
    stamps[elsewhere] = (elsewhere, 10, 1.0)
    known = _stamps(stamps)
    comparison = Comparison(known, {failing: [Skipped(failing, "bad")]})
    seen: set[str] = set()
    met = known.marks()
    found = {finding[0]: finding[-1] for finding in comparison.findings(walked, seen, met)}
    assert known.unmet(met) == [elsewhere]  # the unstatable file was met: its listing says it is there
    assert found == {
        edited: CHANGED,
        str(new): NEW,
        failing: SAME_FAILING,
        str(tmp_path / "wire.jsonl"): SAME_RECORDS,
        gone: UNSTATABLE,
    }
    assert comparison.unchanged == len(walked) - len(found)
    assert seen == {item[0] for item in walked}


@pytest.mark.parametrize("desks", [3, 12])
@pytest.mark.parametrize("max_groups", [1024, 2])
def test_two_shares_of_a_split_walk_meet_every_file_once(tmp_path, monkeypatch, desks, max_groups):
    """Few folders (listed in planning, their files split by name) or many (handed out, a
    few to a group when there are more than ``MAX_GROUPS``): each file once, in one share."""
    monkeypatch.setattr(split_walk, "MAX_GROUPS", max_groups)
    for number in range(200):
        path = tmp_path / f"desk{number % desks}" / f"story-{number:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Story {number}\n\nGrain left the harbour.\n", encoding="utf-8")
    (tmp_path / "desk0" / "deeper").mkdir()
    (tmp_path / "desk0" / "deeper" / "inner.txt").write_text("Inner\n\nOats.\n", encoding="utf-8")
    (tmp_path / "top.txt").write_text("Top\n\nBarley.\n", encoding="utf-8")
    everything = sorted(item[0] for item in walk_files([tmp_path]))
    plan = SplitWalk([str(tmp_path)])
    try:  # two shares taking folders from the pipe in turn, as two processes do
        walks, halves = [plan.files(0, None), plan.files(1, None)], [[], []]
        while walks[0] or walks[1]:
            for share, walk in enumerate(walks):
                if walk is not None and (item := next(walk, None)) is not None:
                    halves[share].append(item[0])
                elif walk is not None:
                    walks[share] = None
    finally:
        plan.close()
    assert sorted(halves[0] + halves[1]) == everything and len(everything) == 202
    assert all(halves) and not set(halves[0]) & set(halves[1])
    assert len(plan.groups) <= max_groups
    plan = SplitWalk([str(tmp_path)])
    try:  # one share alone, then the other's part: the folders the first did not take
        first = [item[0] for item in plan.files(0, None)]
        assert plan.untaken() == []
        second = [item[0] for item in plan.files(1, None, plan.untaken())]
    finally:
        plan.close()
    assert sorted(first + second) == everything
    if desks < split_walk.MIN_UNITS:  # every level listed in planning: no folder left to hand out
        assert plan.groups == []
    else:
        assert sum(map(len, plan.groups)) == desks


def test_a_split_walk_hands_out_the_folders_with_the_longest_listings_first(tmp_path, monkeypatch):
    monkeypatch.setattr(split_walk, "MIN_UNITS", 2)
    for folder, count in (("a-small", 2), ("b-large", 600), ("c-medium", 150)):
        (tmp_path / folder).mkdir()
        for number in range(count):
            (tmp_path / folder / f"story-with-a-long-name-{number:04d}.txt").write_text("x\n\ny\n", encoding="utf-8")
    sizes = {folder: os.stat(tmp_path / folder).st_size for folder in ("a-small", "b-large", "c-medium")}
    plan = SplitWalk([str(tmp_path)])
    plan.close()
    handed = [os.path.basename(folder) for group in plan.groups for folder, _rules in group]
    assert sorted(handed) == sorted(sizes) and [sizes[folder] for folder in handed] == sorted(sizes.values())[::-1]
    if sizes["b-large"] > sizes["a-small"]:  # a file system whose folder sizes grow with their entries
        assert handed[0] == "b-large"


@pytest.mark.skipif(not BY_DESCRIPTOR, reason="folders listed through descriptors here only")
def test_a_walk_through_descriptors_stats_each_entry_in_its_folder_and_closes_them(tmp_path):
    """Entries stat as their paths do while the walk is at them; every folder's descriptor is
    closed after the walk, and after a walk abandoned halfway."""
    _archive(tmp_path, count=30)
    (tmp_path / "desk0" / "a" / "b").mkdir(parents=True)
    (tmp_path / "desk0" / "a" / "b" / "deep.txt").write_text("Deep\n\nRye.\n", encoding="utf-8")
    open_before = len(os.listdir("/proc/self/fd"))
    stats = 0
    for path, _kind, _compression, entry in _walk(str(tmp_path), False, set(), None, set(), descriptor=True):
        stat = entry.stat()
        assert (stat.st_size, stat.st_mtime, stat.st_ino) == (
            os.stat(path).st_size,
            os.stat(path).st_mtime,
            os.stat(path).st_ino,
        )
        stats += 1
    assert stats == 32 and len(os.listdir("/proc/self/fd")) == open_before
    walk = _walk(str(tmp_path), False, set(), None, set(), descriptor=True)
    next(walk)
    assert len(os.listdir("/proc/self/fd")) > open_before  # the folders it is in
    walk.close()
    assert len(os.listdir("/proc/self/fd")) == open_before


@pytest.mark.parametrize("descriptor", [False, True])
def test_a_walk_from_a_folder_named_with_a_trailing_separator_makes_paths_as_the_listing_does(tmp_path, descriptor):
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "a.txt").write_text("A\n\nOats.\n", encoding="utf-8")
    walked = [item[0] for item in _walk(str(tmp_path) + os.sep, False, set(), None, set(), descriptor=descriptor)]
    assert walked == [str(tmp_path / "desk" / "a.txt")]


def _changed_archive(root):
    """An archive as indexed, then changed in every way a comparison tells apart."""
    stamps = _archive(root, count=200)
    for number in (5, 77, 150):  # edited
        path = str(root / f"desk{number % 3}" / f"story-{number:03d}.txt")
        stamps[path] = (path, 1, 0.0)
    for number in (6, 100):  # deleted
        (root / f"desk{number % 3}" / f"story-{number:03d}.txt").unlink()
    (root / "desk1" / "late.txt").write_text("Late\n\nA late story.\n", encoding="utf-8")
    (root / "desk1" / "photo.jpg").write_bytes(b"\xff\xd8")
    (root / "desk0" / "a").mkdir()
    (root / "desk0" / "a" / "inner.txt").write_text("Inner\n\nAn inner story.\n", encoding="utf-8")
    failures = {str(root / "desk2" / "story-008.txt"): [Skipped("x", "bad")]}
    return stamps, failures


@linux_only
def test_two_halves_of_a_shared_comparison_find_what_one_process_finds(tmp_path):
    stamps, failures = _changed_archive(tmp_path)
    alone = Comparison(_stamps(stamps), failures)
    ignored: list[tuple[str, str]] = []
    seen: set[str] = set()
    expected = list(alone.findings(walk_files([tmp_path], on_ignored=lambda *report: ignored.append(report)), seen))

    shared = SharedComparison([str(tmp_path)], [], _stamps(stamps), failures, lock_fd=-1)
    shared.start()
    assert shared.fork is not None and shared.fork.pid is not None
    assert shared.findings() == expected  # the same findings, in walk order
    assert shared.fork is None  # the fork was waited for
    assert [finding[0] for finding in expected].index(str(tmp_path / "desk0" / "a" / "inner.txt")) == 0
    assert shared.unchanged == alone.unchanged == 200 - 3 - 2 - 1  # less edited, deleted, failing
    assert shared.ignored == ignored == [(str(tmp_path / "desk1" / "photo.jpg"), "not an article file type")]
    assert sorted(shared.unseen) == sorted(stamps.keys() - seen)
    assert len(shared.unseen) == 2


@linux_only
def test_a_shared_comparison_does_its_other_work_once_the_fork_walks(tmp_path):
    stamps, failures = _changed_archive(tmp_path)
    expected = list(Comparison(_stamps(stamps), failures).findings(walk_files([tmp_path])))
    done = []
    shared = SharedComparison(
        [str(tmp_path)], [], _stamps(stamps), failures, lock_fd=-1, meanwhile=lambda: done.append(1)
    )
    shared.start()
    assert shared.fork is not None and shared.findings() == expected and done == [1]


@linux_only
def test_a_shared_comparison_with_nothing_gone_looks_for_no_paths_gone(tmp_path, monkeypatch):
    stamps = _archive(tmp_path, count=50)
    asked = []
    monkeypatch.setattr(Stamps, "unmet", lambda self, met: asked.append(1) or [])
    shared = SharedComparison([str(tmp_path)], [], _stamps(stamps), {}, lock_fd=-1)
    shared.start()
    found = shared.findings()
    assert [finding[-1] for finding in found] == [SAME_RECORDS]
    assert shared.unseen == set() and asked == [] and shared.unchanged == 50


@linux_only
@pytest.mark.parametrize("after_groups", [0, 1])
def test_a_shared_comparison_does_the_forks_half_itself_when_the_fork_fails(tmp_path, monkeypatch, after_groups):
    """The fork fails at once, or after taking a group of folders: this process walks its
    share of the listed files and every folder it did not take itself."""
    monkeypatch.setattr(split_walk, "MIN_UNITS", 2)  # the desks are handed out
    stamps, failures = _changed_archive(tmp_path)
    expected = list(Comparison(_stamps(stamps), failures).findings(walk_files([tmp_path])))
    parent = os.getpid()
    real = SplitWalk.files

    def files(self, share, on_ignored, groups=None):
        for number, walked in enumerate(real(self, share, on_ignored, groups)):
            if os.getpid() != parent and len(self.taken) >= after_groups and number >= after_groups:
                raise RuntimeError("the fork's walk breaks")
            yield walked

    monkeypatch.setattr(SplitWalk, "files", files)
    shared = SharedComparison([str(tmp_path)], [], _stamps(stamps), failures, lock_fd=-1)
    shared.start()
    assert shared.findings() == expected
    assert len(shared.unseen) == 2 and shared.unchanged == 194


@linux_only
def test_a_failing_walk_ends_the_fork(tmp_path, monkeypatch):
    stamps = _archive(tmp_path, count=20)
    parent = os.getpid()
    real = SplitWalk.files

    def files(self, share, on_ignored, groups=None):
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return real(self, share, on_ignored, groups)

    monkeypatch.setattr(SplitWalk, "files", files)
    shared = SharedComparison([str(tmp_path)], [], _stamps(stamps), {}, lock_fd=-1)
    shared.start()
    pid = shared.fork.pid
    with pytest.raises(KeyboardInterrupt):
        shared.findings()
    assert shared.fork is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped, not left a zombie


def test_walk_order_is_the_order_a_walk_meets_paths(tmp_path):
    for name in ("b/z.txt", "a.txt", "a/b.txt", "a/a/c.txt", "c.txt", "B.txt"):
        (tmp_path / "one" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "one" / name).write_text("x\n\ny\n", encoding="utf-8")
    (tmp_path / "given.txt").write_text("x\n\ny\n", encoding="utf-8")
    roots = [str(tmp_path / "given.txt"), str(tmp_path / "one")]
    walked = [item[0] for item in walk_files(roots)]
    assert sorted(reversed(walked), key=walk_order(roots)) == walked
    assert walked[0] == roots[0] and walked[1].endswith("B.txt")


def _runs(root, index_dir, shared: bool, monkeypatch) -> list[dict]:
    """Build, then change the archive in every way a walk tells apart, and index again."""
    monkeypatch.setattr(limits, "SHARED_WALK_FILES", 1 if shared else 10**9)
    reports = [build_index([root], index_dir, workers=2)]
    (root / "desk0" / "story-003.txt").write_text("Story 3\n\nThe grain was rerouted by rail.\n", encoding="utf-8")
    (root / "desk1" / "story-004.txt").unlink()
    (root / "desk2" / "new.txt").write_text("New desk story\n\nBarley prices rose.\n", encoding="utf-8")
    (root / "desk2" / "broken.html").write_bytes(b"\x00" * 10)
    reports.append(build_index([root], index_dir, workers=2))
    reports.append(build_index([root], index_dir, workers=2))  # the broken file is listed again, unread
    options = IngestOptions(field_overrides={"body": "text"})  # the record file is read again
    (root / "wire.jsonl").write_text(json.dumps({"title": "Wire", "text": "A wire story on oats."}) + "\n")
    reports.append(build_index([root], index_dir, workers=2, options=options))
    return [
        {key: value for key, value in report.as_dict().items() if key not in ("seconds", "rate", "index")}
        for report in reports
    ]


@linux_only
def test_an_index_run_with_a_shared_walk_reports_and_indexes_what_a_single_walk_does(tmp_path, monkeypatch):
    _archive(tmp_path / "one", count=120)
    _archive(tmp_path / "two", count=120)
    alone = _runs(tmp_path / "one", tmp_path / "index-one", False, monkeypatch)
    forks = []
    start = SharedComparison.start
    monkeypatch.setattr(
        SharedComparison, "start", lambda self: (start(self), forks.append(self.fork and self.fork.pid))
    )
    shared = _runs(tmp_path / "two", tmp_path / "index-two", True, monkeypatch)
    assert len(forks) == 3 and None not in forks  # every run but the first (no manifest yet) shared its walk
    assert json.loads(json.dumps(shared).replace("/two/", "/one/")) == alone
    assert [run["unchanged"] for run in shared] == [0, 119, 122, 121]  # the broken file too
    broken = str(tmp_path / "two" / "desk2" / "broken.html")
    assert [[failure["path"] for failure in run["failures"]] for run in shared] == [[], [broken], [broken], [broken]]
    assert [(run["added"], run["updated"], run["removed"]) for run in shared] == [
        (121, 0, 0),
        (1, 1, 1),
        (0, 0, 0),
        (0, 1, 0),
    ]
    for index_dir in (tmp_path / "index-one", tmp_path / "index-two"):
        assert [hit.title for hit in search("barley", index_dir).hits] == ["New desk story"]
        assert [hit.title for hit in search("oats", index_dir).hits] == ["Wire"]
        assert [hit.title for hit in search("rerouted", index_dir).hits] == ["Story 3"]


@linux_only
def test_a_shared_walk_gives_progress_its_total_without_a_walk_to_count(tmp_path, monkeypatch):
    from newsindex.index.run import _Run

    _archive(tmp_path / "news", count=30)
    build_index([tmp_path / "news"], tmp_path / "index", workers=2)
    (tmp_path / "news" / "desk0" / "story-999.txt").write_text("New\n\nA new story.\n", encoding="utf-8")
    monkeypatch.setattr(limits, "SHARED_WALK_FILES", 1)
    monkeypatch.setattr(_Run, "_count_files", lambda self: pytest.fail("counted by a walk of its own"))
    calls = []
    report = build_index([tmp_path / "news"], tmp_path / "index", workers=2, progress=lambda *call: calls.append(call))
    assert report.added == 1 and calls and calls[-1] == (32, 32)
    assert {total for _done, total in calls} == {32}
