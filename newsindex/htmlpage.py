"""Stage 2 for HTML pages: metadata from structured markup, main text from the DOM.

Metadata comes from the most reliable place a page offers: JSON-LD first, then
OpenGraph / ``article:*`` / named ``<meta>`` tags, then microdata, then what a
reader sees (a byline element, a ``<time>``).  Titles are the headline most of
the page's title fields agree on.

The main text is found with no rules for particular sites:

1. markup that never shows text (scripts, styles, forms, media) is stripped;
2. the page is cut into text blocks the way a browser lays it out (one per
   paragraph, heading, list item, cell; ``<br><br>`` ends a paragraph), each
   knowing how much of its text is inside links;
3. non-content is marked, not deleted: page furniture by tag (nav, aside,
   header, footer, form), ARIA role, hidden markup, figures, class/id words
   from ``data/html_noise.txt`` (share, related, newsletter, cookie, ad...),
   and repeated teaser cards recognised by their shape;
4. every element scores the blocks inside it (running text counts for,
   link lists and noise against), and the best-scoring element is the article;
   this runs strictly and again with furniture that wraps most of the page's
   text forgiven (a layout div called "content-with-sidebar"), keeping the
   strict answer unless it found much less text;
5. the article's blocks, minus noise, link lists and the h1, are the paragraphs.

A JSON-LD ``articleBody`` at least as complete as that text is preferred, as
the publisher's own copy (``trusted_body``).

lxml does the parsing (several times faster than BeautifulSoup); when lxml
cannot cope (no document, or nesting deeper than libxml2 allows) the text
blocks come from BeautifulSoup's pure-Python parser instead.  Nothing here
raises on bad markup: the worst outcome is an empty Draft with a warning.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from .data import data_sections
from .dates import ParsedDate, parse_date
from .extract import folder_source, parse_byline, site_name_from_url, split_authors, strip_site_suffix
from .models import Draft, RawDocument

# --- markup vocabulary ----------------------------------------------------------

#: Elements whose content is never text a reader sees as the article.
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "map", "select", "textarea", "button", "input", "option", "link", "meta", "head",
)  # fmt: skip
_DROP_TAG_SET = frozenset(_DROP_TAGS)
#: Page furniture by tag; left out unless it holds most of the page's running text.
_FURNITURE_TAGS = ("nav", "aside", "footer", "header", "form", "dialog", "menu")
#: Never article text: pictures with their captions and credits.
_BOILERPLATE_TAGS = ("figure", "figcaption")
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
_INVISIBLE_RE = re.compile("[\x00\u200b\u2060\ufeff\u00ad]")


def _without_invisibles(text: str) -> str:
    """Drop NULs (our ``<br>`` stand-in) and zero-width characters that would split or glue words."""
    return _INVISIBLE_RE.sub("", text)


_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)


@dataclass(frozen=True)
class _NoiseRules:
    any_noise: re.Pattern[str]  # never_main or noise anywhere in space-separated tokens: a quick first test
    never_main: re.Pattern[str]
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
        any_noise=_word_pattern(groups.get("never-main", []) + noise_words),
        never_main=_word_pattern(groups.get("never-main", [])),
        noise=_word_pattern(noise_words),
        noise_tokens=frozenset(w[1:] for w in noise if w.startswith("=")),
        modifier=_word_pattern(groups.get("modifiers", [])),
        content=_word_pattern(groups.get("content", [])),
        roles=frozenset(r.lower() for r in groups.get("roles", [])),
    )


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS_RE = re.compile(r"[-_]+")


def _class_tokens(value: str) -> list[str]:
    """``"shareButtons article__body"`` -> ``["share-buttons", "article-body"]``, for word matching."""
    return _SEPARATORS_RE.sub("-", _CAMEL_RE.sub("-", value)).lower().split()


# --- parsing ----------------------------------------------------------------------


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


# --- text blocks ------------------------------------------------------------------


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


# --- telling main text from the rest -----------------------------------------------

#: Noise levels: furniture may still wrap the article (a "has-sidebar" layout
#: div); boilerplate such as comments or cookie notices never does.
_FURNITURE, _BOILERPLATE = 1, 2
#: A block this long with few links reads as running text.
_PROSE_MIN_CHARS = 80
#: Furniture holding at least this share of the page's running text is a wrapper, not furniture.
_WRAPPER_SHARE = 0.4

_HIDDEN_XPATH = etree.XPath(
    ".//*[@hidden or @aria-hidden='true' or contains(translate(@style,' ',''),'display:none')"
    " or contains(translate(@style,' ',''),'visibility:hidden')]"
)


def _name_verdict(names: str, rules: _NoiseRules) -> int:
    """0, _FURNITURE or _BOILERPLATE for a class/id string.

    A token holding a "/" is an address (an id set to the page's URL), not a name.
    """
    tokens = [token for token in _class_tokens(names) if "/" not in token]
    if not rules.any_noise.search(" ".join(tokens)) and rules.noise_tokens.isdisjoint(tokens):
        return 0
    if any(rules.content.search(token) for token in tokens):
        return 0
    verdict = 0
    for token in tokens:
        if rules.modifier.search(token):
            continue  # "has-sidebar", "category-promotions": says what a block has, not what it is
        if rules.never_main.search(token):
            return _BOILERPLATE
        if token in rules.noise_tokens or rules.noise.search(token):
            verdict = _FURNITURE
    return verdict


_NAME_XPATH = etree.XPath(".//@class | .//@id")
_ROLE_XPATH = etree.XPath(".//@role")


def _noise_elements(body: etree._Element) -> dict[etree._Element, int]:
    """Elements that look like non-content, by tag, ARIA role, visibility or class/id words.

    Class and id values are judged as strings first (each distinct value once),
    so only the few suspicious elements are ever touched from Python.
    """
    found: dict[etree._Element, int] = {}
    for element in body.iter(*_FURNITURE_TAGS):
        found[element] = _FURNITURE
    for element in body.iter(*_BOILERPLATE_TAGS):
        found[element] = _BOILERPLATE
    for element in _HIDDEN_XPATH(body):
        found[element] = _BOILERPLATE  # often a hidden copy of the article for crawlers
    rules = _noise_rules()
    for value in _ROLE_XPATH(body):
        if value.strip().lower() in rules.roles:
            element = value.getparent()
            found[element] = max(found.get(element, 0), _FURNITURE)
    verdicts: dict[str, int] = {}
    suspects = []
    for value in _NAME_XPATH(body):
        verdict = verdicts.get(value)
        if verdict is None:
            verdict = verdicts[value] = _name_verdict(value, rules)
        if verdict:
            suspects.append(value.getparent())
    for element in suspects:
        if element is body:
            continue  # body classes describe the page ("cookies-not-set"), not a block
        names = f"{element.get('class') or ''} {element.get('id') or ''}"  # a content class overrides a noisy id
        verdict = verdicts.get(names)
        if verdict is None:
            verdict = verdicts[names] = _name_verdict(names, rules)
        if verdict:
            found[element] = max(found.get(element, 0), verdict)
    return found


_CARD_TAGS = frozenset({"li", "article", "div", "section"})
#: Teaser cards are short: a headline link, maybe a date and a line of summary.
_CARD_MAX_CHARS = 600
#: A teaser's first line of this length or more is its headline link.
_CARD_FIRST_LINE_CHARS = 25


def _teaser_cards(blocks: list[_Block], chains: list[tuple], chars: dict[object, int], prose: dict) -> set:
    """Items of repeated lists that lead with a headline link: "more stories" teasers.

    An item is a card when it is one of at least three same-tag siblings, is short,
    opens with a link (its first line of some length is the headline link), and
    holds a link-only line or starts with a long link followed by a summary; a list with three or more cards is teasers, summaries included,
    however its classes are named.  Lists of the second kind are also how an
    article enumerates things ("10 things to know: <a>headline</a> summary"), so
    they count only when no running text stands beside the list.
    """
    cards_by_list: dict[object, set] = {}
    leading_links: set = set()
    same_tag: dict[tuple[object, str], int] = {}
    opens_with_link: dict[object, bool] = {}  # does the item's first line of some length lead with a link?
    for block, chain in zip(blocks, chains, strict=True):
        if len(block.text) >= _CARD_FIRST_LINE_CHARS:
            leads = block.link_chars >= 0.8 * len(block.text) or block.lead_link_chars >= 20
            for element in chain[:5]:
                opens_with_link.setdefault(element, leads)
    for block, chain in zip(blocks, chains, strict=True):
        length = len(block.text)
        headline = length >= 15 and block.link_chars >= 0.8 * length
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


def _drop_inline_noise(noise: dict[etree._Element, int]) -> None:
    """Remove noise that sits inside a line of text (a hover card after a name), keeping what follows it.

    Links and emphasis are words of the sentence whatever their class; only
    generic inline boxes (``span``, ``ins`` ad slots, custom tags) are cut.
    """
    for element in [e for e in noise if e.tag not in _BLOCK_TAGS and e.tag not in _PHRASING_TAGS]:
        if any(d.tag in _BLOCK_TAGS for d in element.iterdescendants()):
            continue  # an inline tag used as a wrapper: leave it to the block-level decision
        parent = element.getparent()
        if parent is None:
            continue
        if element.tail:
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
        del noise[element]


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


def _is_link_list(block: _Block) -> bool:
    limit = _PARAGRAPH_LINK_LIMIT if block.kind == "p" else _LINK_LIMIT
    return block.link_chars > limit * len(block.text)


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


def _best_region(blocks: list[_Block], chains: list[tuple], noise: set) -> tuple[list[_Block], int]:
    """Blocks of the element whose blocks weigh most with ``noise`` left out, and their running text.

    Noise inside a region counts against it, so the tightest element around the
    article wins over the column that also holds comments and teasers.  A single
    paragraph is never a region: a short article interleaved with share bars and
    sign-up boxes must not shrink to its longest paragraph.
    """
    scores: dict[object, float] = {}
    in_noise = [not noise.isdisjoint(chain) for chain in chains]
    for block, chain, noisy in zip(blocks, chains, in_noise, strict=True):
        weight = -_NOISE_WEIGHT * len(block.text) if noisy else _weight(block)
        if weight:
            for element in chain:
                scores[element] = scores.get(element, 0.0) + weight
    candidates = [element for element in scores if element.tag not in _LINE_TAGS]
    if not candidates:
        return [], 0
    best = max(candidates, key=scores.__getitem__)
    if scores[best] <= 0:
        return [], 0
    kept = [
        block
        for block, chain, noisy in zip(blocks, chains, in_noise, strict=True)
        if not noisy and best in chain and _is_body_text(block)
    ]
    return kept, sum(_prose_chars(block) for block in kept)


def _main_blocks(body: etree._Element) -> list[_Block]:
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
    for card in _teaser_cards(blocks, chains, chars, prose):
        noise.setdefault(card, _FURNITURE)
    strict, strict_prose = _best_region(blocks, chains, set(noise))
    relaxed_noise = {
        element
        for element, level in noise.items()
        if level == _BOILERPLATE or prose.get(element, 0) < _WRAPPER_SHARE * total_prose
    }
    if len(relaxed_noise) == len(noise):
        chosen = strict
    else:
        relaxed, relaxed_prose = _best_region(blocks, chains, relaxed_noise)
        chosen = strict if strict_prose >= 0.5 * relaxed_prose else relaxed
    if not chosen:
        # Nothing outside noise: the article sits in a box named or styled like noise
        # (a listicle in a "gallery", a wrapper hidden until scripts run).  Text decides:
        # a box holding most of the page's running text is the article's wrapper.
        wrappers = {element for element in noise if prose.get(element, 0) >= _WRAPPER_SHARE * total_prose}
        if wrappers:
            chosen, _ = _best_region(blocks, chains, set(noise).difference(wrappers))
    if chosen:
        return chosen
    # No region stands out (a page of a few short lines): keep whatever is not noise or links.
    return [
        block
        for block, chain in zip(blocks, chains, strict=True)
        if noise.keys().isdisjoint(chain) and _is_body_text(block)
    ]


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


# --- metadata ---------------------------------------------------------------------

_ARTICLE_TYPES = frozenset({"BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report", "NewsArticle"})
_PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage"})
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "article:published", "published_time", "datepublished",
    "date", "pubdate", "publishdate", "publish-date", "publish_date", "dc.date", "dc.date.issued",
    "dc.date.created", "dcterms.date", "dcterms.issued", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "citation_publication_date", "citation_date", "originalpublicationdate", "article.published", "og:pubdate",
    "datecreated", "created", "rnews:datepublished",
)  # fmt: skip
_UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_AUTHOR_META = (
    "author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "citation_author", "og:article:author", "article.author",
)  # fmt: skip
_SECTION_META = ("article:section", "section", "parsely-section", "article.section", "og:section", "category")
_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")
_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")
_JSON_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


def _types(obj: dict) -> set[str]:
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}


def _is_article(obj: dict) -> bool:
    return any(t.endswith("Article") or t in _ARTICLE_TYPES for t in _types(obj))


def _load_json_ld(text: str) -> object:
    text = text.strip()
    for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        text = text.replace(junk, "")
    text = text.strip().rstrip(";")
    for attempt in (text, _JSON_TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _json_ld_objects(root: etree._Element) -> list[dict]:
    """Every JSON object in the page's JSON-LD scripts, outer before inner, in page order."""
    objects: list[dict] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        pending = [_load_json_ld(script.text)]
        while pending and len(objects) < 500:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                pending.extend(reversed([v for v in item.values() if isinstance(v, (dict, list))]))
    return objects


def _ld_text(value: object) -> str:
    """A JSON-LD value as text: strings as they are, ``{"name": ..}``/``{"@value": ..}`` unwrapped."""
    if isinstance(value, str):
        return html.unescape(value).strip()
    if isinstance(value, dict):
        for key in ("name", "@value", "text", "headline"):
            if isinstance(value.get(key), str):
                return html.unescape(value[key]).strip()
    if isinstance(value, list):
        for item in value:
            text = _ld_text(item)
            if text:
                return text
    return ""


#: Last words of a byline "name" that make it a desk or an outlet, not a person ("National Desk", "CNN Wire").
_ORGANISATION_WORDS = frozenset(
    {"desk", "staff", "team", "newsroom", "editors", "editorial", "wire", "wires", "service", "services", "bureau"}
    | {"agency", "reports", "media"}
)
_NICKNAME_RE = re.compile(r"[\"“”«»][^\"“”«»]{1,40}[\"“”«»]")
_NAME_LIST_RE = re.compile(r",|;|&|\band\b|、|，")


def _person(name: str) -> str | None:
    """``name`` tidied if it is a plausible person's name ("Lauren del Valle", 'Amanda "Tania Mae" Tan',
    "严玉洁", "JOHN O'NEILL" -> "John O'Neill"), else None."""
    plain = _NICKNAME_RE.sub(" ", name)
    words = plain.split()
    if not 1 <= len(words) <= 6 or any(ch.isdigit() for ch in name) or len(name) > 80:
        return None
    if words[-1].lower() in _ORGANISATION_WORDS:
        return None
    if re.search(r"[A-Za-z]", plain):
        # split_authors knows agencies, roles and what a capitalised name looks like;
        # a single Latin word is a handle or an outlet ("LinkNaija"), not a byline.
        checked = split_authors(" ".join(words))
        if len(words) < 2 or len(checked) != 1:
            return None
        return name if checked[0] == " ".join(words) else checked[0]
    return name if len(plain.replace(" ", "")) <= 20 else None


def _person_names(value: str) -> list[str]:
    """Person names from one author string ("By A and B", "A, B", one name in any script)."""
    text = _normalize(value)
    if not text or "://" in text or text.startswith(("www.", "@")) or len(text) > 200:
        return []
    parsed = parse_byline(text)
    if parsed is not None:
        names = parsed[0]
    elif _NAME_LIST_RE.search(text):
        names = split_authors(text)
        if not names and not re.search(r"[A-Za-z]", text):
            names = [part for part in re.split(r"\s*[,;&、，]\s*", text) if part]
    else:
        names = [text]
    people = [_person(name) for name in names]
    return [person for person in people if person]


def _ld_authors(value: object) -> list[str]:
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            if _types(item) & {"Organization", "NewsMediaOrganization", "Corporation"}:
                continue
            item = item.get("name")
            if isinstance(item, list):
                names.extend(n for v in item for n in _ld_authors(v) if n not in names)
                continue
        if isinstance(item, str):
            names.extend(n for n in _person_names(html.unescape(item)) if n not in names)
    return names


_TITLE_SEPARATOR_RE = re.compile(r"\s+(?:[|·•»«/:–—~-]|--|::)\s+|\s+[｜：]\s*")


def _fold(text: str) -> str:
    """Case-, punctuation- and space-insensitive form of a title, for comparing."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _title_heads(title: str) -> list[str]:
    """``"A | B | C"`` -> ``["A | B", "A"]``: the title without its trailing parts (never a mere label)."""
    heads = (title[: m.start()].strip() for m in reversed(list(_TITLE_SEPARATOR_RE.finditer(title))))
    return [head for head in heads if len(head) >= 10]


def _without_site_tail(title: str, site_key: str) -> str:
    """Cut a trailing part that names the outlet ("Headline -- Sott.net")."""
    if not site_key:
        return title
    for match in _TITLE_SEPARATOR_RE.finditer(title):
        if match.start() > 0 and site_key in _fold(title[match.end() :]):
            return title[: match.start()].strip()
    return title


def _meta_tags(root: etree._Element) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased name/property/itemprop/http-equiv."""
    metas: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                metas.setdefault(key.strip().lower(), []).append(content.strip())
    return metas


def _element_text(element: etree._Element, limit: int = 400) -> str:
    return _normalize("".join(element.itertext()))[:limit]


class _Metadata:
    """What the page says about itself, gathered before any markup is removed."""

    def __init__(self, root: etree._Element, dayfirst: bool) -> None:
        self.dayfirst = dayfirst
        self.bad_dates: list[str] = []
        self.metas = _meta_tags(root)
        objects = _json_ld_objects(root)
        articles = [o for o in objects if _is_article(o)]
        self.article: dict = next((a for a in articles if a.get("headline") or a.get("articleBody")), None) or (
            articles[0] if articles else {}
        )
        self.page: dict = next((o for o in objects if _types(o) & _PAGE_TYPES), {})
        self.website: dict = next((o for o in objects if "WebSite" in _types(o)), {})
        self.parsely = self._parsely_page()
        self.microdata = self._microdata(root)
        self.h1 = self._headline_h1(root)
        self.html_title = next((_element_text(t) for t in root.iter("title")), "")
        self.language = self._language(root)
        self.url = self._url(root)
        self.source = self._source()
        self.title = self._title()
        self.authors = self._authors(root)
        self.published = self._published(root)
        self.section = self._section()

    # helpers
    def meta(self, *names: str) -> str:
        for name in names:
            for value in self.metas.get(name, ()):
                if value:
                    return html.unescape(value) if "&" in value else value
        return ""

    def _parsely_page(self) -> dict:
        raw = self.meta("parsely-page")
        if not raw:
            return {}
        loaded = _load_json_ld(raw)
        return loaded if isinstance(loaded, dict) else {}

    @staticmethod
    def _microdata(root: etree._Element) -> dict[str, list[etree._Element]]:
        found: dict[str, list[etree._Element]] = {}
        for element in root.xpath("//*[@itemprop]"):
            for prop in element.get("itemprop", "").split():
                found.setdefault(prop.lower(), []).append(element)
        return found

    def _microdata_value(self, prop: str) -> str:
        for element in self.microdata.get(prop.lower(), ()):
            value = element.get("content") or element.get("datetime") or _element_text(element)
            if value and value.strip():
                return value.strip()
        return ""

    @staticmethod
    def _headline_h1(root: etree._Element) -> etree._Element | None:
        for h1 in root.iter("h1"):
            if _element_text(h1):
                return h1
        return None

    # fields
    def _language(self, root: etree._Element) -> str | None:
        candidates = [
            root.get("lang"),
            root.get("xml:lang"),
            self.meta("content-language", "language", "dc.language"),
            _ld_text(self.article.get("inLanguage")),
            self.meta("og:locale"),
        ]
        for value in candidates:
            value = (value or "").split(",")[0].strip()
            if value and _LANG_RE.match(value):
                return value.replace("_", "-")
        return None

    def _url(self, root: etree._Element) -> str | None:
        candidates = [link.get("href") for link in root.iter("link") if "canonical" in (link.get("rel") or "").lower()]
        candidates += [self.meta("og:url"), _ld_text(self.article.get("url"))]
        main_entity = self.article.get("mainEntityOfPage")
        candidates.append(main_entity.get("@id") if isinstance(main_entity, dict) else main_entity)
        for value in candidates:
            if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
                return value.strip()
        return None

    def _source(self) -> str | None:
        publisher = self.article.get("publisher")
        candidates = [
            self.meta("og:site_name"),
            _ld_text(publisher) if publisher else "",
            self.meta("application-name"),
            _ld_text(self.website.get("name")),
        ]
        for value in candidates:
            value = re.split(r"\s+[|–—-]\s+", _normalize(value))[0]  # "Outlet | Tagline" -> "Outlet"
            if value and len(value) <= 100:
                return value
        return None

    def _title(self) -> str:
        """The headline most of the page's title fields agree on (og:title, JSON-LD, h1, <title>).

        Each field also offers itself with trailing " | Section | Outlet" parts cut
        off, so "Headline -- Outlet" in og:title and a bare h1 vote together; a
        lone field wins by the order above.
        """
        sources = [
            self.meta("og:title", "twitter:title"),
            _ld_text(self.article.get("headline")),
            self._microdata_value("headline"),
            _element_text(self.h1) if self.h1 is not None else "",
            self.html_title,
            _ld_text(self.page.get("name")),
        ]
        site_key = _fold(self.source or "")
        offered: list[list[str]] = []
        support: dict[str, int] = {}
        for text in sources:
            text = _normalize(text)
            variants = [v for v in (text, *_title_heads(text)) if _fold(v) and _fold(v) != site_key]
            offered.append(variants)
            for key in {_fold(v) for v in variants}:
                support[key] = support.get(key, 0) + 1
        best, best_rank = "", (0, 0, 0)
        for priority, variants in enumerate(offered):
            for variant in variants:
                rank = (support[_fold(variant)], -priority, len(variant))
                if rank > best_rank:
                    best, best_rank = variant, rank
        return strip_site_suffix(_without_site_tail(best, site_key), self.source) if best else ""

    def _authors(self, root: etree._Element) -> list[str]:
        names = _ld_authors(self.article.get("author") or self.article.get("creator"))
        if names:
            return names
        for key in _AUTHOR_META:
            for value in self.metas.get(key, ()):
                names.extend(n for n in _person_names(html.unescape(value)) if n not in names)
            if names:
                return names
        parsely_authors = self.parsely.get("authors")
        if parsely_authors:
            names = _ld_authors(parsely_authors)
            if names:
                return names
        for element in self.microdata.get("author", ()):
            inner = element.xpath(".//*[@itemprop='name']")
            value = (inner[0].get("content") or _element_text(inner[0])) if inner else (
                element.get("content") or _element_text(element, 200)
            )
            names.extend(n for n in _person_names(value) if n not in names)
        if names:
            return names
        return self._visible_byline(root)

    def _after_headline(self, elements: list[etree._Element]) -> list[etree._Element]:
        """Put the elements after the headline first: related-story boxes come later on the page."""
        if self.h1 is None or not elements:
            return elements
        order = {el: i for i, el in enumerate(self.h1.getroottree().iter())} if len(elements) > 1 else {}
        if not order:
            return elements
        mark = order.get(self.h1, 0)
        return sorted(elements, key=lambda el: (order.get(el, 0) < mark, order.get(el, 0)))

    @staticmethod
    def _in_furniture(element: etree._Element) -> bool:
        """Inside comments, a sidebar or navigation: a byline or date there is someone else's."""
        rules = _noise_rules()
        for ancestor in element.iterancestors():
            if ancestor.tag in ("aside", "nav"):
                return True
            names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
            if names.strip() and _name_verdict(names, rules) == _BOILERPLATE:
                return True
        return False

    def _visible_byline(self, root: etree._Element) -> list[str]:
        candidates = root.xpath(
            "//body//*[contains(@class,'yline') or contains(@class,'uthor') or contains(@id,'yline')"
            " or contains(@id,'uthor') or @rel='author']"
        )
        for element in self._after_headline(candidates)[:30]:
            if self._in_furniture(element):
                continue
            text = _element_text(element, 300)
            if not text or len(text) > 200:
                continue
            parsed = parse_byline(text)
            if parsed is not None and parsed[0]:
                return parsed[0]
            label = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('rel') or ''}".lower()
            if element.tag == "a" or "name" in label or len(text.split()) <= 4:
                names = _person_names(text)
                if names:
                    return names
        return []

    def _date(self, text: str) -> ParsedDate | None:
        text = (text or "").strip()
        if not text:
            return None
        parsed = parse_date(text, dayfirst=self.dayfirst)
        if parsed is None and any(ch.isdigit() for ch in text) and len(self.bad_dates) < 3:
            self.bad_dates.append(text[:80])
        return parsed

    def _published(self, root: etree._Element) -> ParsedDate | None:
        structured = [
            _ld_text(self.article.get("datePublished")),
            *(self.metas.get(k, [""])[0] for k in _PUBLISHED_META if k in self.metas),
            str(self.parsely.get("pub_date") or ""),
            self._microdata_value("datePublished"),
            _ld_text(self.page.get("datePublished")),
            _ld_text(self.article.get("dateCreated")),
        ]
        for value in structured:
            parsed = self._date(value)
            if parsed:
                return parsed
        times = root.xpath("//body//time[@datetime]")
        times.sort(key=lambda t: t.get("pubdate") is None and "publish" not in (t.get("class") or "").lower())
        for element in self._after_headline(times)[:10]:
            label = (element.get("class") or "").lower()
            if self._in_furniture(element) or "updated" in label or "modified" in label:
                continue
            parsed = self._date(element.get("datetime", ""))
            if parsed:
                return parsed
        visible = root.xpath(
            "//body//*[contains(@class,'date') or contains(@class,'publish') or contains(@class,'posted')"
            " or contains(@class,'timestamp') or contains(@class,'time') or self::time]"
        )
        for element in self._after_headline(visible)[:15]:
            if self._in_furniture(element):
                continue
            text = _element_text(element, 120)
            if 6 <= len(text) <= 80 and re.search(r"\d", text):
                parsed = parse_date(text, dayfirst=self.dayfirst)
                if parsed:
                    return parsed
        match = _URL_DATE_RE.search(self.url or "")
        if match:
            parsed = parse_date("-".join(f"{int(g):02d}" for g in match.groups()))
            if parsed:
                return parsed
        for value in (_ld_text(self.article.get("dateModified")), self.meta(*_UPDATED_META)):
            parsed = self._date(value)
            if parsed:
                return parsed
        return None

    def _section(self) -> str | None:
        candidates = [
            _ld_text(self.article.get("articleSection")),
            self.meta(*_SECTION_META),
            str(self.parsely.get("section") or ""),
            self._microdata_value("articleSection"),
        ]
        for value in candidates:
            value = _normalize(value)
            if value and len(value) <= 80:
                return value
        return None


