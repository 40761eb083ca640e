"""Stage 3, clean: remove scraped boilerplate from a Draft's paragraphs.

Three layers, and every removal names the rule that made it:

1. Rules as data (``data/boilerplate.txt`` plus users' files in the same
   format): whole lines ("Like this:", "Advertisement", image credits), lines
   containing a tell-tale phrase (cookie notices, copyright footers), and
   single sentences inside real paragraphs ("Please refresh the page ...").
2. Structure: repeats of the title, runs of share/follow items, lists of
   links, paragraphs repeated within the article and, for a whole page dumped
   as text, everything outside the main article region.  The region is found
   the way jusText-style classifiers do it: each paragraph is scored by length,
   sentence punctuation and function-word density (prose is full of "the",
   "of", "and"; menus are not), then the best-scoring run of paragraphs wins,
   short lines inside it (subheadings, short quotes) included.
3. Learned: lines and sentences that recur across many documents of one
   source are that source's template (``LearnedBoilerplate``).

The stage never prints and never raises on odd text.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path

from .models import Draft, Removal

# --- rules as data -----------------------------------------------------------------------------------------------

RULE_SECTIONS = ("line", "contains", "sentence", "heading", "share")
_DISABLED = "-"
#: Longest paragraph (characters) tested against [line] / [contains] / [heading] rules:
#: boilerplate lines are short, and the cap keeps long prose cheap to clean.
LINE_RULE_MAX_CHARS = 300
CONTAINS_RULE_MAX_CHARS = 400
HEADING_RULE_MAX_CHARS = 120
#: A paragraph left with fewer words than this after its notices were cut goes entirely.
MIN_LEFTOVER_WORDS = 5


@dataclass(frozen=True)
class _RuleSet:
    """The named patterns of one section, plus all of them in one regex for a quick "any match?"."""

    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    combined: re.Pattern[str] | None
    #: The same alternation with each rule in a named group ("r0", "r1"...), run only after a
    #: hit: the rule's group closes after any group inside it, so ``lastgroup`` names it.
    identify: re.Pattern[str] | None = None

    def full(self, text: str, lowered: str) -> str | None:
        """The name of the first rule matching all of ``text`` (``lowered`` is ``text.lower()``), or None."""
        if self.combined is None or self.combined.fullmatch(lowered) is None:
            return None
        match = self.identify.fullmatch(text) if self.identify is not None else None
        group = match.lastgroup if match is not None else None
        if group and group.startswith("r") and group[1:].isdigit():
            return self.names[int(group[1:])]
        return next((n for n, p in zip(self.names, self.patterns, strict=True) if p.fullmatch(text)), None)


@dataclass(frozen=True)
class _PhraseSet:
    """Plain phrases found anywhere in a line, looked up through their longest word.

    Testing a few dozen regular expressions against every paragraph is the
    slowest thing a cleaner can do; a dictionary lookup per word is not.
    """

    by_word: dict[str, tuple[tuple[str, str], ...]]
    wordless: tuple[tuple[str, str], ...]
    keys: frozenset[str] = frozenset()

    def anywhere(self, lowered: str) -> str | None:
        """The name of the first rule with a phrase inside ``lowered`` (lower-cased text), or None."""
        for phrase, name in self.wordless:
            if phrase in lowered:
                return name
        for word in self.keys.intersection(lowered.split()):
            for phrase, name in self.by_word[word]:
                if phrase in lowered:
                    return name
        return None


def _phrase_key(phrase: str) -> str | None:
    """The word a phrase is looked up by: its longest word but the last, since ``split()``
    leaves punctuation on words ("reserved.") and the last word of a phrase is where it sits."""
    words = phrase.split()
    candidates = [w for w in words[:-1] if w.isalnum()]
    return max(candidates, key=len) if candidates else None  # None: checked as a plain substring


def _compile_phrases(entries: dict[str, str]) -> _PhraseSet:
    by_word: dict[str, list[tuple[str, str]]] = {}
    wordless: list[tuple[str, str]] = []
    for name, spec in entries.items():
        if spec == _DISABLED:
            continue
        for phrase in (_SPACE_RE.sub(" ", p).strip().lower() for p in spec.split("|")):
            if not phrase:
                continue
            key = _phrase_key(phrase)
            if key is None:
                wordless.append((phrase, name))
            else:
                by_word.setdefault(key, []).append((phrase, name))
    return _PhraseSet({w: tuple(v) for w, v in by_word.items()}, tuple(wordless), frozenset(by_word))


def _lower_case_branch(pattern: str) -> str:
    letters = re.sub(r"\\.", "", pattern)  # escapes such as \S or \W are not letters to match
    return f"(?i:{pattern})" if any(ch.isupper() for ch in letters) else f"(?:{pattern})"


def _compile_section(entries: dict[str, str], section: str) -> _RuleSet:
    names: list[str] = []
    patterns: list[re.Pattern[str]] = []
    for name, pattern in entries.items():
        if pattern == _DISABLED:
            continue
        try:
            patterns.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"[{section}] rule {name!r}: bad pattern: {exc}") from None
        names.append(name)
    # The combined pattern runs on lower-cased text without IGNORECASE, which is much
    # faster; a rule spelling an upper-case letter keeps its own (?i:...) scope.
    combined = identify = None
    if patterns:
        combined = re.compile("|".join(_lower_case_branch(p.pattern) for p in patterns))
        identify = re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, p in enumerate(patterns)), re.IGNORECASE)
    return _RuleSet(tuple(names), tuple(patterns), combined, identify)


@dataclass(frozen=True)
class Rules:
    """Compiled boilerplate rules; ``data/boilerplate.txt`` documents the format."""

    line: _RuleSet
    contains: _PhraseSet
    sentence: _RuleSet
    heading: _RuleSet
    share: _RuleSet
    #: The sentence rules where a sentence may start inside a paragraph (after ". " etc.).
    sentence_inside: re.Pattern[str] | None = field(default=None, compare=False)
    #: The sentence rules at the very start of a paragraph.
    sentence_first: re.Pattern[str] | None = field(default=None, compare=False)


def parse_rules(text: str, source: str = "<rules>") -> dict[str, dict[str, str]]:
    """Rule file text -> ``{section: {name: pattern}}``; raises ValueError on a malformed line."""
    sections: dict[str, dict[str, str]] = {name: {} for name in RULE_SECTIONS}
    current: str | None = None
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower()
            if current not in sections:
                raise ValueError(f"{source}:{number}: unknown section [{current}] (known: {', '.join(RULE_SECTIONS)})")
            continue
        name, colon, pattern = line.partition(":")
        name, pattern = name.strip(), pattern.strip()
        if current is None or not colon or not pattern or not re.fullmatch(r"[\w.\-]+", name):
            raise ValueError(f"{source}:{number}: expected 'name: pattern' inside a [section], got {line[:60]!r}")
        sections[current][name] = pattern
    return sections


@lru_cache(maxsize=1)
def _shipped_rule_text() -> str:
    return resources.files("newsindex.data").joinpath("boilerplate.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def _compiled_rules(extra: tuple[tuple[str, str], ...]) -> Rules:
    merged = parse_rules(_shipped_rule_text(), "boilerplate.txt")
    for source, text in extra:
        for section, entries in parse_rules(text, source).items():
            merged[section].update(entries)
    compiled: dict = {
        section: _compile_section(merged[section], section) for section in RULE_SECTIONS if section != "contains"
    }
    compiled["contains"] = _compile_phrases(merged["contains"])
    sentence = compiled["sentence"]
    inside = first = None
    if sentence.combined is not None:
        body = sentence.combined.pattern
        # Led by the end of the previous sentence, so the regex engine can skip ahead to
        # candidate positions quickly; the notice itself is group 1 and ends at a space or the end.
        # A notice ends a sentence: at the end of the text, after its own closing punctuation,
        # or where the next sentence starts (a capital), so "Advertisement revenue fell" stays.
        end = r"(?:$|(?<=[.!?…:;\"”’)\]])(?= )|(?-i:(?= [\"“‘(\[]?[A-Z0-9À-ÖØ-ÞА-Я])))"
        inside = re.compile(rf"[.!?…\"”’)\]] ((?:{body})){end}", re.IGNORECASE)
        first = re.compile(rf"(?:{body}){end}", re.IGNORECASE)
    return Rules(**compiled, sentence_inside=inside, sentence_first=first)


def load_rules(extra_files: Sequence[str | Path] = ()) -> Rules:
    """The shipped rules plus users' files in the same format (later files win on equal names).

    Compiled rules are cached by file contents, so calling this again costs a file read.
    Raises ValueError for a malformed file and OSError for an unreadable one.
    """
    extra = tuple((str(path), Path(path).read_text(encoding="utf-8")) for path in extra_files)
    return _compiled_rules(extra)


# --- text helpers --------------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"\w+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*(?= |$)|[。！？]")
#: Spaces after a sentence's end (``.!?``, perhaps then a closing quote or bracket) and
#: before more text.  Written to start with the space, which the regex engine scans
#: for quickly, and to check the end behind it: the same splits as lookbehinds first,
#: four times faster.
_SENTENCE_SPLIT_RE = re.compile(r" (?:(?<=[.!?。！？] )|(?<=[.!?。！？][\"'”’»)\]] )) *(?=\S)")
#: Whether ``_SENTENCE_SPLIT_RE`` would split a text at all (a quicker search).
_SENTENCE_BREAK_RE = re.compile(r"[.!?。！？][\"'”’»)\]]? +\S")
_DIGITS_RE = re.compile(r"\d+")
_SPACE_RE = re.compile(r"\s+")
_TERMINAL_PUNCTUATION = tuple('.!?…。！？"”’»)')


def _normalise(text: str) -> str:
    """Whitespace collapsed to single spaces: the form every rule is matched against."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\xa0" in text:
        return _SPACE_RE.sub(" ", text).strip()
    return text.strip()


