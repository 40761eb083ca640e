"""A page cut into text blocks the way a browser lays it out: one per paragraph, heading, list item
or cell, each knowing how much of its text sits inside links.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .parse import _BLOCK_TAGS, _BREAK, _DROP_TAG_SET, _without_invisibles


@dataclass(slots=True)
class _Block:
    """One run of text a browser would lay out on its own line(s)."""

    text: str
    link_chars: int
    lead_link_chars: int  # link text before any other text: a headline link leading a teaser
    owner: object  # the element whose box holds the text (None for the BeautifulSoup fallback)
    kind: str  # tag of that element: "p", "li", "h2", "td", "div", ...


def _normalize(text: str, keep_lines: bool = False) -> str:
    """Collapse white space (invisible characters were removed from the page before parsing)."""
    if keep_lines:
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(line for line in lines if line)
    return " ".join(text.split())


class _BlockBuilder:
    """Turns start/text/end events of a DOM walk into ``_Block``s in reading order."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self._owners: list[tuple[str, object]] = []
        self._parts: list[str] = []  # text of the current run of inline content, with _BREAK for <br>
        self._in_link: list[bool] = []  # per part: inside an <a>?
        self._links: list[str] = []  # the parts inside links
        self._breaks = 0
        self._link_depth = 0
        self._pre_depth = 0

    def start(self, tag: str, node: object) -> None:
        if tag in _BLOCK_TAGS:
            if self._parts:
                self._flush()
            self._owners.append((tag, node))
            if tag == "pre":
                self._pre_depth += 1
        elif tag == "br":
            self._parts.append(_BREAK)
            self._in_link.append(False)
            self._breaks += 1
        elif tag == "a":
            self._link_depth += 1

    def end(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            if self._parts:
                self._flush()
            if self._owners:
                self._owners.pop()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag == "a":
            self._link_depth = max(0, self._link_depth - 1)

    def text(self, value: str) -> None:
        self._parts.append(value)
        in_link = self._link_depth > 0
        self._in_link.append(in_link)
        if in_link:
            self._links.append(value)

    def finish(self) -> list[_Block]:
        if self._parts:
            self._flush()
        return self.blocks

    def _flush(self) -> None:
        parts, in_link, links, breaks = self._parts, self._in_link, self._links, self._breaks
        self._parts, self._in_link, self._links, self._breaks = [], [], [], 0
        tag, node = self._owners[-1] if self._owners else ("", None)
        if breaks < 2 and not self._pre_depth:  # the common case: one line of text
            text = " ".join("".join(parts).replace(_BREAK, " ").split())
            if text:
                link_chars = len(" ".join("".join(links).split())) if links else 0
                lead = _lead_link_chars(parts, in_link) if links else 0
                self.blocks.append(_Block(text, min(link_chars, len(text)), lead, node, tag))
            return
        keep_lines = self._pre_depth > 0
        chunk: list[str] = []
        link_chars = 0
        run = 0
        for value, linked in zip(parts, in_link, strict=True):
            if value is _BREAK:
                run += 1
                chunk.append("\n" if keep_lines else " ")
                continue
            if run >= 2 and chunk and not value.isspace():
                self._emit(chunk, link_chars, node, tag, keep_lines)  # <br><br> ends a paragraph
                chunk, link_chars = [], 0
            if not value.isspace():
                run = 0
            chunk.append(value)
            if linked:
                link_chars += len(" ".join(value.split()))
        self._emit(chunk, link_chars, node, tag, keep_lines)

    def _emit(self, chunk: list[str], link_chars: int, node: object, tag: str, keep_lines: bool) -> None:
        text = _normalize("".join(chunk), keep_lines)
        if text:
            self.blocks.append(_Block(text, min(link_chars, len(text)), 0, node, tag))


def _lead_link_chars(parts: list[str], in_link: list[bool]) -> int:
    lead = 0
    for value, linked in zip(parts, in_link, strict=True):
        if linked:
            lead += len(value.strip())
        elif value is not _BREAK and not value.isspace():
            break
    return lead


def _lxml_blocks(top: etree._Element) -> list[_Block]:
    builder = _BlockBuilder()
    for event, element in etree.iterwalk(top, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            builder.start(tag, element)
            if element.text:
                builder.text(element.text)
        else:
            builder.end(tag)
            if element.tail and element is not top:
                builder.text(element.tail)
    return builder.finish()


def _soup_blocks(text: str) -> list[_Block]:
    """Blocks via BeautifulSoup's parser: no depth limit, used when lxml gives up."""
    from bs4 import BeautifulSoup, CData, NavigableString, Tag

    soup = BeautifulSoup(_without_invisibles(text), "html.parser")
    builder = _BlockBuilder()
    pending = [iter(soup.contents)]
    open_tags: list[str] = []
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            if open_tags:
                builder.end(open_tags.pop())
            continue
        if isinstance(child, Tag):
            name = (child.name or "").lower()
            if name in _DROP_TAG_SET or name in ("nav", "aside", "footer", "menu", "dialog"):
                continue
            builder.start(name, None)
            pending.append(iter(child.contents))
            open_tags.append(name)
        elif type(child) is NavigableString or isinstance(child, CData):
            builder.text(str(child))
    return builder.finish()
