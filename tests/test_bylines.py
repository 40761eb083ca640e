"""Bylines as news writes them: the people named, never a place, a role or an agency."""

import pytest

from newsindex.extract import extract
from newsindex.extract.bylines import field_authors, read_byline, split_authors
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
    "text", ["Science correspondent", "Staff writer", "Reuters", "and agencies", "Redaktion", "in Kyiv", "AFP"]
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
