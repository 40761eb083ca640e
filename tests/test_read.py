import bz2
import gzip
import json

import pytest

from newsindex.read import ReadError, classify, decode, discover, read_documents

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


def test_missing_path_is_an_error():
    with pytest.raises(ReadError, match="no such file"):
        list(discover(["/nonexistent/newsindex"]))


def test_empty_file_reads_as_empty_text(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    [doc] = documents(path)
    assert doc.text == ""
