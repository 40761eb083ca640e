"""Feedback on an index with deleted articles.

Whoosh counts a deleted article in a word's document frequency until its
segment is merged away, while the word's postings skip it: a word whose
every title posting is deleted has a title frequency and no title postings.
Feedback re-scores the first ranking with the words its best articles are
about, so when it added such a word it reached an empty posting list, and
the relaxed search failed with "IndexError: list index out of range" (seen
on Reuters folders after removing files).
"""

import random

from newsindex.engine.whoosh import feedback
from newsindex.engine.whoosh.analysis import index_terms
from newsindex.index import build_index
from newsindex.query import SearchOptions, search

WORDS = ["crude", "oil", "prices", "opec", "output", "barrels", "refinery", "tanker", "exports", "shipping"]
FILLER = ["council", "budget", "school", "election", "minister", "railway", "football", "museum", "hospital", "bridge"]
PLACE = "rotterdam"


def _write_story(path, rng: random.Random, serial: int, place_in_title: bool) -> None:
    """A story naming ``PLACE`` in its title (the ones deleted) or in its body (the ones kept)."""
    title = " ".join(rng.sample(WORDS, 3)).capitalize() + f" report {serial}"
    sentences = [" ".join(rng.choices(WORDS, k=4) + rng.choices(FILLER, k=6)).capitalize() for _ in range(3)]
    if place_in_title:
        title = f"{PLACE.capitalize()} {title}"
    else:
        sentences = [f"{sentence} in {PLACE}" for sentence in sentences]
    path.write_text(f"{title}\n\n{'. '.join(sentences)}.\n", encoding="utf-8")


def test_feedback_word_with_only_deleted_title_postings(tmp_path, monkeypatch):
    rng = random.Random(5)
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    archive.mkdir()
    for serial in range(20):
        _write_story(archive / f"{serial:03}.txt", rng, serial, place_in_title=serial % 2 == 0)
    build_index([archive], index_dir)
    deleted = [archive / f"{serial:03}.txt" for serial in range(0, 20, 2)]
    for path in deleted:
        path.unlink()
    build_index([archive], index_dir)

    positions, _count = index_terms(PLACE)
    (place_term,) = positions
    monkeypatch.setattr(feedback, "relevance_model", lambda searcher, top, typed=(): {place_term: 0.2})
    options = SearchOptions(match="any", limit=20, duplicates=True)
    result = search("tanker exports", index_dir, options)

    assert result.hits
    assert not {str(path) for path in deleted} & {hit.path for hit in result.hits}
    # Feedback re-orders the same articles; it never adds or drops one.
    plain = search("tanker exports", index_dir, SearchOptions(match="any", limit=20, duplicates=True, feedback=False))
    assert {hit.path for hit in result.hits} == {hit.path for hit in plain.hits}
