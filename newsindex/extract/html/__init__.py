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

Modules: ``parse`` (markup vocabulary, parsing), ``blocks`` (text blocks),
``noise`` (non-content marked), ``maintext`` (main-text scoring), ``structured`` (JSON-LD, meta tags, title
fields), ``metadata`` (the page's fields, bylines).
"""

from __future__ import annotations

import html
import re

from ...models import Draft, RawDocument
from ..outlets import site_name_from_url
from .blocks import _lxml_blocks, _normalize, _soup_blocks
from .explain import removals
from .maintext import _main_blocks, _paragraphs
from .metadata import _Metadata
from .parse import _as_browsers_build_it, _parse

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


def extract_html(raw: RawDocument, *, dayfirst: bool = False, explain: bool = False) -> Draft:
    """An HTML page -> Draft with metadata and main-text paragraphs; with ``explain``, every
    block left out and the evidence that left it out (``Draft.removed``).

    Never raises on bad input: what could not be read is reported in ``warnings``.
    """
    draft = Draft(id=raw.id, path=raw.path)
    try:
        _fill_draft(draft, raw.text or "", dayfirst, explain)
    except RecursionError:
        draft.warnings.append("markup too deeply nested to read")
    except Exception as exc:  # a page must never stop an ingest run; the warning names the failure
        draft.warnings.append(f"{INTERNAL_ERROR}: {type(exc).__name__}: {exc}"[:300])
    return draft


def _fill_draft(draft: Draft, text: str, dayfirst: bool, explain: bool = False) -> None:
    root, truncated, warnings = _parse(text)
    draft.warnings.extend(warnings)
    if root is None:
        if text.strip():
            draft.paragraphs = [b.text for b in _soup_blocks(text) if b.link_chars <= 0.5 * len(b.text)]
        return
    meta = _Metadata(root, dayfirst, text)
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
        _as_browsers_build_it(body)
        selection = _main_blocks(body)
        dom_paragraphs = _paragraphs(selection.kept)
        draft.region_chosen = True
    trusted = _trusted_article_body(meta.article, dom_paragraphs)
    if trusted is not None:
        draft.paragraphs, draft.trusted_body = trusted, True
    else:
        draft.paragraphs = dom_paragraphs
        if explain and not truncated:
            draft.removed.extend(removals(selection))
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
    _as_browsers_build_it(body)
    return _paragraphs(_lxml_blocks(body))