def _fold(text: str) -> str:
    """Case, digits and punctuation folded away: the same for "12 Comments" and "3 comments"."""
    return " ".join(_WORD_RE.findall(_DIGITS_RE.sub("0", text.lower())))


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, split after ``.!?`` and a space: good enough to spot notices."""
    return _SENTENCE_SPLIT_RE.split(text)


# --- function words ------------------------------------------------------------------------------------------------

#: Below this share of function words over a document's longer paragraphs, its
#: language is taken to be one without a list (CJK, say) and punctuation decides.
MIN_LANGUAGE_SHARE = 0.12


@lru_cache(maxsize=1)
def _function_words() -> tuple[tuple[str, ...], dict[str, int]]:
    """(language codes, word -> bit mask of the languages it is a function word of)."""
    text = resources.files("newsindex.data").joinpath("function_words.txt").read_text(encoding="utf-8")
    languages: list[str] = []
    masks: dict[str, int] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            languages.append(line[1:-1].strip())
            continue
        if languages:
            bit = 1 << (len(languages) - 1)
            for word in line.split():
                masks[word] = masks.get(word, 0) | bit
    return tuple(languages), masks


# --- learned boilerplate -------------------------------------------------------------------------------------------

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
#: The same for ASCII text, as a table for ``bytes.translate`` (much quicker).
_ASCII_PUNCTUATION_TO_SPACE = bytes(32 if chr(code) in string.punctuation else code for code in range(256))


def _learn_fold(text: str) -> str:
    """Case and punctuation folded away, digits kept: "Net 4.1 mln" lines of different
    reports must not look like one template."""
    lowered = text.lower()
    if lowered.isascii():
        return " ".join(lowered.encode("ascii").translate(_ASCII_PUNCTUATION_TO_SPACE).decode("ascii").split())
    return " ".join(lowered.translate(_PUNCTUATION_TO_SPACE).split())


def _line_unit(paragraph: str) -> str | None:
    """The key of a whole paragraph: a kind letter ("l" short, "L" longer) and a 64-bit hash."""
    if LEARN_MIN_LINE_CHARS <= len(paragraph) <= LEARN_MAX_CHARS:
        folded = _learn_fold(paragraph)
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
                folded = _learn_fold(sentence)
                if folded:
                    keys.append("s" + _hash(folded))
    return keys


def _document_units(paragraphs: Iterable[str]) -> set[str]:
    units: set[str] = set()
    for paragraph in paragraphs:
        units.update(_learn_units(_normalise(paragraph)))
    return units


def _hash(folded: str) -> str:
    return hashlib.blake2b(folded.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


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
        kept = heapq.nlargest(target, counts.items(), key=itemgetter(1))
        counts.clear()
        counts.update(kept)
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


# --- paragraphs and what is known about them -------------------------------------------------------------------------


@dataclass
class _Block:
    """One candidate paragraph and what the cleaner found out about it."""

    text: str
    norm: str
    words: int = 0
    function_share: float = 0.0
    sentences: int = 0
    #: Function words spelled with a capital in mid-sentence ("Police Say Man In Custody"):
    #: the mark of a headline, so of a teaser or a link, not of article prose.
    headline_words: int = 0
    removed_by: str | None = None
    #: Pieces cut out of a paragraph that stays (sentence rules, learned sentences).
    cut: list[Removal] = field(default_factory=list)

    @property
    def kept(self) -> bool:
        return self.removed_by is None


def clean(
    draft: Draft, *, rules: Rules | None = None, learned: LearnedBoilerplate | None = None
) -> tuple[list[str], list[Removal]]:
    """(kept body paragraphs in order, removals each with the text and the rule that removed it).

    ``draft.trusted_body`` paragraphs (a structured article body) only get the
    phrase, sentence, title and learned rules: there is no page to cut away.
    """
    rules = rules or load_rules()
    blocks = [_Block(p, _normalise(p)) for p in draft.paragraphs if p and not p.isspace()]
    title = _Title(draft.title)
    for block in blocks:
        _apply_phrase_rules(block, rules, title)
    if learned is not None:
        _apply_learned(blocks, draft.source, learned)
    if not draft.trusted_body:
        _remove_share_runs(blocks, rules)
        if not draft.region_chosen and _looks_like_page(blocks):
            _measure(blocks)
            _keep_main_region(blocks)
        _remove_link_lists(blocks)
    kept: list[str] = []
    removals: list[Removal] = []
    for block in blocks:
        removals.extend(block.cut)
        if block.removed_by is None:
            kept.append(block.text)
        else:
            removals.append(Removal(block.text, block.removed_by))
    return kept, removals


# --- layer 1: phrases and sentences ----------------------------------------------------------------------------------


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", ": ", " :: ", " » ", " · ", " • ")


class _Title:
    """The draft's headline, folded, with a cheap first test for lines that might repeat it."""

    def __init__(self, title: str) -> None:
        self.folded = _fold(title) if title else ""
        words = self.folded.split()
        self.key = max(words, key=len) if words else ""

    def repeated_in(self, text: str, lowered: str) -> bool:
        """The headline again, perhaps with a section label or site name around it."""
        if not self.key or len(text) > 3 * len(self.folded) + 20 or self.key not in lowered:
            return False
        folded = _fold(text)
        if folded == self.folded:
            return True
        # "Opinion | <headline>" or "<headline> - Site" repeats it; a line that is only a
        # piece of the headline (a company name, say) does not.
        if len(folded) > len(self.folded):
            return (
                len(self.folded) >= 0.6 * len(folded)
                and f" {self.folded} " in f" {folded} "
                and any(separator in text for separator in _TITLE_SEPARATORS)
            )
        return len(folded) >= 20 and len(folded) >= 0.85 * len(self.folded) and f" {folded} " in f" {self.folded} "


