"""An HTML page's metadata: title, authors, date, section, outlet, language, from the most reliable
place the page offers.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from ...dates import language_dayfirst
from ..bylines import (
    bare_names,
    byline_within,
    field_authors,
    is_bare_label,
    names_after_label,
    opens_with_label,
    read_byline,
    split_authors,
)
from ..outlets import site_name_from_url, strip_site_suffix
from .blocks import _normalize
from .noise import _BOILERPLATE, _name_verdict
from .page_lines import visible_lines
from .parse import _noise_rules
from .published import _PublishedDate
from .structured import (
    _AUTHOR_META,
    _PAGE_TYPES,
    _SECTION_META,
    _TITLE_SEPARATOR_RE,
    _element_text,
    _fold,
    _headline_text,
    _is_article,
    _json_ld_objects,
    _ld_text,
    _meta_tags,
    _PageSources,
    _title_heads,
    _types,
    _without_site_tail,
    labelled_meta_values,
)
from .unlabelled_bylines import closing_signature, dated_line_names

_ORGANISATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})


def _person_names(value: str, site: str = "", *, handles: bool = True) -> list[str]:
    """Person names from one author string ("By A and B", "A, B", one name in any script);
    a lone handle ("gizzmo") only from a field that holds nothing but the author (``handles``)."""
    text = _normalize(value)
    names = field_authors(text, site=site) if handles else split_authors(text)
    names = [n for n in names if _fold(n) != _fold(site)]
    if names or re.search(r"[A-Za-z]", text) or not text or len(text) > 80 or "://" in text:
        return names
    # Names in scripts without capitals ("严玉洁"): the parts of the list as they are.
    parts = re.split(r"\s*[,;&、，]\s*", text)
    return [part for part in parts if re.search(r"[^\W\d_]", part) and len(part.replace(" ", "")) <= 20]


def _ld_authors(value: object, ids: dict[str, dict] | None = None, site: str = "") -> list[str]:
    """Person names from a JSON-LD ``author``: strings, Person objects, lists, and
    ``{"@id": ...}`` references to a Person elsewhere in the page's graph."""
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and "name" not in item and ids and isinstance(item.get("@id"), str):
            item = ids.get(item["@id"], item)
        if isinstance(item, dict):
            if _types(item) & _ORGANISATION_TYPES:
                continue
            item = item.get("name")
            if isinstance(item, list):
                names.extend(n for v in item for n in _ld_authors(v, ids, site) if n not in names)
                continue
        if isinstance(item, str):
            names.extend(n for n in _person_names(html.unescape(item), site) if n not in names)
    return names


#: How many lines above and below the headline its meta line (date, byline) may sit.
_META_LINES = 6
#: Class words of a picture's caption and credits box (``data/html_noise.txt`` counts them
#: as noise): a box that may also credit the text's author.
_PICTURE_BOX_RE = re.compile(r"(?i)(?<![a-z])(?:captions?|credits?)(?![a-z])")


