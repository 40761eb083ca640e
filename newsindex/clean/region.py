"""For a whole page dumped as text: score each paragraph as prose or furniture and keep the best-
scoring run (jusText-style).
"""

from __future__ import annotations

import math

from .paragraphs import _Paragraph, _shape_key

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


def _block_value(block: _Paragraph, repeated: bool) -> float:
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


def _region_scores(blocks: list[_Paragraph]) -> tuple[list[float], list[float], int]:
    """(value of each paragraph, bonus for the article starting there, index where comments start or -1)."""
    shapes: dict[str, int] = {}
    folded: list[str] = []
    for block in blocks:
        key = _shape_key(block.norm) if block.words < 15 else ""
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


def _keep_main_region(blocks: list[_Paragraph]) -> None:
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
