"""The rest of the article beside the chosen region: siblings that carry on its running text.

A page often splits one article into boxes: one per paragraph with an embed or a
gallery between them, a lead or a video's description set above the body's
box.  The best-scoring element is then one of the boxes.  Its siblings, and
its parent's, that hold running text continue it, as readability's sibling
step has it.  Before the region (towards the headline) a box of mostly running
text is a lead or a description; after it, where a post's footer, sign-up
boxes and promotions follow, only a box of nothing but running text is taken,
and none under a heading that is a link (a teaser's or an author's name).
The walk away from the region steps over boxes with no text, only noise (an
embed, an ad slot) or a captioned picture (an author's photo and bio among
them), and stops at what is never the article (comments, consent notices) or
at text that is not running text (a list of links, teasers, a row of short
labels).
"""

from __future__ import annotations

from .blocks import _Block
from .parse import _HEADINGS

#: How many levels above the region its siblings are searched.
_LEVELS = 2
#: A box with a picture and one block of text at most this long is a captioned picture.
_CAPTION_MAX_CHARS = 300
#: A box before the region continues it when at least this share of its text (noise left out) is running text;
_PROSE_SHARE_BEFORE = 0.5
#: a box after it, when this share of its text under no heading is.
_PROSE_SHARE_AFTER = 0.9


def _continuations(
    best: object,
    blocks: list[_Block],
    chains: list[tuple],
    in_noise: list[bool],
    scores: dict[object, float],
    weight_of: object,
    prose_of: object,
    noise: set,
    boilerplate: set,
) -> list[object]:
    """Siblings of ``best`` (and of its parent) that continue its running text, in no particular order.

    ``scores`` are the elements' scores with noise counting against them;
    ``weight_of(block)`` is how strongly a block reads as article text (negative for links and
    short labels), ``prose_of(block)`` its running text in characters.  A box before the region
    is judged by its own text, noise left out (a lead beside a video player); a box after it by
    its score, noise counting against it (a sign-up form under a line of text is a widget), and
    a box that is or holds an ``<article>`` is another item, not this one's continuation.  Headings are
    taken with the text they head: before the region always, after it only when
    running text follows them.
    """
    found: list[object] = []
    node = best
    for _ in range(_LEVELS):
        parent = node.getparent()
        if parent is None:
            break
        text, weight, prose, count, headings, linked = _sibling_text(
            parent, blocks, chains, in_noise, weight_of, prose_of
        )
        for forward in (False, True):
            pending: list[object] = []
            for sibling in node.itersiblings(preceding=not forward):
                if sibling in boilerplate:
                    break
                chars = text.get(sibling, 0)
                if not chars or sibling in noise or _captioned_picture(sibling, chars, count.get(sibling, 0)):
                    continue  # an embed, a picture, an ad slot between two parts of the article
                if sibling.tag in _HEADINGS:
                    (pending if forward else found).append(sibling)
                    continue
                running = prose.get(sibling, 0)
                if forward:
                    share = _PROSE_SHARE_AFTER * (chars - headings.get(sibling, 0))
                    score = scores.get(sibling, 0.0)
                    if sibling in linked or next(sibling.iter("article"), None) is not None:
                        break
                else:
                    share = _PROSE_SHARE_BEFORE * chars
                    score = weight.get(sibling, 0.0)
                if score <= 0 or not running or running < share:
                    break
                found.extend(pending)
                pending.clear()
                found.append(sibling)
        node = parent
    return found


def _captioned_picture(element: object, chars: int, blocks: int) -> bool:
    if blocks > 1 or chars > _CAPTION_MAX_CHARS:
        return False
    return next(element.iter("img", "picture"), None) is not None


def _sibling_text(
    parent: object,
    blocks: list[_Block],
    chains: list[tuple],
    in_noise: list[bool],
    weight_of: object,
    prose_of: object,
) -> tuple[dict[object, int], dict[object, float], dict[object, int], dict[object, int], dict[object, int], set]:
    """Characters, weight, running-text characters, blocks and heading characters outside noise under
    each child of ``parent``, and the children with a heading that is a link."""
    text: dict[object, int] = {}
    weight: dict[object, float] = {}
    prose: dict[object, int] = {}
    count: dict[object, int] = {}
    headings: dict[object, int] = {}
    linked: set = set()
    for block, chain, noisy in zip(blocks, chains, in_noise, strict=True):
        if noisy:
            continue
        try:
            at = chain.index(parent)
        except ValueError:
            continue
        if at == 0:
            continue  # text directly in the parent, not in one of its children
        child = chain[at - 1]
        text[child] = text.get(child, 0) + len(block.text)
        weight[child] = weight.get(child, 0.0) + weight_of(block)
        prose[child] = prose.get(child, 0) + prose_of(block)
        count[child] = count.get(child, 0) + 1
        if block.kind in _HEADINGS:
            headings[child] = headings.get(child, 0) + len(block.text)
            if block.link_chars >= 0.8 * len(block.text):
                linked.add(child)
    return text, weight, prose, count, headings, linked
