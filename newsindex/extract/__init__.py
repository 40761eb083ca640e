"""Stage 2, extract: find metadata and candidate paragraphs in a document.

Three shapes of input arrive here: scraped plain text (header lines such as
``Published:`` and ``Section | By Author``, a title, then the page text),
HTML pages (see ``extract.html``), and records from JSON/JSONL/CSV exports.  Each
becomes a ``Draft``; removing boilerplate from its paragraphs is the next
stage's job, so nothing here throws text away except the metadata lines it
has understood (and those are listed in ``Draft.removed``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..models import Draft, RawDocument
from .bylines import parse_byline, split_authors
from .outlets import configured_outlet, site_name_from_url, strip_site_suffix
from .records import default_field_map, extract_record, field_map_with
from .text import extract_text, paragraphs_from_text

__all__ = [
    "configured_outlet",
    "default_field_map",
    "extract",
    "extract_record",
    "extract_text",
    "field_map_with",
    "paragraphs_from_text",
    "parse_byline",
    "site_name_from_url",
    "split_authors",
    "strip_site_suffix",
]


def extract(
    raw: RawDocument,
    *,
    dayfirst: bool = False,
    field_map: Mapping[str, tuple[str, ...]] | None = None,
    explain: bool = False,
) -> Draft:
    """Dispatch a document to the extractor for its kind; ``explain`` lists what an HTML page's
    extraction removed (``Draft.removed``)."""
    if raw.kind == "html":
        from .html import extract_html

        return extract_html(raw, dayfirst=dayfirst, explain=explain)
    if raw.kind == "record":
        return extract_record(raw, dayfirst=dayfirst, field_map=field_map)
    return extract_text(raw, dayfirst=dayfirst)
