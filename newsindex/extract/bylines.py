"""Bylines: the people a byline names, and nothing else.

Real bylines carry more than names: a place ("Dan Sabbagh in Kyiv"), a role
("Nicola Davis Science correspondent", "Rowena Mason Deputy political editor"),
a venue or outlet ("Ana Ruiz at the UN", "Glen Owen for the Mail on Sunday"), an
agency credit ("By Jane Doe, Reuters", "Name and agencies"), several people
("A and B in Place", "Von A und B"), and a label in the page's language ("By",
"Von", "Par", "Por", "Di", "Door", "Av", "Af").  Every word list is data
(``data/bylines.txt``); this module only knows the shapes.

``read_byline`` parses a byline line (label required) strictly: every part must
be explained as a person, an agency, a role or an organisation, or the line is
not a byline ("By the way, ..." is prose).  ``split_authors`` reads an author
field leniently: the names it can find.  Neither ever returns a role, a place or
an agency as a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .byline_words import PREPOSITION_LABELS, BylineWords, byline_words, month_names
from .given_names import is_common_given_name

_PARTICLES = frozenset(
    [
        "ibn",
        "abu",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "van",
        "von",
        "der",
        "den",
        "del",
        "della",
        "di",
        "la",
        "le",
        "bin",
        "ben",
        "al",
        "el",
        "y",
        "ter",
        "ten",
        "zu",
        "vom",
        "af",
        "av",
    ]
)
_NAME_WORD_RE = re.compile(r"^(?:[^\W\d_][\w'’\-]*\.?|[^\W\d_]\.(?:[^\W\d_]\.)*|[^\W\d_]\.-[^\W\d_]\.)$")
_SUFFIXES = frozenset({"jr.", "sr.", "jr", "sr", "ii", "iii", "iv"})
_BRACKETS_RE = re.compile(r"\s*[(\[][^)\]]*[)\]]")
_TRAILING_DATE_RE = re.compile(r"\s*(?:[|•·–—]|\s-\s|\b\d).*$")
_QUOTES = "\"“”«»'‘’"
_HANDLE_RE = re.compile(r"^[\w.\-]{2,40}$")


@dataclass(frozen=True)
class Byline:
    """What a byline says: the people, the section before it, an agency or outlet it credits."""

    authors: list[str]
    section: str | None = None
    credit: str | None = None


def _opens_role(tokens: list[str], words: BylineWords) -> bool:
    """Do ``tokens`` start with a role ("Journaliste au Monde", "Science correspondent at ...")?"""
    for end in range(1, min(len(tokens), 6) + 1):
        if not _is_role_phrase(tokens[:end], words):
            if tokens[end - 1].lower().strip(".,") not in words.role_modifiers | words.role_heads:
                return False
            continue
        return True
    return False


def _is_role_phrase(tokens: list[str], words: BylineWords) -> bool:
    """ "Science correspondent", "Deputy political editor": role words ending in a role noun."""
    lowered = [t.lower().strip(".,") for t in tokens]
    return (
        bool(lowered)
        and lowered[-1] in words.role_heads
        and all(t in words.role_modifiers or t in words.role_heads for t in lowered)
    )


def _is_post(tokens: list[str], words: BylineWords, desk: bool = False) -> bool:
    """A post named by place or desk: a few words ending in a role noun ("Pacific editor" after
    a name; "Moscow Bureau Chief" alone, where a desk word must say it is no person)."""
    lowered = [t.lower().strip(".,") for t in tokens]
    if not 1 <= len(lowered) <= 4 or lowered[-1] not in words.role_heads:
        return False
    if desk:
        return any(t in words.organisation_words for t in lowered[:-1])
    return tokens[-1].islower() or any(t in words.organisation_words | words.role_modifiers for t in lowered[:-1])


def _prefixed(word: str) -> bool:
    """ "al-Rashid", "el-Amin", "ibn-Said": a lower-case particle joined to a capitalised name."""
    head, _, rest = word.partition("-")
    return head in _PARTICLES and rest[:1].isupper()


def _tidy_name(tokens: list[str]) -> str:
    name = " ".join(tokens)
    last = tokens[-1]
    if last.endswith(".") and not (len(last) == 2 or last.lower() in _SUFFIXES or re.fullmatch(r"(\w\.)+", last)):
        name = name[:-1]
    if name.isupper() and len(tokens) > 1:
        name = " ".join(t if t.lower() in _PARTICLES else t.capitalize() for t in name.split())
        name = re.sub(r"(?<=[’'])(\w)", lambda m: m.group(1).upper(), name)
    return name


def _person_part(part: str, words: BylineWords, single_ok: bool, opening: bool = False) -> tuple[str | None, bool]:
    """(name, explained) for one comma/and-separated part of a byline.

    ``explained`` is False when the part holds words that are neither a name nor a
    place, role, agency or organisation: then the line is prose, not a byline.
    ``opening`` says the part opens the byline, where a desk is not credited ("A, Metro
    Staff") and "Jörg Staff", a given name before a team word, is a person."""
    part = part.strip(" ,:-–—|@")
    if not opening and (label := words.opening.match(part)) and " " in label.group(0).strip():
        part = part[label.end() :]  # "A; Additional reporting by B": a later part's own label
    if not part.strip("."):
        return None, True
    lowered = part.rstrip(".").lower()
    if lowered in words.agencies or lowered in words.roles or lowered in words.not_names:
        return None, True
    tokens = part.split()
    if len(tokens) > 2 and (agency := _trailing_agency(tokens, words)):
        tokens = tokens[:-agency]  # "By JOHN DOE Associated Press": the agency after the name, no comma
        part = " ".join(tokens)
    if _is_role_phrase(tokens, words) or _opens_role(tokens, words):
        named = _name_after_role(tokens, words)
        return (named, True) if named else (None, True)  # "Science correspondent", "corresponsal en México"
    if not opening and _names_a_desk(tokens, words):
        return None, True  # "A, Business Insider": after a name, a desk or outlet's words
    if len(tokens) > 1 and tokens[-1].lower() in words.organisation_words:
        if opening and len(tokens) == 2 and tokens[1].istitle() and is_common_given_name(tokens[0]):
            return _tidy_name(tokens), True  # "Jörg Staff": a surname that is also a team word
        return None, True  # "National Desk", "Metro Staff"
    if len(tokens) > 1 and (tokens[0] == "The" or _is_post(tokens, words, desk=True)):
        return None, True  # "The Harbour Times", "Moscow Bureau Chief"
    if len(tokens) > 1 and tokens[0].islower() and " ".join(tokens[1:]).lower() in words.agencies:
        return None, True  # "da Reuters"
    name: list[str] = []
    explained = True
    for index, token in enumerate(tokens):
        lowered = token.lower()
        rest = tokens[index:]
        if name and lowered in words.places:
            break  # "in Kyiv", "at the UN", "for the Mail on Sunday"
        if name and _opens_role(rest, words):
            if len(name) == 1:
                return None, True  # "Rasender Reporter": a word and a role is a pen name, not a person
            break
        if len(name) >= 2 and _is_post(rest, words):
            break  # "Kate Lyons Pacific editor": a region or desk before the role noun
        bare = token.strip(_QUOTES)
        if _NAME_WORD_RE.match(bare) and (bare[:1].isupper() or (lowered in _PARTICLES and name) or _prefixed(bare)):
            name.append(token)
            continue
        explained = False
        break
    while name and (name[-1].lower() in _PARTICLES or (len(name) > 2 and name[-1].lower().strip(".") in month_names())):
        name.pop()  # "Joshua Sokol May 25, 2017": the date was cut at its digits
    if not name or len(name) > 5:
        return None, False
    if _is_masthead(name, words, opening):
        return None, True  # "A, Sydney Morning Herald", "A, Daily Mail Reporter": the outlet
    if len(name) == 1 and (not single_ok or not explained or _is_code(name[0])):
        return None, explained  # a lone word is a name only when nothing unexplained follows it
    if len(name) == 1 and name[0].lower().strip(".") in words.not_names:
        return None, True  # "Organization for Transformative Works": no person before the place word
    if name[0].lower() in words.role_modifiers | words.role_heads and _is_role_phrase(name, words):
        return None, True
    return _tidy_name(name), explained


def _is_masthead(tokens: list[str], words: BylineWords, opening: bool = False) -> bool:
    """ "Sydney Morning Herald", "Washington Post": capitalised words ending in a newspaper's word.
    Opening a byline, two words led by a common given name are a person's ("By Emily Post")."""
    return (
        len(tokens) >= 2
        and tokens[-1].lower().strip(".,") in words.masthead_words
        and all(t[:1].isupper() for t in tokens)
        and not (opening and len(tokens) == 2 and is_common_given_name(tokens[0]))
    )


def _trailing_agency(tokens: list[str], words: BylineWords) -> int:
    """How many of the last ``tokens`` name an agency ("Associated Press"), leaving two or more."""
    for size in range(min(4, len(tokens) - 2), 0, -1):
        credit = " ".join(tokens[-size:]).lower()
        if credit in words.agencies and credit not in words.organisation_words:  # "Staff" is a desk's
            return size
    return 0


def _name_after_role(tokens: list[str], words: BylineWords) -> str | None:
    """The name after a role that opens a part ("Senior Correspondent Ray Dalton", "onze
    correspondent Eva Smit"): two or more name words, and nothing else, after the role."""
    for end in range(1, min(len(tokens) - 2, 6) + 1):
        rest = tokens[end:]
        if _is_role_phrase(tokens[:end], words) and all(
            _NAME_WORD_RE.match(t) and t[:1].isupper() and t.lower() not in words.role_heads | words.role_modifiers
            for t in rest
        ):
            return _tidy_name(rest) if len(rest) <= 5 else None
    return None


def _names_a_desk(tokens: list[str], words: BylineWords) -> bool:
    """Do capitalised ``tokens`` open with a desk's word ("Business Insider", "Politics Desk")?
    A given name that is also such a word ("Asia") leaves it a person's."""
    first = tokens[0].lower().strip(".,")
    return (
        len(tokens) >= 2
        and first in words.role_modifiers
        and tokens[0][:1].isupper()
        and not is_common_given_name(tokens[0])
    )


def _is_code(word: str) -> bool:
    """ "AFP", "SP-X", "NDR": a short capitalised code names an agency or a desk, not a person."""
    letters = re.sub(r"\W", "", word)
    return letters.isupper() and len(letters) <= 5


def _parts(text: str, label: str = "") -> list[str]:
    """The comma/joiner-separated parts of a byline; ``label`` ("Door") adds its language's joiners."""
    words = byline_words()
    text = _BRACKETS_RE.sub("", re.sub(r"\s+", " ", text)).strip(" ,-–—|")
    text = words.archive_links.sub("", text)  # "Alle Beiträge" is a link, not a name
    joiners = words.label_joiners.get(" ".join(label.lower().split()), words.joiners)
    return _without_countries([p for p in joiners.split(text) if p and p.strip()], words)


def _without_countries(parts: list[str], words: BylineWords) -> list[str]:
    """The parts less a country after the first ("Jane Doe, United States") and the lone word
    just before it, its city ("Frankfurt, Germany"), unless an agency ("A, Reuters, Germany"):
    where the names report from."""
    kept: list[str] = []
    for index, part in enumerate(parts):
        if index and " ".join(part.split()).strip(" .").lower() in words.countries:
            if kept and len(kept[-1].split()) == 1 and kept[-1].strip(" .").lower() not in words.agencies:
                kept.pop()
            continue
        kept.append(part)
    return kept


def _credit(parts: list[str]) -> str | None:
    """The agency a byline credits, else the newspaper it names."""
    words = byline_words()
    for part in parts:
        found = words.agency_names.get(part.strip(" .,").lower())
        if found and found.lower() not in words.roles and found.lower() not in {"staff", "agencies", "and agencies"}:
            return found
    for index, part in enumerate(parts):
        tokens = part.strip(" .,").split()
        named = tokens[1:] if tokens and tokens[0].lower() == "the" else tokens  # "The Irish Times"
        if _is_masthead(named, words, opening=index == 0) and len(named) <= 5:
            return " ".join(tokens)
    return None


def read_byline(line: str) -> Byline | None:
    """A labelled byline line ("By A and B in Kyiv", "Politics | Von A und B") or None."""
    line = " ".join(line.split())
    if len(line) > 220:
        return None
    words = byline_words()
    match = words.labels.match(line)
    if not match:
        return None
    names = _TRAILING_DATE_RE.sub("", words.stops.sub("", match.group("names")))
    parts = _parts(names, match.group("label"))
    people = _explained_people(parts)
    if people is None:
        return None
    section = (match.group("section") or "").strip() or None
    return Byline(people, section, _credit(parts))


def _explained_people(parts: list[str]) -> list[str] | None:
    """The people of a byline's parts, or None when a part is prose (words that are no
    name, place, role or agency).  "Von Katrin Möller, Berlin": a lone word beside a full
    name is a place."""
    if not parts:
        return None
    words = byline_words()
    people: list[str] = []
    for index, part in enumerate(parts):
        name, explained = _person_part(part, words, single_ok=True, opening=index == 0)
        if not explained:
            return None
        if name and name not in people:
            people.append(name)
    if any(" " in name for name in people):
        people = [name for name in people if " " in name]
    return people


def bare_names(text: str) -> list[str]:
    """Full names that make up the whole of ``text``, with no label ("Amelie Loevenich",
    "Anna Berg und Jan Holt"): for text whose place says it is a byline (a date line's part,
    a signature under the article).  Every part must be explained and every person have
    two words or more; a lone word could be a place or a section."""
    text = " ".join(text.split())
    if not text or len(text) > 120 or opens_with_label(text):
        return []
    people = _explained_people(_parts(byline_words().stops.sub("", text)))
    if not people or not all(" " in name for name in people):
        return []
    return people


def opens_with_label(text: str) -> bool:
    """Does ``text`` start with a byline label ("By", "Von", "Text:")? A cheap test before ``read_byline``."""
    return bool(byline_words().opening.match(text))


def byline_within(line: str) -> Byline | None:
    """A byline that starts inside a line ("Posted in Travel by Anna Berg on May 3, 2019",
    "Ein Artikel von Pamela Sladky | 27.01.2022"): after a label that is a preposition
    ("by", "von", "par"...), the line must read as a byline naming a person of two or more
    words, or a handle the line goes on from ("von stylegart am 3. Mai").  A credit for a
    picture ("Foto von ...") is no byline."""
    line = " ".join(line.split())
    if len(line) > 220:
        return None
    words = byline_words()
    for match in words.inner_label.finditer(line):
        before = line[: match.start()].split()
        if before and words.stops.match(" " + before[-1]):
            continue  # "Foto von Josh Willink": the credit for a picture
        byline = read_byline(line[match.start() :])
        people = [
            name
            for name in (byline.authors if byline is not None else [])
            if " " in name and words.organisation_words.isdisjoint(name.lower().split())  # "National Desk ..."
        ]
        if people:
            return Byline(people, None, byline.credit)
        after = line[match.end() - 1 :]
        rest = words.stops.sub("", after).strip(" ,;|")
        if rest and " " not in rest and rest != after.strip(" ,;|"):
            handle = field_authors(rest)  # "by damianduchamps on August 3": a handle the label names
            if handle:
                return Byline(handle)
    return None


def is_bare_label(text: str) -> bool:
    """Is ``text`` a byline label and nothing else ("Autor:", "By", "Auteur")?"""
    text = text.strip()
    opening = byline_words().opening
    return bool(opening.match(text)) and not opening.sub("", text, count=1).strip(" :")


def names_after_label(label: str, line: str) -> list[str]:
    """The people on the line after a bare label.  A label that says names follow (a colon,
    "By") takes any byline; a heading ("Autor", "Texte") only full names ("Texte / Photos"
    is two headings)."""
    byline = read_byline(f"{label.strip()} {line}")
    if byline is None:
        return []
    if label.strip().endswith(":") or label.split()[-1].lower() in PREPOSITION_LABELS:
        return byline.authors
    return byline.authors if all(" " in name for name in byline.authors) else []


def parse_byline(line: str) -> tuple[list[str], str | None] | None:
    """``(authors, section)`` from a byline line, or None if it is not one."""
    byline = read_byline(line)
    return None if byline is None else (byline.authors, byline.section)


def split_authors(names: str, *, single_ok: bool = False) -> list[str]:
    """Person names from an author field or the part of a byline after its label.

    ``"A and B"``, ``"A, Reuters"``, ``"A in Kyiv"``, ``"A Science correspondent"``
    all come out as the people alone; parts that are not names are dropped.
    A lone word ("Tobi") counts only when ``single_ok`` (a field that holds authors)."""
    byline = read_byline(names)
    if byline is not None:
        return byline.authors
    words = byline_words()
    names = words.opening.sub("", names, count=1) or names  # a label is never part of a name
    names = words.stops.sub("", names) or names
    people: list[str] = []
    for index, part in enumerate(_parts(_TRAILING_DATE_RE.sub("", names) or names)):
        name, _ = _person_part(part, words, single_ok, opening=index == 0)
        if name and name not in people:
            people.append(name)
    if any(" " in name for name in people):
        people = [name for name in people if " " in name]  # "Marcus Webb in Lagos, Nigeria": a place
    return people


def field_authors(value: str, *, site: str = "") -> list[str]:
    """Names in one author field of a page or record (meta author, JSON-LD name, a byline element).

    Like ``split_authors``, and a single handle ("gizzmo", "HansG") is kept when the field
    is nothing else: not the outlet, an agency, a role or a web address."""
    text = " ".join((value or "").split())
    if not text or "://" in text or text.startswith(("www.", "@")) or len(text) > 200:
        return []
    people = split_authors(text, single_ok=True)
    if people or " " in text:
        return [p for p in people if _fold(p) != _fold(site)]
    words = byline_words()
    if (
        _HANDLE_RE.match(text)
        and text.lower() not in words.agencies | words.roles | words.organisation_words | words.not_names
        and _fold(text) != _fold(site)
        and not re.fullmatch(r"[\d.\-]+", text)
        and "." not in text.strip(".")
    ):
        return [text]
    return []


def credit_in(value: str) -> str | None:
    """The agency or outlet a byline credits ("By Jane Doe, Reuters" -> "Reuters"), if any."""
    byline = read_byline(value)
    return byline.credit if byline else _credit(_parts(value))


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", (text or "").lower()))