def _reads_like_prose(text: str) -> bool:
    """Whole-line rules describe labels and notices; a long sentence or several are prose.

    Skipping them there keeps cleaning wire copy cheap.
    """
    if len(text) > 120 and text.endswith((".", '."', ".”", ".’", "!", "?")):
        return True
    return text.count(". ") + text.count("? ") + text.count("! ") >= 2


def _apply_phrase_rules(block: _Block, rules: Rules, title: _Title) -> None:
    """Title repeats, whole-line and contained-phrase rules, then notices inside the paragraph."""
    text = block.norm
    lowered = text.lower()
    size = len(text)
    label = size <= LINE_RULE_MAX_CHARS and not _reads_like_prose(text)
    if label:
        name = rules.line.full(text, lowered)
        if name is not None:  # before the title: "12 comments on <title>" is a comment counter
            block.removed_by = f"phrase:{name}"
            return
    if title.repeated_in(text, lowered):
        block.removed_by = "structure:repeated-title"
        return
    if label and size <= HEADING_RULE_MAX_CHARS:
        name = rules.heading.full(text, lowered)
        if name is not None:
            block.removed_by = f"heading:{name}"
            return
    # Notices inside a paragraph go first, so a paragraph is not condemned for a sentence that
    # a sentence rule can cut out; what is left may still be a notice as a whole, or too
    # little to stand alone ("Daily Planet Media." once "All rights reserved." is gone).
    _remove_sentences(block, rules)
    if not block.kept or size > CONTAINS_RULE_MAX_CHARS:
        return
    name = rules.contains.anywhere(block.norm.lower() if block.cut else lowered)
    if name is None and block.cut and block.norm.count(" ") < MIN_LEFTOVER_WORDS - 1:
        name = rules.contains.anywhere(lowered) or block.cut[0].rule.partition(":")[2]
    if name is not None:
        block.removed_by = f"phrase:{name}"
        block.text = block.norm = text
        block.cut.clear()


