"""Flat matchers for the queries most searches are: all the words, or any of them.

``--match all`` (the default) parses "canada decline" into
``And([Or([title:canada, body:canada]), Or([title:decline, body:decline])])``.
Whoosh matches that with a binary tree of Python matchers: an intersection
of unions, where every step asks each level again for its current document.
Since every match has to be visited (the total is exact, see
``search._every_match_collector``), that tree is most of a search's time.

``WordsMatcher`` does the same work in one loop over the posting lists
themselves: it moves every list to the highest document any word needs,
until all words agree.  ``AnyTermMatcher`` does the same for ``--match any``
(an OR of every word's title and body terms): a heap of the posting lists
by current document.  Their matches and scores are Whoosh's (the score is
the same sum of the same leaf scores; only the order of the additions may
differ in the last bit); ``tests/test_matching.py`` holds them to that.
``flattened()`` swaps them in where a query has one of these shapes and
leaves every other query (phrases, NOT, wildcards, boosts) to Whoosh.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

from whoosh import matching, query


class _FlatMatcher(matching.Matcher):
    """What the flat matchers share: read once, front to back, for documents and scores."""

    _leaves: list[matching.Matcher]

    def supports_block_quality(self) -> bool:
        return False

    def supports(self, astype) -> bool:
        return False

    def value(self):
        raise NotImplementedError(f"{type(self).__name__} has no posting values")

    def value_as(self, astype):
        raise NotImplementedError(f"{type(self).__name__} has no posting values")

    def reset(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} is read once")

    def copy(self) -> matching.Matcher:
        raise NotImplementedError(f"{type(self).__name__} is read once")

    def children(self) -> list[matching.Matcher]:
        return list(self._leaves)


#: The position of a leaf matcher that has run out: past every document.
_EXHAUSTED = 2**63


class WordsMatcher(_FlatMatcher):
    """Documents matched by every clause, a clause matching where any of its leaf matchers does.

    The clauses come rarest first, so the first clause proposes few candidates.
    Each leaf's current document is kept in a list (``_EXHAUSTED`` once it
    has run out), so the loop compares integers and calls a posting list
    only to move it.
    """

    def __init__(self, clauses: list[list[matching.Matcher]]) -> None:
        self._leaves: list[matching.Matcher] = []
        self._clauses: list[list[int]] = []  # each clause's leaves, as numbers in _leaves
        for leaves in clauses:
            active = [leaf for leaf in leaves if leaf.is_active()]
            self._clauses.append(list(range(len(self._leaves), len(self._leaves) + len(active))))
            self._leaves.extend(active)
        self._at = [leaf.id() for leaf in self._leaves]
        self._id = -1
        self._active = all(self._clauses)
        if self._active:
            self._settle(0)

    def _move(self, number: int, target: int) -> int:
        leaf = self._leaves[number]
        leaf.skip_to(target)
        at = self._at[number] = leaf.id() if leaf.is_active() else _EXHAUSTED
        return at

    def _settle(self, target: int) -> None:
        """Move to the first document >= ``target`` that every clause matches."""
        at = self._at
        agreed = False
        while not agreed:
            agreed = True
            for numbers in self._clauses:
                lowest = _EXHAUSTED
                for number in numbers:
                    docnum = at[number]
                    if docnum < target:
                        docnum = self._move(number, target)
                    if docnum < lowest:
                        lowest = docnum
                if lowest == _EXHAUSTED:  # this clause has nothing left
                    self._active = False
                    return
                if lowest > target:
                    target = lowest
                    agreed = False
                    break
        self._id = target

    def _here(self) -> list[matching.Matcher]:
        current = self._id
        return [leaf for leaf, at in zip(self._leaves, self._at, strict=True) if at == current]

    def is_active(self) -> bool:
        return self._active

    def id(self) -> int:
        return self._id

    def next(self) -> bool:
        if not self._active:
            raise matching.ReadTooFar
        current = self._id
        at, leaves = self._at, self._leaves
        for number, docnum in enumerate(at):
            if docnum == current:
                leaf = leaves[number]
                leaf.next()
                at[number] = leaf.id() if leaf.is_active() else _EXHAUSTED
        self._settle(current + 1)
        return False

    def skip_to(self, id: int) -> bool:
        if not self._active:
            raise matching.ReadTooFar
        if id > self._id:
            self._settle(id)
        return False

    def score(self) -> float:
        return sum(leaf.score() for leaf in self._here())

    def weight(self) -> float:
        return sum(leaf.weight() for leaf in self._here())


class AnyTermMatcher(_FlatMatcher):
    """Documents matched by any of the leaf matchers, each scored by the sum of those there."""

    def __init__(self, leaves: list[matching.Matcher]) -> None:
        self._leaves = leaves
        self._heap = [(leaf.id(), number) for number, leaf in enumerate(leaves) if leaf.is_active()]
        heapify(self._heap)
        self._current: list[tuple[int, matching.Matcher]] = []  # (number, leaf) at the current document
        self._id = -1
        self._gather()

    def _gather(self) -> None:
        """Take the leaves at the lowest document off the heap: they are the current match."""
        heap, leaves = self._heap, self._leaves
        found = self._current = []
        if not heap:
            return
        self._id = current = heap[0][0]
        while heap and heap[0][0] == current:
            number = heappop(heap)[1]
            found.append((number, leaves[number]))

    def _advance(self, target: int) -> None:
        """Move the current match's leaves to ``target`` or beyond, back into the heap."""
        heap, adjacent = self._heap, target == self._id + 1
        for number, leaf in self._current:
            if adjacent:
                leaf.next()
            else:
                leaf.skip_to(target)
            if leaf.is_active():
                heappush(heap, (leaf.id(), number))

    def is_active(self) -> bool:
        return bool(self._current)

    def id(self) -> int:
        return self._id

    def next(self) -> bool:
        if not self._current:
            raise matching.ReadTooFar
        self._advance(self._id + 1)
        self._gather()
        return False

    def skip_to(self, id: int) -> bool:
        if not self._current:
            raise matching.ReadTooFar
        if id <= self._id:
            return False
        self._advance(id)
        heap, leaves = self._heap, self._leaves
        while heap and heap[0][0] < id:
            number = heappop(heap)[1]
            leaf = leaves[number]
            leaf.skip_to(id)
            if leaf.is_active():
                heappush(heap, (leaf.id(), number))
        self._gather()
        return False

    def score(self) -> float:
        return sum(leaf.score() for _number, leaf in self._current)

    def weight(self) -> float:
        return sum(leaf.weight() for _number, leaf in self._current)


