"""Authors a page gives outside its author fields: a date line's name, a signature under the
text, a "Written by" meta pair, a byline in a caption box; and what is never a name."""

import pytest

from newsindex.extract.bylines import bare_names, field_authors, split_authors
from newsindex.extract.html import extract_html
from newsindex.models import RawDocument

PROSE = "The harbour authority said the breakwater would be finished by spring, a year late. " * 3


def authors_of(head: str = "", before: str = "", after: str = "", lang: str = "en") -> list[str]:
    text = f"""<html lang="{lang}"><head><title>Breakwater delayed</title>{head}</head>
<body><article><h1>Breakwater delayed</h1>{before}<p>{PROSE}</p>{after}</article></body></html>"""
    return extract_html(RawDocument(path="/archive/a.html", kind="html", text=text)).authors


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        ("11.12.2019 - Amelie Loevenich", "de", ["Amelie Loevenich"]),
        ("04.02.2022 | 13:10 Uhr | Uta Helkenberg", "de", ["Uta Helkenberg"]),
        ("March 3, 2021 · Jane Doe and Ali Khan", "en", ["Jane Doe", "Ali Khan"]),
        ("3 mai 2021 - Par Claire Martin", "fr", ["Claire Martin"]),
        ("11.12.2019 - Politik", "de", []),  # a section is no author
        ("Anna Berg wrote this", "en", []),  # no date: not a date line
    ],
)
def test_a_date_line_beside_the_headline_names_its_author(line, lang, expected):
    assert authors_of(before=f'<p class="meta">{line}</p>', lang=lang) == expected


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        ('<p align="right"><em>Denis Clerc</em></p><p>(1) A note on sources, ' + "with more words " * 10 + "</p>",
         ["Denis Clerc"]),
        ("<p><b><i>Stefan Wasmer</i></b></p>", ["Stefan Wasmer"]),
        ("<p>Kazim Türkmen<br>Chair of the board</p>", ["Kazim Türkmen"]),
        ("<p>May the new year bring peace.</p><p>Kazim Türkmen<br>Chair of the board</p>", ["Kazim Türkmen"]),
        ("<p><b>Weitere Informationen</b></p><ul><li><a href='/x'>Initiative</a></li></ul>", []),  # a heading
        ("<p>Stefan Wasmer</p>", []),  # plain: a line of the text
    ],
)  # fmt: skip
def test_a_name_signed_under_the_text(signature, expected):
    assert authors_of(after=signature) == expected


def test_a_signature_in_comments_is_someone_elses():
    comments = f'<div class="comments"><p>{PROSE}</p><p><b>Lena Hart</b></p></div>'
    assert authors_of(after=comments) == []


def test_a_written_by_meta_pair_names_the_author():
    head = '<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Karoline Herr">'
    assert authors_of(head=head, lang="de") == ["Karoline Herr"]
    reading_time = '<meta name="twitter:label1" content="Est. reading time"><meta name="twitter:data1" content="9 min">'
    assert authors_of(head=reading_time) == []


def test_an_organisation_the_page_describes_is_no_author():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Breakwater delayed",'
        ' "author": {"@type": "Organization", "name": "Harbour Times"}}</script>'
        '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Harbour Times">'
    )
    assert authors_of(head=head) == []


def test_the_web_pages_json_ld_author_by_reference():
    head = (
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage", "@id": "p",'
        ' "author": {"@id": "#person"}}, {"@type": "Person", "@id": "#person", "name": "Swantje Bern"}]}</script>'
    )
    assert authors_of(head=head) == ["Swantje Bern"]


def test_a_byline_shown_beats_the_account_that_posted():
    head = '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Site Editor">'
    assert authors_of(head=head, before='<p class="byline">By Uriel Gadess</p>') == ["Uriel Gadess"]


def test_an_author_line_in_a_caption_box_is_read():
    box = '<div class="caption"><ul class="author"><li>Stefan Loibl</li></ul></div>'
    assert authors_of(before=box) == ["Stefan Loibl"]


def test_comment_authors_do_not_crowd_out_the_byline():
    comments = "".join(f'<div class="comment"><span class="comment-author">Reader {i}</span></div>' for i in range(40))
    page = f"""<html><head><title>T</title></head><body>{comments}<article><h1>Breakwater delayed</h1>
    <p>{PROSE}</p></article><div class="comment"><span class="comment-author">Late One</span></div>
    <span class="author vcard"><a class="url fn n" href="/author/x">Swantje Bern</a></span></body></html>"""
    assert extract_html(RawDocument(path="/a.html", kind="html", text=page)).authors == ["Swantje Bern"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Johanna Kropfitsch Alle Artikel", ["Johanna Kropfitsch"]),
        ("Alle Beiträge", []),
        ("View all posts", []),
    ],
)
def test_a_link_to_an_authors_archive_is_no_name(text, expected):
    assert field_authors(text) == expected
    assert split_authors(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amelie Loevenich", ["Amelie Loevenich"]),
        ("Anna Berg und Jan Holt", ["Anna Berg", "Jan Holt"]),
        ("Berlin", []),
        ("By Anna Berg", []),  # a labelled byline is read_byline's
        ("the harbour authority said", []),
    ],
)
def test_bare_names_are_full_names_and_nothing_else(text, expected):
    assert bare_names(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Richard David Precht im Gespräch mit Karin Fischer", ["Richard David Precht", "Karin Fischer"]),
        ("Anna Berg und Jan Holt aus Hamburg", ["Anna Berg", "Jan Holt"]),
        ("Read the full interview with our correspondents", []),  # prose, not names
    ],
)
def test_an_author_element_of_full_names_is_read_whatever_its_length(line, expected):
    assert authors_of(before=f'<p class="author">{line}</p>', lang="de") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mehr Artikel von Stefanus", ["Stefanus"]), ("View all posts by Anna Berg", ["Anna Berg"])],
)
def test_a_link_to_an_authors_other_articles_names_the_author(text, expected):
    assert field_authors(text) == expected