def _remove_sentences(block: _Block, rules: Rules) -> None:
    """Cut each sentence matching a sentence rule, leaving the rest exactly as it was."""
    if rules.sentence_inside is None or rules.sentence_first is None:
        return
    text = block.norm
    first = rules.sentence_first.match(text)
    if first is None and rules.sentence_inside.search(text) is None:
        return  # the common case, decided without building anything
    spans = [first.span()] if first is not None else []
    for match in rules.sentence_inside.finditer(text):
        spans.append(match.span(1))
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if start < position:
            continue
        notice = text[start:end]
        block.cut.append(Removal(notice, f"phrase:{_sentence_rule_name(rules, notice)}"))
        pieces.append(text[position:start])
        position = end + 1 if end < len(text) else end  # the space after the notice goes too
    pieces.append(text[position:])
    remaining = "".join(pieces).strip()
    if not _WORD_RE.search(remaining):
        block.removed_by = block.cut[0].rule
        block.cut.clear()
        return
    block.text = block.norm = remaining


def _sentence_rule_name(rules: Rules, notice: str) -> str:
    for name, pattern in zip(rules.sentence.names, rules.sentence.patterns, strict=True):
        if pattern.fullmatch(notice):
            return name
    return "sentence"


# --- layer 3: learned templates ----------------------------------------------------------------------------------