# --- the extractor ------------------------------------------------------------------

#: Start of the warning left when extraction failed on an unforeseen input (tests look for it).
INTERNAL_ERROR = "HTML extraction failed"


_ENTITY_RE = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,5}|[a-zA-Z]{2,8});")


def _split_plain(text: str) -> list[str]:
    """A JSON-LD ``articleBody`` as paragraphs: plain lines, or HTML when it carries tags."""
    for _ in range(2):  # bodies are often escaped, sometimes twice ("&amp;quot;")
        if _ENTITY_RE.search(text):
            text = html.unescape(text)
    if re.search(r"<(?:p|br|div)\b", text, re.I):
        return html_fragment_paragraphs(text)
    return [line for line in (_normalize(part) for part in re.split(r"\n+", text)) if line]


def _trusted_article_body(article: dict, dom_paragraphs: list[str]) -> list[str] | None:
    """The JSON-LD ``articleBody`` as paragraphs, when it is at least as complete as the DOM text."""
    body = article.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(b for b in body if isinstance(b, str))
    if not isinstance(body, str) or len(body) < 200:
        return None
    paragraphs = _split_plain(body)
    body_chars = sum(len(p) for p in paragraphs)
    dom_chars = sum(len(p) for p in dom_paragraphs)
    if body_chars >= 0.9 * dom_chars:
        return paragraphs
    return None


