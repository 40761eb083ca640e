"""Did you mean's settings and its last step, shared by both reading paths.

The Whoosh path (``spelling``) and the direct reader (``direct.spelling``)
must offer the same respelling for the same search; what they share lives
here, without Whoosh, so the direct reader can import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from .snippets import _analyzed, _candidate_words

#: A search finding fewer articles than this looks for respellings of words the index lacks.
FEW_MATCHES = 3
#: A word the index holds is still worth respelling when it is this rare (in at most one
#: article in RARE_ONE_IN, or RARE_AT_LEAST articles) and a respelling is MUCH_COMMONER
#: times as frequent: "goverment" is in 9 Reuters articles, "government" in 2,262.
RARE_ONE_IN = 1000
RARE_AT_LEAST = 2
MUCH_COMMONER = 10
#: Articles read to find how the archive spells a suggested stem.
SPELLING_SAMPLES = 8


def edit_distance(first: str, second: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) between two words: the
    optimal-string-alignment distance ``whoosh.support.levenshtein.distance`` computes."""
    before: list[int] = []
    previous = list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        current = [i] + [0] * len(second)
        for j in range(1, len(second) + 1):
            cost = first[i - 1] != second[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and cost and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[len(second)]


def spelled_out(
    terms: Sequence[str],
    typed: str,
    holders: Callable[[str], Iterable[int]],
    body: Callable[[int], str],
) -> str | None:
    """How the archive writes a word that analyses to one of ``terms`` (stems
    such as "economi"), as near to what was typed as can be.

    The forms come from the first ``SPELLING_SAMPLES`` live articles holding
    each term (``holders(term)``, in document order; ``body(docnum)`` their
    text): "economy", "economies".  The nearest to ``typed`` wins, then the
    earlier term, then the commoner form.  A term with no form found stands
    for itself.
    """
    best: tuple | None = None
    for rank, term in enumerate(terms):
        forms: dict[str, int] = {}
        pattern = _candidate_words(frozenset({term[:3]}))
        for docnum in islice(holders(term), SPELLING_SAMPLES):
            for found in pattern.finditer(body(docnum)):
                form = found.group().lower()
                if term in _analyzed(form):
                    forms[form] = forms.get(form, 0) + 1
        for form, seen in (forms or {term: 0}).items():
            key = (edit_distance(form, typed), rank, -seen, form)
            if best is None or key < best:
                best = key
    return best[-1] if best else None
