"""A page's body as the lines a reader sees: broken where a browser breaks them (block
elements, ``<br>``), with the boxes that belong to other pages left out.

A byline is often no element of its own: ``<h5>Autor: </h5>Peter Maahn/SP-X <br>``,
``<strong>Text:</strong> Klausmartin Friedrich</p>``.  As a line it reads
"Autor: Peter Maahn/SP-X", which the byline parser understands.
"""

from __future__ import annotations

from lxml import etree

from .noise import _BOILERPLATE, _name_verdict
from .parse import _noise_rules

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "th", "table",
        "section", "article", "header", "footer", "main", "dd", "dt", "dl", "figcaption", "address", "hr",
    }
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select", "option", "button"})
#: Boxes whose lines belong to other pages or other people: embeds, menus, sidebars.
_OTHER_TAGS = frozenset({"aside", "nav", "blockquote", "iframe", "figure", "form"})


def is_other_box(element: etree._Element) -> bool:
    """An embedded post, a sidebar, related stories, comments: not the article's own text."""
    if element.tag in _OTHER_TAGS:
        return True
    classes, ident = element.get("class"), element.get("id")
    if not classes and not ident:  # most elements: nothing to judge
        return False
    names = f"{classes or ''} {ident or ''}"
    return bool(names.strip()) and _name_verdict(names, _noise_rules()) == _BOILERPLATE


def visible_lines(root: etree._Element, headline: etree._Element | None, limit: int = 3000) -> list[tuple[int, str]]:
    """``(offset, line)`` for the body's visible lines, in page order; ``offset`` counts
    lines from the headline's own line (negative above it; from the top without one)."""
    body = root.find("body")
    if body is None:
        return []
    lines: list[str] = []
    current: list[str] = []
    mark, skipping = None, 0

    def end_line() -> None:
        text = " ".join("".join(current).split())
        current.clear()
        if text:
            lines.append(text)

    walk = etree.iterwalk(body, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping or not tag or tag in _SKIP_TAGS or (element is not body and is_other_box(element)):
                skipping += 1
                walk.skip_subtree()  # nothing inside is read: go straight to its end
                continue
            if tag in _BLOCK_TAGS:
                end_line()
            if element is headline:
                mark = len(lines)
            if element.text:
                current.append(element.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in _BLOCK_TAGS:
                end_line()
            if element.tail and not skipping:
                current.append(element.tail)
        if len(lines) >= limit:
            break
    end_line()
    origin = mark or 0
    return [(index - origin, line) for index, line in enumerate(lines)]
