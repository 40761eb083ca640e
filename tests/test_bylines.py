"""Bylines as news writes them: the people named, never a place, a role or an agency."""

import pytest

from newsindex.extract import extract
from newsindex.extract.bylines import byline_within, field_authors, names_after_label, read_byline, split_authors
from newsindex.models import RawDocument

# Invented names in the shapes real bylines take.
PERSON_BYLINES = [
    ("Dan Sabbagh in Kyiv", ["Dan Sabbagh"]),  # Name in Place
    ("Nicola Davis Science correspondent", ["Nicola Davis"]),  # Name Role
    ("Rowena Mason Deputy political editor", ["Rowena Mason"]),
    ("Ana Ruiz at the United Nations", ["Ana Ruiz"]),  # Name at Venue
    ("Jon Henley and agencies", ["Jon Henley"]),  # Name and agencies
    ("Jessica Elgot and Peter Walker in Manchester", ["Jessica Elgot", "Peter Walker"]),  # A and B in Place
    ("By Tom Berg, Reuters", ["Tom Berg"]),  # By X, Agency
    ("Lena Fischer Chief Europe correspondent in Brussels", ["Lena Fischer"]),
    ("Marta Kowalski, Staff writer", ["Marta Kowalski"]),
    ("Glen Owen And Brendan Carlin For The Mail On Sunday", ["Glen Owen", "Brendan Carlin"]),
    ("Sofia Lind Journaliste au Monde", ["Sofia Lind"]),
    ("JOHN O'NEILL", ["John O'Neill"]),
    ("Perry Baines Jr.", ["Perry Baines Jr."]),
    ("Lauren del Valle", ["Lauren del Valle"]),
    ("Dana A. Ford, Ines Moreau, and Tom Watkins, CNN", ["Dana A. Ford", "Ines Moreau", "Tom Watkins"]),
    ("Joshua Pike May 25, 2017", ["Joshua Pike"]),
]

LABELLED = [
    ("Von Roland Brandt und Sebastian Drost", ["Roland Brandt", "Sebastian Drost"]),  # German
    ("Par Matthieu Hervé", ["Matthieu Hervé"]),  # French
    ("Por Raúl Espinosa", ["Raúl Espinosa"]),  # Spanish
    ("Di Marco Rossini", ["Marco Rossini"]),  # Italian
    ("Door Jan de Vries", ["Jan de Vries"]),  # Dutch
    ("Av Ola Nordvik", ["Ola Nordvik"]),  # Norwegian / Swedish
    ("Af Lars Hemming", ["Lars Hemming"]),  # Danish
    ("Text: Ursula Egger", ["Ursula Egger"]),
    ("Autor: Peter Maas/SP-X", ["Peter Maas"]),
    ("Veröffentlicht von HansG", ["HansG"]),
    ("World Media | By Shelia Harmon", ["Shelia Harmon"]),
]


@pytest.mark.parametrize(("byline", "people"), PERSON_BYLINES + LABELLED)
def test_person_bylines_give_exactly_the_people(byline, people):
    assert split_authors(byline) == people


@pytest.mark.parametrize(("byline", "people"), LABELLED)
def test_labels_in_other_languages_open_a_byline(byline, people):
    assert read_byline(byline).authors == people


def test_agency_credit_is_the_outlet_not_an_author():
    byline = read_byline("By Tom Berg, Reuters")
    assert byline.authors == ["Tom Berg"]
    assert byline.credit == "Reuters"


@pytest.mark.parametrize(
    ("line", "people", "outlet"),
    [
        ("By Tom Berg, Sydney Morning Herald", ["Tom Berg"], "Sydney Morning Herald"),
        ("By Ana Ruiz and Lee Park, Washington Post", ["Ana Ruiz", "Lee Park"], "Washington Post"),
        ("Von Lisa Weber, Frankfurter Allgemeine Zeitung", ["Lisa Weber"], "Frankfurter Allgemeine Zeitung"),
        ("By Tom Berg, The Irish Times", ["Tom Berg"], "The Irish Times"),
        ("By Tom Berg, Daily Mail Reporter", ["Tom Berg"], None),  # the paper's name before a role
        ("By Emily Post", ["Emily Post"], None),  # opening the byline, a given name and a word is a person
        ("By Chicago Tribune", [], "Chicago Tribune"),  # the paper alone: a staff story
        ("By Sydney Morning Herald", [], "Sydney Morning Herald"),
    ],
)
def test_a_newspaper_named_after_a_person_is_the_outlet_not_an_author(line, people, outlet):
    byline = read_byline(line)
    assert (byline.authors, byline.credit) == (people, outlet)