def _clause_terms(clause: query.Query) -> list[query.Term] | None:
    """The terms of a clause that is a word (a term, or an unboosted OR of terms), else None."""
    if type(clause) is query.Term:
        return [clause]
    if (
        type(clause) is query.Or
        and clause.boost == 1.0
        and not clause.scale
        and not clause.minmatch
        and all(type(sub) is query.Term for sub in clause.subqueries)
    ):
        return list(clause.subqueries)
    return None


class WordsQuery(query.And):
    """``query.And`` of words, matched by ``WordsMatcher``; everything else about it is And's."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        clauses = [_clause_terms(sub) or [] for sub in subs]
        clauses.sort(key=lambda terms: sum(term.estimate_size(reader) for term in terms))
        return WordsMatcher([[term.matcher(searcher, context) for term in terms] for terms in clauses])


class AnyTermQuery(query.Or):
    """``query.Or`` of terms, matched by ``AnyTermMatcher``; everything else about it is Or's."""

    def _matcher(self, subs, searcher, context):
        return AnyTermMatcher([term.matcher(searcher, context) for term in subs])


def flattened(parsed: query.Query) -> query.Query:
    """``parsed`` with an AND of words (possibly nested in further ANDs) made a ``WordsQuery``,
    and an OR of terms an ``AnyTermQuery``."""
    if type(parsed) is query.Or:
        terms = _clause_terms(parsed)
        return AnyTermQuery(terms) if terms and len(terms) > 1 else parsed
    if type(parsed) is not query.And or parsed.boost != 1.0:
        return parsed
    clauses: list[query.Query] = []
    pending = list(parsed.subqueries)
    while pending:
        clause = pending.pop(0)
        if type(clause) is query.And and clause.boost == 1.0:
            pending[:0] = clause.subqueries
        elif _clause_terms(clause) is None:
            return parsed
        else:
            clauses.append(clause)
    return WordsQuery(clauses) if len(clauses) > 1 else parsed
