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

from ..extract.outlets import title_separator_re
from ..models import Draft, Removal
from .learned import (
    LEARN_MIN_LINE_CHARS,
    LEARN_MIN_SENTENCE_CHARS,
    KnowsTemplates,
    LearnedBoilerplate,
    _hash,
    _learn_units,
    _line_unit,
    _template_key,
)
from .paragraphs import _WORD_RE, _collapse_spaces, _Paragraph, _shape_key, split_sentences
from .region import _keep_main_region
from .rules import (
    CONTAINS_RULE_MAX_CHARS,
    HEADING_RULE_MAX_CHARS,
    LINE_RULE_MAX_CHARS,
    MIN_LEFTOVER_WORDS,
    Rules,
    load_rules,
    parse_rules,
)
from .structure import _looks_like_page, _measure, _remove_link_lists, _remove_share_runs

__all__ = ["LearnedBoilerplate", "Rules", "clean", "load_rules", "parse_rules"]

# --- paragraphs and what is known about them -------------------------------------------------------------------------


def clean(
    draft: Draft, *, rules: Rules | None = None, learned: KnowsTemplates | None = None
) -> tuple[list[str], list[Removal]]:
    """(kept body paragraphs in order, removals each with the text and the rule that removed it).

    ``draft.trusted_body`` paragraphs (a structured article body) only get the
    phrase, sentence, title and learned rules: there is no page to cut away.
    """
    rules = rules or load_rules()
    blocks = [_Paragraph(p, _collapse_spaces(p)) for p in draft.paragraphs if p and not p.isspace()]
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


class _Title:
    """The draft's headline, folded, with a cheap first test for lines that might repeat it."""

    def __init__(self, title: str) -> None:
        self.folded = _shape_key(title) if title else ""
        words = self.folded.split()
        self.key = max(words, key=len) if words else ""

    def repeated_in(self, text: str, lowered: str) -> bool:
        """The headline again, perhaps with a section label or site name around it."""
        if not self.key or len(text) > 3 * len(self.folded) + 20 or self.key not in lowered:
            return False
        folded = _shape_key(text)
        if folded == self.folded:
            return True
        # "Opinion | <headline>" or "<headline> - Site" repeats it; a line that is only a
        # piece of the headline (a company name, say) does not.
        if len(folded) > len(self.folded):
            return (
                len(self.folded) >= 0.6 * len(folded)
                and f" {self.folded} " in f" {folded} "
                and title_separator_re().search(text) is not None
            )
        return len(folded) >= 20 and len(folded) >= 0.85 * len(self.folded) and f" {folded} " in f" {self.folded} "


def _reads_like_prose(text: str) -> bool:
    """Whole-line rules describe labels and notices; a long sentence or several are prose.

    Skipping them there keeps cleaning wire copy cheap.
    """
    if len(text) > 120 and text.endswith((".", '."', ".”", ".’", "!", "?")):
        return True
    return text.count(". ") + text.count("? ") + text.count("! ") >= 2


def _apply_phrase_rules(block: _Paragraph, rules: Rules, title: _Title) -> None:
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


def _remove_sentences(block: _Paragraph, rules: Rules) -> None:
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


def _apply_learned(blocks: list[_Paragraph], source: str | None, learned: KnowsTemplates) -> None:
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
            folded = _template_key(sentence) if len(sentence) >= LEARN_MIN_SENTENCE_CHARS else b""
            if folded and "s" + _hash(folded) in templates:
                block.cut.append(Removal(sentence, "learned:source-template"))
            else:
                kept_sentences.append(sentence)
        if kept_sentences:
            block.text = block.norm = " ".join(kept_sentences)
        else:
            block.removed_by = "learned:source-template"
            block.cut = [c for c in block.cut if c.rule != "learned:source-template"]
