import bz2
import gzip
import json
import os
import random

import pytest

from newsindex.ingest import IngestOptions, drafts_from_file
from newsindex.models import Draft, Skipped
from newsindex.read import JsonStream, ReadError, classify, decode, discover, read_bytes, read_documents
from newsindex.read import records as read_module

ARTICLE = "Published: 2021-05-04\n\nCafé owners protest\n\nThe café owners said “no” to the plan.\n"


def documents(path):
    found = classify(path)
    assert found is not None
    return list(read_documents(found))


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_text_encodings_are_detected(tmp_path, encoding, prefix):
    path = tmp_path / "a.txt"
    path.write_bytes(prefix + ARTICLE.encode(encoding))
    [doc] = documents(path)
    assert doc.text.lstrip("\ufeff") == ARTICLE


def test_latin1_bytes_undefined_in_cp1252_still_decode():
    text, encoding = decode("caf\xe9 \x81".encode("latin-1"))
    assert text == "caf\xe9 \x81"
    assert encoding == "latin-1"


def test_html_meta_charset_is_honoured():
    page = '<html><head><meta charset="windows-1252"></head><body>“quoted”</body></html>'
    text, encoding = decode(page.encode("cp1252"), html=True)
    assert "“quoted”" in text
    assert encoding == "cp1252"


def test_binary_file_with_text_name_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ReadError, match="binary"):
        documents(path)


def test_compressed_files_are_read_transparently(tmp_path):
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    (tmp_path / "b.txt.bz2").write_bytes(bz2.compress(ARTICLE.encode()))
    texts = [doc.text for found in discover([tmp_path]) for doc in read_documents(found)]
    assert texts == [ARTICLE, ARTICLE]


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300_000, 1024 * 1024])
def test_plain_files_are_read_whole_up_to_the_cap_and_refused_over_it(tmp_path, size):
    data = random.Random(size).randbytes(size)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    found = classify(path)
    assert read_bytes(found, max_bytes=1024 * 1024) == data
    assert read_bytes(found, max_bytes=size) == data
    if size:
        with pytest.raises(ReadError, match="is over"):
            read_bytes(found, max_bytes=size - 1)


def test_unreadable_plain_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="file vanished"):
        read_bytes(classify(tmp_path / "gone.txt"))


def test_decompression_bomb_is_capped(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * (3 * 1024 * 1024)))
    found = classify(path)
    with pytest.raises(ReadError, match="expands to over"):
        list(read_documents(found, max_bytes=1024 * 1024))


