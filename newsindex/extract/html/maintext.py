"""The main text: non-content marked (furniture, hidden markup, noise words, teaser cards), every
element scored by the blocks inside it, the best one's blocks kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .blocks import _Block, _lxml_blocks
from .continuation import _continuations
from .noise import _BOILERPLATE, _FURNITURE, _drop_inline_noise, _is_caption_box, _noise_elements
from .parse import _CELLS, _HEADINGS, _LINE_TAGS

#: A block this long with few links reads as running text.
_PROSE_MIN_CHARS = 80
#: Furniture holding at least this share of the page's running text is a wrapper, not furniture.
_WRAPPER_SHARE = 0.4
#: A region chosen again without forgiven noise beside it must keep this share of the running text.
_NARROWED_SHARE = 0.2

_CARD_TAGS = frozenset({"li", "article", "div", "section"})
#: Teaser cards are short: a headline link, maybe a date and a line of summary.
_CARD_MAX_CHARS = 600
#: A teaser's first line of this length or more is its headline link.
_CARD_FIRST_LINE_CHARS = 25
#: A line of links this long or longer can be a teaser's headline or its linked section label
#: ("Opening Bell", "Белковая диета"); "Read more" and "Share" are shorter.
_CARD_HEADLINE_MIN_CHARS = 10
#: A teaser's headline line is mostly its link: a kicker or a date may stand before it
#: ("Editorial  Fraser's lasting legacy").
_CARD_HEADLINE_LINK_SHARE = 0.6


def _teaser_cards(blocks: list[_Block], chains: list[tuple], chars: dict[object, int], prose: dict) -> set:
    """Items of repeated lists that lead with a headline link: "more stories" teasers.

    An item is a card when it is one of at least three same-tag siblings, is short,
    opens with a link (its first line of some length is the headline link), and
    holds a link-only line or starts with a long link followed by a summary; a list
    with three or more cards is teasers, summaries included, however its classes
    are named.  Lists of the second kind are also how an
    article enumerates things ("10 things to know: <a>headline</a> summary"), so
    they count only when no running text stands beside the list.
    """
    cards_by_list: dict[object, set] = {}
    leading_links: set = set()
    same_tag: dict[tuple[object, str], int] = {}
    opens_with_link: dict[object, bool] = {}  # does the item's first line of some length lead with a link?
    for block, chain in zip(blocks, chains, strict=True):
        if len(block.text) >= _CARD_FIRST_LINE_CHARS:
            leads = block.link_chars >= _CARD_HEADLINE_LINK_SHARE * len(block.text) or block.lead_link_chars >= 20
            for element in chain[:5]:
                opens_with_link.setdefault(element, leads)
    for block, chain in zip(blocks, chains, strict=True):
        length = len(block.text)
        headline = length >= _CARD_HEADLINE_MIN_CHARS and block.link_chars >= _CARD_HEADLINE_LINK_SHARE * length
        if not headline and block.lead_link_chars < 20:
            continue
        for element in chain[:5]:
            if element.tag not in _CARD_TAGS or chars.get(element, 0) > _CARD_MAX_CHARS:
                continue
            if not opens_with_link.get(element, True):
                continue  # text first, a link after it ("Learn more"): a described item, not a teaser
            parent = element.getparent()
            if parent is None:
                break
            key = (parent, element.tag)
            count = same_tag.get(key)
            if count is None:
                count = same_tag[key] = sum(1 for child in parent if child.tag == element.tag)
            if count >= 3:
                cards_by_list.setdefault(parent, set()).add(element)
                if not headline:
                    leading_links.add(parent)
                break
    teasers = set()
    for parent, cards in cards_by_list.items():
        if len(cards) < 3:
            continue
        if parent in leading_links:
            around = parent.getparent()
            if around is not None and prose.get(around, 0) > prose.get(parent, 0):
                continue  # an enumeration inside the article's running text
        teasers |= cards
    return teasers


def _ancestry(element: object, memo: dict[object, tuple]) -> tuple:
    """``(element, parent, ..., root)``, memoised so each element is walked once."""
    path = []
    node = element
    while node is not None and node not in memo:
        path.append(node)
        node = node.getparent()
    chain = memo[node] if node is not None else ()
    for node in reversed(path):
        chain = (node, *chain)
        memo[node] = chain
    return memo[element]


def _weight(block: _Block) -> float:
    """How strongly a block says "article text here" (negative: boilerplate)."""
    length = len(block.text)
    if block.kind in _HEADINGS:
        return 0.0
    if _is_link_list(block):
        return -float(length)
    if length < 25:
        return 0.0 if block.kind in _CELLS else -3.0  # a data table's cells are short, not boilerplate
    return float(length - block.link_chars)


#: Share of a block's text inside links above which it is navigation, not prose.
_LINK_LIMIT = 0.5
#: A paragraph (``<p>``) is prose with links unless nearly all of it is links.
_PARAGRAPH_LINK_LIMIT = 0.8
#: A block with this much text outside its links says something of its own.
_OWN_TEXT_CHARS = 80


def _is_link_list(block: _Block) -> bool:
    """Mostly link text, and too little of its own to be a sentence: an item of a list that
    enumerates linked things, each with a line about it, is running text."""
    limit = _PARAGRAPH_LINK_LIMIT if block.kind == "p" else _LINK_LIMIT
    own = len(block.text) - block.link_chars
    return block.link_chars > limit * len(block.text) and own < _OWN_TEXT_CHARS


def _prose_chars(block: _Block) -> int:
    if block.kind in _HEADINGS or len(block.text) < _PROSE_MIN_CHARS or block.link_chars > 0.25 * len(block.text):
        return 0
    return len(block.text)


_MARKUP_RE = re.compile(r"</?[a-zA-Z][^<>]{0,400}>")


def _looks_like_markup(text: str) -> bool:
    """Escaped HTML shown as text (a saved page's ``&lt;img ...&gt;``), not prose."""
    if "<" not in text:
        return False
    return sum(len(m) for m in _MARKUP_RE.findall(text)) > 0.5 * len(text)


#: How much a character of noise inside a region counts against it (a character of prose counts 1).
_NOISE_WEIGHT = 0.5


def _is_body_text(block: _Block) -> bool:
    """Not the headline, a list of links or markup shown as text."""
    if block.kind == "h1" or _is_link_list(block):
        return False
    return block.kind == "pre" or not _looks_like_markup(block.text)


@dataclass
class _Selection:
    """What ``_main_blocks`` decided, kept for ``explain.removals``: the kept blocks and the evidence."""

    kept: list[_Block]
    blocks: list[_Block]
    chains: list[tuple]
    region: object | None  # the element chosen as the article; None when no region stood out
    continued: set  # siblings of the region (or of its parent) that continue its running text
    noise: dict  # element -> noise level, all that was marked
    left_out: set  # the noise actually left out of the region that won
    cards: set  # teaser cards among the noise


def _best_region(
    blocks: list[_Block], chains: list[tuple], noise: set, boilerplate: set
) -> tuple[list[_Block], int, object, set]:
    """Blocks of the element whose blocks weigh most with ``noise`` left out, their running text, the
    element, and the siblings that continue it (``continuation``).

    Noise inside a region counts against it, so the tightest element around the
    article wins over the column that also holds comments and teasers.  A single
    paragraph is never a region: a short article interleaved with share bars and
    sign-up boxes must not shrink to its longest paragraph.
    """
    in_noise = [not noise.isdisjoint(chain) for chain in chains]
    for noise_weight in (_NOISE_WEIGHT, 0.0):
        # Without noise counted against it when that leaves no region at all: an embed inside
        # the article (a long gallery of other stories) must not sink the article around it.
        scores: dict[object, float] = {}
        for block, chain, noisy in zip(blocks, chains, in_noise, strict=True):
            weight = -noise_weight * len(block.text) if noisy else _weight(block)
            if weight:
                for element in chain:
                    scores[element] = scores.get(element, 0.0) + weight
        candidates = [element for element in scores if element.tag not in _LINE_TAGS]
        if not candidates:
            return [], 0, None, set()
        best = max(candidates, key=scores.__getitem__)
        if scores[best] > 0:
            break
    else:
        return [], 0, None, set()
    best = _marked_article(best, candidates, scores)
    continued = set(_continuations(best, blocks, chains, in_noise, scores, _weight, _prose_chars, noise, boilerplate))
    regions = {best} | continued
    repeated = _repeated_texts(blocks)
    inside = [
        block
        for block, chain, noisy in zip(blocks, chains, in_noise, strict=True)
        if not regions.isdisjoint(chain)
        and (
            not noisy
            or _standfirst(block, chain, best, noise)
            or (_caption(block, chain, regions, noise) and _describes_picture(block, repeated))
        )
    ]
    in_text_rows = _rows_of_text(inside)
    sections = _section_headlines(inside)
    kept = [block for block in inside if _is_body_text(block) or id(block) in in_text_rows or id(block) in sections]
    return kept, sum(_prose_chars(block) for block in kept), best, continued


#: An ``<article>`` inside the best region is the region when it weighs at least this share of it.
_ARTICLE_SHARE = 0.8


def _marked_article(best: object, candidates: list, scores: dict) -> object:
    """The one ``<article>`` inside ``best`` that carries nearly all of its weight, else ``best``:
    what the page marks as the article leaves out the lines around it (a "related reads" strip,
    a sign-up line) that only add a little to the wider box."""
    inside = [
        element
        for element in candidates
        if element.tag == "article" and element is not best and scores[element] > 0 and best in element.iterancestors()
    ]
    if len(inside) != 1 or scores[inside[0]] < _ARTICLE_SHARE * scores[best]:
        return best
    return inside[0]


def _section_headlines(blocks: list[_Block]) -> set[int]:
    """``h1`` blocks (by ``id``) that head a section of the article: after running text, with running
    text following them.  The headline opens the article; some pages mark every section heading ``h1``."""
    found: set[int] = set()
    seen_prose = False
    pending = None
    for block in blocks:
        if block.kind == "h1":
            if seen_prose and not _is_link_list(block):
                pending = id(block)
            continue
        if pending is not None and _is_body_text(block):
            found.add(pending)
        pending = None
        seen_prose = seen_prose or _prose_chars(block) > 0
    return found


def _standfirst(block: _Block, chain: tuple, region: object, noise: set) -> bool:
    """Running text in the article's own ``<header>`` (inside the region, not the page's):
    the standfirst under the headline, where bylines and dates are short lines."""
    if not _prose_chars(block):
        return False
    for element in chain:
        if element is region:
            return True
        if element in noise and element.tag != "header":
            return False
    return False


#: A caption shorter than this is a credit or a label ("Getty", "Image caption"), not a description.
_CAPTION_MIN_CHARS = 25


def _repeated_texts(blocks: list[_Block]) -> set[str]:
    """Texts that stand in two or more blocks of the page: a template's labels, not one picture's caption."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for block in blocks:
        if block.text in seen:
            repeated.add(block.text)
        seen.add(block.text)
    return repeated


def _describes_picture(block: _Block, repeated: set[str]) -> bool:
    """A caption that says what the picture shows: long enough to be a sentence, holding no
    link (a captioned promotion links away), and said only once on the page (a gallery's
    repeated title or an "Image copyright" label is the template's)."""
    return len(block.text) >= _CAPTION_MIN_CHARS and not block.link_chars and block.text not in repeated


def _caption(block: _Block, chain: tuple, regions: set, noise: set) -> bool:
    """A caption box inside the article's region: the only noise between the block and the region
    is boxes named as captions, so the picture sits in the article's flow, between its paragraphs."""
    met = False
    for element in chain:
        if element in regions:
            return met
        if element in noise:
            if not _is_caption_box(element):
                return False
            met = True
    return False


def _forgiving(
    blocks: list[_Block], chains: list[tuple], noise: set, forgiven: set, boilerplate: set, memo: dict
) -> tuple[set, tuple[list[_Block], int, object, set]]:
    """The best region with ``forgiven`` noise let in, and the noise that region was judged with.

    Forgiven noise must wrap the region it lets win: what was forgiven for its own
    running text but sits beside the region (a live feed in an ``<aside>`` next to
    the article, both inside an "ad-portal" wrapper) is noise again, and the
    region is chosen once more without it, unless little running text is left
    (the article's paragraphs and a gallery's share one parent, or the forgiven
    box was the article's own column).
    """
    found = _best_region(blocks, chains, noise, boilerplate)
    region = found[2]
    if region is None:
        return noise, found
    beside = forgiven.difference(_ancestry(region, memo))
    if not beside:
        return noise, found
    narrowed = _best_region(blocks, chains, noise | beside, boilerplate)
    if narrowed[1] >= _NARROWED_SHARE * found[1]:
        return noise | beside, narrowed
    return noise, found


def _rows_of_text(blocks: list[_Block]) -> set[int]:
    """Table cells (by ``id``) in rows that are mostly not links: a linked name in a row of
    data is the row's content, while a row made of links is navigation."""
    rows: dict[object, list[_Block]] = {}
    for block in blocks:
        if block.kind in _CELLS and block.owner is not None:
            row = block.owner.getparent()
            if row is not None:
                rows.setdefault(row, []).append(block)
    found: set[int] = set()
    for cells in rows.values():
        if len(cells) >= 2 and sum(c.link_chars for c in cells) <= _LINK_LIMIT * sum(len(c.text) for c in cells):
            found.update(id(c) for c in cells if not _looks_like_markup(c.text))
    return found


def _main_blocks(body: etree._Element) -> _Selection:
    """The article's blocks: the heaviest region once noise is left out.

    Tried twice, as readability does: first leaving out everything that looks
    like noise, then only what cannot be the article (comments, consent
    notices) and furniture that holds little of the page's running text.  The
    strict answer wins unless it found much less text, which happens when a
    page's layout wrapper has a furniture-like name ("content-with-sidebar").
    """
    noise = _noise_elements(body)
    _drop_inline_noise(noise)
    blocks = _lxml_blocks(body)
    memo: dict[object, tuple] = {}
    chains = [_ancestry(block.owner, memo) for block in blocks]
    prose: dict[object, int] = {}
    chars: dict[object, int] = {}
    total_prose = 0
    for block, chain in zip(blocks, chains, strict=True):
        block_prose = _prose_chars(block)
        total_prose += block_prose
        for element in chain:
            prose[element] = prose.get(element, 0) + block_prose
            chars[element] = chars.get(element, 0) + len(block.text)
    cards = _teaser_cards(blocks, chains, chars, prose) - noise.keys()
    for card in cards:
        noise[card] = _FURNITURE
    left_out = set(noise)
    boilerplate = {element for element, level in noise.items() if level == _BOILERPLATE}
    chosen, strict_prose, region, continued = _best_region(blocks, chains, left_out, boilerplate)
    relaxed_noise = {
        element
        for element, level in noise.items()
        if level == _BOILERPLATE or prose.get(element, 0) < _WRAPPER_SHARE * total_prose
    }
    if len(relaxed_noise) != len(noise):
        relaxed_noise, (relaxed, relaxed_prose, relaxed_region, relaxed_continued) = _forgiving(
            blocks, chains, relaxed_noise, set(noise) - relaxed_noise, boilerplate, memo
        )
        if strict_prose < 0.5 * relaxed_prose:
            chosen, region, left_out, continued = relaxed, relaxed_region, relaxed_noise, relaxed_continued
    if not chosen:
        # Nothing outside noise: the article sits in a box named or styled like noise
        # (a listicle in a "gallery", a wrapper hidden until scripts run).  Text decides:
        # a box holding most of the page's running text is the article's wrapper.
        wrappers = {element for element in noise if prose.get(element, 0) >= _WRAPPER_SHARE * total_prose}
        if wrappers:
            left_out, (chosen, _, region, continued) = _forgiving(
                blocks, chains, set(noise) - wrappers, wrappers, boilerplate - wrappers, memo
            )
    if not chosen:
        # No region stands out (a page of a few short lines): keep whatever is not noise or links.
        region, left_out, continued = None, set(noise), set()
        chosen = [
            block
            for block, chain in zip(blocks, chains, strict=True)
            if left_out.isdisjoint(chain) and _is_body_text(block)
        ]
    return _Selection(chosen, blocks, chains, region, continued, noise, left_out, cards)


def _paragraphs(blocks: list[_Block]) -> list[str]:
    """One paragraph per block; the cells of one table row make one paragraph."""
    paragraphs: list[str] = []
    row: object = None
    for block in blocks:
        parent = block.owner.getparent() if block.kind in _CELLS and block.owner is not None else None
        if parent is not None and parent is row and paragraphs:
            paragraphs[-1] = f"{paragraphs[-1]} | {block.text}"
            continue
        row = parent
        paragraphs.append(block.text)
    return paragraphs
