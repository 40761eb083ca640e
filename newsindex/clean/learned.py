"""Learned boilerplate: lines and sentences that recur across many documents of one source are that
source's template.
"""

from __future__ import annotations

import hashlib
import math
import string
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Protocol

from .paragraphs import _SENTENCE_BREAK_RE, _collapse_spaces, split_sentences

#: Lengths (characters) of texts that may be learned: shorter ones say too little,
#: longer ones are stories, never templates.  Sentences must be longer than lines
#: to count, since short sentences ("He declined to comment.") recur naturally.
LEARN_MIN_LINE_CHARS = 20
LEARN_MIN_SENTENCE_CHARS = 30
LEARN_MAX_CHARS = 600
#: Up to this length a text is "short"; longer texts need a larger share of documents.
LEARN_SHORT_CHARS = 200
#: A text is a template of a source once it appears in at least LEARN_MIN_DOCUMENTS of
#: the source's documents and in at least this share of them (short / longer texts).
LEARN_MIN_DOCUMENTS = 3
LEARN_SHORT_SHARE = 0.1
LEARN_LONG_SHARE = 0.25
#: Sources with fewer documents than this learn nothing yet (too little evidence).
LEARN_MIN_SOURCE_DOCUMENTS = 5
#: Memory bounds: hashes kept per source and over all sources; when full, the rarest go.
LEARN_MAX_ENTRIES = 5000
LEARN_MAX_TOTAL_ENTRIES = 200_000


_PUNCTUATION_TO_SPACE = str.maketrans(dict.fromkeys(string.punctuation + "“”‘’«»„‚–—…•·|¦©®™", " "))
#: The same for ASCII text, as a table for ``bytes.translate`` (much quicker) that lower-cases it
#: too; it also turns the separators ``str.split`` splits at and ``bytes.split`` does not
#: (0x1C-0x1F) into spaces.
_ASCII_FOLD = bytes(
    32 if chr(code) in string.punctuation or 0x1C <= code <= 0x1F else bytes([code]).lower()[0] for code in range(256)
)


def _template_key(text: str) -> bytes:
    """Case and punctuation folded away, digits kept: "Net 4.1 mln" lines of different
    reports must not look like one template.  UTF-8, as it is hashed: ASCII text (most
    text) is folded as bytes and never decoded."""
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_FOLD).split())
    return " ".join(text.lower().translate(_PUNCTUATION_TO_SPACE).split()).encode("utf-8", "surrogatepass")


def _line_unit(paragraph: str) -> str | None:
    """The key of a whole paragraph: a kind letter ("l" short, "L" longer) and a 64-bit hash."""
    if LEARN_MIN_LINE_CHARS <= len(paragraph) <= LEARN_MAX_CHARS:
        folded = _template_key(paragraph)
        if folded:
            return ("l" if len(paragraph) <= LEARN_SHORT_CHARS else "L") + _hash(folded)
    return None


def _learn_units(paragraph: str) -> list[str]:
    """Keys for a paragraph: the whole line and, when it has several, each sentence ("s").

    The kind letter lets the threshold depend on what the text is.
    """
    line = _line_unit(paragraph)
    keys: list[str] = [line] if line else []
    if len(paragraph) >= 2 * LEARN_MIN_SENTENCE_CHARS and _SENTENCE_BREAK_RE.search(paragraph):
        for sentence in split_sentences(paragraph):
            if LEARN_MIN_SENTENCE_CHARS <= len(sentence) <= LEARN_MAX_CHARS:
                folded = _template_key(sentence)
                if folded:
                    keys.append("s" + _hash(folded))
    return keys


def _document_units(paragraphs: Iterable[str]) -> set[str]:
    units: set[str] = set()
    for paragraph in paragraphs:
        units.update(_learn_units(_collapse_spaces(paragraph)))
    return units


def _hash(folded: bytes) -> str:
    return hashlib.blake2b(folded, digest_size=8).hexdigest()


