"""A candidate paragraph and the measures the cleaner takes of text: normal form, sentences, function words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..data import data_text
from ..models import Removal

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


def _collapse_spaces(text: str) -> str:
    """Whitespace collapsed to single spaces: the form every rule is matched against."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\xa0" in text:
        return _SPACE_RE.sub(" ", text).strip()
    return text.strip()


def _shape_key(text: str) -> str:
    """Case, digits and punctuation folded away: the same for "12 Comments" and "3 comments"."""
    return " ".join(_WORD_RE.findall(_DIGITS_RE.sub("0", text.lower())))


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, split after ``.!?`` and a space: good enough to spot notices."""
    return _SENTENCE_SPLIT_RE.split(text)


#: Below this share of function words over a document's longer paragraphs, its
#: language is taken to be one without a list (CJK, say) and punctuation decides.
MIN_LANGUAGE_SHARE = 0.12


@lru_cache(maxsize=1)
def _function_words() -> tuple[tuple[str, ...], dict[str, int]]:
    """(language codes, word -> bit mask of the languages it is a function word of)."""
    text = data_text("function_words.txt")
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


@dataclass
class _Paragraph:
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
