"""Publication dates checked against the day a page prints beside its headline."""

from datetime import date

import pytest

from newsindex.dates import parse_date
from newsindex.extract.html import extract_html
from newsindex.extract.html.visible_dates import days_in_text
from newsindex.models import RawDocument

PROSE = "The harbour authority said the breakwater would be finished by spring, a year late. " * 3


def page(head: str = "", dateline: str = "", lang: str = "de", after: str = "") -> RawDocument:
    text = f"""<html lang="{lang}"><head><title>Breakwater delayed</title>{head}</head>
<body><article><h1>Breakwater delayed</h1><p class="meta">{dateline}</p><p>{PROSE}</p>{after}</article></body></html>"""
    return RawDocument(path="/archive/pages/a.html", kind="html", text=text)


def ld(published: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Breakwater delayed",'
        f' "datePublished": "{published}"}}</script>'
    )


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("Veröffentlicht am 09.03.2022 um 10:15", True, date(2022, 3, 9)),
        ("Publicado el 3 de mayo de 2022", True, date(2022, 5, 3)),
        ("March 3, 2020 at 9:00", False, date(2020, 3, 3)),
        ("3. März 2020", True, date(2020, 3, 3)),
        ("le 12 janvier 2021", True, date(2021, 1, 12)),
        ("04.05.20 14:50", True, date(2020, 5, 4)),
        ("Posted 2022-05-04", True, date(2022, 5, 4)),
        ("03/25/2022", True, date(2022, 3, 25)),
        ("Dec. 7th, 2019", False, date(2019, 12, 7)),
    ],
)
def test_days_written_in_many_languages_and_layouts(text, dayfirst, expected):
    assert next(day for _, day in days_in_text(text, dayfirst)) == expected


def test_a_numeric_date_that_reads_both_ways_is_given_both_ways_the_language_first():
    assert [day for _, day in days_in_text("Stand: 11/01/2021", True)] == [date(2021, 1, 11), date(2021, 11, 1)]
    assert [day for _, day in days_in_text("11/01/2021", False)] == [date(2021, 11, 1), date(2021, 1, 11)]


def test_version_numbers_and_times_are_no_dates():
    assert days_in_text("version 1.2.20 and 10:15:30, build 2022.1", True) == []


def test_a_year_first_date_is_never_read_day_first():
    assert parse_date("2022-05-04T03:00:00 UTC", dayfirst=True).value.date() == date(2022, 5, 4)


def test_a_stale_structured_date_yields_to_another_field_that_the_page_shows():
    head = ld("2021-12-06") + '<meta property="article:published_time" content="2022-12-15T09:13:00">'
    draft = extract_html(page(head, "15.12.2022"))
    assert draft.published.date() == date(2022, 12, 15)


def test_a_structured_date_the_page_shows_is_kept_over_other_fields():
    head = ld("2021-12-06") + '<meta property="article:published_time" content="2022-12-15T09:13:00">'
    draft = extract_html(page(head, "6. Dezember 2021, aktualisiert 15.12.2022"))
    assert draft.published.date() == date(2021, 12, 6)


def test_a_shown_update_never_replaces_the_publication_date():
    head = ld("2020-01-03T09:48:24+01:00") + '<meta property="article:modified_time" content="2020-01-06T09:22:36Z">'
    draft = extract_html(page(head, "Aktualisiert am 06.01.2020"))
    assert draft.published.date() == date(2020, 1, 3)
    draft = extract_html(page(head, "06.01.2020"))
    assert draft.published.date() == date(2020, 1, 3)  # a modified date is no publication date


def test_a_utc_time_takes_the_day_the_outlet_prints_when_a_time_zone_can_explain_it():
    draft = extract_html(page(ld("2022-05-04T02:41:00Z"), "3 de mayo de 2022", lang="es"))
    assert draft.published.date() == date(2022, 5, 3)
    assert draft.date_only
    # 08:36 UTC is the next day nowhere on earth: the printed day is another date.
    draft = extract_html(page(ld("2013-11-27T08:36:32Z"), "November 28, 2013", lang="en"))
    assert draft.published.date() == date(2013, 11, 27)
    # An offset the page gives is already the outlet's own day.
    draft = extract_html(page(ld("2020-05-04T00:50:00+02:00"), "03.05.2020"))
    assert draft.published.date() == date(2020, 5, 4)


def test_dates_in_embedded_posts_and_related_boxes_are_not_the_dateline():
    head = ld("2019-10-18T16:06:50+02:00")
    embed = '<blockquote class="instagram-media"><time datetime="2019-04-21T23:47:18Z">21.04.2019</time></blockquote>'
    draft = extract_html(page(head, "", after=embed))
    assert draft.published.date() == date(2019, 10, 18)


def test_a_headline_inside_a_box_left_unread_still_marks_where_the_dateline_is_measured_from():
    """The headline's place counts even when it sits in a box whose text is not read (a
    noise-named header wrapper): the day printed right after it is the nearest dateline."""
    from lxml import etree

    from newsindex.extract.html.visible_dates import dateline_days

    filler = "<p>" + "Earlier stories from the archive of the site. " * 20 + "</p>"
    root = etree.fromstring(
        f"<html><body>{filler}<p>1 March 2019</p><div class='comments'><h1 id='h'>Breakwater delayed</h1>"
        f"<p>reply</p></div><p>3 March 2020</p><p>{PROSE}</p></body></html>",
        etree.HTMLParser(),
    )
    headline = root.find(".//h1")
    shown = dateline_days(root, headline, dayfirst=True)
    assert [s.day for s in shown][:2] == [date(2020, 3, 3), date(2019, 3, 1)]
    assert shown[0].distance < 20
