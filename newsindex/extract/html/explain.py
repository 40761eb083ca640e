"""Why each text block of an HTML page was left out of the article, for ``extract --explain``.

Every block the main-text selection did not keep gets one ``Removal`` whose
rule names the evidence, most specific first:

- ``html:noise <what> (<where>)``: inside an element left out as non-content, with the
  reason it was ("class/id word", "<nav>", "role=navigation", "hidden", "teaser card")
  and the element (tag, class, id);
- ``html:outside-article (<where>)``: outside the element chosen as the article;
- ``html:link-list (N% links)``: inside the article but mostly link text;
- ``html:headline``: the page's h1, kept as the title;
- ``html:markup-as-text``: escaped HTML shown as text.
"""

from __future__ import annotations

from lxml import etree

from ...models import Removal
from .maintext import _is_link_list, _looks_like_markup, _Selection
from .noise import _BOILERPLATE, _hidden_from_readers
from .parse import _BOILERPLATE_TAGS, _FURNITURE_TAGS, _class_tokens, _noise_rules

_MAX_NAME_CHARS = 60


def _describe(element: etree._Element) -> str:
    """``div.share-bar#top``: the tag with its class and id, shortened."""
    name = str(element.tag)
    classes = " ".join((element.get("class") or "").split())
    if classes:
        name += "." + classes.replace(" ", ".")
    if element.get("id"):
        name += "#" + element.get("id", "").strip()
    return name if len(name) <= _MAX_NAME_CHARS else name[: _MAX_NAME_CHARS - 1] + "…"


def _noise_reason(element: etree._Element, selection: _Selection) -> str:
    """The evidence that marked ``element`` as non-content."""
    if element in selection.cards:
        return "teaser card (one of a list of items led by a headline link)"
    if element.tag in _FURNITURE_TAGS:
        return f"page furniture <{element.tag}>"
    if element.tag in _BOILERPLATE_TAGS:
        return f"picture or caption <{element.tag}>"
    role = (element.get("role") or "").strip().lower()
    if role and role in _noise_rules().roles:
        return f"landmark role={role}"
    if _hidden_from_readers(element):
        return "hidden from readers"
    level = "never the article" if selection.noise.get(element) == _BOILERPLATE else "page furniture"
    return f"{_matched_word(element)}: {level}"


def _matched_word(element: etree._Element) -> str:
    """``class/id word "share"``: the noise word (data/html_noise.txt) the element's names hold."""
    rules = _noise_rules()
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    for token in _class_tokens(names):
        if token in rules.noise_tokens:
            return f'class/id "{token}"'
        for pattern in (rules.never_main, rules.pictures, rules.noise):
            match = pattern.search(token)
            if match:
                return f'class/id word "{match.group().strip("-")}"'
    return "class/id word"


def removals(selection: _Selection) -> list[Removal]:
    """One Removal per block the selection left out, in page order."""
    kept = {id(block) for block in selection.kept}
    reasons: dict[etree._Element, str] = {}
    noisy_at: dict[etree._Element, etree._Element | None] = {}  # element -> nearest left-out element at or above
    article = None if selection.region is None else {selection.region} | selection.continued
    outside = None if selection.region is None else f"html:outside-article (article: {_describe(selection.region)})"
    found: list[Removal] = []
    for block, chain in zip(selection.blocks, selection.chains, strict=True):
        if id(block) in kept:
            continue
        noisy = _nearest_left_out(chain, selection.left_out, noisy_at)
        if noisy is not None:
            reason = reasons.get(noisy)
            if reason is None:
                reason = reasons[noisy] = f"html:noise {_noise_reason(noisy, selection)} ({_describe(noisy)})"
        elif article is not None and article.isdisjoint(chain):
            reason = outside
        elif block.kind == "h1":
            reason = "html:headline"
        elif _is_link_list(block):
            reason = f"html:link-list ({round(100 * block.link_chars / max(1, len(block.text)))}% links)"
        elif _looks_like_markup(block.text):
            reason = "html:markup-as-text"
        else:
            reason = "html:not-article-text"
        found.append(Removal(block.text, reason))
    return found


def _nearest_left_out(chain: tuple, left_out: set, memo: dict) -> etree._Element | None:
    """The first element of ``chain`` (a block's element, its parent, ...) that was left out,
    remembered for every element passed on the way: blocks share most of their ancestors."""
    found = None
    passed = 0
    for element in chain:
        if element in memo:
            found = memo[element]
            break
        if element in left_out:
            found = element
            break
        passed += 1
    for element in chain[:passed]:
        memo[element] = found
    return found
