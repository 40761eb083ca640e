"""Stored fields compressed with Zstandard (``stored_codec``): written by the segment builder,
read back alike by Whoosh's reader and the direct reader, copied as they are by merges."""

from __future__ import annotations

import threading

from whoosh.filedb.filestore import FileStorage

from newsindex.engine.whoosh import stored_codec
from newsindex.engine.whoosh.direct.reader import open_generation
from newsindex.engine.whoosh.location import current_generation
from newsindex.engine.whoosh.store import INDEX_NAME

from .conftest import index_articles

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


_WORDS = ["wheat", "maize", "barley", "rice", "soy", "canola", "cotton", "sugar", "cocoa", "coffee", "tea", "rubber"]


def _article(number: int) -> str:
    """Twelve stories with words in different orders, so none is a near-duplicate of another."""
    words = _WORDS[number:] + _WORDS[:number]
    sentences = " ".join(
        f"{first.title()} and {second} prices moved on grain and oilseed exports."
        for first, second in zip(words, reversed(words), strict=True)
    )
    return f"Title {number}\n\n{sentences}\n"


def test_round_trip_and_one_context_per_thread():
    text = ("Wheat exports rose " * 200).encode()
    packed = stored_codec.compress(text)
    assert packed.startswith(_ZSTD_MAGIC) and len(packed) < len(text) // 10
    assert stored_codec.decompress(packed) == text
    seen = []

    def work() -> None:
        seen.append(stored_codec.decompress(stored_codec.compress(text)) == text)
        seen.append(stored_codec._contexts.compressor)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen[0] and seen[2] and seen[1] is not seen[3] is not stored_codec._contexts.compressor


def test_stored_fields_read_alike_by_whoosh_and_the_direct_reader(tmp_path):
    index_dir = index_articles(tmp_path, {f"a{number:02d}.txt": _article(number) for number in range(12)})
    generation = current_generation(index_dir)
    (column,) = generation.glob("*._stored.col")
    assert column.read_bytes().startswith(_ZSTD_MAGIC)  # the first document's frame
    ix = FileStorage(str(generation)).open_index(INDEX_NAME)
    direct = open_generation(index_dir)
    with ix.searcher() as searcher:
        whoosh_fields = [searcher.stored_fields(docnum) for docnum in range(searcher.doc_count_all())]
    direct_fields = [direct.stored_fields(docnum) for docnum in range(direct.doc_count_all)]
    assert whoosh_fields == direct_fields
    assert sorted(fields["title"] for fields in direct_fields) == sorted(f"Title {n}" for n in range(12))
    assert all("grain and oilseed" in fields["body"] for fields in direct_fields)
