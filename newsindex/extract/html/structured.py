"""Structured metadata a page carries: JSON-LD objects, <meta> tags, and the title fields voted on for the headline."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from lxml import etree

from ..bylines import is_bare_label
from ..outlets import title_separator_re
from .blocks import _normalize

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


_TITLE_SEPARATOR_RE = title_separator_re()


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


def labelled_meta_values(metas: dict[str, list[str]]) -> list[str]:
    """Values a page labels as its byline in label/data meta pairs (``twitter:label1``
    "Written by", "Verfasst von" and ``twitter:data1`` the name, as WordPress SEO plugins write them)."""
    values: list[str] = []
    for number in range(1, 5):
        labels, data = metas.get(f"twitter:label{number}", ()), metas.get(f"twitter:data{number}", ())
        if labels and data and is_bare_label(labels[0]):
            values.append(data[0])
    return values


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


#: Class words of the kicker set above or before a headline inside its h1 ("Dachzeile").
_KICKER_RE = re.compile(r"kicker|dachzeile|overline|topline|roofline|eyebrow|supertitle|spitzmarke|titleheader", re.I)


def _headline_text(h1: etree._Element) -> str:
    """An h1's headline without the kicker inside it: ``<h1><span class=dachzeile>Kicker</span>
    <span class=headline>Headline</span></h1>`` reads "Headline" (a dash or colon the page
    hides between them goes too)."""
    parts = [h1.text or ""]
    for child in h1:
        names = f"{child.get('class') or ''} {child.get('id') or ''}"
        hidden = child.get("aria-hidden") == "true" or child.get("role") == "presentation"
        if not (isinstance(child.tag, str) and (_KICKER_RE.search(names) or hidden or "colon" in names)):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    text = _normalize("".join(parts))
    return text if len(text) >= 10 else _element_text(h1)


#: Class/id words of a site's own heading: its name, logo, branding, or a menu's title.
_SITE_HEADING_RE = re.compile(r"site[-_]?(?:title|name|logo)|sitename|branding|\blogo|masthead|\bmenu|\bnav\b", re.I)


def _home_link(link: etree._Element) -> bool:
    """A link to the site's front page ("/", "https://example.org/", rel=home)."""
    if (link.get("rel") or "").lower() == "home":
        return True
    href = (link.get("href") or "").strip()
    if "/http" in href:  # a web archive's copy: the address it keeps
        href = href[href.rindex("http") :]
    if not href:
        return False
    parts = urlsplit(href)
    return parts.path in ("", "/") and not parts.query and not parts.fragment and (bool(parts.netloc) or href == "/")


def _is_site_heading(h1: etree._Element) -> bool:
    """An h1 that names the site, not the article: old blog templates put the blog's name in
    an h1 linking to the front page, in a branding/logo box or a menu, above the post's own."""
    for depth, element in enumerate((h1, *h1.iterancestors())):
        if element.tag in ("body", "html"):
            break
        if element.tag == "nav":
            return True
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if depth <= 3 and _SITE_HEADING_RE.search(names):
            return True
    return any(_home_link(link) for link in h1.iter("a"))


class _PageSources:
    """Lookups into what a page says about itself (meta tags, Parse.ly, microdata, the h1).

    And the fields they settle alone: language, URL, outlet.
    """

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
        """The first h1 that is no site heading (the blog's name as its logo, a menu's title)."""
        for h1 in root.iter("h1"):
            if _element_text(h1) and not _is_site_heading(h1):
                return h1
        return None

    @staticmethod
    def _site_heading(root: etree._Element) -> str:
        """The site's name where a template shows it as an h1 ("<h1 id=site-title><a href=/>Name")."""
        for h1 in root.iter("h1"):
            if _element_text(h1) and _is_site_heading(h1):
                return _element_text(h1, 100)
        return ""

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
