"""Column values written in batches give the bytes Whoosh's writers give one ``add`` at a time."""

from __future__ import annotations

import pytest
from whoosh.columns import FixedBytesColumn, NumericColumn, VarBytesColumn
from whoosh.filedb.filestore import RamStorage

from newsindex.engine.whoosh.column_batches import write_batch
from newsindex.engine.whoosh.stored_column import STORED_BYTES

# Documents 0-9 with values, 10-11 skipped, 12-14 with values, then a long gap: a column's
# fill of skipped documents before and after a batch's end, and lengths and offsets that
# outgrow each array type ("B" -> "H" -> "i").
_DOCS = [*range(10), 12, 13, 14, 40, 41]


def _values(kind: str) -> list:
    if kind == "bytes":
        return [bytes([65 + n % 26]) * (n * 700 if n < 14 else 70_000) for n in range(len(_DOCS))]
    if kind == "fixed":
        return [b"\0\0\0\0" if n % 4 == 0 else bytes([n, n, n, n]) for n in range(len(_DOCS))]
    return [0 if n % 3 == 0 else n * 1_000_003 for n in range(len(_DOCS))]  # 0: the default, not written


def _written(column, writer_of, pairs, batch: int | None, doccount: int) -> bytes:
    storage = RamStorage()
    handle = storage.create_file("column")
    writer = writer_of(column, handle)
    if batch is None:
        for docnum, value in pairs:
            writer.add(docnum, value)
    else:
        for start in range(0, len(pairs), batch):
            write_batch(writer, pairs[start : start + batch])
    writer.finish(doccount)
    handle.close()
    return bytes(storage.files["column"])


@pytest.mark.parametrize(
    ("column", "kind", "writer_of"),
    [
        (VarBytesColumn(), "bytes", lambda column, handle: column.writer(handle)),
        # a small cutoff, so that the offsets array is written too (Whoosh's is 32,768 documents)
        (VarBytesColumn(), "bytes", lambda column, handle: VarBytesColumn.Writer(handle, cutoff=4)),
        (STORED_BYTES, "bytes", lambda column, handle: column.writer(handle)),
        (FixedBytesColumn(4), "fixed", lambda column, handle: column.writer(handle)),
        (NumericColumn("Q"), "numbers", lambda column, handle: column.writer(handle)),
        (NumericColumn("I"), "numbers", lambda column, handle: column.writer(handle)),
    ],
    ids=["varbytes", "varbytes-offsets", "stored", "fixed", "numeric-Q", "numeric-I"],
)
@pytest.mark.parametrize("batch", [1, 3, 11, 100])
def test_a_batch_writes_what_one_add_per_value_writes(column, kind, writer_of, batch):
    pairs = list(zip(_DOCS, _values(kind), strict=True))
    one_by_one = _written(column, writer_of, pairs, None, doccount=50)
    assert len(one_by_one) > 50  # the values are in it: the comparison means something
    assert _written(column, writer_of, pairs, batch, doccount=50) == one_by_one


def test_a_writer_of_another_kind_gets_its_values_one_add_at_a_time():
    added = []

    class Writer:
        def add(self, docnum, value):
            added.append((docnum, value))

    write_batch(Writer(), [(0, "a"), (3, "b")])
    assert added == [(0, "a"), (3, "b")]


def test_a_column_write_failing_stops_the_run_and_leaves_the_last_index(tmp_path, monkeypatch):
    """A write of a batch of column values that fails (a full disk) is not one article's
    failure to report and pass over: the segment would lack the values of the whole batch.
    The run stops with a clear error; the committed index is the one before it."""
    import errno

    from newsindex.engine.whoosh import segment_files
    from newsindex.engine.whoosh.store import current_generation
    from newsindex.index import IndexProblem, build_index
    from newsindex.query import SearchOptions, search

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        (corpus / f"{n}.txt").write_text(f"Harbour report {n}\n\nPilots guided vessel{n} past the breakwater.\n")
    index_dir = tmp_path / "ix"
    build_index([corpus], index_dir, workers=1)
    before = current_generation(index_dir)
    (corpus / "3.txt").write_text("Harbour report 3\n\nPilots guided vessel3 past the breakwater.\n")

    failures = [OSError(errno.ENOSPC, "No space left on device")]  # once: the disk has room again after

    def full_disk_once(writer, pairs):
        if failures:
            raise failures.pop()
        write_batch(writer, pairs)

    monkeypatch.setattr(segment_files, "write_batch", full_disk_once)
    monkeypatch.setattr(segment_files, "BATCH_VALUES", 1)  # the first value written fails
    with pytest.raises(IndexProblem, match=r"cannot write the index.*No space left on device"):
        build_index([corpus], index_dir, workers=1)
    assert current_generation(index_dir) == before
    assert search("pilots", index_dir, SearchOptions(limit=10)).total == 3
