"""Publication dates as scraped news writes them, normalised to UTC.

Fast path: the exact layouts in ``data/date_formats.txt`` via ``strptime``.
Everything else goes to python-dateutil with the time-zone abbreviations in
``data/timezones.txt``.  A string that is not a plausible date yields ``None``
(the caller records a warning); nothing here raises on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from .patterns import LazyPattern


def _dateutil_parse(text: str, **options) -> datetime:
    """dateutil's parser, imported on first use: most dates take the strptime
    path, and a search process should not pay for the import."""
    from dateutil import parser

    return parser.parse(text, **options)


_TIME_RE = LazyPattern(r"\d{1,2}:\d{2}|\b\d{1,2}\s*[ap]\.?\s?m\b\.?", re.I)
_AMPM_RE = LazyPattern(r"\b([ap])\.\s?m\.", re.I)
_NOISE_RE = LazyPattern(
    r"^\s*(?:(?:first\s+)?published|updated|last\s+updated|modified|posted|date|dated|on)\b\s*(?:on|at)?\s*[:\-–—]?\s*",
    re.I,
)
# Text after these separators is usually an "Updated ..." clause or a reading time.
_TAIL_RE = LazyPattern(r"\s+(?:\||·|•|/\s+Updated|Updated|Last updated|\()\s*.*$", re.I)
_EARLIEST_YEAR = 1800
_YEAR_FIRST_RE = LazyPattern(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")
# Characters no written date contains: entity and markup debris, control codes.
_DEBRIS_RE = LazyPattern(r"[&#;<>{}\[\]\\|\x00-\x08\x0b-\x1f]")


@dataclass(frozen=True)
class ParsedDate:
    """``value`` is aware, in the source's own offset (so its ``.date()`` is the day the
    source wrote; UTC when none was given); ``date_only`` when no time of day was given."""

    value: datetime
    date_only: bool


@lru_cache(maxsize=1)
def _formats() -> list[str]:
    from .data import data_lines  # here: the data module imports pathlib, which a search need not

    return data_lines("date_formats.txt")


@lru_cache(maxsize=1)
def timezone_offsets() -> dict[str, int]:
    """Abbreviation -> offset from UTC in seconds, from ``data/timezones.txt``."""
    offsets: dict[str, int] = {}
    from .data import data_lines

    for line in data_lines("timezones.txt"):
        name, offset = line.split()
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset.lstrip("+-").split(":")
        offsets[name.upper()] = sign * (int(hours) * 3600 + int(minutes) * 60)
    return offsets


@lru_cache(maxsize=1)
def _month_translation() -> tuple[re.Pattern, dict[str, str]]:
    """Other languages' month names -> English, from ``data/month_names.txt``."""
    mapping: dict[str, str] = {}
    from .data import data_lines

    for line in data_lines("month_names.txt"):
        english, _, others = line.partition(":")
        for name in others.split(","):
            if name.strip():
                mapping[name.strip().lower()] = english.strip()
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r")\b\.?", re.I)
    return pattern, mapping


def _has_foreign_month(text: str) -> bool:
    return bool(_month_translation()[0].search(text))


def _english_months(text: str) -> str:
    pattern, mapping = _month_translation()
    return pattern.sub(lambda m: " " + mapping[m.group(1).lower()] + " ", text)


def _tzinfos(name: str, offset: int | None):
    if name is None:
        return None
    seconds = timezone_offsets().get(name.upper())
    if seconds is None:
        return None
    return timezone(timedelta(seconds=seconds), name)


