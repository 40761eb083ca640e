"""Parsing a page: the markup vocabulary (which tags are blocks, furniture, never shown), noise
words from data/html_noise.txt, lxml with a clean-up of what it cannot take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from ...data import data_sections

#: Elements whose content is never text a reader sees as the article.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "map", "select", "textarea", "button", "input", "option", "link", "meta", "head",
    "param",
)  # fmt: skip
_DROP_TAG_SET = frozenset(_DROP_TAGS)
#: Plugin containers whose children (``<param>`` aside) are the fallback a browser shows when the
#: plugin is missing, as every browser now does for Flash: a video's caption is often there.
_FALLBACK_TAGS = ("object", "applet")
#: Page furniture by tag; left out unless it holds most of the page's running text.
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "form", "dialog", "menu"})
#: Never article text: pictures with their captions and credits.
_BOILERPLATE_TAGS = frozenset({"figure", "figcaption"})
#: Elements that start a new line of text (everything else is inline).
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p",
        "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: Inline elements that are part of a sentence whatever their class says ("searchLink", "tag-link").
_PHRASING_TAGS = frozenset(
    {"a", "b", "i", "em", "strong", "u", "s", "abbr", "cite", "q", "small", "sup", "sub", "time", "code", "mark"}
    | {"font", "bdi", "bdo", "dfn", "kbd", "samp", "var", "data", "ruby", "rt", "rp", "wbr", "br"}
)
#: Elements that hold one line or paragraph of text: never the article's container by themselves.
_LINE_TAGS = _HEADINGS | {"p", "li", "dt", "dd", "pre", "blockquote", "figcaption", "caption", "summary", "legend"}
_CELLS = frozenset({"td", "th"})
#: Stand-in for ``<br>`` inside a run of inline text (input NULs are removed first).
_BREAK = "\x00"
_XML_UNSAFE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INVISIBLES = "\x00\u200b\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLES}]")


def _without_invisibles(text: str) -> str:
    """Drop NULs (our ``<br>`` stand-in) and zero-width characters that would split or glue words.

    Most pages hold none: looking for each is far quicker than a regex pass over the page."""
    if not any(character in text for character in _INVISIBLES):
        return text
    return _INVISIBLE_RE.sub("", text)


#: Start tags that close an open ``<p>`` in an HTML5 parser, wherever they sit inside it.
_CLOSES_PARAGRAPH = (
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
)  # fmt: skip
_OPEN_PARAGRAPH_XPATH = etree.XPath(
    "descendant-or-self::p[descendant::*[" + " or ".join(f"self::{tag}" for tag in _CLOSES_PARAGRAPH) + "]]"
)


def _as_browsers_build_it(body: etree._Element) -> None:
    """Make the tree the one a browser shows: plugin fallbacks unwrapped, invisible markup dropped,
    and blocks nested inside a ``<p>`` moved out after it.

    libxml2 closes a ``<p>`` only when a block starts directly inside it; an HTML5
    parser (every browser) closes it wherever the block starts, so in
    ``<p class=caption><span>(<p>article...`` the article is not part of the caption.
    """
    etree.strip_tags(body, *_FALLBACK_TAGS)
    etree.strip_elements(body, *_DROP_TAGS, with_tail=False)
    for paragraph in _OPEN_PARAGRAPH_XPATH(body):
        _close_paragraph(paragraph)


def _close_paragraph(paragraph: etree._Element) -> None:
    """Move the first block inside ``paragraph`` and everything after it out, after the paragraph."""
    closer = next(paragraph.iterdescendants(*_CLOSES_PARAGRAPH), None)
    if closer is None or paragraph.getparent() is None:
        return
    moved: list[etree._Element | str] = [closer, *closer.itersiblings()]
    node = closer.getparent()
    while node is not paragraph:  # an inline box the block sat in: what follows it moves too
        if node.tail:
            moved.append(node.tail)
            node.tail = None
        moved.extend(node.itersiblings())
        node = node.getparent()
    if paragraph.tail:
        moved.append(paragraph.tail)
        paragraph.tail = None
    anchor = paragraph
    for item in moved:
        if isinstance(item, str):
            # lxml reads control characters into text but refuses to set them: they go
            anchor.tail = _XML_UNSAFE_RE.sub("", (anchor.tail or "") + item)
        else:
            anchor.addnext(item)
            anchor = item


_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)


@dataclass(frozen=True, eq=False)  # hashed by identity: one set of rules per process, a cache key
class _NoiseRules:
    never_main: re.Pattern[str]
    pictures: re.Pattern[str]
    noise: re.Pattern[str]
    noise_tokens: frozenset[str]
    modifier: re.Pattern[str]
    content: re.Pattern[str]
    roles: frozenset[str]


def _word_pattern(alternatives: list[str]) -> re.Pattern[str]:
    """Any of ``alternatives`` as whole hyphen-separated words of a class token."""
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"(?:^|[-\s])(?:" + "|".join(alternatives) + r")(?=$|[-\s])")


@lru_cache(maxsize=1)
def _noise_rules() -> _NoiseRules:
    """Class/id/role vocabulary of non-content blocks, from ``data/html_noise.txt``."""
    groups = data_sections("html_noise.txt", first="noise")
    noise = groups.get("noise", [])
    noise_words = [w for w in noise if not w.startswith("=")]
    return _NoiseRules(
        never_main=_word_pattern(groups.get("never-main", [])),
        pictures=_word_pattern(groups.get("pictures", [])),
        noise=_word_pattern(noise_words),
        noise_tokens=frozenset(w[1:] for w in noise if w.startswith("=")),
        modifier=_word_pattern(groups.get("modifiers", [])),
        content=_word_pattern(groups.get("content", [])),
        roles=frozenset(r.lower() for r in groups.get("roles", [])),
    )


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _class_tokens(value: str) -> list[str]:
    """``"shareButtons article__body"`` -> ``["share-buttons", "article-body"]``, for word matching.

    String methods where they do the same as a regex: most class strings are lower case
    already, and this runs for every class string of every page."""
    if not value.islower():  # some upper-case letter (or none at all): camelCase may split
        value = _CAMEL_RE.sub("-", value)
    value = value.replace("_", "-")
    while "--" in value:  # a run of separators is one
        value = value.replace("--", "-")
    return value.lower().split()


def _parse(text: str) -> tuple[etree._Element | None, bool, list[str]]:
    """``(root, truncated, warnings)``; ``truncated`` when libxml2 gave up on deep nesting.

    Plain ``etree.HTMLParser``, not ``lxml.html``'s: the latter looks up a Python
    element class for every node touched, which costs a third of the run time.
    """
    text = _XML_DECLARATION_RE.sub("", _without_invisibles(text), count=1)
    if not text.strip():
        return None, False, ["empty page"]
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return None, False, [f"unparseable HTML ({exc})"]
    if root is None:
        return None, False, ["no HTML elements in page"]
    truncated = any("xcessive depth" in entry.message for entry in parser.error_log)
    return root, truncated, []