def _apply_learned(blocks: list[_Block], source: str | None, learned: LearnedBoilerplate) -> None:
    """Remove lines (and sentences) that recur across many documents of the draft's source."""
    templates, has_sentences = learned.templates(source)
    if not templates:
        return
    for block in blocks:
        if not block.kept or len(block.norm) < LEARN_MIN_LINE_CHARS:
            continue
        if _line_unit(block.norm) in templates:
            block.removed_by = "learned:source-template"
            continue
        if not has_sentences or not any(u in templates for u in _learn_units(block.norm) if u[0] == "s"):
            continue
        kept_sentences: list[str] = []
        for sentence in split_sentences(block.norm):
            folded = _learn_fold(sentence) if len(sentence) >= LEARN_MIN_SENTENCE_CHARS else ""
            if folded and "s" + _hash(folded) in templates:
                block.cut.append(Removal(sentence, "learned:source-template"))
            else:
                kept_sentences.append(sentence)
        if kept_sentences:
            block.text = block.norm = " ".join(kept_sentences)
        else:
            block.removed_by = "learned:source-template"
            block.cut = [c for c in block.cut if c.rule != "learned:source-template"]


# --- layer 2: structure ----------------------------------------------------------------------------------------------

#: Line rules whose match announces a share/like widget, so the items after it go too.
_SHARE_PROMPTS = frozenset(
    {"phrase:share-this", "phrase:like-this", "phrase:share-count", "phrase:follow-us", "phrase:tweet"}
)
_SHARE_ITEM_MAX_CHARS = 40


