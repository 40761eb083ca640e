"""Bylines with no label, known by where they stand: a name in the date line beside the
headline ("11.12.2019 - Amelie Loevenich", "04.02.2022 | 13:10 Uhr | Uta Helkenberg"), or
a name signed under the article's last paragraph (an essay's or a statement's signature).

Both are read only when the page names no author any other way, and only as full names
(``bylines.bare_names``): a lone word there could be a place or a section.
"""

from __future__ import annotations

import re

from lxml import etree

from ..bylines import bare_names, opens_with_label, read_byline
from .blocks import _normalize
from .visible_dates import days_in_text

#: Where a date line breaks into its parts: " - ", " | ", " • ", " / ".
_PART_RE = re.compile(r"\s+[-–—/]\s+|\s*[|•·]\s*")
#: A signature paragraph is short; the paragraph above it is running text.
_SIGNATURE_MAX, _PROSE_MIN = 80, 120
#: Short paragraphs (a greeting, a closing wish) that may stand between the text and its signature.
_CLOSING_LINES = 2
_EMPHASIS_TAGS = frozenset({"b", "strong", "i", "em"})
_RIGHT_RE = re.compile(r"text-align\s*:\s*right", re.I)


def dated_line_names(line: str, dayfirst: bool) -> list[str]:
    """The author a date line names beside its date ("11.12.2019 - Amelie Loevenich",
    "05.02.2020 - Redaktion: Eberhard Fuhr"): one undated part that reads as names."""
    parts = [part.strip() for part in _PART_RE.split(line) if part.strip()]
    if not 2 <= len(parts) <= 5 or not days_in_text(line, dayfirst):
        return []
    found: list[list[str]] = []
    for part in parts:
        if re.search(r"\d", part):
            continue  # the date, a time, "3 min read"
        if opens_with_label(part):
            byline = read_byline(part)
            names = byline.authors if byline is not None else []
        else:
            names = bare_names(part)
        if names:
            found.append(names)
    return found[0] if len(found) == 1 else []


def _text_lines(element: etree._Element) -> list[str]:
    """An element's text broken at its ``<br>``s."""
    pieces = [element.text or ""]
    for child in element.iterdescendants():
        if child.tag == "br":
            pieces.append("\n")
        elif isinstance(child.tag, str):
            pieces.append(child.text or "")
        pieces.append(child.tail or "")
    return [line for line in (_normalize(text) for text in "".join(pieces).split("\n")) if line]


def _emphasised(element: etree._Element) -> bool:
    """All of the element's text sits inside bold or italic markup."""
    if _normalize(element.text or ""):
        return False
    for child in element:
        if _normalize(child.tail or ""):
            return False
        if not isinstance(child.tag, str):
            continue
        if child.tag not in _EMPHASIS_TAGS and not _emphasised(child) and _normalize("".join(child.itertext())):
            return False
    return True


def _right_aligned(element: etree._Element) -> bool:
    return any(
        (node.get("align") or "").lower() == "right" or _RIGHT_RE.search(node.get("style") or "")
        for node in (element, *element.iterdescendants())
        if isinstance(node.tag, str)
    )


def _prose_before(element: etree._Element) -> bool:
    """Running text among the few paragraphs just above (a closing greeting may come between)."""
    seen = 0
    for previous in element.itersiblings(preceding=True):
        text = _normalize("".join(previous.itertext()))
        if not text:
            continue
        if len(text) >= _PROSE_MIN:
            return True
        seen += 1
        if seen > _CLOSING_LINES:
            return False
    return False


def _last_of_run(element: etree._Element) -> bool:
    """Nothing follows the paragraph among its siblings: a bold line followed by more is a heading."""
    return not _normalize(element.tail or "") and all(
        not _normalize("".join(n.itertext())) and not _normalize(n.tail or "") for n in element.itersiblings()
    )


def closing_signature(body: etree._Element, skip) -> list[str]:
    """The name signed under the article: a short paragraph right after running text whose
    first line is a full name, set apart as signatures are (right-aligned; or bold or
    italic, or followed by the signer's role on the next line, with nothing after it in
    its box).  ``skip(element)`` tells a box that is not the article's (comments)."""
    for paragraph in body.iter("p"):
        text = _normalize("".join(paragraph.itertext()))
        if not text or len(text) > _SIGNATURE_MAX or not _prose_before(paragraph):
            continue
        lines = _text_lines(paragraph)
        names = bare_names(lines[0]) if lines and len(lines) <= 2 else []
        if len(names) != 1 or skip(paragraph):
            continue
        if _right_aligned(paragraph) or (
            _last_of_run(paragraph) and (len(lines) == 2 or (len(lines) == 1 and _emphasised(paragraph)))
        ):
            return names
    return []
