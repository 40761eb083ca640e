from datetime import datetime, timezone

import pytest

from newsindex.dates import format_iso, parse_date, period

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected", "date_only"),
    [
        ("Sat, March 23, 2019", datetime(2019, 3, 23, tzinfo=UTC), True),
        ("Tue, 04 May 2021 14:30:00 +0100", datetime(2021, 5, 4, 13, 30, tzinfo=UTC), False),
        ("2022-07-19T08:15:00Z", datetime(2022, 7, 19, 8, 15, tzinfo=UTC), False),
        ("2022-07-19 08:15:00+02:00", datetime(2022, 7, 19, 6, 15, tzinfo=UTC), False),
        ("March 23, 2019 at 3:04 pm EDT", datetime(2019, 3, 23, 19, 4, tzinfo=UTC), False),
        ("July 4, 2023 9:30 a.m. PST", datetime(2023, 7, 4, 17, 30, tzinfo=UTC), False),
        ("December 31, 2020 11:30 pm EST", datetime(2021, 1, 1, 4, 30, tzinfo=UTC), False),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC), False),
        ("Published: June 3, 2021 | Updated 5pm", datetime(2021, 6, 3, tzinfo=UTC), True),
        ("25/11/2020", datetime(2020, 11, 25, tzinfo=UTC), True),
    ],
)
def test_news_date_formats_normalise_to_utc(text, expected, date_only):
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.date_only is date_only


def test_two_digit_year_never_lands_in_the_future():
    now = datetime(2026, 11, 29, tzinfo=UTC)
    parsed = parse_date("3/4/30", now=now)
    assert parsed is not None and parsed.value.year == 1930
    assert parse_date("3/4/19", now=now).value.year == 2019


def test_dayfirst_is_configurable():
    assert parse_date("03/04/2020").value.month == 3
    assert parse_date("03/04/2020", dayfirst=True).value.month == 4


@pytest.mark.parametrize(
    "text", ["", "garbage", "March 23", "31-FEB-1987 10:00:00", "99/99/9999", "Posted in Politics"]
)
def test_damaged_or_partial_dates_are_refused(text):
    assert parse_date(text) is None


def test_format_iso_keeps_date_only_dates_as_days():
    value = datetime(2019, 3, 23, tzinfo=UTC)
    assert format_iso(value, date_only=True) == "2019-03-23"
    assert format_iso(value) == "2019-03-23T00:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019", datetime(2019, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)),
        ("2019-03", datetime(2019, 3, 1, tzinfo=UTC), datetime(2019, 4, 1, tzinfo=UTC)),
        ("March 2019", datetime(2019, 3, 1, tzinfo=UTC), datetime(2019, 4, 1, tzinfo=UTC)),
        ("2019-03-23", datetime(2019, 3, 23, tzinfo=UTC), datetime(2019, 3, 24, tzinfo=UTC)),
        ("2019-12", datetime(2019, 12, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-02-29", datetime(2020, 2, 29, tzinfo=UTC), datetime(2020, 3, 1, tzinfo=UTC)),
        ("23 March 2019", datetime(2019, 3, 23, tzinfo=UTC), datetime(2019, 3, 24, tzinfo=UTC)),
        ("yesterday", datetime(2026, 11, 28, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC)),
        ("7 days ago", datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)),
        ("last month", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)),
        ("last year", datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_periods_for_since_and_until(text, start, end):
    assert period(text, now=datetime(2026, 11, 29, 15, 0, tzinfo=UTC)) == (start, end)


@pytest.mark.parametrize("text", ["soon", "2019-13", "2019-02-30"])
def test_period_rejects_non_dates_with_a_message(text):
    with pytest.raises(ValueError, match="not a date"):
        period(text)


def test_markup_debris_after_a_date_is_ignored():
    parsed = parse_date("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM")
    assert parsed is not None
    assert parsed.value == datetime(1987, 3, 27, 0, 2, 59, 130000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jueves, 09 enero 2014 10:21", datetime(2014, 1, 9, 10, 21, tzinfo=UTC)),
        ("3. März 2020", datetime(2020, 3, 3, tzinfo=UTC)),
        ("12 décembre 2019", datetime(2019, 12, 12, tzinfo=UTC)),
    ],
)
def test_month_names_in_other_languages(text, expected):
    assert parse_date(text).value == expected


def test_unknown_words_never_turn_a_number_into_a_month():
    assert parse_date("words 09 unknown 2014") is None


def test_the_layout_reader_agrees_with_strptime_on_every_layout_and_damaged_dates():
    import random

    from newsindex.dates import _formats, _strptime

    layouts = [*_formats(), "%d %b %Y", "%B %Y", "%m/%d/%Y", "%d.%m.%Y %H:%M", "%d%m%Y", "%Y%m%d"]
    rng = random.Random(5)
    texts = ["26-FEB-1987 15:14:36.41", "Mar 23, 2019", "5 Sep 2020", " 5 Sep 2020", "Sept 5, 2020", "4122019"]
    texts += ["31-FEB-1987 15:14:36", "26-FEB-1987 24:00:00", "26-FEB-1987 23:59:60.1", "١٢-FEB-1987 15:14:36.41"]
    for _ in range(1500):
        moment = datetime(rng.randint(1900, 2030), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        text = moment.replace(minute=rng.randint(0, 59), microsecond=rng.randint(0, 999_999)).strftime(
            rng.choice(layouts).replace("%z", "")
        )
        damage = rng.random()
        text = text.replace("0", "", 1) if damage < 0.2 else text.upper() if damage < 0.3 else text
        texts.append(text)
    parsed = 0
    for text in texts:
        for layout in layouts:
            try:
                expected = datetime.strptime(text, layout)
            except ValueError:
                expected = None
            try:
                found = _strptime(text, layout)
            except ValueError:
                found = None
            assert found == expected, (text, layout)
            parsed += found is not None
    assert parsed > 1000  # most texts were read by some layout: the comparison is not of failures


def test_text_refused_before_dateutil_is_text_dateutil_reads_no_month_in():
    """``_may_give_a_month`` refuses without parsing: only where dateutil, fuzzy, would take the
    month from its default (so a refusal never loses a date)."""
    import random

    from dateutil import parser

    from newsindex.dates import _may_give_a_month

    rng = random.Random(7)
    words = ["SEES", "PROFIT", "IN", "Year", "calendar", "marching", "Q3", "FY", "mayor", "décembre", "3rd"]
    numbers = ["1987", "87", "2019", "5", "1986/87", "20190323", "190323", "12", "0323"]
    refused = 0
    for _ in range(2000):
        text = " ".join(rng.choice(words + numbers) for _ in range(rng.randint(1, 6)))
        if _may_give_a_month(text):
            continue
        refused += 1
        for fuzzy in (False, True):
            try:
                first = parser.parse(text, default=datetime(2000, 1, 1), fuzzy=fuzzy)
                second = parser.parse(text, default=datetime(2001, 2, 2), fuzzy=fuzzy)
            except (ValueError, OverflowError):
                continue
            assert first.month != second.month, text
    assert refused > 200
    assert parse_date("COLECO INDUSTRIES SEES PROFIT IN 1987") is None
    assert parse_date("20190323").value == datetime(2019, 3, 23, tzinfo=UTC)
    assert parse_date("MARCH 1987").value == datetime(1987, 3, 1, tzinfo=UTC)
