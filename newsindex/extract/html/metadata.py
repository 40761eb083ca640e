"""An HTML page's metadata: title, authors, date, section, outlet, language, from the most reliable
place the page offers.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from ...dates import language_dayfirst
from ..bylines import field_authors, opens_with_label, read_byline, split_authors
from ..outlets import strip_site_suffix
from .blocks import _normalize
from .maintext import _BOILERPLATE, _name_verdict
from .parse import _noise_rules
from .published import _PublishedDate
from .structured import (
    _AUTHOR_META,
    _PAGE_TYPES,
    _SECTION_META,
    _element_text,
    _fold,
    _is_article,
    _json_ld_objects,
    _ld_text,
    _meta_tags,
    _PageSources,
    _title_heads,
    _types,
    _without_site_tail,
)


def _person_names(value: str, site: str = "", *, handles: bool = True) -> list[str]:
    """Person names from one author string ("By A and B", "A, B", one name in any script);
    a lone handle ("gizzmo") only from a field that holds nothing but the author (``handles``)."""
    text = _normalize(value)
    names = field_authors(text, site=site) if handles else split_authors(text)
    names = [n for n in names if _fold(n) != _fold(site)]
    if names or re.search(r"[A-Za-z]", text) or not text or len(text) > 80 or "://" in text:
        return names
    # Names in scripts without capitals ("严玉洁"): the parts of the list as they are.
    return [part for part in re.split(r"\s*[,;&、，]\s*", text) if part and len(part.replace(" ", "")) <= 20]


def _ld_authors(value: object, ids: dict[str, dict] | None = None, site: str = "") -> list[str]:
    """Person names from a JSON-LD ``author``: strings, Person objects, lists, and
    ``{"@id": ...}`` references to a Person elsewhere in the page's graph."""
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and "name" not in item and ids and isinstance(item.get("@id"), str):
            item = ids.get(item["@id"], item)
        if isinstance(item, dict):
            if _types(item) & {"Organization", "NewsMediaOrganization", "Corporation"}:
                continue
            item = item.get("name")
            if isinstance(item, list):
                names.extend(n for v in item for n in _ld_authors(v, ids, site) if n not in names)
                continue
        if isinstance(item, str):
            names.extend(n for n in _person_names(html.unescape(item), site) if n not in names)
    return names


class _Bylines:
    """The authors: JSON-LD and meta tags first, else a byline a reader sees near the headline."""

    def _authors(self, root: etree._Element) -> list[str]:
        site = self.source or ""
        names = _ld_authors(self.article.get("author") or self.article.get("creator"), self.ids, site)
        if names:
            return self._fuller(names, root)
        for key in _AUTHOR_META:
            for value in self.metas.get(key, ()):
                names.extend(n for n in _person_names(html.unescape(value), site) if n not in names)
            if names:
                return self._fuller(names, root)
        parsely_authors = self.parsely.get("authors")
        if parsely_authors:
            names = _ld_authors(parsely_authors, None, site)
            if names:
                return names
        for element in self.microdata.get("author", ()):
            inner = element.xpath(".//*[@itemprop='name']")
            value = (
                (inner[0].get("content") or _element_text(inner[0]))
                if inner
                else (element.get("content") or _element_text(element, 200))
            )
            names.extend(n for n in _person_names(value, site) if n not in names)
        if names:
            return names
        return self._visible_byline(root) or self._labelled_byline(root)

    def _fuller(self, names: list[str], root: etree._Element) -> list[str]:
        """A field that gives only a first name ("Todd") yields to the byline a reader sees
        when that byline starts with it ("Todd Bates")."""
        if len(names) != 1 or " " in names[0]:
            return names
        shown = self._visible_byline(root) or self._labelled_byline(root)
        if shown and shown[0].split()[0].casefold() == names[0].casefold() and " " in shown[0]:
            return shown
        return names

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
            if ancestor.tag in ("body", "html"):
                break  # the page's own classes name its template, not a box on it
            if ancestor.tag in ("aside", "nav"):
                return True
            names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
            if names.strip() and _name_verdict(names, rules) == _BOILERPLATE:
                return True
        return False

    def _visible_byline(self, root: etree._Element) -> list[str]:
        candidates = root.xpath(
            "//body//*[contains(@class,'yline') or contains(@class,'uthor') or contains(@id,'yline')"
            " or contains(@id,'uthor') or @rel='author' or self::byline]"
        )
        for element in self._after_headline(candidates)[:30]:
            if self._in_furniture(element):
                continue
            text = _element_text(element, 300)
            if not text or len(text) > 200:
                continue
            byline = read_byline(text)
            if byline is not None and byline.authors:
                return byline.authors
            label = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('rel') or ''}".lower()
            if element.tag == "a" or "name" in label or len(text.split()) <= 4:
                names = _person_names(text, self.source or "", handles=element.get("rel") == "author")
                if names:
                    return names
        return []

    def _labelled_byline(self, root: etree._Element) -> list[str]:
        """A short line that opens with a byline label ("By ...", "Von ...", "Par ...", "Text: ..."),
        nearest after the headline: bylines without a telling class name."""
        lines = []
        for element in root.xpath(
            "//body//*[self::p or self::span or self::div or self::em or self::i"
            " or self::strong or self::b or self::li or self::small or self::address]"
        ):
            head = (element.text or "").strip()
            if not head and len(element):
                head = (element[0].text or "").strip()
            if not head or len(head) > 60 or not opens_with_label(head):
                continue
            text = _element_text(element, 200)
            if 4 <= len(text) <= 120:
                lines.append(element)
            if len(lines) >= 400:
                break
        for element in self._after_headline(lines)[:200]:
            if self._in_furniture(element):
                continue
            byline = read_byline(_element_text(element, 200))
            if byline is not None and byline.authors:
                return byline.authors
        return []


class _Metadata(_Bylines, _PublishedDate, _PageSources):
    """What the page says about itself, gathered before any markup is removed."""

    def __init__(self, root: etree._Element, dayfirst: bool, page_text: str = "") -> None:
        self.dayfirst = dayfirst
        self.page_text = page_text
        self.bad_dates: list[str] = []
        self.metas = _meta_tags(root)
        objects = _json_ld_objects(root)
        articles = [o for o in objects if _is_article(o)]
        self.article: dict = next((a for a in articles if a.get("headline") or a.get("articleBody")), None) or (
            articles[0] if articles else {}
        )
        self.page: dict = next((o for o in objects if _types(o) & _PAGE_TYPES), {})
        self.website: dict = next((o for o in objects if "WebSite" in _types(o)), {})
        self.ids = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and "Person" in _types(o)}
        self.parsely = self._parsely_page()
        self.microdata = self._microdata(root)
        self.h1 = self._headline_h1(root)
        self.html_title = next((_element_text(t) for t in root.iter("title")), "")
        self.language = self._language(root)
        self.dayfirst = language_dayfirst(self.language, dayfirst)
        self.url = self._url(root)
        self.source = self._source()
        self.title = self._title()
        self.authors = self._authors(root)
        self.published = self._published(root)
        self.section = self._section()

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
        headline = _normalize(_element_text(self.h1)) if self.h1 is not None else ""
        if best and len(headline) >= 10 and _fold(headline) != _fold(best) and _fold(headline) in _fold(best):
            best = headline  # "Kicker: Headline", "Headline - Tagline": the page's own headline is the title
        return strip_site_suffix(_without_site_tail(best, site_key), self.source) if best else ""

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
