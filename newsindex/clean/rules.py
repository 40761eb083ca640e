"""Boilerplate rules as data: data/boilerplate.txt and users' files in its format, parsed and compiled once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..data import data_text
from ..patterns import LazyPattern
from .paragraphs import _SPACE_RE

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
    #: Each rule's own pattern, compiled when first used (after a hit, to name the rule).
    patterns: tuple[LazyPattern, ...]
    combined: re.Pattern[str] | None
    #: The same alternation with each rule in a named group ("r0", "r1"...), run only after a
    #: hit: the rule's group closes after any group inside it, so ``lastgroup`` names it.
    #: Compiled when first needed too: every indexing process compiles the rules, most of
    #: the time it took was these two.
    identify: LazyPattern | None = None

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
        words = lowered.split()
        found = self.keys.intersection(words)  # in C: most lines hold no key word at all
        if not found:
            return None
        # Words in the order written (a set's order changes with the process's hash seed, and
        # with it the rule named when two phrases match: ``--explain`` must say the same each run).
        for word in sorted(found, key=words.index) if len(found) > 1 else found:
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


def _compile_section(entries: dict[str, str], section: str, checked: frozenset[str] = frozenset()) -> _RuleSet:
    """One section's rules; those named in ``checked`` (users' own) are compiled here one by
    one, so that a bad one is named (the shipped ones are compiled by the tests)."""
    names: list[str] = []
    sources: list[str] = []
    for name, pattern in entries.items():
        if pattern == _DISABLED:
            continue
        if name in checked:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"[{section}] rule {name!r}: bad pattern: {exc}") from None
        names.append(name)
        sources.append(pattern)
    # The combined pattern runs on lower-cased text without IGNORECASE, which is much
    # faster; a rule spelling an upper-case letter keeps its own (?i:...) scope.
    combined = identify = None
    if sources:
        try:
            combined = re.compile("|".join(map(_lower_case_branch, sources)))
        except re.error as exc:
            raise ValueError(f"[{section}] rules: bad patterns together: {exc}") from None
        identify = LazyPattern("|".join(f"(?P<r{i}>{p})" for i, p in enumerate(sources)), re.IGNORECASE)
    patterns = tuple(LazyPattern(pattern, re.IGNORECASE) for pattern in sources)
    return _RuleSet(tuple(names), patterns, combined, identify)


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
    return data_text("boilerplate.txt")


@lru_cache(maxsize=16)
def _compiled_rules(extra: tuple[tuple[str, str], ...]) -> Rules:
    merged = parse_rules(_shipped_rule_text(), "boilerplate.txt")
    users: dict[str, set[str]] = {section: set() for section in RULE_SECTIONS}
    for source, text in extra:
        for section, entries in parse_rules(text, source).items():
            merged[section].update(entries)
            users[section].update(entries)
    compiled: dict = {
        section: _compile_section(merged[section], section, frozenset(users[section]))
        for section in RULE_SECTIONS
        if section != "contains"
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