def _remove_share_runs(blocks: list[_Block], rules: Rules) -> None:
    """A share prompt and the network names after it ("Share this:", "Facebook", "Email")."""
    count = len(blocks)
    index = 0
    while index < count:
        block = blocks[index]
        prompt = block.removed_by in _SHARE_PROMPTS
        if not prompt and not _is_share_item(block, rules):
            index += 1
            continue
        end = index + 1
        while end < count and (_is_share_item(blocks[end], rules) or blocks[end].removed_by in _SHARE_PROMPTS):
            end += 1
        if prompt or end - index >= 2:
            for member in blocks[index:end]:
                if member.kept:
                    member.removed_by = "structure:share-run"
        index = end


def _is_share_item(block: _Block, rules: Rules) -> bool:
    if block.removed_by == "structure:share-run":
        return True
    text = block.norm
    return block.kept and len(text) <= _SHARE_ITEM_MAX_CHARS and rules.share.full(text, text.lower()) is not None


#: A link-like line: short, no sentence punctuation, not a row of figures.
LINK_MAX_WORDS = 10
LINK_LIST_MIN_RUN = 3


def _is_link_like(block: _Block) -> bool:
    text = block.norm
    if not block.kept or len(text) > 100 or text.endswith(_TERMINAL_PUNCTUATION) or text.endswith(":"):
        return False
    words = text.split()
    if not 1 <= len(words) <= LINK_MAX_WORDS:
        return False
    digits = sum(ch.isdigit() for ch in text)
    return digits * 5 < len(text)


def _remove_link_lists(blocks: list[_Block]) -> None:
    """A heading such as "Related stories" or "Read more:" and the run of short link-like lines under it.

    Runs of short lines elsewhere are left alone: inside the text they are more
    often lists or tables that belong to the article (ingredients, results),
    and on a whole page the main-region selection has already dealt with them.
    """
    count = len(blocks)
    index = 0
    while index < count:
        if not _introduces_links(blocks[index]):
            index += 1
            continue
        end = index + 1
        while end < count and (_is_link_like(blocks[end]) or (not blocks[end].kept and _is_furniture(blocks[end]))):
            end += 1
        run = [i for i in range(index + 1, end) if blocks[i].kept]
        if len(run) >= LINK_LIST_MIN_RUN or (run and end >= count):
            for i in run:
                blocks[i].removed_by = "structure:link-list"
        index = max(end, index + 1)


def _introduces_links(block: _Block) -> bool:
    """A heading rule's line, or a removed label ending in a colon ("Read more:", "See also:")."""
    rule = block.removed_by or ""
    return rule.startswith("heading:") or (rule.startswith("phrase:") and block.norm.endswith(":"))


def _is_furniture(block: _Block) -> bool:
    return (block.removed_by or "").startswith(("phrase:", "heading:", "structure:share-run"))


# --- layer 2: the main text of a whole page --------------------------------------------------------------------------

#: A page dump has many menu-like lines ("World", "Sign In", "Most Popular").
PAGE_MIN_MENU_LINES = 15
PAGE_MIN_MENU_SHARE = 0.2