def test_jsonl_bad_line_is_reported_and_the_rest_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"title": "One"}\n{broken\n\n["not", "an object"]\n{"title": "Four"}\n', encoding="utf-8")
    docs = documents(path)
    assert [(d.kind, d.record_no) for d in docs] == [("record", 1), ("error", 2), ("error", 4), ("record", 5)]
    assert "line 2" in docs[1].text
    assert docs[3].record == {"title": "Four"}
    assert docs[3].id == f"{path}#5"


def test_json_array_wrapper_and_csv_records(tmp_path):
    wrapped = tmp_path / "api.json"
    wrapped.write_text(json.dumps({"response": {"results": [{"webTitle": "A"}, {"webTitle": "B"}]}}), encoding="utf-8")
    assert [d.record["webTitle"] for d in documents(wrapped)] == ["A", "B"]
    table = tmp_path / "export.csv"
    table.write_text('title,body\n"Port reopens","Ships moved, finally."\n', encoding="utf-8")
    [row] = documents(table)
    assert row.record == {"title": "Port reopens", "body": "Ships moved, finally."}


def test_invalid_json_file_is_a_read_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(ReadError, match="invalid JSON"):
        documents(path)


def test_discover_skips_hidden_links_and_unknown_types(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "loop").symlink_to(tmp_path)
    ignored = []
    found = list(discover([tmp_path], on_ignored=lambda p, r: ignored.append((p, r))))
    assert [f.path.name for f in found] == ["a.txt"]
    reasons = dict(ignored)
    assert "not an article file type" in reasons[str(tmp_path / "photo.jpg")]
    assert "symbolic link" in reasons[str(tmp_path / "loop")]


def test_following_links_visits_a_loop_once(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path)
    found = list(discover([tmp_path], follow_links=True))
    assert [f.path.name for f in found] == ["a.txt"]


def test_discover_walks_depth_first_in_name_order_and_classifies_by_the_last_suffixes(tmp_path):
    # The walk is one loop over a stack of listings: a folder's files after a
    # subfolder must still come after everything inside it.
    for name in ("b/z.txt", "b/c/y.HTML", "b/c/d/x.json", "b/e.txt.GZ", "a.md", "c.txt", "b/notes.pdf", "b/f.gz"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    ignored = []
    found = list(discover([tmp_path], on_ignored=lambda p, r: ignored.append(os.path.basename(p))))
    walked = [os.path.relpath(f.path, tmp_path) for f in found]
    assert walked == ["a.md", "b/c/d/x.json", "b/c/y.HTML", "b/e.txt.GZ", "b/z.txt", "c.txt"]
    assert [(f.kind, f.compression) for f in found] == [
        ("text", None),
        ("records", None),
        ("html", None),
        ("text", ".gz"),
        ("text", None),
        ("text", None),
    ]
    assert sorted(ignored) == ["f.gz", "notes.pdf"]


def test_missing_path_is_an_error():
    with pytest.raises(ReadError, match="no such file"):
        list(discover(["/nonexistent/newsindex"]))


def test_empty_file_reads_as_empty_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    [doc] = documents(path)
    assert doc.text == ""


# --- JSON files, streamed ----------------------------------------------------------------


def _tricky_records(count: int) -> list:
    rng = random.Random(5)
    records = []
    for n in range(count):
        records.append(
            {
                "title": f'Quay "notes" {n} — café ☕ \\ end',
                "body": "\n".join(
                    rng.choice(["Tide rose.", "Line\tbreak", "ünïcode 東京", "\u2028"]) for _ in range(5)
                ),
                "nested": {"list": [1, 2.5, None, True, {"deep": [n]}], "empty": {}},
                "count": n * 1000,  # a number can end where a chunk of text does
            }
        )
    return records


def _chunks(text: str, rng: random.Random) -> list[str]:
    pieces, start = [], 0
    while start < len(text):
        size = rng.choice([1, 2, 3, 7, 50, 400])
        pieces.append(text[start : start + size])
        start += size
    return pieces


@pytest.mark.parametrize("indent", [None, 2])
def test_json_array_streamed_in_any_chunks_equals_a_whole_parse(monkeypatch, indent):
    monkeypatch.setattr(read_module, "JSON_CHUNK_CHARS", 16)  # refills read little more than asked
    records = [*_tricky_records(60), 42, "a string", [1, 2]]
    text = json.dumps(records, ensure_ascii=False, indent=indent)
    rng = random.Random(indent or 0)
    for _ in range(5):
        streamed = list(JsonStream(_chunks(text, rng)).records())
        assert streamed == list(enumerate(json.loads(text), 1))


def test_api_wrapper_is_streamed_and_its_other_members_ignored():
    results = _tricky_records(20)
    wrapper = {"status": "ok", "response": {"total": 20, "pages": [1], "results": results, "after": {"x": 1}}}
    text = json.dumps(wrapper, indent=1)
    assert list(JsonStream(_chunks(text, random.Random(1))).records()) == list(enumerate(results, 1))
    # A lone article (no list of records under a wrapper key) is one record, whole.
    single = {"title": "One", "data": {"score": 3}, "items": [], "results": ["tag"], "body": "Text."}
    assert list(JsonStream([json.dumps(single)]).records()) == [(1, single)]


def test_json_file_records_numbered_and_non_objects_reported(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('[{"title": "One"},\n 7,\n {"title": "Three"}]\n', encoding="utf-8")
    docs = documents(path)
    assert [(d.kind, d.record_no) for d in docs] == [("record", 1), ("error", 2), ("record", 3)]
    assert docs[1].text == "record 2: not a JSON object"
    assert docs[2].id == f"{path}#3"


def test_truncated_json_array_keeps_the_records_before_the_cut(tmp_path):
    path = tmp_path / "cut.json.gz"
    records = [{"title": f"Report {n}", "body": f"Harbour note {n}."} for n in range(1, 6)]
    text = json.dumps(records, indent=2)
    path.write_bytes(gzip.compress(text[: text.index('"Report 5"') + 5].encode()))
    items = list(drafts_from_file(classify(path), IngestOptions()))
    assert [item.title for item in items if isinstance(item, Draft)] == [f"Report {n}" for n in range(1, 5)]
    [failure] = [item for item in items if isinstance(item, Skipped)]
    assert failure.path == str(path)
    assert failure.reason == "invalid JSON at line 19 (record 5): Unterminated string"


def test_json_syntax_error_names_its_line_and_stops_there(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n{"title": "One"},\n{"title": "Two"}\n{"title": "Three"}]', encoding="utf-8")
    stream = read_documents(classify(path))
    assert [d.record["title"] for d in (next(stream), next(stream))] == ["One", "Two"]
    with pytest.raises(ReadError, match=r"^invalid JSON at line 4: expecting ',' or '\]' after record 2$"):
        next(stream)


def test_json_files_in_other_encodings_stream(tmp_path):
    record = {"title": "Café “owners” protest", "body": "Straße"}
    for encoding, name in (("utf-16", "u16.json"), ("cp1252", "win.json"), ("utf-8-sig", "bom.json")):
        (tmp_path / name).write_bytes(json.dumps([record], ensure_ascii=False).encode(encoding))
        assert [d.record for d in documents(tmp_path / name)] == [record], encoding
