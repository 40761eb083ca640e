"""Which segments a commit merges: tiers of similar size, within a budget of articles per run.

Each segment belongs to a tier by its live articles: tier 0 up to
``MERGE_TIER_BASE``, then one tier per factor of ``MERGE_FACTOR``.  When a
tier holds ``MERGE_FACTOR`` segments they become one segment of a higher
tier, which may complete that tier in turn; the cascade is planned first and
each group is written once, so an article climbs several tiers in one
rewrite.  Segments mostly deleted are rewritten to drop the deleted articles.

A run merges at most ``max(MERGE_BUDGET_MIN, MERGE_BUDGET_RATIO * articles it
indexed)`` articles: a one-file run merges only small segments (cheap), and a
big merge waits for a run big enough to carry it, so the cost of merging stays
a share of the indexing that made it necessary.  Only a tier that has grown to
twice ``MERGE_FACTOR`` segments (an archive fed by small runs alone) is merged
whatever the budget: that run pays for one big merge, rarely, and the segment
count stays bounded (at most 2 * MERGE_FACTOR - 1 per tier).  Merging copies postings
(segment_merge.py) and writes new segments into the run's own generation;
until that generation is published the last one stays searchable as it was.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ...index import limits
from ...index.generations import _checkpoint

if TYPE_CHECKING:
    from .neargraph import MergedFrom


def tier(articles: int) -> int:
    if articles <= limits.MERGE_TIER_BASE:
        return 0
    return 1 + int(math.log(articles / limits.MERGE_TIER_BASE, limits.MERGE_FACTOR))


def plan_merges(live: list[int], deleted: list[int], budget: int) -> list[list[int]]:
    """Groups of segment positions to merge, each group in position order.

    ``live`` and ``deleted`` are the segments' article counts; a group costs its
    live articles, and groups are planned while their total stays within ``budget``."""
    groups: list[list[int]] = [[number] for number in range(len(live))]
    sizes = list(live)
    spent = 0
    while True:
        tiers: dict[int, list[int]] = {}
        for at, size in enumerate(sizes):
            tiers.setdefault(tier(size), []).append(at)
        chosen = None
        for level, members in sorted(tiers.items()):
            cost = sum(sizes[at] for at in members)
            forced = len(members) >= 2 * limits.MERGE_FACTOR
            if len(members) >= limits.MERGE_FACTOR and (spent + cost <= budget or forced):
                chosen = level
                break
        if chosen is None:
            break
        members = tiers[chosen]
        cost = sum(sizes[at] for at in members)
        spent += cost
        joined = sorted(number for at in members for number in groups[at])
        keep = [at for at in range(len(sizes)) if at not in members]
        groups = [groups[at] for at in keep] + [joined]
        sizes = [sizes[at] for at in keep] + [cost]
    plan = [group for group in groups if len(group) > 1]
    for group in groups:
        number = group[0]
        mostly_deleted = deleted[number] * 2 > live[number] + deleted[number]
        if len(group) == 1 and mostly_deleted and live[number] and spent + live[number] <= budget:
            spent += live[number]
            plan.append(group)
    return sorted(plan)


def merge_policy(writer, segments: list, budget: int, indexname: str, merged_from: MergedFrom | None = None) -> list:
    """The segments of the new TOC: ``segments`` with the planned groups merged, each merged
    segment where its first member was, empty segments dropped.  ``merged_from``, when
    given, is told what each merged segment holds (the near-duplicate graph renumbers
    those documents instead of linking them again)."""
    segments = [s for s in segments if s.doc_count() > 0]
    plan = plan_merges([s.doc_count() for s in segments], [s.deleted_count() for s in segments], budget)
    merged = {}
    if plan:  # imported here: most runs merge nothing, and a one-file run is mostly fixed costs
        from .segment_merge import merge_segments
    for group in plan:
        members = [segments[n] for n in group]
        merged[group[0]] = merge_segments(writer.storage, writer.schema, indexname, members)
        if merged_from is not None:
            merged_from[merged[group[0]].segment_id()] = [
                (s.segment_id(), s.doc_count_all(), tuple(sorted(s.deleted_docs())) if s.has_deletions() else ())
                for s in members
            ]
        _checkpoint("merging")
    gone = {number for group in plan for number in group[1:]}
    return [merged.get(n, segment) for n, segment in enumerate(segments) if n not in gone]


def merge_budget(indexed: int) -> int:
    return max(limits.MERGE_BUDGET_MIN, limits.MERGE_BUDGET_RATIO * indexed)
