"""On how many sites of the shared sets does each shipped rule fire?  (test_rule_sites.py)

A shipped rule, or one alternative inside it, that fires on a single site was
fitted to that site: cleaning must hold on sites never seen.  Sites are URL
hosts where a set gives the URL, else the page itself.

Alternatives: a pattern's top-level branches, or else the branches of its
first group that has some; a [contains] rule's phrases.  Every alternative is
tested where the cleaner applies its section: [line], [heading] and [share]
against whole paragraphs, [sentence] against sentences, [contains] anywhere
in a short paragraph.  Paragraphs are every candidate paragraph extracted
from the sets' HTML pages and text dumps, before cleaning.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from newsindex.clean.rules import (
    CONTAINS_RULE_MAX_CHARS,
    HEADING_RULE_MAX_CHARS,
    LINE_RULE_MAX_CHARS,
    RULE_SECTIONS,
    parse_rules,
)
from newsindex.data import data_sections
from newsindex.extract import extract
from newsindex.models import RawDocument
from newsindex.read.decoding import decode

#: Rules the product is named for; they stay whatever the sets say.
NAMED_RULES = frozenset({"refresh-page", "like-this"})


def _host(url: str | None) -> str | None:
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    return host or None


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    return decode(gzip.decompress(data) if path.suffix == ".gz" else data, html=True)[0]


def shared_pages(data: Path) -> Iterator[tuple[str, str, str]]:
    """(site, kind, page text) for every page of the shared extraction sets, HTML and text dumps."""
    aeb = data / "article-extraction-benchmark"
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, entry in sorted(truth.items()):
        site = _host(entry.get("url")) or f"aeb:{page_id}"
        yield site, "html", _decoded(aeb / "html" / f"{page_id}.html.gz")
        text = data / "aeb-text" / f"{page_id}.txt"
        if text.exists():
            yield site, "text", text.read_text(encoding="utf-8")
    for page_dir in sorted((data / "readability-test-pages").iterdir()):
        if (page_dir / "source.html").exists():
            yield f"readability:{page_dir.name}", "html", _decoded(page_dir / "source.html")
    portal = data / "cleaning-sets" / "cleanportaleval"
    gold = json.loads((portal / "gold.json").read_text(encoding="utf-8"))
    for page_id, entry in sorted(gold.items()):
        url = re.match(r"URL:\s*(\S+)", entry.get("articleBody") or "")
        site = (_host(url.group(1)) if url else None) or page_id.rsplit("_", 1)[0]
        yield site, "html", _decoded(portal / "html" / f"{page_id}.html")
        yield site, "text", (portal / "text" / f"{page_id}.txt").read_text(encoding="utf-8", errors="replace")


# --- alternatives of a pattern ---------------------------------------------------------------------


def _branches(pattern: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Spans of the ``|``-separated branches of ``pattern[start:stop]`` at depth 0 of that range."""
    spans, depth, in_class, index, begin = [], 0, False, start, start
    while index < stop:
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            spans.append((begin, index))
            begin = index + 1
        index += 1
    spans.append((begin, stop))
    return spans


def _first_group_with_branches(pattern: str) -> tuple[int, int] | None:
    """(start, end) of the body of the first top-level group that has ``|`` branches."""
    depth, in_class, index, opened = 0, False, 0, -1
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            if depth == 0:
                opened = index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and opened >= 0:
                body_start = opened + (3 if pattern.startswith("(?:", opened) else 1)
                if len(_branches(pattern, body_start, index)) > 1:
                    return body_start, index
        index += 1
    return None


def alternatives(pattern: str) -> list[str]:
    """The pattern once per alternative it offers (itself when it offers none)."""
    top = _branches(pattern, 0, len(pattern))
    if len(top) > 1:
        return [pattern[a:b] for a, b in top]
    group = _first_group_with_branches(pattern)
    if group is None:
        return [pattern]
    start, end = group
    return [pattern[:start] + pattern[a:b] + pattern[end:] for a, b in _branches(pattern, start, end)]


# --- where rules fire --------------------------------------------------------------------------------