def test_the_newspaper_a_byline_credits_is_the_outlet_of_an_article_that_names_none():
    text = "By Tom Berg, Sydney Morning Herald\n\nHarbour dredging resumes\n\nDredgers returned to the port today.\n"
    draft = extract(RawDocument(path="/news/a.txt", kind="text", text=text))
    assert draft.authors == ["Tom Berg"]
    assert draft.source == "Sydney Morning Herald"


@pytest.mark.parametrize(
    "text",
    ["Science correspondent", "Staff writer", "Reuters", "and agencies", "Redaktion", "in Kyiv", "AFP", "publisher"],
)
def test_a_role_place_or_agency_is_never_a_name(text):
    assert split_authors(text) == []
    assert field_authors(text) == []


@pytest.mark.parametrize("line", ["By the way, the port was closed.", "Di Maria scored twice", "By 2030 emissions"])
def test_prose_is_not_a_byline(line):
    assert read_byline(line) is None


def test_a_lone_word_before_prose_or_a_role_is_no_name():
    assert field_authors("Zeige alle Beiträge") == []
    assert split_authors("Rasender Reporter") == []


def test_handles_count_only_from_author_fields():
    assert field_authors("gizzmo") == ["gizzmo"]
    assert field_authors("Harbour Times", site="Harbour Times") == []
    assert field_authors("www.example.com") == []
    assert split_authors("gizzmo") == []


@pytest.mark.parametrize(("byline", "people"), PERSON_BYLINES)
def test_record_author_fields_use_the_same_parser(byline, people):
    raw = RawDocument(path="/x/feed.jsonl", kind="record", record={"title": "T", "body": "B", "byline": byline})
    assert extract(raw).authors == people


def test_text_header_byline_with_agency_names_the_outlet():
    raw = RawDocument(path="/archive/00/a.txt", kind="text", text="By Tom Berg, Reuters\n\nPort reopens\n\nText.\n")
    draft = extract(raw)
    assert (draft.authors, draft.source) == (["Tom Berg"], "Reuters")


@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("By Jane Doe on March 3, 2020", ["Jane Doe"]),
        ("Von Rita Kern am 07.08.2013 um 09:07 Uhr", ["Rita Kern"]),
        ("Posted by Nesselfink under Just For Fun", ["Nesselfink"]),
        ("Text von Carla Seidel Illustration von Marko Rost", ["Carla Seidel"]),
        ("Par Jean Dufour le 3 mai 2021", ["Jean Dufour"]),
    ],
)
def test_a_byline_ends_where_its_date_category_or_another_credit_begins(line, people):
    assert read_byline(line).authors == people


@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("Posted in Privacy by damianfox on August 3, 2019", ["damianfox"]),
        ("Ein Artikel von Paula Stein | 27.01.2022 - 12:45", ["Paula Stein"]),
        ("Blog Beitrag von Margit Kovac", ["Margit Kovac"]),
        ("Publié le 3 mai 2021 par Jean Dufour", ["Jean Dufour"]),
    ],
)
def test_a_byline_inside_a_meta_line(line, people):
    assert byline_within(line).authors == people


@pytest.mark.parametrize(
    "line",
    [
        "Leasing von Firmenfahrzeugen",  # a preposition before a noun
        "US-Sport in Zeiten von Corona",
        "Die Rede von Angela Merkel war lang",  # prose goes on after the name
        "Foto von Josh Winter von Pexels",  # a picture's credit
        "Change the Font Size of All Text Elements",  # "Text" inside a sentence is no label
        "Posted on Friday by LD",  # a lone code at the end of a line says nothing
    ],
)
def test_a_preposition_inside_a_line_is_not_a_byline(line):
    assert byline_within(line) is None


def test_a_label_alone_on_its_line_takes_the_names_on_the_next():
    text = """<html><body><article><h1>Skoda shows a new estate</h1><div><h5>Autor: </h5>Peter Maas/SP-X<br>
    <h5>Datum: </h5>03.11.2021</div><p>The carmaker showed its new estate at the fair in Frankfurt today.</p>
    </article></body></html>"""
    draft = extract(RawDocument(path="/p/a.html", kind="html", text=text))
    assert draft.authors == ["Peter Maas"]


def test_a_meta_line_by_the_headline_beats_a_byline_further_down():
    text = """<html><body><article><h1>Longeing in winter</h1><p>Ein Artikel von Paula Stein | 27.01.2022</p>
    <p>Longeing keeps a horse fit when the ground is frozen, trainers say.</p>
    <p>von Josef Kern, Marie Hohl und Ida Berger</p></article></body></html>"""
    draft = extract(RawDocument(path="/p/a.html", kind="html", text=text))
    assert draft.authors == ["Paula Stein"]


