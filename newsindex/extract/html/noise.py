"""Non-content marked, not deleted: page furniture by tag and ARIA role, hidden markup, and class/id
words from ``data/html_noise.txt``; noise inside a line of text is cut out of it.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from .parse import (
    _BLOCK_TAGS,
    _BOILERPLATE_TAGS,
    _FURNITURE_TAGS,
    _PHRASING_TAGS,
    _class_tokens,
    _noise_rules,
    _NoiseRules,
)

#: Noise levels: furniture may still wrap the article (a "has-sidebar" layout
#: div); boilerplate such as comments or cookie notices never does.
_FURNITURE, _BOILERPLATE = 1, 2


def _hidden_from_readers(element: etree._Element) -> bool:
    """Not shown, nor read out: ``aria-hidden``, or hidden by its markup (a noise mark, and
    what ``extract --explain`` says of it)."""
    return element.get("aria-hidden") == "true" or _hidden_by_markup(element)


def _hidden_by_markup(element: etree._Element) -> bool:
    """``hidden``, or a style of ``display:none`` or ``visibility:hidden``."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if not style:
        return False
    style = style.replace(" ", "")
    return "display:none" in style or "visibility:hidden" in style


@lru_cache(maxsize=16384)
def _name_verdict(names: str, rules: _NoiseRules) -> int:
    """0, _FURNITURE or _BOILERPLATE for a class/id string: 0 when a token is a content word
    ("article-body"), else the strongest noise word among the tokens that are not modifiers.

    Cached: a page repeats its class strings hundreds of times, and pages of one site
    share them; the noise, sidebar and byline readers all ask.  Pass plain strings: an
    XPath string result holds its element, and the cache would keep its page alive.

    A token holding a "/" is an address (an id set to the page's URL), not a name.
    """
    verdict = 0
    for token in _class_tokens(names):
        if "/" in token:
            continue
        content, level = _token_verdict(token, rules)
        if content:
            return 0
        verdict = max(verdict, level)
    return verdict


@lru_cache(maxsize=65536)
def _token_verdict(token: str, rules: _NoiseRules) -> tuple[bool, int]:
    """(a content word?, its noise level) for one class token.  Cached on its own: tokens
    ("col-md-4", "share-bar") repeat across class strings far more than whole strings do."""
    if rules.content.search(token):
        return True, 0
    if rules.modifier.search(token):
        return False, 0  # "has-sidebar", "category-promotions": says what a block has, not what it is
    if rules.never_main.search(token) or rules.pictures.search(token):
        return False, _BOILERPLATE
    if token in rules.noise_tokens or rules.noise.search(token):
        return False, _FURNITURE
    return False, 0


_NAMING = frozenset({"class", "id"})
_HIDING = frozenset({"hidden", "aria-hidden", "style"})


def _noise_elements(body: etree._Element) -> dict[etree._Element, int]:
    """Elements that look like non-content, by tag, ARIA role, visibility or class/id words.

    One walk over the page's elements, each one's attributes read once as plain strings.
    XPath queries for them (one per kind of mark) took nearly twice as long, and their string
    results hold their element: the verdict cache, keyed by them, kept whole pages alive.
    Class and id values are judged as strings (each distinct value once), and only the few
    suspicious elements by their whole names.
    """
    rules = _noise_rules()
    furniture: list[etree._Element] = []  # each kind in the page's order, marked in this order
    boilerplate: list[etree._Element] = []
    hidden: list[etree._Element] = []
    roles: list[etree._Element] = []
    suspects: list[etree._Element] = []
    verdicts: dict[str, int] = {}
    for element in body.iter():
        tag = element.tag
        if tag.__class__ is not str:
            continue
        if tag in _FURNITURE_TAGS:
            furniture.append(element)
        if tag in _BOILERPLATE_TAGS:
            boilerplate.append(element)
        attributes = element.items()
        if not attributes:
            continue
        suspect = hiding = False
        for name, value in attributes:
            if name in _NAMING:
                if not suspect:
                    verdict = verdicts.get(value)
                    if verdict is None:
                        verdict = verdicts[value] = _name_verdict(value, rules)
                    suspect = verdict > 0
            elif name == "role":
                if value.strip().lower() in rules.roles:
                    roles.append(element)
            elif name in _HIDING:
                hiding = True
        if element is body:
            continue  # body classes describe the page ("cookies-not-set"), not a block; nor is it hidden
        if hiding and _hidden_from_readers(element):
            hidden.append(element)  # often a hidden copy of the article for crawlers
        if suspect:
            suspects.append(element)
    found = dict.fromkeys(furniture, _FURNITURE)
    found.update(dict.fromkeys(boilerplate, _BOILERPLATE))
    found.update(dict.fromkeys(hidden, _BOILERPLATE))
    for element in roles:
        found[element] = max(found.get(element, 0), _FURNITURE)
    for element in suspects:
        names = f"{element.get('class') or ''} {element.get('id') or ''}"  # a content class overrides a noisy id
        verdict = verdicts.get(names)
        if verdict is None:
            verdict = verdicts[names] = _name_verdict(names, rules)
        if verdict:
            found[element] = max(found.get(element, 0), verdict)
    return found


def _is_caption_box(element: etree._Element) -> bool:
    """A box named as a picture's caption (a class/id word of data/html_noise.txt's [pictures]:
    "wp-caption-text", "image-caption"), not a ``<figure>`` or ``<figcaption>``: HTML defines a
    figure as content the main flow only refers to, which can move away from it unchanged."""
    if element.tag in _BOILERPLATE_TAGS:
        return False
    rules = _noise_rules()
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return any(rules.pictures.search(token) for token in _class_tokens(names))


def _is_hidden(element: etree._Element, rules: _NoiseRules) -> bool:
    """Not shown: ``hidden``, ``display:none``/``visibility:hidden``, or a class that hides it ("hidden",
    "sr-only": the whole-token words of data/html_noise.txt)."""
    if _hidden_by_markup(element):
        return True
    names = element.get("class")
    return bool(names) and not rules.noise_tokens.isdisjoint(_class_tokens(names))


def _drop_inline_noise(noise: dict[etree._Element, int]) -> None:
    """Remove noise that sits inside a line of text (a hover card after a name), keeping what follows it.

    Links and emphasis are words of the sentence whatever their class; only
    generic inline boxes (``span``, ``ins`` ad slots, custom tags) are cut, and
    links or emphasis that are not shown at all (a hidden "Continue reading the
    main story" skip link, which would otherwise open its box like a teaser's headline).
    """
    rules = _noise_rules()
    inline = [
        e
        for e in noise
        if e.tag not in _BLOCK_TAGS and (e.tag not in _PHRASING_TAGS or (e.tag != "br" and _is_hidden(e, rules)))
    ]
    for element in inline:
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