class _Corpus:
    """Every site's distinct paragraphs in one string per rule section, so a rule is one regex scan.

    Paragraphs are lower-cased and separated by newlines; ``starts`` maps an offset back to its site.
    """

    def __init__(self, paragraphs: dict[str, frozenset[str]], limit: int | None) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.sites: list[str] = []
        offset = 0
        for site, texts in sorted(paragraphs.items()):
            blob = "\n".join(sorted(t.lower() for t in texts if limit is None or len(t) <= limit))
            self.starts.append(offset)
            self.sites.append(site)
            parts.append(blob)
            offset += len(blob) + 1
        self.text = "\n".join(parts)

    def site_at(self, offset: int) -> str:
        return self.sites[bisect_right(self.starts, offset) - 1]

    def sites_of(self, pattern: re.Pattern[str]) -> set[str]:
        found: set[str] = set()
        position = 0
        while True:
            match = pattern.search(self.text, position)
            if match is None:
                return found
            site = self.site_at(match.start())
            found.add(site)
            index = self.sites.index(site) + 1  # skip to the next site: one hit per site is enough
            if index >= len(self.starts):
                return found
            position = self.starts[index]

    def sites_with(self, phrase: str) -> set[str]:
        found: set[str] = set()
        position = self.text.find(phrase)
        while position >= 0:
            site = self.site_at(position)
            found.add(site)
            index = self.sites.index(site) + 1
            if index >= len(self.starts):
                break
            position = self.text.find(phrase, self.starts[index])
        return found


#: Where a section's rules are tried: the whole (short) paragraph, or from a sentence start.
_WHOLE = r"(?m:^(?:{}){{1}}$)"
_SENTENCE = r"(?m:(?:^|(?<=[.!?…\"”’)\]] ))(?:{}))"
_LIMITS = {
    "line": LINE_RULE_MAX_CHARS,
    "share": LINE_RULE_MAX_CHARS,
    "heading": HEADING_RULE_MAX_CHARS,
    "contains": CONTAINS_RULE_MAX_CHARS,
    "sentence": None,
}


@lru_cache(maxsize=2)
def site_paragraphs(data: Path) -> dict[str, frozenset[str]]:
    """Distinct candidate paragraphs (white space collapsed) of each site."""
    found: dict[str, set[str]] = {}
    for number, (site, kind, text) in enumerate(shared_pages(data)):
        draft = extract(RawDocument(path=f"page{number}.{'html' if kind == 'html' else 'txt'}", kind=kind, text=text))
        found.setdefault(site, set()).update(" ".join(p.split()) for p in [draft.title, *draft.paragraphs] if p)
    return {site: frozenset(paragraphs) for site, paragraphs in found.items()}


def rule_sites(data: Path) -> dict[tuple[str, str, str], set[str]]:
    """{(section, rule name, alternative): sites where it fires} for every shipped boilerplate rule."""
    shipped = resources.files("newsindex.data").joinpath("boilerplate.txt").read_text(encoding="utf-8")
    paragraphs = site_paragraphs(data)
    corpora = {limit: _Corpus(paragraphs, limit) for limit in set(_LIMITS.values())}
    result: dict[tuple[str, str, str], set[str]] = {}
    for section, rules in parse_rules(shipped, "boilerplate.txt").items():
        assert section in RULE_SECTIONS
        corpus = corpora[_LIMITS[section]]
        for name, spec in rules.items():
            if section == "contains":
                for phrase in (" ".join(p.split()).lower() for p in spec.split("|") if p.strip()):
                    result[(section, name, phrase)] = corpus.sites_with(phrase)
                continue
            frame = _SENTENCE if section == "sentence" else _WHOLE
            for alternative in alternatives(spec):
                pattern = re.compile(frame.format(alternative), re.IGNORECASE)
                result[(section, name, alternative)] = corpus.sites_of(pattern)
    return result


def class_word_sites(data: Path) -> dict[tuple[str, str], set[str]]:
    """{(section, word): sites with an element whose class or id holds it} for data/html_noise.txt."""
    from lxml import etree

    from newsindex.extract.html.parse import _class_tokens

    tokens_by_site: dict[str, set[str]] = {}
    for site, kind, text in shared_pages(data):
        if kind != "html":
            continue
        root = etree.fromstring(text, etree.HTMLParser()) if text.strip() else None
        if root is None:
            continue
        tokens = tokens_by_site.setdefault(site, set())
        for value in root.xpath("//@class | //@id"):
            tokens.update(_class_tokens(value))
    result: dict[tuple[str, str], set[str]] = {}
    for section, words in data_sections("html_noise.txt", first="noise").items():
        for word in words:
            for alternative in [word] if word.startswith("=") else alternatives(word):
                if alternative.startswith("="):
                    matches = alternative[1:].__eq__
                else:
                    matches = re.compile(r"(?:^|-)(?:" + alternative + r")(?=$|-)").search
                result[(section, alternative)] = {
                    site for site, tokens in tokens_by_site.items() if any(map(matches, tokens))
                }
    return result