def _is_menu_like(text: str) -> bool:
    """Short, no sentence punctuation, no figures, and capitalised like a label (when the script has case)."""
    if len(text) > 50 or text.endswith(_TERMINAL_PUNCTUATION) or text.endswith(("-", ":", ",")):
        return False
    if any(ch.isdigit() for ch in text):
        return False
    if text.isascii() or any(ch.isupper() for ch in text):
        return text[:1].isupper() and any(ch.islower() for ch in text)
    return any(ch.isalpha() for ch in text)  # scripts without case (CJK, Thai...)


def _looks_like_page(blocks: list[_Block]) -> bool:
    """True for a whole page dumped as text: many distinct menu-like lines around the article.

    Tables in wire copy have short lines too, but mostly with figures, in
    capitals or repeated, and no site furniture (share prompts, site links,
    copyright lines), so they do not count.
    """
    if len(blocks) < PAGE_MIN_MENU_LINES:
        return False
    menu = {b.norm for b in blocks if _is_menu_like(b.norm)}
    if len(menu) < PAGE_MIN_MENU_LINES:
        return False
    if len(menu) >= PAGE_MIN_MENU_SHARE * len(blocks):
        return True
    furniture = sum(1 for b in blocks if b.removed_by is not None and b.removed_by not in _WIRE_RULES)
    return furniture >= PAGE_MIN_FURNITURE


#: Rules that also fire on plain wire copy, so they are no sign of a web page.
_WIRE_RULES = frozenset({"phrase:wire-signoff", "phrase:end-marker", "phrase:reporting-credit"})
PAGE_MIN_FURNITURE = 2


def _measure(blocks: list[_Block]) -> None:
    """Word counts, sentence ends and function-word density in the document's main language."""
    languages, masks = _function_words()
    per_block: list[tuple[int, list[int]]] = []
    totals = [0] * len(languages)
    long_words = 0
    for block in blocks:
        words = _WORD_RE.findall(block.norm.lower())
        hits = [masks.get(word, 0) for word in words]
        per_block.append((len(words), hits))
        if len(words) >= 8:
            long_words += len(words)
            for mask in hits:
                while mask:
                    low = mask & -mask
                    totals[low.bit_length() - 1] += 1
                    mask ^= low
    best = max(range(len(languages)), key=totals.__getitem__) if languages else 0
    bit = 1 << best
    # Prose in a listed language is 30-50% function words; far fewer means another language.
    known_language = bool(languages) and totals[best] >= max(1, MIN_LANGUAGE_SHARE * long_words)
    for block, (word_count, hits) in zip(blocks, per_block, strict=True):
        cjk = len(_CJK_RE.findall(block.norm)) if not block.norm.isascii() else 0
        block.words = word_count + cjk // 2
        block.sentences = len(_SENTENCE_END_RE.findall(block.norm))
        if known_language and word_count:
            block.function_share = sum(1 for mask in hits if mask & bit) / word_count
            if word_count >= 10:
                block.headline_words = _headline_words(block.norm, masks, bit)
        else:
            block.function_share = -1.0  # unknown language: punctuation decides


def _headline_words(text: str, masks: dict[str, int], bit: int) -> int:
    count = 0
    previous = "."
    for token in text.split():
        core = token.strip("\"'“”‘’()[],;")
        if (
            len(core) > 1
            and core[0].isupper()
            and core[1:].islower()
            and masks.get(core.lower(), 0) & bit
            and not previous.endswith((".", "!", "?", ":", '"', "”", "—", "–", "-", "|"))
        ):
            count += 1
        previous = token
    return count


#: Region scoring, in "words of article text" units (see ``_block_value``).
SHORT_LINE_COST = 3.0
FURNITURE_COST = 6.0
HEADING_COST = 40.0
REPEATED_SHAPE_COST = 6.0
TITLE_START_BONUS = 40.0
TITLE_WINDOW = 15
ISOLATED_FACTOR = 0.5
HEADLINE_WORDS = 3
HEADLINE_FACTOR = -0.2
COMMENTS_DISCOUNT = 0.1
#: A comments heading counts as one only after this much article-like text.
COMMENTS_AFTER_TEXT = 50.0
#: Lines after which a page holds readers' comments, not the article.
_COMMENTS_START = frozenset({"phrase:comment-count", "phrase:comment-policy", "heading:comments-heading"})


