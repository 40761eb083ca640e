"""The content hash and duplicate key an index stores for each article are fixed functions of it."""

from __future__ import annotations

from newsindex.ingest import content_hash
from newsindex.models import Draft


def _draft(title: str) -> Draft:
    return Draft(id="a", path="a", title=title)


def test_the_content_hash_indexes_already_store_does_not_change():
    """``show`` prints it and the Solr engine clusters copies by it, so an index built before a
    change and the runs after it must agree.  The value was computed by the code before the
    hash was taken in one call (each part and a NUL fed to the hash in turn): non-ASCII text, a
    lone surrogate (``surrogatepass``) and an empty paragraph included."""
    body = ["First paragraph.", "Zweiter Absatz — mit Umlauten: äöü.", "lone surrogate \udc80 kept", ""]
    assert content_hash(_draft("Ünïcode title – with dash"), body) == "d9137dd49b97134bb112fe2b2a679c80"


def test_the_content_hash_tells_apart_where_paragraphs_break():
    title = _draft("T")
    assert content_hash(title, ["ab", "c"]) != content_hash(title, ["a", "bc"])
    assert content_hash(title, ["abc"]) != content_hash(title, ["abc", ""])


def test_the_duplicate_key_every_manifest_holds_does_not_change():
    """A manifest's duplicate keys decide which files a run finds unchanged; the values were
    computed by the code before both hashes went through ``digests.parts_digest``."""
    from datetime import datetime, timezone

    from newsindex.index.manifest import dup_key

    draft = Draft(
        id="a",
        path="p/a",
        title="Ünïcode title",
        authors=["Ann Lee", "Bo \udc80"],
        published=datetime(2019, 3, 23, 12, 30, tzinfo=timezone.utc),
        section="World Media",
        source="wire.example",
        url="https://wire.example/a",
        paragraphs=["One.", "Zwei — äöü.", ""],
    )
    assert dup_key(draft) == "00d51b8468695ed602b7438d52161088"
    assert dup_key(Draft(id="b", path="b")) == "e14ee72e61d0284f72b22a56a2be94c8"