def test_a_heading_label_takes_only_full_names_from_the_next_line():
    assert names_after_label("Autor", "Georg Quast") == ["Georg Quast"]
    assert names_after_label("Texte", "Photos") == []  # two headings, no person
    assert names_after_label("Autor:", "gizmo") == []  # a handle is no byline
    assert names_after_label("By", "Jane Doe, Reuters") == ["Jane Doe"]


def test_the_headline_is_never_read_as_a_byline():
    text = """<html><body><article><h1>Auction of the treasures von St. Johannes</h1>
    <p>The parish sold its old furniture on Saturday, raising money for the roof.</p></article></body></html>"""
    assert extract(RawDocument(path="/p/a.html", kind="html", text=text)).authors == []


def test_a_first_name_or_handle_field_yields_to_the_full_name_the_page_shows():
    for field in ("Todd", "toddbarnes"):
        text = f"""<html><head><meta name="author" content="{field}"></head><body><article>
        <h1>Robot learns to fold towels</h1><div>By</div><div>Todd Barnes</div>
        <p>The robot folded forty towels an hour in the laboratory trial last week.</p></article></body></html>"""
        assert extract(RawDocument(path="/p/a.html", kind="html", text=text)).authors == ["Todd Barnes"]


def test_a_desk_is_no_person_inside_a_meta_line():
    assert byline_within("National Desk By National Desk The Plain Dealer") is None


def test_a_joiner_of_the_labels_language_joins_only_after_that_label():
    # Dutch "en" is "and"; in Spanish and French bylines it is "in" and opens a place.
    assert read_byline("Door Eva Smit en Tim Bakker").authors == ["Eva Smit", "Tim Bakker"]
    assert read_byline("Geschreven door Eva Smit en Tim Bakker").authors == ["Eva Smit", "Tim Bakker"]
    assert read_byline("Por Ana Torres, corresponsal en México").authors == ["Ana Torres"]
    assert split_authors("Ana Torres en Madrid") == ["Ana Torres"]


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("Jörg Staff", ["Jörg Staff"]),  # a given name before a team word: a person
        ("By Kate Desk and Jan Holt", ["Kate Desk", "Jan Holt"]),
        ("Metro Staff", []),  # no locale lists "Metro" as a given name: a desk
        ("Sports Staff", []),
        ("By Tom Berg, Charlotte Staff", ["Tom Berg"]),  # after a name, a desk credit
    ],
)
def test_a_team_word_after_a_given_name_is_a_surname_only_where_the_byline_opens(byline, people):
    assert field_authors(byline) == people


@pytest.mark.parametrize(
    ("byline", "people"),
    [
        ("Senior Correspondent Ray Dalton", ["Ray Dalton"]),  # a role before the name
        ("Door onze correspondent Eva Smit", ["Eva Smit"]),
        ("By JOHN DOLAN Associated Press", ["John Dolan"]),  # an agency after the name, no comma
        ("Reporting by Jane Pell; Additional reporting by Sam Ruiz", ["Jane Pell", "Sam Ruiz"]),  # a part's own label
        ("By Leo Marsh, Business Insider", ["Leo Marsh"]),  # after a name, an outlet with a desk's word
        ("Ann Lee, New York Times Staff", ["Ann Lee"]),  # a desk of several words is no name
        ("New York Times Staff", []),
        ("Science correspondent at the UN", []),  # a role and a place: no name after the role
    ],
)
def test_roles_agencies_and_desks_around_the_names_are_not_names(byline, people):
    assert field_authors(byline) == people


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("By Jane Doe, United States", ["Jane Doe"]),
        ("By Jane Doe, U.S.", ["Jane Doe"]),
        ("By Jane Doe and Tom Berg, Kyiv, Ukraine", ["Jane Doe", "Tom Berg"]),
        ("By Georgia Brown, Jordan Peele", ["Georgia Brown", "Jordan Peele"]),  # names, not countries
    ],
)
def test_a_country_after_the_names_is_where_they_report_from(text, people):
    assert read_byline(text).authors == people


def test_an_agency_before_a_country_is_still_credited():
    byline = read_byline("By Jane Doe, Reuters, Germany")
    assert byline.authors == ["Jane Doe"] and byline.credit == "Reuters"


def test_an_author_field_of_a_place_names_nobody():
    assert field_authors("Frankfurt, Germany") == []  # the lone word before a country: its city
    assert field_authors("Jane Doe, New Zealand") == ["Jane Doe"]
    assert field_authors("Jordan") == ["Jordan"]  # a country first is a name: nothing before it


@pytest.mark.parametrize(
    "text", ["Dienstag", "anónimo", "Anonymous", "Organization", "Organization for Transformative Works"]
)
def test_a_weekday_an_anonymous_author_or_a_data_type_names_nobody(text):
    assert field_authors(text) == []
    assert field_authors(f"Jane Doe, {text}") == ["Jane Doe"]