def _host_label(url: str | None) -> str:
    """The name in a URL's host ("homify" in www.homify.de): a title's tail that says only
    this names the site."""
    host = site_name_from_url(url) or ""
    labels = host.split(".")
    return labels[-2] if len(labels) >= 2 and len(labels[-2]) >= 4 else ""


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
        return self._visible_byline(root) or self._line_byline(root) or self._account_author(root)

    def _account_author(self, root: etree._Element) -> list[str]:
        """The account a blog page says wrote it, when no byline shows: the web page's JSON-LD
        author, a "Written by" label/data meta pair; else a signature under the text.  The
        name of an organisation the page describes is no person ("OÖ Volksblatt")."""
        site = self.source or ""
        names = _ld_authors(self.page.get("author") or self.page.get("creator"), self.ids, site)
        for value in labelled_meta_values(self.metas) if not names else ():
            names.extend(n for n in _person_names(html.unescape(value), site) if n not in names)
        names = [name for name in names if _fold(name) not in self.organisations]
        body = root.find("body")
        return names or (closing_signature(body, self._in_furniture) if body is not None else [])

    def _fuller(self, names: list[str], root: etree._Element) -> list[str]:
        """A field that gives only a first name ("Todd") or a handle ("toddbates") yields to the
        byline a reader sees when that byline starts with it or spells it ("Todd Bates")."""
        if len(names) != 1 or " " in names[0]:
            return names
        shown = self._visible_byline(root) or self._line_byline(root)
        if shown and " " in shown[0]:
            first, joined = shown[0].split()[0].casefold(), _fold(shown[0]).replace(" ", "")
            if names[0].casefold() in (first, joined):
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
    def _in_furniture(element: etree._Element, byline: bool = False) -> bool:
        """Inside comments, a sidebar or navigation: a byline or date there is someone else's.

        A ``byline`` element (marked "author") may sit in a caption or credits box: the
        line under a header's picture often credits the text's author too."""
        rules = _noise_rules()
        for ancestor in element.iterancestors():
            if ancestor.tag in ("body", "html"):
                break  # the page's own classes name its template, not a box on it
            if ancestor.tag in ("aside", "nav"):
                return True
            names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
            if byline:
                names = _PICTURE_BOX_RE.sub(" ", names)
            if names.strip() and _name_verdict(names, rules) == _BOILERPLATE:
                return True
        return False

    def _visible_byline(self, root: etree._Element) -> list[str]:
        candidates = root.xpath(
            "//body//*[contains(@class,'yline') or contains(@class,'uthor') or contains(@id,'yline')"
            " or contains(@id,'uthor') or @rel='author' or self::byline]"
        )
        shown = [el for el in self._after_headline(candidates)[:300] if not self._in_furniture(el, byline=True)]
        for element in shown[:30]:
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
            elif names := bare_names(text):
                return names  # "Anna Berg und Jan Holt", "A im Gespräch mit B": full names and nothing else
        return []

    def _line_byline(self, root: etree._Element) -> list[str]:
        """A byline line a reader sees that no one element holds ("<h5>Autor:</h5> Name<br>",
        "Posted on May 3 by Anna Berg"), nearest below the headline first: a line opening
        with a label anywhere, a label inside the headline's meta lines."""
        shown = visible_lines(root, self.h1)
        headline = _element_text(self.h1) if self.h1 is not None else ""
        for index, (offset, line) in sorted(enumerate(shown), key=lambda item: (item[1][0] < 0, abs(item[1][0]))):
            if len(line) > 160:
                continue
            if is_bare_label(line):
                names = names_after_label(line, shown[index + 1][1]) if index + 1 < len(shown) else []
                if names:
                    return names
                continue
            if opens_with_label(line):
                byline = read_byline(line)
            elif abs(offset) <= _META_LINES and (not headline or headline not in line):
                byline = byline_within(line)  # the headline's own "von" is no byline
                if byline is None and (names := dated_line_names(line, self.dayfirst)):
                    return names
            else:
                continue
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
        self.organisations = {_fold(_ld_text(o.get("name"))) for o in objects if _types(o) & _ORGANISATION_TYPES}
        self.parsely = self._parsely_page()
        self.microdata = self._microdata(root)
        self.h1 = self._headline_h1(root)
        self.site_heading = self._site_heading(root)
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
            _headline_text(self.h1) if self.h1 is not None else "",
            self.html_title,
            _ld_text(self.page.get("name")),
        ]
        site = self.source or self.site_heading
        site_key = _fold(site or "")
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
        headline = _headline_text(self.h1) if self.h1 is not None else ""
        shown = bool(best) and len(headline) >= 10 and _fold(headline) in _fold(best)
        if shown:
            # "Kicker: Headline", "Headline - Tagline": the page's own headline is the title, and
            # with the same words it is written as the reader sees it („typographic“ quotes, dashes).
            best = headline
        if not best:
            return ""
        parts = [part.strip() for part in _TITLE_SEPARATOR_RE.split(best)]
        if len(parts) > 1 and site_key and _fold(parts[0]) == site_key:
            best = parts[-1]  # "Blog » Archive » Post": the site first, the headline last
        best = _without_site_tail(best, _fold(_host_label(self.url))) if _host_label(self.url) else best
        best = _without_site_tail(best, site_key)
        # A tail that only looks like a site's name ("Headline – Until Now") is cut unless the
        # page's own headline shows it: an outlet does not put its name in the article's <h1>.
        return best if shown else strip_site_suffix(best, site)

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
