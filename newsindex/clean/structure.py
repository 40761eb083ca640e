"""Structural rules: runs of share items, lists of links, repeated paragraphs, and whether the text
is a whole page dumped as text.
"""

from __future__ import annotations

from .paragraphs import (
    _CJK_RE,
    _SENTENCE_END_RE,
    _TERMINAL_PUNCTUATION,
    _WORD_RE,
    MIN_LANGUAGE_SHARE,
    _function_words,
    _Paragraph,
)
from .rules import Rules

#: Line rules whose match announces a share/like widget, so the items after it go too.
_SHARE_PROMPTS = frozenset(
    {"phrase:share-this", "phrase:like-this", "phrase:share-count", "phrase:follow-us", "phrase:tweet"}
)
_SHARE_ITEM_MAX_CHARS = 40


def _remove_share_runs(blocks: list[_Paragraph], rules: Rules) -> None:
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


def _is_share_item(block: _Paragraph, rules: Rules) -> bool:
    if block.removed_by == "structure:share-run":
        return True
    text = block.norm
    return block.kept and len(text) <= _SHARE_ITEM_MAX_CHARS and rules.share.full(text, text.lower()) is not None


#: A link-like line: short, no sentence punctuation, not a row of figures.
LINK_MAX_WORDS = 10
LINK_LIST_MIN_RUN = 3


def _is_link_like(block: _Paragraph) -> bool:
    text = block.norm
    if not block.kept or len(text) > 100 or text.endswith(_TERMINAL_PUNCTUATION) or text.endswith(":"):
        return False
    words = text.split()
    if not 1 <= len(words) <= LINK_MAX_WORDS:
        return False
    digits = sum(ch.isdigit() for ch in text)
    return digits * 5 < len(text)


def _remove_link_lists(blocks: list[_Paragraph]) -> None:
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


def _introduces_links(block: _Paragraph) -> bool:
    """A heading rule's line, or a removed label ending in a colon ("Read more:", "See also:")."""
    rule = block.removed_by or ""
    return rule.startswith("heading:") or (rule.startswith("phrase:") and block.norm.endswith(":"))


def _is_furniture(block: _Paragraph) -> bool:
    return (block.removed_by or "").startswith(("phrase:", "heading:", "structure:share-run"))


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


def _looks_like_page(blocks: list[_Paragraph]) -> bool:
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


def _measure(blocks: list[_Paragraph]) -> None:
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