def _aware(value: datetime) -> datetime:
    """Naive times are UTC; an offset the source gave is kept, so its day stays its day."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


#: strptime directives that read only digits, and those that read only names.
_NUMBER_FIRST = ("%Y", "%y", "%m", "%d", "%H", "%I", "%M", "%S", "%j")
_NAME_FIRST = ("%a", "%A", "%b", "%B")
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


def parse_date(text: str, *, dayfirst: bool = False, now: datetime | None = None) -> ParsedDate | None:
    """Parse a date as news pages write it; ``None`` if it is not one.

    Naive times are taken as UTC.  A two-digit year never lands in the future.
    A date with no year (``March 23``) is refused rather than guessed.
    """
    if not text:
        return None
    cleaned = text.strip()[:120]
    cleaned = _NOISE_RE.sub("", cleaned)
    # Markup debris after the date ("27-MAR-1987 00:02:59.13&#5;&#5;RM") ends it.
    debris = _DEBRIS_RE.search(cleaned)
    if debris and debris.start() >= 6:
        cleaned = cleaned[: debris.start()].rstrip()
    if not cleaned:
        return None
    now = now or datetime.now(timezone.utc)
    if cleaned[:4].isdigit():  # every form fromisoformat reads starts with the year (a failed try raises)
        try:
            value = datetime.fromisoformat(cleaned)
        except ValueError:
            pass
        else:
            return _checked(value, len(cleaned) > 10, now)
    formats = _formats()
    first = cleaned[0]
    numbers_fit = first.isdigit() or first.isspace()  # " 5" is a %d
    names_fit = first not in "0123456789"
    for position, fmt in enumerate(formats):
        # A layout led by a number cannot read a title ("SEES PROFIT IN 1987"), nor one led
        # by a name a number: skipping them spares strptime, whose cache of five compiled
        # layouts would otherwise be cleared and refilled on every such line.
        if not (numbers_fit if fmt.startswith(_NUMBER_FIRST) else names_fit or not fmt.startswith(_NAME_FIRST)):
            continue
        try:
            value = _strptime(cleaned, fmt)
        except ValueError:
            continue
        if position:
            # Archives are homogeneous: try the layout that matched first next time.
            formats.insert(0, formats.pop(position))
        return _checked(value, bool(_TIME_RE.search(cleaned)), now)
    candidate = _AMPM_RE.sub(r"\1m", _TAIL_RE.sub("", cleaned)) or cleaned
    if not candidate.isascii() or _has_foreign_month(candidate):
        candidate = _english_months(candidate)
    if not _may_give_a_month(candidate):
        return None  # "SEES PROFIT IN 1987": dateutil would take the month from its defaults
    has_time = bool(_TIME_RE.search(candidate))
    if _YEAR_FIRST_RE.match(candidate):
        dayfirst = False  # "2022-05-04 ..." is year, month, day in every language
    for fuzzy in (False, True):
        try:
            first = _dateutil_parse(candidate, default=_DEFAULT_A, dayfirst=dayfirst, tzinfos=_tzinfos, fuzzy=fuzzy)
            second = _dateutil_parse(candidate, default=_DEFAULT_B, dayfirst=dayfirst, tzinfos=_tzinfos, fuzzy=fuzzy)
        except (ValueError, OverflowError, TypeError):  # dateutil's ParserError is a ValueError
            continue
        if first.year != second.year or first.month != second.month:
            return None  # no year or no month given: not a publication date
        if first.day != second.day:
            if fuzzy:
                return None  # a guessed month from a number among unknown words
            first = first.replace(day=1)  # "March 2019": keep the month
        return _checked(first, has_time, now, two_digit_year=not re.search(r"\d{4}", candidate))
    return None


_DIGITS_RE = LazyPattern(r"\d+")
_LETTERS_RE = LazyPattern(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _dateutil_month_words() -> frozenset[str]:
    from dateutil.parser import parserinfo

    return frozenset(word.lower() for names in parserinfo.MONTHS for word in names)


def _may_give_a_month(text: str) -> bool:
    """Could dateutil read a month in ``text``?  Only from a month's name or from numbers: two
    of them ("5/3", "05 03 2019") or one long enough to hold a compact date ("20190323").  A
    headline with a year alone ("SEES PROFIT IN 1987") is refused here, not by parsing it four
    times (a fifth of a millisecond each time, for every such title of an archive)."""
    numbers = _DIGITS_RE.findall(text)
    if len(numbers) >= 2 or any(len(number) > 4 for number in numbers):
        return True
    months = _dateutil_month_words()
    return any(word in months for word in _LETTERS_RE.findall(text.lower()))


#: What ``_strptime`` reads itself: ASCII numbers, and month names in English (strptime's C
#: locale; ``%b`` only abbreviations, ``%B`` only whole names, as strptime reads them).
_LAYOUT_FIELDS = {
    "Y": r"(?P<year>[0-9]{4})",
    "m": r"(?P<month>[0-9]{1,2})",
    "d": r"(?P<day>[0-9]{1,2})",
    "H": r"(?P<hour>[0-9]{1,2})",
    "M": r"(?P<minute>[0-9]{1,2})",
    "S": r"(?P<second>[0-9]{1,2})",
    "f": r"(?P<fraction>[0-9]{1,6})",
    "b": r"(?P<month_abbreviation>[a-z]{3})",
    "B": r"(?P<month_name>[a-z]{3,9})",
}


@lru_cache(maxsize=1)
def _english_month_numbers() -> tuple[dict[str, int], dict[str, int]]:
    """``(name -> number, abbreviation -> number)``, from ``data/month_names.txt`` (in order)."""
    from .data import data_lines

    names = [line.partition(":")[0].strip().lower() for line in data_lines("month_names.txt")]
    return {name: number for number, name in enumerate(names, 1)}, {
        name[:3]: number for number, name in enumerate(names, 1)
    }


@lru_cache(maxsize=64)
def _layout_pattern(fmt: str) -> re.Pattern | None:
    """A layout as one regular expression, or None if it has a directive ``_strptime`` leaves
    to strptime.  Whitespace matches any run of it, as in strptime."""
    pieces = []
    position = 0
    while position < len(fmt):
        char = fmt[position]
        if char == "%":
            field = _LAYOUT_FIELDS.get(fmt[position + 1 : position + 2])
            if field is None or field in pieces:
                return None
            pieces.append(field)
            position += 2
            continue
        if char.isspace():
            if pieces[-1:] != [r"\s+"]:
                pieces.append(r"\s+")
        else:
            pieces.append(re.escape(char))
        position += 1
    if sum(field.startswith("(?P<month") for field in pieces) > 1:
        return None  # a month written twice: strptime decides
    return re.compile("".join(pieces), re.IGNORECASE)


def _strptime(text: str, fmt: str) -> datetime:
    """``datetime.strptime(text, fmt)``, a layout of numbers and month names read by one match
    and the ``datetime`` built directly (a Reuters date: 1.9 us, strptime 4.5 us, whose general
    loop over every directive ran for each of an archive's dates).  Whatever the match does
    not read (a layout with other directives, text it does not take) goes to strptime itself."""
    pattern = _layout_pattern(fmt)
    found = pattern.fullmatch(text) if pattern is not None else None
    if found is not None:
        fields = found.groupdict()
        if "month_name" in fields:
            month = _english_month_numbers()[0].get(fields["month_name"].lower())
        elif "month_abbreviation" in fields:
            month = _english_month_numbers()[1].get(fields["month_abbreviation"].lower())
        else:
            month = int(fields.get("month") or 1)
        if month is not None:
            fraction = fields.get("fraction")
            try:
                return datetime(
                    int(fields["year"]) if "year" in fields else 1900,
                    month,
                    int(fields.get("day") or 1),
                    int(fields.get("hour") or 0),
                    int(fields.get("minute") or 0),
                    int(fields.get("second") or 0),
                    int(fraction.ljust(6, "0")) if fraction else 0,
                )
            except ValueError:
                pass  # strptime decides, and says why
    return datetime.strptime(text, fmt)


def _checked(value: datetime, has_time: bool, now: datetime, two_digit_year: bool = False) -> ParsedDate | None:
    if not has_time:
        value = value.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    utc = _aware(value)
    if two_digit_year and utc > now + timedelta(days=2):
        try:
            utc = utc.replace(year=utc.year - 100)
        except ValueError:
            return None
    if utc.year < _EARLIEST_YEAR or utc > now + timedelta(days=2):
        return None
    return ParsedDate(utc, date_only=not has_time)


@lru_cache(maxsize=1)
def _date_order() -> tuple[frozenset[str], frozenset[str]]:
    from .data import data_sections

    groups = data_sections("date_order.txt", first="month_first")
    return frozenset(t.lower() for t in groups.get("month_first", ())), frozenset(
        t.lower() for t in groups.get("day_first", ())
    )


def language_dayfirst(language: str | None, default: bool = False) -> bool:
    """Does a page in ``language`` write 03.02.2022 for 3 February? ``default`` when unknown."""
    tag = (language or "").strip().lower().replace("_", "-")
    if not tag:
        return default
    month_first, day_first = _date_order()
    for key in (tag, tag.split("-")[0]):
        if key in day_first:
            return True
        if key in month_first:
            return default
    return True


def format_iso(value: datetime | None, date_only: bool = False, tz: tzinfo | None = None) -> str | None:
    """ISO 8601 in ``tz`` (UTC by default), or just the day when only the day is known."""
    if value is None:
        return None
    if date_only:
        return value.date().isoformat()
    # Whole seconds: no news source means its hundredths of a second.
    return value.astimezone(tz or timezone.utc).isoformat(timespec="seconds")


# --- periods for --since / --until ----------------------------------------------

_AGO_RE = LazyPattern(r"^(\d{1,4})\s+(day|week|month|year)s?\s+ago$")
_RELATIVE_RE = LazyPattern(r"^(last|this|past)\s+(week|month|year)$")
_ISO_PERIOD_RE = LazyPattern(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + value.month - 1 + months
    return value.replace(year=total // 12, month=total % 12 + 1, day=1)


def period(text: str, *, tz=timezone.utc, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The time span a user means by ``text``: ``(start, end)``, end exclusive, aware.

    ``2019`` is the whole year, ``2019-03`` or ``March 2019`` the month,
    ``2019-03-23`` the day; ``today``, ``yesterday``, ``7 days ago``,
    ``last month``, ``this year`` are relative to ``now`` in ``tz``.
    Raises ``ValueError`` with a short message when ``text`` is no date.
    """
    now = (now or datetime.now(timezone.utc)).astimezone(tz)
    spec = " ".join(text.lower().split())
    shown = repr(spec if len(spec) <= 40 else spec[:40] + "…")
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if spec in ("today", "now"):
        return today, today + timedelta(days=1)
    if spec == "yesterday":
        return today - timedelta(days=1), today
    match = _AGO_RE.match(spec)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit == "day":
            start = today - timedelta(days=count)
        elif unit == "week":
            start = today - timedelta(weeks=count)
        elif unit == "month":
            start = add_months(today, -count).replace(day=min(today.day, 28))
        else:
            start = today.replace(year=today.year - count, day=min(today.day, 28))
        return start, start + timedelta(days=1)
    match = _RELATIVE_RE.match(spec)
    if match:
        which, unit = match.groups()
        if unit == "week":
            start = today - timedelta(days=today.weekday())
            if which == "past":
                return today - timedelta(days=7), today + timedelta(days=1)
            start = start - timedelta(weeks=1) if which == "last" else start
            return start, start + timedelta(weeks=1)
        if unit == "month":
            start = today.replace(day=1)
            if which == "past":
                return add_months(today, -1).replace(day=min(today.day, 28)), today + timedelta(days=1)
            start = add_months(start, -1) if which == "last" else start
            return start, add_months(start, 1)
        start = today.replace(month=1, day=1)
        if which == "past":
            return today.replace(year=today.year - 1), today + timedelta(days=1)
        start = start.replace(year=start.year - 1) if which == "last" else start
        return start, start.replace(year=start.year + 1)
    if re.fullmatch(r"\d{4}", spec):
        start = datetime(int(spec), 1, 1, tzinfo=tz)
        return start, start.replace(year=start.year + 1)
    iso = _ISO_PERIOD_RE.fullmatch(spec)
    if iso:  # the common forms, without dateutil's import and parse
        year, month, day = (int(part) if part else None for part in iso.groups())
        try:
            start = datetime(year, month, day or 1, tzinfo=tz)
        except ValueError:
            raise ValueError(f"not a date: {shown} (no such day or month)") from None
        return start, start + timedelta(days=1) if day else add_months(start, 1)
    try:
        first = _dateutil_parse(spec, default=_DEFAULT_A, tzinfos=_tzinfos)
        second = _dateutil_parse(spec, default=_DEFAULT_B, tzinfos=_tzinfos)
    except (ValueError, OverflowError, TypeError):
        raise ValueError(f"not a date: {shown} (try 2019, 2019-03, 2019-03-23, 'March 2019' or '7 days ago')") from None
    if first.year != second.year or first.month != second.month:
        raise ValueError(f"give a year with the date: {shown}")
    if first.tzinfo is None:
        first = first.replace(tzinfo=tz)
    if first.day != second.day:
        start = first.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return start, add_months(start, 1)
    if _TIME_RE.search(spec):
        return first, first + timedelta(seconds=1)
    start = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)