def extract_html(raw: RawDocument, *, dayfirst: bool = False) -> Draft:
    """An HTML page -> Draft with metadata and main-text paragraphs.

    Never raises on bad input: what could not be read is reported in ``warnings``.
    """
    draft = Draft(id=raw.id, path=raw.path, source=folder_source(raw.path))
    try:
        _fill_draft(draft, raw.text or "", dayfirst)
    except RecursionError:
        draft.warnings.append("markup too deeply nested to read")
    except Exception as exc:  # a page must never stop an ingest run; the warning names the failure
        draft.warnings.append(f"{INTERNAL_ERROR}: {type(exc).__name__}: {exc}"[:300])
    return draft


def _fill_draft(draft: Draft, text: str, dayfirst: bool) -> None:
    root, truncated, warnings = _parse(text)
    draft.warnings.extend(warnings)
    if root is None:
        if text.strip():
            draft.paragraphs = [b.text for b in _soup_blocks(text) if b.link_chars <= 0.5 * len(b.text)]
        return
    meta = _Metadata(root, dayfirst)
    draft.title = meta.title
    draft.authors = meta.authors
    draft.url = meta.url
    draft.source = meta.source or site_name_from_url(meta.url) or draft.source
    draft.section = meta.section
    draft.language = meta.language
    published = meta.published
    if published is not None:
        draft.published, draft.date_only = published.value, published.date_only
    elif meta.bad_dates:
        draft.warnings.append(f"unparseable date: {meta.bad_dates[0]!r}")

    if truncated:
        draft.warnings.append("markup nested too deeply for lxml; main text taken from the whole page")
        blocks = [b for b in _soup_blocks(text) if b.link_chars <= 0.5 * len(b.text)]
        dom_paragraphs = [b.text for b in blocks]
    else:
        body = root.find("body")
        if body is None:
            body = root
        etree.strip_elements(body, *_DROP_TAGS, with_tail=False)
        dom_paragraphs = _paragraphs(_main_blocks(body))
        draft.region_chosen = True
    trusted = _trusted_article_body(meta.article, dom_paragraphs)
    if trusted is not None:
        draft.paragraphs, draft.trusted_body = trusted, True
    else:
        draft.paragraphs = dom_paragraphs
    if not draft.paragraphs:
        draft.warnings.append("no main text found")


def html_fragment_paragraphs(html_text: str) -> list[str]:
    """An HTML fragment (a record's ``"<p>..</p><p>..</p>"`` body) as its text paragraphs."""
    if not html_text or not html_text.strip():
        return []
    root, truncated, _ = _parse(f"<html><body>{html_text}</body></html>")
    if root is None or truncated:
        return [b.text for b in _soup_blocks(html_text)]
    body = root.find("body")
    if body is None:
        body = root
    etree.strip_elements(body, *_DROP_TAGS, with_tail=False)
    return _paragraphs(_lxml_blocks(body))
