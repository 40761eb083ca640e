"""The word lists a byline is read with (``data/bylines.txt``), parsed and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..data import data_lines, data_sections

#: Labels that end in a preposition: inside a line only these open a byline.
PREPOSITION_LABELS = frozenset({"by", "von", "par", "por", "di", "da", "door", "av", "af"})


@dataclass(frozen=True)
class BylineWords:
    """Each section of ``data/bylines.txt`` as the byline reader uses it: lower-cased word sets,
    and the labels, joiners and stops compiled into patterns."""

    agencies: frozenset[str]
    roles: frozenset[str]
    organisation_words: frozenset[str]
    masthead_words: frozenset[str]
    labels: re.Pattern[str]
    opening: re.Pattern[str]
    joiners: re.Pattern[str]
    label_joiners: dict[str, re.Pattern[str]]
    places: frozenset[str]
    countries: frozenset[str]
    not_names: frozenset[str]
    role_heads: frozenset[str]
    role_modifiers: frozenset[str]
    agency_names: dict[str, str]
    stops: re.Pattern[str]
    inner_label: re.Pattern[str]
    archive_links: re.Pattern[str]


@lru_cache(maxsize=1)
def month_names() -> frozenset[str]:
    """Month names in every language listed, and their three-letter forms, lower-cased: a date
    left after a name ("Joshua Sokol May 25") is not part of it."""
    names = set()
    for line in data_lines("month_names.txt"):
        english, _, others = line.partition(":")
        names.add(english.strip().lower())
        names.update(n.strip().lower() for n in others.split(",") if n.strip())
    return frozenset(names | {n[:3] for n in names if len(n) > 3})


def _phrases(phrases: list[str]) -> str:
    """Word phrases as one alternation, any run of spaces between their words."""
    return "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)


@lru_cache(maxsize=1)
def byline_words() -> BylineWords:
    groups = data_sections("bylines.txt", first="agencies")

    def lowered(name: str) -> frozenset[str]:
        return frozenset(w.lower() for w in groups.get(name, ()))

    labels = sorted(groups.get("labels", ()), key=len, reverse=True)
    label_re = _phrases(labels)
    joiners = "|".join(re.escape(j) for j in groups.get("joiners", ()))
    by_label: dict[str, list[str]] = {}
    for line in groups.get("label_joiners", ()):
        label, _, joiner = line.partition(":")
        by_label.setdefault(" ".join(label.lower().split()), []).append(joiner.strip())
    # Inside a line only a label that ends in a preposition opens a byline ("Posted by",
    # "von"); "Text" or "Author" there is a word of the sentence.
    inner = [label for label in labels if label.split()[-1].lower() in PREPOSITION_LABELS]
    inner_re = _phrases(inner)
    return BylineWords(
        agencies=lowered("agencies"),
        roles=lowered("roles"),
        organisation_words=lowered("organisation_words"),
        masthead_words=lowered("masthead_words"),
        labels=re.compile(
            r"^(?:(?P<section>[^|]{1,60}?)\s*[|•·]\s*)?(?P<label>" + label_re + r")\s*:?\s+(?P<names>.{2,200})$",
            re.I,
        ),
        opening=re.compile(r"^(?:" + label_re + r")\s*:?(?:\s|$)", re.I),
        joiners=_joiner_pattern(joiners),
        label_joiners={
            label: _joiner_pattern("|".join(map(re.escape, extra)) + "|" + joiners) for label, extra in by_label.items()
        },
        places=lowered("place_words"),
        countries=frozenset(country.strip(" .") for country in lowered("countries")),  # "U.S." as "u.s"
        not_names=lowered("not_names"),
        role_heads=lowered("role_heads"),
        role_modifiers=lowered("role_modifiers"),
        agency_names={a.lower(): a for a in groups.get("agencies", ())},
        inner_label=re.compile(r"(?<=[\s,.;:|•·])(?:" + inner_re + r")\s+\S", re.I),
        stops=re.compile(r"\s+(?:" + "|".join(map(re.escape, groups.get("name_stops", ()))) + r")\b.*$", re.I),
        archive_links=re.compile(r"(?:^|\s+)(?:" + _phrases(groups.get("archive_links", ())) + r")$", re.I),
    )


def _joiner_pattern(joiners: str) -> re.Pattern[str]:
    return re.compile(r"\s*(?:[,;&/]|\b(?:" + joiners + r")\b)\s*", re.I)