def _block_value(block: _Block, repeated: bool) -> float:
    """How strongly a paragraph says "article text" (positive) or "page furniture" (negative)."""
    rule = block.removed_by
    if rule is not None:
        if rule.startswith("heading:"):
            return -HEADING_COST
        if rule == "structure:repeated-title":
            return -SHORT_LINE_COST
        return -FURNITURE_COST
    words = block.words
    if repeated and words < 15:
        return -REPEATED_SHAPE_COST
    density = block.function_share
    if density < 0:  # no function-word list for this language: punctuation decides
        if words >= 12 and block.sentences >= 1:
            return float(words)
        return -SHORT_LINE_COST if words < 12 else -0.5 * words
    if words >= 15 and density >= 0.25:
        if block.headline_words >= HEADLINE_WORDS:
            return HEADLINE_FACTOR * words
        return float(words) if block.sentences else 0.3 * words
    if words >= 8 and density >= 0.2 and block.sentences >= 1:
        return 0.5 * words
    if words < 8:
        return -SHORT_LINE_COST
    return -0.5 * words if density < 0.15 else -0.1 * words


def _region_scores(blocks: list[_Block]) -> tuple[list[float], list[float], int]:
    """(value of each paragraph, bonus for the article starting there, index where comments start or -1)."""
    shapes: dict[str, int] = {}
    folded: list[str] = []
    for block in blocks:
        key = _fold(block.norm) if block.words < 15 else ""
        folded.append(key)
        if key:
            shapes[key] = shapes.get(key, 0) + 1
    raw = [_block_value(b, shapes.get(k, 0) > 1) for b, k in zip(blocks, folded, strict=True)]
    # Prose comes in runs; a lone paragraph between furniture is more often a teaser or a comment.
    last = len(raw) - 1
    values = [
        value * ISOLATED_FACTOR
        if value > 0 and (i == 0 or raw[i - 1] <= 0) and (i == last or raw[i + 1] <= 0)
        else value
        for i, value in enumerate(raw)
    ]
    bonus = [0.0] * len(blocks)
    comments_at = -1
    text_so_far = 0.0
    for index, block in enumerate(blocks):
        in_comments = comments_at >= 0
        if not in_comments and block.removed_by in _COMMENTS_START and text_so_far >= COMMENTS_AFTER_TEXT:
            comments_at = index
        elif values[index] > 0:
            text_so_far += values[index]
            if in_comments:
                values[index] *= COMMENTS_DISCOUNT
        if block.removed_by == "structure:repeated-title" and not in_comments:
            for after in range(index + 1, min(len(blocks), index + 1 + TITLE_WINDOW)):
                bonus[after] = TITLE_START_BONUS
    return values, bonus, comments_at


def _keep_main_region(blocks: list[_Block]) -> None:
    """Keep the best-scoring contiguous run of paragraphs; the rest of the page goes.

    Kadane's maximum-sum run over the paragraph values, with two page
    conventions: a run may start with a bonus just after a repeat of the
    title (the headline sits right above the article), and a comments heading
    ends any run, the text after it counting for little (readers' comments
    read like prose but are not the article).  When nothing scores above zero
    the page is left as it is rather than emptied.
    """
    values, bonus, comments_at = _region_scores(blocks)
    best_sum, best_start, best_end = 0.0, 0, -1
    running, start = 0.0, 0
    for index, value in enumerate(values):
        if index == comments_at:
            running, start = -math.inf, index
            continue
        fresh = value + (bonus[index] if value > 0 else 0.0)
        if fresh >= running + value:
            running, start = fresh, index
        else:
            running += value
        if running > best_sum:
            best_sum, best_start, best_end = running, start, index
    if best_end < 0:
        return
    for index, block in enumerate(blocks):
        if (index < best_start or index > best_end) and block.kept:
            block.removed_by = "page:outside-main-text"