class LearnedBoilerplate:
    """Per-source counts of recurring lines and sentences, learned from the corpus.

    For each source it keeps the number of documents seen and, for each
    learnable text (see ``_learn_units``), in how many documents it appeared.
    Only 64-bit hashes are stored, at most ``LEARN_MAX_ENTRIES`` per source and
    ``LEARN_MAX_TOTAL_ENTRIES`` in all, so memory and the JSON stay bounded.
    A text is a template of its source once ``threshold`` documents contain it.
    """

    def __init__(self) -> None:
        self.documents: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self._total = 0
        #: source -> (template keys, whether any is a sentence); dropped when the source changes.
        self._templates: dict[str, tuple[frozenset[str], bool]] = {}

    @staticmethod
    def _source_key(source: str | None) -> str:
        return (source or "").strip().lower()

    def observe(self, source: str | None, paragraphs: Sequence[str]) -> None:
        """Count one document's texts, each at most once."""
        self.observe_keys(source, _document_units(paragraphs))

    def observe_keys(self, source: str | None, keys: Iterable[str]) -> None:
        """``observe`` for a document known by its ``document_keys`` (computed elsewhere,
        by the indexer's worker processes)."""
        key = self._source_key(source)
        self.documents[key] = self.documents.get(key, 0) + 1
        counts = self.counts.setdefault(key, {})
        before = len(counts)
        for unit in set(keys):
            counts[unit] = counts.get(unit, 0) + 1
        self._total += len(counts) - before
        if len(counts) > LEARN_MAX_ENTRIES:
            self._keep_commonest(counts, LEARN_MAX_ENTRIES * 3 // 4)
        if self._total > LEARN_MAX_TOTAL_ENTRIES:
            for source_counts in self.counts.values():
                self._keep_commonest(source_counts, len(source_counts) * 3 // 4)
        self._templates.pop(key, None)

    def forget(self, source: str | None, paragraphs: Sequence[str]) -> None:
        """Undo ``observe`` for a document that was removed or replaced."""
        self.forget_keys(source, _document_units(paragraphs))

    @staticmethod
    def document_keys(paragraphs: Sequence[str]) -> list[str]:
        """The hashes ``observe`` counts for a document: small enough to keep per document,
        so that ``forget_keys`` can undo it after the file itself has changed."""
        return sorted(_document_units(paragraphs))

    def forget_keys(self, source: str | None, keys: Iterable[str]) -> None:
        """``forget`` for a document known by its ``document_keys``."""
        key = self._source_key(source)
        if key not in self.documents:
            return
        self.documents[key] -= 1
        counts = self.counts.get(key, {})
        for unit in set(keys):
            left = counts.get(unit, 0) - 1
            if left > 0:
                counts[unit] = left
            elif unit in counts:
                del counts[unit]
                self._total -= 1
        if self.documents[key] <= 0:
            del self.documents[key]
            self._total -= len(self.counts.pop(key, {}))
        self._templates.pop(key, None)

    def _keep_commonest(self, counts: dict[str, int], target: int) -> None:
        """Drop the rarest entries so that ``target`` are left: templates are the common ones."""
        if len(counts) <= target:
            return
        # What ``heapq.nlargest`` keeps (ties in insertion order), five times as fast when most
        # entries stay: a sort in C instead of a heap in Python.  The rest are deleted, the kept
        # left in place (refilling the dictionary took twice the sort).
        for key, _count in sorted(counts.items(), key=itemgetter(1), reverse=True)[target:]:
            del counts[key]
        self._total = sum(len(c) for c in self.counts.values())

    def threshold(self, source: str | None, kind: str = "l") -> int:
        """Documents a text of this kind ("l", "L", "s") must appear in to be the source's template."""
        seen = self.documents.get(self._source_key(source), 0)
        share = LEARN_LONG_SHARE if kind == "L" else LEARN_SHORT_SHARE
        return max(LEARN_MIN_DOCUMENTS, math.ceil(share * seen))

    def templates(self, source: str | None) -> tuple[frozenset[str], bool]:
        """(keys that are this source's template now, whether any of them is a sentence)."""
        key = self._source_key(source)
        cached = self._templates.get(key)
        if cached is not None:
            return cached
        found: frozenset[str] = frozenset()
        if self.documents.get(key, 0) >= LEARN_MIN_SOURCE_DOCUMENTS:
            needed = {kind: self.threshold(source, kind) for kind in "lLs"}
            found = frozenset(unit for unit, n in self.counts.get(key, {}).items() if n >= needed.get(unit[0], n + 1))
        result = (found, any(unit[0] == "s" for unit in found))
        self._templates[key] = result
        return result

    def to_dict(self) -> dict:
        """A JSON-ready snapshot (hashes and counts only)."""
        return {
            "version": 1,
            "documents": dict(self.documents),
            "counts": {source: dict(counts) for source, counts in self.counts.items()},
        }

    def templates_of(self, sources: Iterable[str | None]) -> SourceTemplates:
        """The templates of ``sources`` as they stand now, without the counts: all a cleaner
        reads, so what the indexer sends a worker with each batch (Reuters' two sources'
        counts, 4,000-9,000 entries, took 1-4 ms a batch to pickle, send and rebuild; their
        templates are a few keys)."""
        return SourceTemplates({self._source_key(source): self.templates(source) for source in sources})

    @classmethod
    def from_dict(cls, data: dict) -> LearnedBoilerplate:
        """Rebuild from ``to_dict`` output; anything unrecognised gives an empty model."""
        learned = cls()
        if not isinstance(data, dict) or data.get("version") != 1:
            return learned
        try:
            learned.documents = {str(k): int(v) for k, v in (data.get("documents") or {}).items()}
            learned.counts = {
                str(source): {str(k): int(v) for k, v in entries.items()}
                for source, entries in (data.get("counts") or {}).items()
            }
        except (AttributeError, TypeError, ValueError):
            return cls()
        learned._total = sum(len(c) for c in learned.counts.values())
        return learned


class KnowsTemplates(Protocol):
    """What cleaning reads of learned boilerplate: a ``LearnedBoilerplate``, or the
    ``SourceTemplates`` a worker is sent."""

    def templates(self, source: str | None) -> tuple[frozenset[str], bool]: ...


class SourceTemplates:
    """Some sources' templates at one moment (``LearnedBoilerplate.templates_of``): what a
    cleaner asks a ``LearnedBoilerplate`` for, and all it asks.  A source not among them
    has none."""

    def __init__(self, by_source: dict[str, tuple[frozenset[str], bool]]) -> None:
        self.by_source = by_source

    def templates(self, source: str | None) -> tuple[frozenset[str], bool]:
        """(keys that are this source's template, whether any of them is a sentence)."""
        return self.by_source.get(LearnedBoilerplate._source_key(source), _NO_TEMPLATES)


_NO_TEMPLATES: tuple[frozenset[str], bool] = (frozenset(), False)
