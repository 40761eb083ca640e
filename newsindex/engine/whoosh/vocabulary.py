"""Term numbers for the indexer: every distinct term a process analyses gets one, once.

The segment builder keeps a text field as a stream of term numbers (``text_postings``).
Numbering each article's terms as it was added cost a dictionary lookup per token; instead
the analysis caches the number beside each chunk of text it has seen (``tokens``), so an
article's tokens enter the stream as the analysis gives them.  A hyphenated word (the word
and its parts, sharing a position) has a number of its own from ``GROUP_BASE`` on, which the
stream spreads into its terms' numbers when a segment is written.

The numbers are the process's, not the index's: a segment written keeps terms, not numbers.
"""

from __future__ import annotations

import threading

#: Numbers from here on stand for hyphenated words (``Vocabulary.groups``); below, for terms.
GROUP_BASE = 1 << 31


class Vocabulary:
    """term -> number, and back; hyphenated words -> number, and back.  Number 0 is no term:
    the analysis's value for a stop word."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.names: list[str] = [""]
        self.group_numbers: dict[tuple[int, ...], int] = {}
        self.groups: list[tuple[int, ...]] = []  # each hyphenated word's term numbers, in order
        self._lock = threading.Lock()  # numbers are handed out only for text not seen before

    def __len__(self) -> int:
        return len(self.names) + len(self.groups)

    def term(self, name: str) -> int:
        number = self.numbers.get(name)
        if number is None:
            with self._lock:
                number = self.numbers.get(name)
                if number is None:
                    number = self.numbers[name] = len(self.names)
                    self.names.append(name)
        return number

    def group(self, names: tuple[str, ...]) -> int:
        """The number of terms that share one position ("state-run", "state", "run")."""
        terms = tuple(map(self.term, names))
        number = self.group_numbers.get(terms)
        if number is None:
            with self._lock:
                number = self.group_numbers.get(terms)
                if number is None:
                    number = self.group_numbers[terms] = GROUP_BASE + len(self.groups)
                    self.groups.append(terms)
        return number

    def value(self, number: int) -> str | tuple[str, ...]:
        """What a number stands for: a term, or a hyphenated word's terms."""
        if number >= GROUP_BASE:
            return tuple(self.names[term] for term in self.groups[number - GROUP_BASE])
        return self.names[number]
